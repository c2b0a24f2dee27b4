// The CRYSTAL stand-in installed as crystalOMP / PcrystalOMP in a temp folder, for use as CRY23_EXEDIR.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { installStandin } from "../../src/crystal/standin.js";
import { MGO_BODY } from "./project.js";

let installed: string | null = null;

/** A folder holding crystalOMP / PcrystalOMP stand-ins (installed once per test process). */
export function standinExedir(): string {
  if (installed && fs.existsSync(installed)) return installed;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-standin-"));
  fs.chmodSync(dir, 0o755);
  installStandin(dir);
  installed = dir; // in the test run's temp folder, which the run removes (global-setup.ts)
  return dir;
}

/** Environment for a run on the stand-in: fast replay, optional start counter. */
export function standinEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { CRY23_EXEDIR: standinExedir(), CRYSTAL_STANDIN_DELAY_MS: "0", CRY23_SCRDIR: "", ...extra };
}

/** A deck whose title picks a recording (or a failure mode) of the stand-in. */
export function standinDeck(tag: string, body = MGO_BODY): string {
  return `MgO ${tag}\n${body}`;
}
