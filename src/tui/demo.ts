// crystal-tui demo: a project in a temporary folder with a few MgO jobs and a small workflow, run by
// the CRYSTAL stand-in (a program that replays recorded outputs of real CRYSTAL runs). The project
// is marked as a demo, so the screen always says that its results are replayed, not computed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ProjectFiles } from "../crystal/project-files.js";
import { installStandin, RECORDINGS_DIR } from "../crystal/standin.js";
import { UserError } from "../domain/errors.js";
import type { ProjectStore } from "../store/port.js";
import { Store } from "../store/store.js";
import { DEMO_MARKER } from "./launch-marker.js";

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
const externalDeck = (title: string) => `${title}\nEXTERNAL\nEND\n${STO3G_MGO_BASIS}\nEND\n`;

const README = `This is a crystal-tui DEMO project.

Its jobs are run by the CRYSTAL stand-in (${STANDIN_DIR}/crystalOMP), a program that replays
recorded standard outputs of real CRYSTAL runs (fixtures/crystal-outputs, with their sources and
licences). Nothing here is computed: the energies, plots and failures you see are those of the
recorded runs. To run real calculations, install CRYSTAL23 and point CRY23_EXEDIR at it.
`;

const WORKFLOW_YAML = `# the demo's small workflow: relax MgO, then a single point on the relaxed geometry
name: mgo-relax-then-scf
steps:
  relax: {deck: relax.d12}
  scf:   {deck: scf.d12, geometry_from: relax, after_ok: [relax]}
`;

/** Puts the stand-in where a demo project's engine finds it (unless CRYSTAL was set up by hand). */
export function installDemoStandin(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const exedir = path.join(projectDir, STANDIN_DIR);
  if (!fs.existsSync(path.join(exedir, "crystalOMP"))) installStandin(exedir);
  env.CRY23_EXEDIR = exedir;
  env.CRYSTAL_STANDIN_DELAY_MS ??= DEMO_DELAY_MS;
  return exedir;
}

export async function createDemoProject(opts: { dir?: string } = {}): Promise<DemoProject> {
  let projectDir: string;
  if (opts.dir) {
    projectDir = path.resolve(opts.dir);
    fs.mkdirSync(projectDir, { recursive: true });
    if (fs.readdirSync(projectDir).length > 0) {
      throw new UserError(`${projectDir} is not empty — give a new or empty folder to --dir`);
    }
  } else {
    projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "crystal-tui-demo-"));
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
    await files.create(
      [
        {
          name: "mgo_scf",
          input: scfDeck("MgO bulk, single point [standin:aiida-crystal17__mgo_sto3g_scf]"),
        },
        {
          name: "mgo_opt",
          input: optDeck("MgO bulk, full optimisation [standin:aiida-crystal17__mgo_sto3g_opt]"),
        },
        {
          name: "nio_afm_scf",
          // a run that fails for real: the SCF does not converge within MAXCYCLE
          input: nioDeck.replace(/^.*$/m, (t) => `${t} [standin:aiida-crystal17__nio_sto3g_afm_scf_maxcyc]`),
          auxContents: { "nio_afm_scf.gui": nioGeometry },
        },
      ],
      (records) => store.jobs.createMany(records),
    );
    // the relaxation and the single point after it: the second names the first by its place in the batch
    const relax = { batchIndex: 0 };
    await files.create(
      [
        {
          name: "mgo_relax",
          input: optDeck("MgO relax (workflow) [standin:aiida-crystal17__mgo_sto3g_opt]"),
          workflowStep: "relax",
        },
        {
          name: "mgo_relaxed_scf",
          input: externalDeck(
            "MgO on the relaxed geometry (workflow) [standin:aiida-crystal17__mgo_sto3g_scf]",
          ),
          workflowStep: "scf",
          dependencies: [{ dependsOn: relax, type: "after_ok" }],
          inputsFrom: [{ jobId: relax, ext: ".gui" }],
        },
      ],
      (records) =>
        store.workflows.create(
          { name: "mgo-relax-then-scf", source: WORKFLOW_YAML, sourcePath: null, params: {} },
          records,
          () => ({}),
        ),
    );
  } finally {
    await store.close();
  }
  return { projectDir, exedir };
}
