// crystal-tui structure ID|FILE --format cif|xyz|poscar|gui [--output FILE]: the final geometry of
// a job (its CRYSTAL output, read through the store, never changed) or of an output file, written
// for other programs.

import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { outputFileName } from "../../crystal/files.js";
import { parseOutputFile } from "../../crystal/output-parser.js";
import { ProjectFiles } from "../../crystal/project-files.js";
import { exportStructure, STRUCTURE_FORMATS, type StructureFormat } from "../../crystal/structure-export.js";
import { UsageError, UserError } from "../../domain/errors.js";
import { withStore } from "../context.js";

export function registerStructureCommand(program: Command): void {
  program
    .command("structure")
    .description(
      "write the final geometry of a job or a CRYSTAL output as CIF, XYZ, POSCAR or CRYSTAL's .gui",
    )
    .argument("<job-or-file>", "a job id, or a CRYSTAL output file (.out)")
    .option("--format <format>", `one of ${STRUCTURE_FORMATS.join(", ")}`, "cif")
    .option("-o, --output <file>", "write to this file instead of stdout")
    .action(async (what: string, opts: { format: string; output?: string }, cmd: Command) => {
      const format = opts.format.toLowerCase() as StructureFormat;
      if (!STRUCTURE_FORMATS.includes(format))
        throw new UsageError(`--format ${opts.format} is not one of ${STRUCTURE_FORMATS.join(", ")}`);
      const { file, name } =
        /^\d+$/.test(what) && !fs.existsSync(what)
          ? await jobOutput(cmd, Number(what))
          : { file: what, name: path.basename(what).replace(/\.[^.]*$/, "") };
      const result = await parseOutputFile(file);
      if (!result.geometry)
        throw new UserError(
          `${file} prints no geometry that could be read (${result.program === "properties" ? "a properties run prints none" : "no atoms table"}) — give the output of a crystal run`,
        );
      const text = exportStructure(result.geometry, format, name);
      if (opts.output) fs.writeFileSync(opts.output, text);
      else process.stdout.write(text);
    });
}

/** The output file of job `id`, from its folder in the store (read only). */
async function jobOutput(cmd: Command, id: number): Promise<{ file: string; name: string }> {
  return withStore(cmd, async (store) => {
    const job = await store.jobs.require(id);
    const file = path.join(new ProjectFiles(store.projectDir).folderOf(job), outputFileName(job.name));
    if (!fs.existsSync(file))
      throw new UserError(
        `job ${id} (${job.name}) has no output yet (${file}) — run it first (crystal-tui run)`,
      );
    return { file, name: job.name };
  });
}
