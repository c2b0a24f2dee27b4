// crystal-tui parse FILE [--json] [--stderr FILE]: what a CRYSTAL output says — for people, or as JSON.
import fs from "node:fs";
import type { Command } from "commander";
import { type CrystalResult, parseOutputFile } from "../../crystal/output-parser.js";
import { UserError } from "../../domain/errors.js";
import { printJson } from "../output.js";

const TASKS: Record<string, string> = {
  scf: "single point (SCF)",
  opt: "geometry optimisation",
  freq: "frequency calculation",
  elastic: "elastic constants",
  eos: "equation of state",
  properties: "properties",
};

export function registerParseCommand(program: Command): void {
  program
    .command("parse")
    .description("read a CRYSTAL output file: status, energies, gap, cell (never changes anything)")
    .argument("<file>", "a CRYSTAL standard output (.out)")
    .option("--json", "print JSON")
    .option(
      "--stderr <file>",
      "the run's scheduler/process stderr, to say why it stopped (time limit, memory, …)",
    )
    .action(async (file: string, opts: { json?: boolean; stderr?: string }) => {
      let stderrText: string | undefined;
      if (opts.stderr) {
        try {
          stderrText = fs.readFileSync(opts.stderr, "utf8");
        } catch (err) {
          throw new UserError(
            `${opts.stderr} could not be read (${(err as NodeJS.ErrnoException).code}) — check the --stderr path`,
          );
        }
      }
      const result = await parseOutputFile(file, stderrText === undefined ? {} : { stderrText });
      if (opts.json) printJson(result);
      else process.stdout.write(summary(file, result));
    });
}

function fixed(v: number | null, digits: number): string {
  return v === null ? "—" : v.toFixed(digits);
}

/** A short human summary of a parsed output. */
export function summary(file: string, r: CrystalResult): string {
  const rows: [string, string][] = [];
  const head = [
    r.crystal_version ? `CRYSTAL${r.crystal_version}` : "CRYSTAL (version not found)",
    r.calc_type ? (TASKS[r.calc_type] ?? r.calc_type) : "task not recognised",
    r.status + (r.error_kind ? ` (${r.error_kind.replace(/_/g, " ")})` : ""),
  ].join(" · ");
  if (r.final_energy_hartree !== null)
    rows.push([
      "final energy",
      `${fixed(r.final_energy_hartree, 10)} Ha  (${fixed(r.final_energy_ev, 6)} eV)`,
    ]);
  else rows.push(["final energy", "— (no converged energy)"]);
  const cycles = `${r.scf.cycles} cycle${r.scf.cycles === 1 ? "" : "s"}`;
  const lastScf = r.scf.energies_hartree.at(-1);
  rows.push([
    "SCF",
    r.scf.converged
      ? `converged in ${cycles}`
      : r.scf.cycles > 0
        ? `not converged after ${cycles}${lastScf !== undefined ? ` (last ${lastScf.toFixed(8)} Ha)` : ""}`
        : "no SCF cycle",
  ]);
  if (r.opt)
    rows.push([
      "optimisation",
      `${r.opt.converged ? "converged" : "not converged"} after ${r.opt.steps} step${r.opt.steps === 1 ? "" : "s"}`,
    ]);
  if (r.band_gap_ev !== null) rows.push(["band gap", `${fixed(r.band_gap_ev, 4)} eV`]);
  if (r.band_gap_alpha_ev !== null || r.band_gap_beta_ev !== null)
    rows.push([
      "band gaps",
      `alpha ${fixed(r.band_gap_alpha_ev, 4)} eV, beta ${fixed(r.band_gap_beta_ev, 4)} eV`,
    ]);
  if (r.zero_point_energy_ev !== null)
    rows.push(["zero-point energy", `${fixed(r.zero_point_energy_ev, 6)} eV`]);
  if (r.lattice) {
    const l = r.lattice;
    const len = (x: number | null) => (x === null ? "—" : x.toFixed(6));
    rows.push([
      "cell",
      `a ${len(l.a)}  b ${len(l.b)}  c ${len(l.c)} Å   α ${l.alpha}  β ${l.beta}  γ ${l.gamma}°`,
    ]);
  }
  if (r.n_atoms !== null)
    rows.push([
      "atoms",
      `${r.n_atoms}${r.spin_polarized === null ? "" : r.spin_polarized ? " (spin-polarised)" : " (closed shell)"}`,
    ]);
  if (r.wall_time_s !== null) rows.push(["wall time", `${r.wall_time_s} s`]);
  for (const e of r.errors) rows.push(["error", e]);
  for (const w of r.warnings) rows.push(["warning", w]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${file}\n  ${head}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}
