// What a parsed CRYSTAL output says: the result types shared by the parser, the store (jobs.key_results),
// the engine, the CLI's `parse --json` contract and the TUI. Types and constants only, no parsing, so
// that every layer may import them without pulling in the parser.
import type { LineValues } from "./output-values.js";

/** What is known of a result replayed by crystal-tui's CRYSTAL stand-in (standin-signature.ts). */
export interface StandinRun {
  /** The recording it replayed (a file of fixtures/crystal-outputs without `.out`), when it said. */
  recording: string | null;
}

/** CODATA 2018, as the issue asks (CRYSTALpytools uses the same). */
export const HARTREE_TO_EV = 27.211386245988;
/** Bohr radius in Å (CODATA 2018). */
export const BOHR_TO_ANGSTROM = 0.529177210903;

/** Which program wrote the output: `crystal` (crystalOMP, Pcrystal…) or `properties`. */
export type Program = "crystal" | "properties";
export type CalcType = "scf" | "opt" | "freq" | "elastic" | "eos" | "properties";
export type RunStatus = "completed" | "failed" | "incomplete";
export type ErrorKind =
  | "scf_not_converged"
  | "geometry_not_converged"
  | "input_error"
  | "memory"
  | "mpi_abort"
  | "walltime"
  /** stopped by a signal (SIGTERM/SIGKILL) with no scheduler telling why */
  | "killed"
  /** the program itself crashed (e.g. a Fortran runtime `severe` error) */
  | "crashed";

export interface Lattice {
  /** Å; null along a non-periodic direction (slab c, polymer b and c). */
  a: number | null;
  b: number | null;
  c: number | null;
  /** degrees */
  alpha: number;
  beta: number;
  gamma: number;
}

export interface ScfSummary {
  converged: boolean;
  /** CRYSTAL's cycle count of the last SCF (the CYCLES of `SCF ENDED`, else the last CYC seen). */
  cycles: number;
  /** Total energy after each cycle of the last SCF (cycles 1…n; cycle 0 is the initial guess). */
  energies_hartree: number[];
  /**
   * The energy CRYSTAL printed for cycle 0 (the initial guess) of that SCF, so that the change of
   * cycle 1 is known (plots draw every cycle); null when cycle 0 was not printed.
   */
  initial_energy_hartree: number | null;
}

export interface OptSummary {
  converged: boolean;
  /** Geometry points computed (CRYSTAL's POINTS once the optimisation ended). */
  steps: number;
  /** Energy at each geometry point, in order. */
  energies_hartree: number[];
}

export type Vector3 = [number, number, number];

export interface Atom {
  /** 1-based, in CRYSTAL's order. */
  index: number;
  /** Atomic number (CRYSTAL's conventional number modulo 100: 226 → 26 for an atom with a pseudopotential). */
  z: number;
  /** Element symbol, capitalised as chemists write it ("Mg"); "X" for a ghost (Z = 0). */
  symbol: string;
  /** Fractional along each periodic direction; null along a non-periodic one (slab z, molecule). */
  fractional: [number | null, number | null, number | null];
  cartesian_angstrom: Vector3;
}

/** The final structure: the optimised one, the reference of an ELASTCON run, else the input's. */
export interface Geometry {
  dimensionality: 0 | 1 | 2 | 3;
  /** As CRYSTAL prints it: the space group (3D), the plane group (2D), the rod or point group. */
  space_group: string | null;
  /**
   * The primitive cell's vectors in Å, one per periodic direction (3 in 3D, 2 for a slab, 1 for a
   * polymer, none for a molecule). Where CRYSTAL printed no vectors for the final geometry they are
   * built from a b c α β γ with a along x and b in the xy plane.
   */
  lattice_vectors_angstrom: Vector3[];
  cell: Lattice | null;
  /** Å³ (3D), Å² (2D), Å (1D) as CRYSTAL prints VOLUME; null for molecules. */
  volume: number | null;
  atoms: Atom[];
}

export interface Mulliken {
  /** Net charge of each atom (Z − electrons), e; null for an atom with a pseudopotential. */
  charges: (number | null)[];
  /** Electrons on each atom as CRYSTAL prints them (TOTAL ATOMIC CHARGES). */
  electrons: number[];
  /** α − β electrons on each atom (spin-polarised runs), else null. */
  spins: number[] | null;
  /** Total spin α − β per cell (CRYSTAL's SUMMED SPIN DENSITY, else the sum of the spins); null when closed shell. */
  total_magnetisation: number | null;
}

export interface Mode {
  /** 1-based; a degenerate row `34- 36` gives modes 34, 35 and 36. */
  index: number;
  /** cm⁻¹; an imaginary mode is negative (as CRYSTAL prints it). */
  cm1: number;
  /** IR intensity, km/mol, when CRYSTAL computed it (INTENS), else null. */
  ir_km_mol: number | null;
  ir_active: boolean | null;
  raman_active: boolean | null;
  /** Irreducible representation as printed ("Fu", "Ag", "A'"), null when symmetry analysis is off. */
  symmetry: string | null;
  /** Raman intensity (polycrystalline I_tot, arbitrary units) when computed, else null. */
  raman_intensity: number | null;
}

