// CRYSTAL's file conventions, written once: what the deck is called in the run folder, which job
// files CRYSTAL reads under which Fortran names, the data one job hands another (geometry,
// wavefunction, Hessian, …), which of its outputs are worth keeping, and which program runs a job
// with how many processes. Everything that stages, collects, checks or plans files (runners, the
// CLI, the TUI's form, workflow planning, the stand-in) asks this module.

/** CRYSTAL reads its deck from stdin; runners place it in the run folder under this name. */
export const INPUT_NAME = "INPUT";

/**
 * The folder inside a job folder where a run's own records are kept (the wrapper's pid and exit
 * code locally; the scheduler's stdout/stderr brought back from a remote run).
 */
export const RUN_RECORDS_DIR = ".run";

/** Which CRYSTAL program reads a deck: `crystal` (.d12) or `properties` (.d3). */
export type CrystalProgram = "crystal" | "properties";

/**
 * Data a job takes from another job's results, in one table: what the parent keeps in its folder
 * (`ext`), the name each program opens in its run folder (null: that program does not read it), the
 * deck keyword that makes it read it, and how a user hands it over (the CLI's flag, the workflow
 * file's key). Staging, the "every file the deck reads is provided" check and the links between
 * jobs are all derived from it.
 */
export interface DataLink {
  /** What a chemist calls it. */
  what: string;
  /** The parent's kept output, by extension in its job folder (`<parent>.gui`). */
  ext: string;
  /** The name each program opens (null: not read by that program). */
  reads: Readonly<Record<CrystalProgram, string | null>>;
  /** The deck keyword that makes CRYSTAL read it. */
  keyword: string;
  /** `job add --geometry-from ID`, when a flag exists. */
  cliFlag: string | null;
  /** `geometry_from: <step>` in a workflow file, when a key exists. */
  workflowKey: "geometry_from" | "wavefunction_from" | "hessian_from" | null;
  /** A missing file is not an error (HESSOPT without a Hessian starts from a model Hessian). */
  optional: boolean;
}

export const DATA_LINKS: readonly DataLink[] = Object.freeze([
  {
    what: "geometry",
    ext: ".gui",
    reads: { crystal: "fort.34", properties: null },
    keyword: "EXTERNAL",
    cliFlag: "--geometry-from",
    workflowKey: "geometry_from",
    optional: false,
  },
  {
    what: "wavefunction",
    ext: ".f9",
    // properties reads the SCF's wavefunction as fort.9, crystal's GUESSP as fort.20
    reads: { crystal: "fort.20", properties: "fort.9" },
    keyword: "GUESSP",
    cliFlag: "--wavefunction-from",
    workflowKey: "wavefunction_from",
    optional: false,
  },
  {
    what: "formatted wavefunction",
    ext: ".f98",
    reads: { crystal: "fort.98", properties: "fort.98" },
    keyword: "RDFMWF",
    cliFlag: null,
    workflowKey: null,
    optional: false,
  },
  {
    what: "Hessian",
    ext: ".hessopt",
    reads: { crystal: "HESSOPT.DAT", properties: null },
    keyword: "HESSOPT",
    cliFlag: null,
    workflowKey: "hessian_from",
    optional: true,
  },
  {
    what: "optimisation restart data",
    ext: ".optinfo",
    reads: { crystal: "OPTINFO.DAT", properties: null },
    // OPTGEOM's RESTART: the optimisation goes on from the steps (and Hessian) of the run before
    keyword: "RESTART",
    cliFlag: null,
    workflowKey: null,
    optional: false,
  },
  {
    what: "frequency restart data",
    ext: ".freqinfo",
    reads: { crystal: "FREQINFO.DAT", properties: null },
    // FREQCALC's RESTART: the displacements already computed are not computed again
    keyword: "RESTART",
    cliFlag: null,
    workflowKey: null,
    optional: false,
  },
  {
    what: "Born charges",
    ext: ".born",
    reads: { crystal: "BORN.DAT", properties: null },
    keyword: "BORN",
    cliFlag: null,
    workflowKey: null,
    optional: false,
  },
]);

