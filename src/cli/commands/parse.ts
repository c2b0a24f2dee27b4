// crystal-tui parse FILE [--json] [--stderr FILE]: what a CRYSTAL output says — for people, or as
// JSON. A properties data file (fort.25, BAND.DAT, DOSS.DAT) gives its band structure or DOS.
import fs from "node:fs";
import type { Command } from "commander";
import { readDeck } from "../../crystal/deck.js";
import { type CrystalResult, parseOutputFile } from "../../crystal/output-parser.js";
import { type DataFile, dataFileKind, readDataFile } from "../../crystal/properties-data.js";
import { resultRows, TASK_NAMES } from "../../crystal/result-fields.js";
import { UserError } from "../../domain/errors.js";
import { INPUT_LIMITS, openInputFile, readInputFile, readInputTail } from "../../files/input-file.js";
import { printJson } from "../output.js";

/** How much of a --stderr log is read: its end, where a scheduler or MPI says why a run stopped. */
const STDERR_TAIL_BYTES = 256 * 1024;

export function registerParseCommand(program: Command): void {
  program
    .command("parse")
    .description(
      "read a CRYSTAL output (status, energies, gap, structure, frequencies, elastic constants) or a properties data file (fort.25, BAND.DAT, DOSS.DAT); never changes anything",
    )
    .argument("<file>", "a CRYSTAL standard output (.out), or fort.25 / BAND.DAT / DOSS.DAT")
    .option("--json", "print JSON")
    .option(
      "--stderr <file>",
      "the run's scheduler/process stderr, to say why it stopped (time limit, memory, …)",
    )
    .action(async (file: string, opts: { json?: boolean; stderr?: string }) => {
      const data = readIfDataFile(file);
      if (data) {
        if (opts.json) printJson(data);
        else process.stdout.write(dataSummary(file, data));
        return;
      }
      if (isInputDeck(file)) {
        throw new UserError(
          `${file} is an input deck, not an output — run it (crystal-tui job add NAME --input ${file}), then parse its .out`,
        );
      }
      let stderrText: string | undefined;
      if (opts.stderr) {
        // a log of any size: what says why a run stopped is at its end
        stderrText = readInputTail(opts.stderr, {
          what: "stderr file",
          hint: "check the --stderr path",
          maxBytes: STDERR_TAIL_BYTES,
        });
      }
      const result = await parseOutputFile(file, stderrText === undefined ? {} : { stderrText });
      if (opts.json) printJson(result);
      else process.stdout.write(summary(file, result));
    });
}

/**
 * Whether a file is a CRYSTAL input deck (a .d12 or .d3 read cleanly by the deck reader) rather
 * than an output: an output read as a deck never gets through without errors.
 */
function isInputDeck(file: string): boolean {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > 1_000_000) return false;
    text = readInputFile(file, { what: "file", maxBytes: 1_000_000 }).toString("latin1");
  } catch {
    return false; // the output parser says why it cannot be read
  }
  if (text.trim() === "") return false;
  const report = readDeck(text);
  return report.errors.length === 0 && (report.geometry !== null || report.kind === "properties");
}

/** A data file is told by its first line; an output (or anything else) is left to the output parser. */
function readIfDataFile(file: string): DataFile | null {
  let head: string;
  try {
    const { fd } = openInputFile(file, { what: "file" });
    try {
      const buffer = Buffer.alloc(256);
      head = buffer.subarray(0, fs.readSync(fd, buffer, 0, 256, 0)).toString("latin1");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null; // the output parser says why it cannot be read
  }
  if (dataFileKind(head) === null) return null;
  const what = { what: "properties data file", maxBytes: INPUT_LIMITS.dataFile };
  return readDataFile(readInputFile(file, what).toString("latin1"));
}

function dataSummary(file: string, data: DataFile): string {
  const rows: [string, string][] = [];
  const b = data.band_structure;
  if (b)
    rows.push([
      "band structure",
      `${b.bands.length} bands × ${b.k_path.length} k points, ${b.ticks.length - 1} segments (${b.ticks.map((t) => t.label).join(" → ")})${b.spin_polarized ? ", α and β" : ""}, ${b.unit}${b.unit === "eV" ? " from the Fermi level" : ""}`,
    ]);
  const d = data.dos;
  if (d)
    rows.push([
      "density of states",
      `${d.energies.length} energies from ${d.energies[0]?.toFixed(3)} to ${d.energies.at(-1)?.toFixed(3)} ${d.unit}, ${d.projections.length} block${d.projections.length === 1 ? "" : "s"}${d.spin_polarized ? ", α and β" : ""}`,
    ]);
  if (rows.length === 0) rows.push(["data", "no band structure or DOS block in this file"]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${file}\n  ${data.kind}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}

/** A short human summary of a parsed output: a head line, then the result-field table's rows. */
export function summary(file: string, r: CrystalResult): string {
  const head = [
    r.crystal_version
      ? `${r.program === "properties" ? "properties, " : ""}CRYSTAL${r.crystal_version}`
      : "CRYSTAL (version not found)",
    r.calc_type ? (TASK_NAMES[r.calc_type] ?? r.calc_type) : "task not recognised",
    r.status + (r.error_kind ? ` (${r.error_kind.replace(/_/g, " ")})` : ""),
  ].join(" · ");
  // version and failure are in the head line
  const rows: [string, string][] = resultRows(r)
    .filter((row) => row.key !== "crystal_version" && row.key !== "error_kind")
    .map((row) => [row.label, row.value]);
  if (r.final_energy_hartree === null && r.program !== "properties")
    rows.unshift(["Final energy", "— (no converged energy)"]);
  for (const e of r.errors) rows.push(["Error", e]);
  for (const w of r.warnings) rows.push(["Warning", w]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${file}\n  ${head}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}
