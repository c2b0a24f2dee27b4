// Jobs for the results tests as the engine leaves them: a real CRYSTAL output in the job folder
// (and the data files a properties run wrote), the parser's results stored, the status set.

import fs from "node:fs";
import path from "node:path";
import { parseOutputFileSync, parseOutputText } from "../../src/crystal/output-parser.js";
import { ProjectFiles } from "../../src/crystal/project-files.js";
import type { Store } from "../../src/store/store.js";
import { FIXTURES } from "../helpers/project.js";
import { addJobs } from "./helpers-store.js";

const fixture = (name: string) => path.join(FIXTURES, name);

/** A finished job as the engine leaves it: the output in its folder, the parser's results stored. */
export function finishedJob(
  store: Store,
  name: string,
  output: { file?: string; text?: string },
  opts: { deck?: string; files?: Record<string, string>; stderr?: string } = {},
) {
  const [job] = addJobs(store, [name], opts.deck);
  const folder = new ProjectFiles(store.projectDir).folderOf(job!);
  const text = output.text ?? fs.readFileSync(fixture(output.file!), "latin1");
  fs.writeFileSync(path.join(folder, `${name}.out`), text, "latin1");
  for (const [target, source] of Object.entries(opts.files ?? {}))
    fs.copyFileSync(fixture(source), path.join(folder, target));
  const parse = opts.stderr === undefined ? {} : { stderrText: opts.stderr };
  const result = output.file
    ? parseOutputFileSync(fixture(output.file), parse)
    : parseOutputText(text, parse);
  store.jobs.transition(job!.id, "RUNNING");
  store.jobs.transition(job!.id, result.status === "completed" ? "COMPLETED" : "FAILED", {
    reason: result.status === "completed" ? null : "did not converge",
  });
  store.jobs.storeResults(job!.id, result.final_energy_hartree, result);
  return store.jobs.require(job!.id);
}

/** albite's frequency run with its two lowest modes made imaginary (CRYSTAL prints them negative). */
export function albiteWithImaginaryModes(): string {
  return fs
    .readFileSync(fixture("electronic-parsers__albite_freq_intens.out"), "latin1")
    .replace(
      "    4-   4    0.9771E-07     68.6037    2.0567  (Ag )",
      "    4-   4   -0.9771E-07    -68.6037   -2.0567  (Ag )",
    )
    .replace(
      "    5-   5    0.1143E-06     74.1848    2.2240  (Au )",
      "    5-   5   -0.1143E-06    -74.1848   -2.2240  (Au )",
    );
}