export interface Thermodynamics {
  temperature_k: number;
  pressure_mpa: number;
  /** Internal energy E = EL + E0 + ET, Hartree per cell. */
  energy_hartree: number | null;
  /** Enthalpy H = E + PV, Hartree per cell. */
  enthalpy_hartree: number | null;
  /** Entropy S, J/(mol·K). */
  entropy_j_mol_k: number | null;
  /** Gibbs free energy G = EL + E0 + ET + PV − TS, Hartree per cell. */
  free_energy_hartree: number | null;
  /** Heat capacity C, J/(mol·K). */
  heat_capacity_j_mol_k: number | null;
}

export interface Frequencies {
  /** The modes at Γ (the first transverse-optical table), one entry per mode. */
  modes: Mode[];
  /** Modes with a negative (imaginary) frequency. */
  n_imaginary: number;
  zero_point_energy_ev: number | null;
  /** One entry per temperature and pressure CRYSTAL printed. */
  thermodynamics: Thermodynamics[];
}

export interface Moduli {
  bulk_modulus_gpa: number | null;
  shear_modulus_gpa: number | null;
}

export interface Elastic {
  /** The symmetrized elastic constants: 6×6 (3D), 3×3 (2D), 1×1 (1D), in `units`. */
  constants: number[][];
  /** "GPa" for 3D; CRYSTAL's own word for 2D and 1D (e.g. "HARTREE"). */
  units: string;
  /** The compliance tensor when printed, in `compliance_units`. */
  compliance: number[][] | null;
  compliance_units: string | null;
  /** K of the final `BULK MODULUS (GPa)` block (else Hill's K). */
  bulk_modulus_gpa: number | null;
  /** Hill's G. */
  shear_modulus_gpa: number | null;
  voigt: Moduli | null;
  reuss: Moduli | null;
  hill: (Moduli & { young_modulus_gpa: number | null; poisson_ratio: number | null }) | null;
}

/** What a `properties` run did, from its own output. */
export interface PropertiesRun {
  status: RunStatus;
  error_kind: ErrorKind | null;
  crystal_version: string | null;
  n_atoms: number | null;
  spin_polarized: boolean | null;
  /** The keywords it ran, in order (BAND, DOSS, NEWK, ECH3, …), as its timing lines name them. */
  kinds: string[];
  /** The gap NEWK printed (or computed from the band edges CRYSTAL14 prints); null when none. */
  band_gap_ev: number | null;
  band_gap_alpha_ev: number | null;
  band_gap_beta_ev: number | null;
  /** Data it wrote on unit 25 (fort.25), e.g. ["BAND", "DOSS"], one entry per block. */
  fort25_blocks: string[];
  wall_time_s: number | null;
}

/** The keys are part of the CLI's JSON contract (`crystal-tui parse --json`): snake_case, null where absent. */
export interface CrystalResult extends LineValues {
  /** The program of the (first) run in the file; null when the file is not a CRYSTAL output. */
  program: Program | null;
  /** Major version from CRYSTAL's banner: "14", "17", "22", "23". */
  crystal_version: string | null;
  /** What the run did (FREQCALC / ELASTCON / EOS runs contain SCFs and optimisations of their own). */
  calc_type: CalcType | null;
  /** From the content: "completed" only when the run ended normally AND reached its goal. */
  status: RunStatus;
  /** Why it failed or stopped; null for a completed run. */
  error_kind: ErrorKind | null;
  /** CRYSTAL's ERROR lines, Fortran/MPI runtime lines, the scheduler's line that explains a stop. */
  errors: string[];
  warnings: string[];
  /** Atoms in the (primitive) cell. */
  n_atoms: number | null;
  spin_polarized: boolean | null;
  /**
   * The energy of the result: the optimised geometry's for an optimisation (OPT END), the central
   * point's for a frequency run, the reference geometry's for ELASTCON, and with a dispersion
   * correction (`TOTAL ENERGY + DISP (+ GCP)`) the corrected one. Null while no SCF has converged.
   */
  final_energy_hartree: number | null;
  final_energy_ev: number | null;
  /** The bare SCF energy of that same SCF (without dispersion or gCP corrections). */
  scf_energy_hartree: number | null;
  scf: ScfSummary;
  opt: OptSummary | null;
  /** The gap of the last diagonalisation (0 for a conducting state); null for spin-polarised runs. */
  band_gap_ev: number | null;
  band_gap_alpha_ev: number | null;
  band_gap_beta_ev: number | null;
  /** The final primitive cell; null for molecules. */
  lattice: Lattice | null;
  geometry: Geometry | null;
  mulliken: Mulliken | null;
  zero_point_energy_ev: number | null;
  frequencies: Frequencies | null;
  elastic: Elastic | null;
  /** The properties run of the file (alone, or after the crystal run it follows). */
  properties: PropertiesRun | null;
  /** Elapsed seconds at CRYSTAL's last timing line. */
  wall_time_s: number | null;
  /**
   * Set when the run was crystal-tui's CRYSTAL stand-in replaying a recording (known from the run's
   * stderr, see standin-signature.ts): its numbers are a recorded run's, not computed for this deck.
   */
  standin: StandinRun | null;
}