function readsOf(program: CrystalProgram): Readonly<Record<string, string>> {
  return Object.freeze(
    Object.fromEntries(
      DATA_LINKS.flatMap((l) => (l.reads[program] === null ? [] : [[l.ext, l.reads[program]!]])),
    ),
  );
}

/** Auxiliary inputs of `crystal`: job-file extension → the name CRYSTAL opens. */
export const AUX_INPUTS: Readonly<Record<string, string>> = readsOf("crystal");

/** Auxiliary inputs of `properties` (d3 decks). */
export const PROPERTIES_AUX_INPUTS: Readonly<Record<string, string>> = readsOf("properties");

/** Outputs of a CRYSTAL run worth bringing back: CRYSTAL name → job-file extension. */
export const KEPT_OUTPUTS: Readonly<Record<string, string>> = Object.freeze({
  "fort.9": ".f9",
  "fort.98": ".f98",
  "HESSOPT.DAT": ".hessopt",
  "OPTINFO.DAT": ".optinfo",
  "FREQINFO.DAT": ".freqinfo",
  // the optimised geometry, ready to be the EXTERNAL input of the next job; which file of the run
  // folder it is comes from lastGeometryFile (fort.34, or the newest optcNNN of a killed run)
  "fort.34": ".gui",
  // properties: band structure and density of states, for plotting
  "fort.25": ".f25",
  "BAND.DAT": ".band.dat",
  "DOSS.DAT": ".doss.dat",
});

/** The geometry CRYSTAL writes at the end of a run (and reads, staged, for EXTERNAL). */
export const GEOMETRY_OUTPUT = "fort.34";

/**
 * The number of the optimisation point whose geometry an OPTGEOM file holds ("optc012" → 12), else
 * null. CRYSTAL writes one optcNNN (fort.34 format) per point as it goes, and fort.34 only at the end.
 */
export function optimisationPointOf(fileName: string): number | null {
  const m = /^optc(\d+)$/.exec(fileName);
  return m ? Number(m[1]) : null;
}

/** The newest optcNNN among a run folder's files (highest point number, numerically), else null. */
export function newestOptimisationPoint(runFiles: Iterable<string>): string | null {
  let best: string | null = null;
  let bestPoint = -1;
  for (const name of runFiles) {
    const point = optimisationPointOf(name);
    if (point !== null && point > bestPoint) [best, bestPoint] = [name, point];
  }
  return best;
}

/**
 * The run's last geometry — the one rule both collectors follow to keep `<name>.gui`: the fort.34
 * CRYSTAL wrote at the end when it wrote one; else the newest optcNNN (a walltime-killed optimisation
 * leaves optc001…optcNNN and the staged input fort.34, which is not a geometry the run reached);
 * else the fort.34 that is there (the input of a run that never moved, so that a restart can say
 * "the geometry did not change"); else null. `fort34IsStagedInput` says whether the run folder's
 * fort.34 has the bytes of the staged EXTERNAL input; it only matters when an optcNNN exists.
 */
export function lastGeometryFile(runFiles: Iterable<string>, fort34IsStagedInput: boolean): string | null {
  const names = [...runFiles];
  const hasFort34 = names.includes(GEOMETRY_OUTPUT);
  if (hasFort34 && !fort34IsStagedInput) return GEOMETRY_OUTPUT;
  return newestOptimisationPoint(names) ?? (hasFort34 ? GEOMETRY_OUTPUT : null);
}

