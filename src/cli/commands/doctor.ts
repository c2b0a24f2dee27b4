// crystal-tui doctor [--json]: is CRYSTAL here, and what to do about what is missing. A binary that
// is crystal-tui's own stand-in (bin/crystal-standin, which replays recorded outputs) is said to be
// one, in words and in JSON: a ✓ next to it must not read as "CRYSTAL is installed".
import fs from "node:fs";
import type { Command } from "commander";
import { type Discovery, discoverCrystal, type FoundBinary } from "../../crystal/environment.js";
import { UserError } from "../../domain/errors.js";
import { printJson } from "../output.js";

/** The stand-in's own name: in its wrappers (which exec it) and in its first lines. */
const STANDIN_NAME = "crystal-standin";

/** Whether the executable at `file` is the stand-in or one of its wrappers (it reads the head only). */
export function isStandin(file: string | null): boolean {
  if (!file) return false;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const head = Buffer.alloc(4096);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString("latin1").includes(STANDIN_NAME);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export interface DoctorReport extends Discovery {
  /** True when the CRYSTAL that would run jobs is the stand-in: results would be replayed, not computed. */
  standin: boolean;
}

export function doctorReport(found: Discovery): DoctorReport {
  const mark = (b: FoundBinary) => ({ ...b, standin: isStandin(b.path) });
  const report = {
    ...found,
    crystalOMP: mark(found.crystalOMP),
    PcrystalOMP: mark(found.PcrystalOMP),
    Pcrystal: mark(found.Pcrystal),
    properties: mark(found.properties),
    notes: [...found.notes],
    standin: false,
  };
  const runs = report.crystalOMP.path ? report.crystalOMP : report.PcrystalOMP;
  report.standin = runs.path !== null && runs.standin;
  if (report.standin) {
    report.notes.push(
      `${runs.name} here is crystal-tui's CRYSTAL stand-in: it replays recorded outputs of real CRYSTAL runs and computes nothing — fine for trying workflows; install CRYSTAL23 for real results`,
    );
  }
  return report;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description(
      "find CRYSTAL (crystalOMP, PcrystalOMP, properties), mpirun, the scratch folder and the cores",
    )
    .option("--json", "print JSON")
    .option("--exedir <dir>", "the folder holding CRYSTAL's binaries (searched before CRY23_EXEDIR)")
    .action((opts: { json?: boolean; exedir?: string }) => {
      const found = doctorReport(discoverCrystal(opts.exedir ? { exedir: opts.exedir } : {}));
      if (opts.json) printJson(found);
      else process.stdout.write(report(found));
      if (!found.usable)
        throw new UserError(
          "CRYSTAL was not found — set CRY23_EXEDIR to the folder holding crystalOMP, or source cry23.bashrc",
        );
    });
}

/** Missing, an optional item is a note ("–  … (optional)"), not a failure ("✗"). */
function binaryLine(b: FoundBinary & { standin?: boolean }, width: number, optional = false): string {
  if (!b.path)
    return optional
      ? `  – ${b.name.padEnd(width)}  (optional) ${b.fix}`
      : `  ✗ ${b.name.padEnd(width)}  ${b.fix}`;
  const where = `${b.path}${b.source === "PATH" ? "  (PATH)" : ""}`;
  return b.standin
    ? `  ~ ${b.name.padEnd(width)}  ${where}  (STAND-IN: replays recorded outputs, not CRYSTAL)`
    : `  ✓ ${b.name.padEnd(width)}  ${where}`;
}

/** The doctor's report for people. */
export function report(d: Discovery | DoctorReport): string {
  const out: string[] = [];
  out.push(
    d.exedir
      ? `CRYSTAL binaries (folder from ${d.exedirSource}: ${d.exedir})`
      : "CRYSTAL binaries (no CRYSTAL folder configured; PATH searched)",
  );
  const binaries = [d.crystalOMP, d.PcrystalOMP, d.Pcrystal, d.properties, d.mpirun];
  const width = Math.max(...binaries.map((b) => b.name.length));
  // jobs run with crystalOMP or PcrystalOMP: one of the two is needed; the legacy Pcrystal, the
  // properties program and mpirun only for some jobs
  const optional = new Set<FoundBinary>([d.Pcrystal, d.properties, d.mpirun]);
  if (d.crystalOMP.path) optional.add(d.PcrystalOMP);
  if (d.PcrystalOMP.path) optional.add(d.crystalOMP);
  for (const b of binaries) out.push(binaryLine(b, width, optional.has(b)));
  const s = d.scratch;
  out.push(
    s.path === null
      ? `scratch  – (optional) ${s.fix}`
      : `scratch  ${s.exists && s.writable ? "✓" : "✗"} ${s.path}${s.exists ? (s.writable ? " (writable)" : "") : ""}${s.fix ? ` — ${s.fix}` : ""}`,
  );
  out.push(`cores    ${d.cores}`);
  for (const n of d.notes) out.push(`note     ${n}`);
  return `${out.join("\n")}\n`;
}
