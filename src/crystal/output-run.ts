// What one CRYSTAL output says, as its lines are read: the state every section reader adds to, and
// the result assembled from it. The line rules (output-rules.ts) call into this; the streaming
// parser (output-parser.ts) feeds them lines. Status comes from the content, never from the
// termination banner alone.
import { ElasticReader } from "./output-elastic.js";
import { classifyStderr, Failures } from "./output-failures.js";
import { FrequencyReader } from "./output-frequencies.js";
import { type Gaps, GapTracker } from "./output-gaps.js";
import { type GeometryData, GeometryReader, latticeOf } from "./output-geometry.js";
import type { Block, LineView } from "./output-line.js";
import { type MullikenData, MullikenReader } from "./output-mulliken.js";
import { PropertiesState } from "./output-properties.js";
import { ScfTracker } from "./output-scf.js";
import { lineValuesOf } from "./output-values.js";
import type { CalcType, CrystalResult, ErrorKind, OptSummary, Program, RunStatus } from "./result.js";
import { HARTREE_TO_EV } from "./result.js";
import { standinRunIn } from "./standin-signature.js";

export interface ParseOptions {
  /** The scheduler's or process's stderr, to say why a run stopped (time limit, OOM, MPI_Abort). */
  stderrText?: string;
}

/** What an ELASTCON or FREQCALC run computed at its reference geometry, before the strains or displacements. */
interface Reference {
  finalEnergy: number | null;
  scfEnergy: number | null;
  geometry: GeometryData;
  mulliken: MullikenData | null;
  gaps: Gaps;
}

export class Run {
  version: string | null = null;
  bannerSeen = false;
  /** The version of the latest banner (a properties run after a crystal run prints its own). */
  bannerVersion: string | null = null;
  readonly calcFlags = { opt: false, freq: false, elastic: false, eos: false, properties: false };
  deckEchoCalc: CalcType | null = null;
  terminated = false;
  readonly failures = new Failures();
  nAtoms: number | null = null;
  /** The one-line values of src/crystal/output-values.ts seen so far, by key (the last wins). */
  readonly lineValues = new Map<string, number | null>();
  spin: boolean | null = null;

  readonly scf = new ScfTracker();
  readonly crystalGaps = new GapTracker();
  readonly geometry = new GeometryReader();
  readonly mulliken = new MullikenReader();
  readonly freq = new FrequencyReader();
  readonly elastic = new ElasticReader();
  /** The properties run of the file, once its header was seen. */
  properties: PropertiesState | null = null;
  /** Whether a crystal run came before the properties run (then both are reported). */
  private crystalBeforeProperties = false;
  private reference: Reference | null = null;

  /** Whether the next Mulliken analysis table is ALPHA-BETA (spins) rather than ALPHA+BETA. */
  mullikenSpinTable = false;

  /** The block reading the lines after a header, if any (set by the rules, cleared by the parser). */
  block: Block | null = null;

  constructor() {
    this.scf.onNewScf = () => this.crystalGaps.newScf();
  }

  /** The gaps being read: the properties run's NEWK once it started, else the crystal run's. */
  get gaps(): GapTracker {
    return this.properties?.gaps ?? this.crystalGaps;
  }

  /** The errors being collected: the properties run's once it started. */
  get currentFailures(): Failures {
    return this.properties?.failures ?? this.failures;
  }

  /** Geometry lines of a properties run that follows a crystal run are that run's echo, not news. */
  get readsGeometry(): boolean {
    return this.properties === null || !this.crystalBeforeProperties;
  }

  // ------------------------------------------------------------ events the rules report

  banner(version: string | null): void {
    if (version !== null) {
      this.version ??= version;
      this.bannerVersion = version;
    }
    this.bannerSeen = true;
  }

  /** `CRYSTAL - PROPERTIES - TYPE OF CALCULATION :  RESTRICTED CLOSED SHELL` (or a PROPERTIES banner). */
  startProperties(): PropertiesState {
    if (this.properties) return this.properties;
    this.calcFlags.properties = true;
    const f = this.calcFlags;
    this.crystalBeforeProperties = this.scf.seen || f.opt || f.freq || f.elastic || f.eos;
    this.properties = new PropertiesState(this.bannerVersion);
    return this.properties;
  }

  typeOfCalculation(line: string): void {
    if (line.includes("OPEN SHELL")) this.spin = true;
    else if (line.includes("CLOSED SHELL")) this.spin = false;
  }