/** The extension of a file name, with its dot, lower-cased ("MgO.GUI" → ".gui"); "" if none. */
function extensionOf(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

/**
 * The name CRYSTAL expects for a job file in its run folder ("mgo.gui" → "fort.34"), or null when
 * the file is not an auxiliary input. For a properties run, pass program "properties" ("mgo.f9" →
 * "fort.9").
 */
export function stagedNameFor(fileName: string, program: CrystalProgram = "crystal"): string | null {
  const table = program === "properties" ? PROPERTIES_AUX_INPUTS : AUX_INPUTS;
  return table[extensionOf(fileName)] ?? null;
}

/** The job-folder name of a CRYSTAL output worth keeping ("fort.9", "mgo" → "mgo.f9"), else null. */
export function keptNameFor(crystalName: string, jobName: string): string | null {
  const ext = KEPT_OUTPUTS[crystalName];
  return ext === undefined ? null : `${jobName}${ext}`;
}

/** What a job's folder will hand the program: its own auxiliary files, and files from its parents. */
export interface ProvidedInputs {
  /** Auxiliary files given with the job (paths or names; only the extension counts). */
  auxFiles: readonly string[];
  /** Extensions taken from parents' results (`inputs_from`, `--geometry-from`, `geometry_from:`). */
  fromParents: readonly string[];
}

/**
 * The rule "every file the deck reads must be provided": the files a deck reads (its reader's
 * `auxInputs`, by CRYSTAL name) that nothing provides, each with the link that could provide it
 * (null when no link does: only an aux file of that name could). Optional links are never missing.
 */
export function unprovidedInputs(
  reads: readonly string[],
  program: CrystalProgram,
  provided: ProvidedInputs,
): { file: string; link: DataLink | null }[] {
  const staged = new Set(
    [...provided.auxFiles, ...provided.fromParents.map((ext) => `x${ext}`)].map((f) =>
      stagedNameFor(f, program),
    ),
  );
  const out: { file: string; link: DataLink | null }[] = [];
  for (const file of reads) {
    if (staged.has(file)) continue;
    const link = DATA_LINKS.find((l) => l.reads[program] === file) ?? null;
    if (link?.optional) continue;
    out.push({ file, link });
  }
  return out;
}

/** The data link a workflow key names (geometry_from → the geometry link). */
export function linkForWorkflowKey(key: NonNullable<DataLink["workflowKey"]>): DataLink {
  return DATA_LINKS.find((l) => l.workflowKey === key)!;
}

/** The binary of `crystal`: the MPI build when more than one rank is asked for, else the OpenMP one. */
export function crystalExecutable(mpiRanks: number | undefined): "crystalOMP" | "PcrystalOMP" {
  return mpiRanks !== undefined && mpiRanks > 1 ? "PcrystalOMP" : "crystalOMP";
}

/** The CRYSTAL binaries a runner may start, by program and MPI or not. */
export type CrystalExecutable = "crystalOMP" | "PcrystalOMP" | "properties" | "Pproperties";

/**
 * Which program runs a job and with how many MPI processes — the one rule, for every runner:
 * a properties deck runs `properties` on one process unless the job asks for more ranks (then the
 * MPI build `Pproperties`); a crystal deck runs `PcrystalOMP` for several ranks, `crystalOMP`
 * otherwise.
 */
export function programFor(
  program: CrystalProgram,
  parallelism: { mpi_ranks?: number },
): { program: CrystalProgram; executable: CrystalExecutable; ranks: number } {
  const ranks = Math.max(1, parallelism.mpi_ranks ?? 1);
  if (program === "properties") {
    return { program, executable: ranks > 1 ? "Pproperties" : "properties", ranks };
  }
  return { program, executable: crystalExecutable(ranks), ranks };
}

/** The standard output of a job, kept in its folder. */
export function outputFileName(jobName: string): string {
  return `${jobName}.out`;
}

/** The deck of a job, kept in its folder. */
export function deckFileName(jobName: string): string {
  return `${jobName}.d12`;
}

/** The properties deck of a job (band structure, DOS, …). */
export function propertiesDeckFileName(jobName: string): string {
  return `${jobName}.d3`;
}
