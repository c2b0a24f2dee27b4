// crystal-tui demo: a project with a few MgO jobs and a small workflow, run by the CRYSTAL stand-in
// (a program that replays recorded outputs of real CRYSTAL runs). The project is marked as a demo,
// so the screen always says that its results are replayed, not computed. There is one demo project,
// in $XDG_STATE_HOME/crystal-tui/demo (~/.local/state/…): `npm start` reopens it rather than
// leaving a new folder in the temp folder each time; `--fresh` starts it over.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ProjectFiles } from "../crystal/project-files.js";
import { installStandin, RECORDINGS_DIR } from "../crystal/standin.js";
import { UserError } from "../domain/errors.js";
import type { ProjectStore } from "../store/port.js";
import { Store } from "../store/store.js";
import { DEMO_MARKER, isDemoProject } from "./launch-marker.js";

export interface DemoProject {
  projectDir: string;
  /** The folder holding the stand-in's crystalOMP / PcrystalOMP (CRY23_EXEDIR for the demo). */
  exedir: string;
}

/** Milliseconds per output line: a demo job runs a few seconds, long enough to watch its log. */
export const DEMO_DELAY_MS = "6";

const STANDIN_DIR = ".standin";

const MGO_STRUCTURE = `CRYSTAL
0 0 0
225
4.21
2
12 0.0 0.0 0.0
8 0.5 0.5 0.5`;

const STO3G_MGO_BASIS = `12 3
1 0 3  2.  0.
1 1 3  8.  0.
1 1 3  2.  0.
8 2
1 0 3  2.  0.
1 1 3  6.  0.
99   0
END
SHRINK
8 8`;

const scfDeck = (title: string) => `${title}\n${MGO_STRUCTURE}\nEND\n${STO3G_MGO_BASIS}\nEND\n`;
const optDeck = (title: string) =>
  `${title}\n${MGO_STRUCTURE}\nOPTGEOM\nFULLOPTG\nENDOPT\nEND\n${STO3G_MGO_BASIS}\nEND\n`;
const elasticDeck = (title: string) => `${title}\nEXTERNAL\nELASTCON\nEND\nEND\n${STO3G_MGO_BASIS}\nEND\n`;
const freqDeck = (title: string) =>
  `${title}\n${MGO_STRUCTURE}\nFREQCALC\nINTENS\nEND\nEND\n${STO3G_MGO_BASIS}\nEND\n`;

const README = `This is a crystal-tui DEMO project.

Its jobs are run by the CRYSTAL stand-in (${STANDIN_DIR}/crystalOMP), a program that replays
recorded standard outputs of real CRYSTAL runs (fixtures/crystal-outputs, with their sources and
licences). Nothing here is computed: the energies, plots and failures you see are those of the
recorded runs. To run real calculations, install CRYSTAL23 and point CRY23_EXEDIR at it.
`;

const WORKFLOW_YAML = `# the demo's small workflow: relax MgO, then its elastic constants at the relaxed geometry
name: mgo-relax-then-elastic
steps:
  relax:   {deck: relax.d12}
  elastic: {deck: elastic.d12, geometry_from: relax, after_ok: [relax]}
`;

/**
 * Which recording each demo step replays, and why it is the right one (the recorded run computes
 * what the step asks, on the same system): see fixtures/crystal-outputs/sources.json.
 */
const RECORDING = {
  /** MgO STO-3G SCF (aiida-crystal17), whose wavefunction the DOS below was computed from. */
  scf: "aiida-crystal17__mgo_sto3g_scf",
  /** MgO STO-3G full optimisation (aiida-crystal17): E = -271.2596206888 Ha, a = 2.74666 Å. */
  opt: "aiida-crystal17__mgo_sto3g_opt",
  /** ELASTCON of MgO STO-3G at its optimised geometry (aiida-crystal-dft): E = -271.2596206819 Ha. */
  elastic: "aiida-crystal-dft__mgo_sto3g_elastic",
  /** FREQCALC + Raman of MgO (pycrystal) — MgO with that run's own basis and cell, not the STO-3G one. */
  freq: "pycrystal__raman",
  /** NiO AFM SCF that reaches MAXCYCLE (aiida-crystal17): a real failure. */
  nio: "aiida-crystal17__nio_sto3g_afm_scf_maxcyc",
} as const;

/** The DOS of the MgO SCF (NEWK + DOSS, aiida-crystal17's .d3 of that run). */
const MGO_DOS_DECK = "NEWK\n18 36\n1 0\nDOSS\n0 100 -1 -1 1 14 0\n-0.36749322 0.36749322\nEND\n";
/** NaCl band structure and DOS (electronic-parsers' recording): its SCF is not among the recordings. */
const NACL_BANDS_DECK =
  "BAND\nNaCl\n4 0 60 1 18 2 1\nG X\nX W\nW L\nL G\nNEWK\n12 12\n1 0\nDOSS\n0 300 11 14 1 12 0\nEND\n";

/** Puts the stand-in where a demo project's engine finds it (unless CRYSTAL was set up by hand). */
export function installDemoStandin(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const exedir = path.join(projectDir, STANDIN_DIR);
  // written each time: the wrappers name this checkout's stand-in, which may have moved since
  installStandin(exedir);
  env.CRY23_EXEDIR = exedir;
  env.CRYSTAL_STANDIN_DELAY_MS ??= DEMO_DELAY_MS;
  return exedir;
}

