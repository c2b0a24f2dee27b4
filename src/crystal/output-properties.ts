// A run of CRYSTAL's `properties` program (BAND, DOSS, NEWK, ECHG, …): what it computed, as its
// timing lines name each keyword when it is done (`TTTT… DOSS   TELAPSE …`), its gap (NEWK), the
// data it wrote on unit 25 (fort.25), and how it ended. Its output echoes the whole .d3 first, and
// CRYSTAL's banner is the same as the crystal program's: the run starts at
// `CRYSTAL - PROPERTIES - TYPE OF CALCULATION`.
import { Failures } from "./output-failures.js";
import { GapTracker } from "./output-gaps.js";
import type { ErrorKind, PropertiesRun, RunStatus } from "./result.js";

/**
 * The properties program's keywords (CRYSTAL23 manual, properties input), as its timing lines
 * name them; other timing lines (`gordsh1`, `END`) are not what it computed.
 */
export const PROPERTIES_KEYWORDS: ReadonlySet<string> = new Set([
  "ADFT",
  "ANBD",
  "ANISOTRO",
  "BAND",
  "BIDIERD",
  "BOLTZTRA",
  "BWIDTH",
  "CLAS",
  "COMMENS",
  "CRYAPI_OUT",
  "DIEL",
  "DLVINPUT",
  "DOSS",
  "ECH3",
  "ECHG",
  "EDFT",
  "EMDL",
  "EMDLDM",
  "EMDP",
  "EMDPDM",
  "FMWF",
  "GRID3D",
  "HIRSHCHG",
  "KINETEMD",
  "LOCALWF",
  "NEWK",
  "PATO",
  "PBAN",
  "PDIDE",
  "PGEOMW",
  "PMP2",
  "POLI",
  "POT3",
  "POTC",
  "POTM",
  "PPAN",
  "PROF",
  "PSCF",
  "RDFMWF",
  "SPOLBP",
  "SPOLWF",
  "TOPO",
  "XFAC",
  "XRDSPEC",
  "COMPTON",
  "FATBAND",
  "PROPS2COMP",
  "SPINCNTM",
]);

export class PropertiesState {
  version: string | null;
  nAtoms: number | null = null;
  spin: boolean | null = null;
  readonly kinds: string[] = [];
  readonly fort25: string[] = [];
  readonly gaps = new GapTracker();
  readonly failures = new Failures();
  terminated = false;
  lastTiming: string | null = null;

  constructor(version: string | null) {
    this.version = version;
  }

  /** `CRYSTAL - PROPERTIES - TYPE OF CALCULATION :  RESTRICTED CLOSED SHELL` */
  typeLine(line: string): void {
    if (line.includes("OPEN SHELL")) this.spin = true;
    else if (line.includes("CLOSED SHELL")) this.spin = false;
  }

  /** `TTTTTTTTTTTTTTTTTTTTTTTTTTTTTT NEWK        TELAPSE        0.06 TCPU        0.05` */
  timingLine(line: string): void {
    this.lastTiming = line;
    const word = /^T+\s+(\S+)/.exec(line)?.[1];
    if (word && PROPERTIES_KEYWORDS.has(word) && this.kinds.at(-1) !== word) this.kinds.push(word);
  }

  /** ` -%-0DOSS      1   14    0    0    0    0`: the header of a block written on fort.25. */
  fort25Line(line: string): void {
    const kind = /^-%-\d([A-Z0-9]{4})/.exec(line)?.[1];
    if (kind) this.fort25.push(kind);
  }

  status(): { status: RunStatus; errorKind: ErrorKind | null } {
    const f = this.failures;
    if (f.crystalErrors.length > 0) return { status: "failed", errorKind: f.kindOfCrystalErrors() };
    if (f.fortranSevere) return { status: "failed", errorKind: f.crashKind() };
    if (this.terminated) return { status: "completed", errorKind: null };
    const errorKind: ErrorKind | null = f.mpiAbort ? "mpi_abort" : f.fortranKilled ? "killed" : null;
    return { status: "incomplete", errorKind };
  }

  result(): PropertiesRun {
    const { status, errorKind } = this.status();
    const gaps = this.gaps.gaps();
    const wall = Number(/TELAPSE\s+(\S+)/.exec(this.lastTiming ?? "")?.[1]);
    return {
      status,
      error_kind: errorKind,
      crystal_version: this.version,
      n_atoms: this.nAtoms,
      spin_polarized: this.spin,
      kinds: [...this.kinds],
      band_gap_ev: gaps.all,
      band_gap_alpha_ev: this.spin === false ? null : gaps.alpha,
      band_gap_beta_ev: this.spin === false ? null : gaps.beta,
      fort25_blocks: [...this.fort25],
      wall_time_s: Number.isFinite(wall) ? wall : null,
    };
  }
}
