// What a parsed CRYSTAL output says: the result types shared by the parser, the store (jobs.key_results),
// the engine, the CLI's `parse --json` contract and the TUI. Types and constants only, no parsing, so
// that every layer may import them without pulling in the parser.

/** CODATA 2018, as the issue asks (CRYSTALpytools uses the same). */
export const HARTREE_TO_EV = 27.211386245988;

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
}

export interface OptSummary {
  converged: boolean;
  /** Geometry points computed (CRYSTAL's POINTS once the optimisation ended). */
  steps: number;
  /** Energy at each geometry point, in order. */
  energies_hartree: number[];
}

/** The keys are part of the CLI's JSON contract (`crystal-tui parse --json`): snake_case, null where absent. */
export interface CrystalResult {
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
   * The energy of the last converged SCF: the optimised geometry's for an optimisation (OPT END),
   * the central point's for a frequency run. Null while no SCF has converged (a failed SCF has none).
   */
  final_energy_hartree: number | null;
  final_energy_ev: number | null;
  scf: ScfSummary;
  opt: OptSummary | null;
  /** The gap of the last diagonalisation (0 for a conducting state); null for spin-polarised runs. */
  band_gap_ev: number | null;
  band_gap_alpha_ev: number | null;
  band_gap_beta_ev: number | null;
  /** The final primitive cell; null for molecules. */
  lattice: Lattice | null;
  zero_point_energy_ev: number | null;
  /** Elapsed seconds at CRYSTAL's last timing line. */
  wall_time_s: number | null;
}