/** Where the one demo project lives: $XDG_STATE_HOME/crystal-tui/demo, else ~/.local/state/…. */
export function demoHome(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), ".local", "state");
  return path.join(base, "crystal-tui", "demo");
}

/**
 * The demo project to open: in `dir` (new or empty), else the one in demoHome(), reopened as it was
 * left, or made anew when there is none or `fresh` asks for it (only a folder marked as a demo is
 * ever removed).
 */
export async function openDemoProject(
  opts: { dir?: string; fresh?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<DemoProject & { reused: boolean }> {
  if (opts.dir) return { ...(await createDemoProject({ dir: opts.dir })), reused: false };
  const home = demoHome(opts.env);
  if (fs.existsSync(home) && fs.readdirSync(home).length > 0) {
    if (!isDemoProject(home)) {
      throw new UserError(
        `${home} is not a crystal-tui demo project — move it away, or give the demo another folder with --dir`,
      );
    }
    if (!opts.fresh) return { projectDir: home, exedir: installDemoStandin(home), reused: true };
    fs.rmSync(home, { recursive: true, force: true });
  }
  return { ...(await createDemoProject({ dir: home })), reused: false };
}

export async function createDemoProject(opts: { dir?: string } = {}): Promise<DemoProject> {
  const projectDir = path.resolve(opts.dir ?? demoHome());
  fs.mkdirSync(projectDir, { recursive: true });
  if (fs.readdirSync(projectDir).length > 0) {
    throw new UserError(`${projectDir} is not empty — give a new or empty folder to --dir`);
  }
  fs.writeFileSync(path.join(projectDir, DEMO_MARKER), README);
  fs.writeFileSync(path.join(projectDir, "README-DEMO.txt"), README);
  const exedir = installDemoStandin(projectDir);
  const store: ProjectStore = Store.open(projectDir);
  const files = new ProjectFiles(projectDir);
  try {
    const nioDeck = fs.readFileSync(
      path.join(RECORDINGS_DIR, "aiida-crystal17__nio_sto3g_afm_scf_maxcyc.d12"),
      "utf8",
    );
    const nioGeometry = fs.readFileSync(
      path.join(RECORDINGS_DIR, "aiida-crystal17__nio_sto3g_afm_scf_maxcyc.gui"),
    );
    // one batch: a job names an earlier one of the batch by its place in it (ids are the database's)
    const scf = { batchIndex: 0 };
    await files.create(
      [
        {
          name: "mgo_scf",
          input: scfDeck(`MgO bulk, single point (recording of a real run) [standin:${RECORDING.scf}]`),
        },
        {
          name: "mgo_opt",
          input: optDeck(`MgO bulk, full optimisation (recording of a real run) [standin:${RECORDING.opt}]`),
        },
        {
          name: "nio_afm_scf",
          // a run that fails for real: the SCF does not converge within MAXCYCLE
          input: nioDeck.replace(/^.*$/m, (t) => `${t} [standin:${RECORDING.nio}]`),
          auxContents: { "nio_afm_scf.gui": nioGeometry },
        },
        {
          name: "mgo_freq",
          input: freqDeck(
            `MgO frequencies and Raman (recording of pycrystal's MgO run, its own basis) [standin:${RECORDING.freq}]`,
          ),
        },
        {
          // a properties run with a placeholder wavefunction: the recording is of a real NaCl run
          name: "nacl_bands",
          input: NACL_BANDS_DECK,
          auxContents: {
            "nacl_bands.f9": `crystal-tui demo placeholder for NaCl's wavefunction (fort.9): the stand-in replays a real properties run of NaCl and reads nothing from it.\n`,
          },
        },
        {
          name: "mgo_dos",
          input: MGO_DOS_DECK,
          dependencies: [{ dependsOn: scf, type: "after_ok" }],
          inputsFrom: [{ jobId: scf, ext: ".f9" }],
        },
      ],
      (records) => store.jobs.createMany(records),
    );
    // the relaxation and the elastic constants at its geometry, as a workflow
    const relax = { batchIndex: 0 };
    await files.create(
      [
        {
          name: "mgo_relax",
          input: optDeck(`MgO relax (workflow; recording of a real run) [standin:${RECORDING.opt}]`),
          workflowStep: "relax",
        },
        {
          name: "mgo_relaxed_elastic",
          input: elasticDeck(
            `MgO elastic constants at the relaxed geometry (workflow; recording of a real ELASTCON run) [standin:${RECORDING.elastic}]`,
          ),
          workflowStep: "elastic",
          dependencies: [{ dependsOn: relax, type: "after_ok" }],
          inputsFrom: [{ jobId: relax, ext: ".gui" }],
        },
      ],
      (records) =>
        store.workflows.create(
          { name: "mgo-relax-then-elastic", source: WORKFLOW_YAML, sourcePath: null, params: {} },
          records,
          () => ({}),
        ),
    );
  } finally {
    await store.close();
  }
  return { projectDir, exedir };
}