  atomsPerCell(n: number | null): void {
    if (n === null) return;
    if (this.properties) this.properties.nAtoms ??= n;
    else this.nAtoms ??= n;
  }

  termination(complete: boolean): void {
    // CRYSTAL always ends that line with a newline: a last line without one is still being written
    if (!complete) return;
    if (this.properties) this.properties.terminated = true;
    else this.terminated = true;
  }

  atomsInCell(n: number | null): void {
    if (n === null) return;
    this.nAtoms = n;
    this.mulliken.expected = n;
  }

  /** A table of Mulliken populations starts: they belong to the SCF being read. */
  mullikenTable(kind: "charges" | "spins" | "analysis", v: LineView, e: number): Block | null {
    this.mulliken.scf = this.scf.number;
    if (kind === "charges") return this.mulliken.chargesHeader(v, e);
    if (kind === "spins") return this.mulliken.spinsHeader(v, e);
    const block = this.mulliken.analysisHeader(this.mullikenSpinTable);
    this.mullikenSpinTable = false;
    return block;
  }

  /** The bytes being read are about to go: what was left to read in them is read now. */
  endOfBytes(v: LineView): void {
    this.mulliken.flush(v);
  }

  /** The populations of the SCF whose energy is the run's (none when they were printed for another). */
  private mullikenOfFinalScf(): MullikenData | null {
    const data = this.mulliken.data();
    return data && data.scf === this.scf.finalNumber ? data : null;
  }

  /** The reference geometry's results, before ELASTCON strains or FREQCALC displacements begin. */
  freezeReference(v: LineView): void {
    if (this.reference) return;
    this.mulliken.flush(v);
    this.reference = {
      finalEnergy: this.scf.lastConvergedEnergy,
      scfEnergy: this.scf.lastScfEnergy,
      geometry: this.geometry.data,
      mulliken: this.mullikenOfFinalScf(),
      gaps: this.crystalGaps.gaps(),
    };
  }

  // ------------------------------------------------------------ the result

  private calcType(): CalcType | null {
    const f = this.calcFlags;
    if (f.elastic) return "elastic";
    if (f.eos) return "eos";
    if (f.freq) return "freq";
    if (f.opt) return "opt";
    if (this.deckEchoCalc) return this.deckEchoCalc;
    if (f.properties) return "properties";
    if (this.bannerSeen || this.scf.seen) return "scf";
    return null;
  }

  private program(): Program | null {
    if (this.properties && !this.crystalBeforeProperties) return "properties";
    if (this.bannerSeen || this.scf.seen) return "crystal";
    return null;
  }

  result(opts: ParseOptions, wallTime: number | null): CrystalResult {
    return withoutNegativeZero(this.assemble(opts, wallTime));
  }

  private assemble(opts: ParseOptions, wallTime: number | null): CrystalResult {
    const program = this.program();
    const crystal = { ...this.crystalResult(opts, wallTime), standin: standinRunIn(opts.stderrText) };
    if (program !== "properties") return { ...crystal, program };
    const props = this.properties!.result();
    const f = this.properties!.failures;
    const errors = [...f.crystalErrors, ...f.otherErrors];
    let errorKind = props.error_kind;
    if (props.status !== "completed" && errorKind === null) {
      const fromStderr = classifyStderr(opts.stderrText);
      if (fromStderr) {
        errorKind = fromStderr.kind;
        if (!errors.includes(fromStderr.line)) errors.push(fromStderr.line);
      }
    }
    return {
      ...crystal,
      program,
      crystal_version: props.crystal_version ?? crystal.crystal_version,
      calc_type: "properties",
      status: props.status,
      error_kind: errorKind,
      errors,
      warnings: [...f.warnings],
      n_atoms: props.n_atoms,
      spin_polarized: props.spin_polarized,
      band_gap_ev: props.band_gap_ev,
      band_gap_alpha_ev: props.band_gap_alpha_ev,
      band_gap_beta_ev: props.band_gap_beta_ev,
      properties: { ...props, wall_time_s: props.wall_time_s ?? wallTime },
    };
  }

