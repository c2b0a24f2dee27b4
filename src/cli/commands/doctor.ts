// crystal-tui doctor [--json]: is CRYSTAL here, and what to do about what is missing.
import type { Command } from "commander";
import { type Discovery, discoverCrystal, type FoundBinary } from "../../crystal/environment.js";
import { UserError } from "../../domain/errors.js";
import { printJson } from "../output.js";

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description(
      "find CRYSTAL (crystalOMP, PcrystalOMP, properties), mpirun, the scratch folder and the cores",
    )
    .option("--json", "print JSON")
    .option("--exedir <dir>", "the folder holding CRYSTAL's binaries (searched before CRY23_EXEDIR)")
    .action((opts: { json?: boolean; exedir?: string }) => {
      const found = discoverCrystal(opts.exedir ? { exedir: opts.exedir } : {});
      if (opts.json) printJson(found);
      else process.stdout.write(report(found));
      if (!found.usable)
        throw new UserError(
          "CRYSTAL was not found — set CRY23_EXEDIR to the folder holding crystalOMP, or source cry23.bashrc",
        );
    });
}

function binaryLine(b: FoundBinary, width: number): string {
  return b.path
    ? `  ✓ ${b.name.padEnd(width)}  ${b.path}${b.source === "PATH" ? "  (PATH)" : ""}`
    : `  ✗ ${b.name.padEnd(width)}  ${b.fix}`;
}

/** The doctor's report for people. */
export function report(d: Discovery): string {
  const out: string[] = [];
  out.push(
    d.exedir
      ? `CRYSTAL binaries (folder from ${d.exedirSource}: ${d.exedir})`
      : "CRYSTAL binaries (no CRYSTAL folder configured; PATH searched)",
  );
  const binaries = [d.crystalOMP, d.PcrystalOMP, d.Pcrystal, d.properties, d.mpirun];
  const width = Math.max(...binaries.map((b) => b.name.length));
  for (const b of binaries) out.push(binaryLine(b, width));
  const s = d.scratch;
  out.push(
    s.path === null
      ? `scratch  ✗ ${s.fix}`
      : `scratch  ${s.exists && s.writable ? "✓" : "✗"} ${s.path}${s.exists ? (s.writable ? " (writable)" : "") : ""}${s.fix ? ` — ${s.fix}` : ""}`,
  );
  out.push(`cores    ${d.cores}`);
  for (const n of d.notes) out.push(`note     ${n}`);
  return `${out.join("\n")}\n`;
}
