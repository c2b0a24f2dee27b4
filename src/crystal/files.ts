// CRYSTAL's file conventions, written once: what the deck is called in the run folder, which job
// files CRYSTAL reads under which Fortran names, and which of its outputs are worth keeping.
// Everything that stages or collects files (runners, stand-in, templates) asks this module.

/** CRYSTAL reads its deck from stdin; runners place it in the run folder under this name. */
export const INPUT_NAME = "INPUT";

/** Auxiliary inputs of `crystal`: job-file extension → the name CRYSTAL opens. */
export const AUX_INPUTS: Readonly<Record<string, string>> = Object.freeze({
  ".gui": "fort.34", // EXTERNAL geometry
  ".f9": "fort.20", // GUESSP: wavefunction of a previous run
  ".f98": "fort.98", // formatted wavefunction
  ".hessopt": "HESSOPT.DAT", // HESSOPT: Hessian of a previous optimisation
  ".born": "BORN.DAT", // Born charges for FREQCALC intensities
});

/**
 * Auxiliary inputs of `properties` (d3 decks): it reads the wavefunction of the SCF run as fort.9,
 * not fort.20 as `crystal` does for GUESSP.
 */
export const PROPERTIES_AUX_INPUTS: Readonly<Record<string, string>> = Object.freeze({
  ".f9": "fort.9",
  ".f98": "fort.98",
});

/** Outputs of a CRYSTAL run worth bringing back: CRYSTAL name → job-file extension. */
export const KEPT_OUTPUTS: Readonly<Record<string, string>> = Object.freeze({
  "fort.9": ".f9",
  "fort.98": ".f98",
  "HESSOPT.DAT": ".hessopt",
  "OPTINFO.DAT": ".optinfo",
  "FREQINFO.DAT": ".freqinfo",
  "fort.34": ".gui", // the optimised geometry, ready to be the EXTERNAL input of the next job
  // properties: band structure and density of states, for plotting
  "fort.25": ".f25",
  "BAND.DAT": ".band.dat",
  "DOSS.DAT": ".doss.dat",
});

/** Which CRYSTAL program reads a deck: `crystal` (.d12) or `properties` (.d3). */
export type CrystalProgram = "crystal" | "properties";

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

/** The binary to run: the MPI build when more than one rank is asked for, else the OpenMP one. */
export function crystalExecutable(mpiRanks: number | undefined): "crystalOMP" | "PcrystalOMP" {
  return mpiRanks !== undefined && mpiRanks > 1 ? "PcrystalOMP" : "crystalOMP";
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
