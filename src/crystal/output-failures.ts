// Why a run failed or stopped: CRYSTAL's own ERROR lines, the Fortran and MPI runtimes' messages,
// and what a scheduler's or process's stderr says (time limit, out of memory, MPI_Abort).
import type { ErrorKind } from "./result.js";

/** Lines longer than this are not CRYSTAL's (binary junk, a pasted path list): skipped whole. */
export const MAX_LINE = 4096;
/** errors[] and warnings[] keep at most this many distinct lines. */
const MAX_MESSAGES = 100;
/** A runtime message saying memory ran out (not "invalid memory reference": that is a crash). */
const OUT_OF_MEMORY =
  /insufficient virtual memory|cannot allocate memory|out of memory|allocation would exceed memory/i;

/** What a scheduler's or process's stderr says about why a run stopped, most telling first. */
const STDERR_CAUSES: { kind: ErrorKind; pattern: RegExp }[] = [
  {
    kind: "walltime",
    pattern:
      /DUE TO TIME LIMIT|TIME LIMIT|walltime\b.*\bexceeded|exceeded\b.*\b(?:wall ?time|time limit|runtime)|TERM_RUNLIMIT|h_rt/i,
  },
  {
    kind: "memory",
    pattern:
      /oom[-_ ]?kill|out of memory|OUT_OF_MEMORY|exceeded\b.*\bmemory|memory limit|Killed process|insufficient virtual memory|cannot allocate memory|bad_alloc|TERM_MEMLIMIT/i,
  },
  {
    kind: "mpi_abort",
    pattern:
      /MPI_ABORT|MPI_Abort|BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES|exited on signal|PMPI_\w+.*failed/i,
  },
  { kind: "killed", pattern: /process killed \(SIG|\bKilled\b|\bTerminated\b|CANCELLED/ },
];

/** The first cause a stderr text gives for a stopped run, with the line that says so. */
export function classifyStderr(text: string | undefined): { kind: ErrorKind; line: string } | null {
  if (!text) return null;
  let best: { kind: ErrorKind; line: string; rank: number } | null = null;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end - start <= MAX_LINE) {
      const line = text.slice(start, end).trim();
      if (line) {
        for (let rank = 0; rank < STDERR_CAUSES.length && (best === null || rank < best.rank); rank++) {
          const cause = STDERR_CAUSES[rank]!;
          if (cause.pattern.test(line)) {
            best = { kind: cause.kind, line, rank };
            break;
          }
        }
      }
    }
    if (best?.rank === 0) break;
    start = end + 1;
  }
  return best ? { kind: best.kind, line: best.line } : null;
}

/**
 * CRYSTAL's own error line: `ERROR **** ROUTINE **** WHAT`. A run script's listing of its scratch
 * folder (`ERROR`, `ERROR.pe01` … — the files MPI ranks write) is not one.
 */
export function isCrystalError(line: string): boolean {
  if (/^ERROR\s*\*/.test(line)) return true;
  return /^ERROR\s+[A-Z]/.test(line) && !/\bERROR\.pe\d+|\bfort\.\d+/.test(line);
}

/** The errors, warnings and runtime stops of one run. */
export class Failures {
  readonly crystalErrors: string[] = [];
  readonly otherErrors: string[] = [];
  readonly warnings: string[] = [];
  fortranKilled = false;
  fortranSevere = false;
  mpiAbort = false;

  error(line: string): void {
    if (isCrystalError(line)) remember(this.crystalErrors, line);
  }

  warning(line: string): void {
    remember(this.warnings, line);
  }

  /** Intel Fortran's runtime: `forrtl: error (78): process killed (SIGTERM)`, `forrtl: severe (41): …`. */
  fortran(line: string): void {
    if (/^forrtl:\s*(error|severe)/.test(line)) this.runtimeStop(line);
  }

  /**
   * The program stopped outside CRYSTAL's own checks: a signal from outside (SIGTERM, SIGKILL: a
   * scheduler or a user), or a crash (segmentation fault, memory exhausted). gfortran says
   * `Program received signal SIGSEGV`, `Operating system error: Cannot allocate memory`; mpirun
   * `mpirun noticed that process rank 0 … exited on signal 9 (Killed)`.
   */
  runtimeStop(line: string): void {
    remember(this.otherErrors, line);
    if (/process killed|SIGTERM|SIGKILL|SIGINT|signal (9|15)\b|\(Killed\)|\(Terminated\)/.test(line))
      this.fortranKilled = true;
    else this.fortranSevere = true;
  }

  mpiAbortLine(line: string): void {
    if (!this.mpiAbort) remember(this.otherErrors, line);
    this.mpiAbort = true;
  }

  /** What kind of failure CRYSTAL's ERROR lines describe. */
  kindOfCrystalErrors(): ErrorKind {
    const text = this.crystalErrors.join("\n");
    if (/MEMORY|ALLOCAT/i.test(text)) return "memory";
    // e.g. `ERROR **** OPTGEOM **** SCF FAILED - OPTGEOM STOP`: an SCF of the optimisation did not converge
    if (/SCF[^\n]*(FAIL|NOT CONVERGED|DIVERG|TOO MANY)|TOO MANY CYCLES/.test(text))
      return "scf_not_converged";
    if (/GEOMETRY OPTIMI[SZ]ATION FAILED|OPTIMI[SZ]ATION NOT CONVERGED|OPTGEOM[^\n]*FAIL/.test(text))
      return "geometry_not_converged";
    return "input_error";
  }

  /** A crash of the program itself: memory when its message says so. */
  crashKind(): ErrorKind {
    return this.otherErrors.some((l) => OUT_OF_MEMORY.test(l)) ? "memory" : "crashed";
  }
}

function remember(list: string[], line: string): void {
  if (list.length < MAX_MESSAGES && !list.includes(line)) list.push(line);
}