  private crystalResult(opts: ParseOptions, wallTime: number | null): CrystalResult {
    const scf = this.scf;
    const calcType = this.calcType();
    const isOpt = calcType === "opt" || scf.optEnded || scf.optPoints.length > 0;
    const optEnergies = scf.optEnergies();
    const opt: OptSummary | null = isOpt
      ? {
          converged: scf.optEnded && scf.optConverged,
          steps: scf.optReportedPoints ?? optEnergies.length,
          energies_hartree: optEnergies,
        }
      : null;

    const f = this.failures;
    const scfFailed = scf.ended && scf.tooMany;
    const optFailed = scf.optEnded && !scf.optConverged;
    const goalMet = isOpt ? scf.optEnded && scf.optConverged : scf.seen ? scf.converged : true;

    let status: RunStatus;
    if (f.crystalErrors.length > 0 || optFailed || scfFailed || f.fortranSevere) status = "failed";
    else if (this.terminated) status = goalMet ? "completed" : "failed";
    else status = "incomplete";

    const errors = [...f.crystalErrors, ...f.otherErrors];
    let errorKind: ErrorKind | null = null;
    if (optFailed) errorKind = "geometry_not_converged";
    else if (scfFailed) errorKind = "scf_not_converged";
    else if (f.crystalErrors.length > 0) errorKind = f.kindOfCrystalErrors();
    else if (f.fortranSevere) errorKind = f.crashKind();
    else if (status === "failed") errorKind = isOpt ? "geometry_not_converged" : "scf_not_converged";
    if (errorKind === null && status !== "completed") {
      const fromStderr = classifyStderr(opts.stderrText);
      if (fromStderr) {
        errorKind = fromStderr.kind;
        if (!errors.includes(fromStderr.line)) errors.push(fromStderr.line);
      } else if (f.mpiAbort) errorKind = "mpi_abort";
      else if (f.fortranKilled) errorKind = "killed";
    }

    const ref = calcType === "elastic" || calcType === "freq" ? this.reference : null;
    let finalEnergy = ref ? ref.finalEnergy : scf.lastConvergedEnergy;
    let scfEnergy = ref ? ref.scfEnergy : scf.lastScfEnergy;
    // a frequency run computes many displaced geometries: its energy is the central point's
    if (calcType === "freq") {
      finalEnergy = scf.centralPointEnergy ?? ref?.finalEnergy ?? scf.firstConvergedEnergy ?? finalEnergy;
      scfEnergy = ref?.scfEnergy ?? scf.firstScfEnergy ?? scfEnergy;
    }
    if (finalEnergy === null) scfEnergy = null;

    const spin = this.spin;
    const gaps = ref ? ref.gaps : this.crystalGaps.gaps();
    const geometryData = ref ? ref.geometry : this.geometry.data;
    const geometry = GeometryReader.result(geometryData);
    const dimensionality = geometryData.dimensionality;
    const mulliken = MullikenReader.result(
      ref ? ref.mulliken : this.mullikenOfFinalScf(),
      this.geometry.conventionalNumbers(geometryData),
    );
    const frequencies = this.freq.result();

    return {
      program: null,
      crystal_version: this.version,
      calc_type: calcType,
      status,
      error_kind: errorKind,
      errors,
      warnings: [...f.warnings],
      n_atoms: this.nAtoms,
      spin_polarized: spin,
      final_energy_hartree: finalEnergy,
      final_energy_ev: finalEnergy === null ? null : finalEnergy * HARTREE_TO_EV,
      scf_energy_hartree: scfEnergy,
      scf: {
        converged: scf.ended && scf.converged,
        cycles: scf.cycles,
        energies_hartree: scf.energiesOfLastScf(),
        initial_energy_hartree: scf.initialEnergy,
      },
      opt,
      // a spin-polarised run has no single gap unless CRYSTAL printed one
      band_gap_ev: gaps.all,
      band_gap_alpha_ev: spin === false ? null : gaps.alpha,
      band_gap_beta_ev: spin === false ? null : gaps.beta,
      lattice: latticeOf(geometryData.cell, dimensionality ?? 3),
      geometry,
      mulliken,
      zero_point_energy_ev: this.freq.zpeEv,
      frequencies,
      elastic: this.elastic.result(),
      properties: this.properties ? this.properties.result() : null,
      wall_time_s: wallTime,
      standin: null, // set by assemble from the stderr
      ...lineValuesOf(this.lineValues),
    };
  }
}

/**
 * CRYSTAL prints `-0.0000` (a spin density, a translation mode): the result says 0, as its JSON
 * does, so that what is stored and what is returned are the same.
 */
function withoutNegativeZero<T>(value: T): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      if (typeof x === "number") {
        if (Object.is(x, -0)) value[i] = 0;
      } else if (x !== null && typeof x === "object") withoutNegativeZero(x);
    }
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const x = record[key];
      if (Object.is(x, -0)) record[key] = 0;
      else if (x !== null && typeof x === "object") withoutNegativeZero(x);
    }
  }
  return value;
}
