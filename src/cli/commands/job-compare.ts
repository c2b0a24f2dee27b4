// crystal-tui job compare ID… — the comparison table of src/app/compare.ts, as text, JSON or CSV.
import type { Command } from "commander";
import { type Comparison, compareJobs, ENERGY_PER, type EnergyPer, perLabel } from "../../app/compare.js";
import { ENERGY_UNITS, parseEnergyUnit, UNIT_DECIMALS } from "../../domain/energy-units.js";
import { UsageError } from "../../domain/errors.js";
import { NOT_FINAL_MARK } from "../../domain/final-energy.js";
import { parseJobId } from "../../domain/names.js";
import { withStore } from "../context.js";
import { delimited } from "../delimited.js";
import { printJson, statusLabel, table } from "../output.js";

interface CompareFlags {
  relativeTo?: string;
  unit?: string;
  per?: string;
  json?: boolean;
  csv?: boolean;
}

function jsonOf(c: Comparison) {
  return c.jobs.map((j) => ({
    id: j.id,
    name: j.name,
    status: j.status,
    final_energy_hartree: j.finalEnergyHartree,
    final: j.final,
    not_final_why: j.notFinalWhy,
    energy: j.energy,
    delta: j.delta,
    unit: c.unit,
    per: c.per,
    reference_id: c.reference?.id ?? null,
    is_reference: c.reference?.id === j.id,
    atoms: j.atoms,
    formula: j.formula,
    formula_units: j.formulaUnits,
    gap_ev: j.gapEv,
    volume: j.volume,
    scf_cycles: j.scfCycles,
    runtime_s: j.runtimeSeconds,
  }));
}

function fixed(x: number | null, decimals: number): string {
  return x === null ? "" : x.toFixed(decimals);
}

function duration(s: number | null): string {
  if (s === null) return "";
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, "0")}m`
    : m > 0
      ? `${m}m${String(t % 60).padStart(2, "0")}s`
      : `${t}s`;
}

function text(c: Comparison): string {
  const per = perLabel(
    c.per,
    c.jobs.map((j) => j.formula),
  );
  const d = UNIT_DECIMALS[c.unit];
  const rows = [
    [
      "ID",
      "NAME",
      "STATUS",
      ...(c.per === "formula" ? ["FORMULA"] : []),
      `ENERGY (${c.unit}${per})`,
      `ΔE (${c.unit}${per})`,
      "GAP (eV)",
      "VOLUME",
      "SCF",
      "RUNTIME",
    ],
  ];
  for (const j of c.jobs) {
    const mark = j.energy !== null && !j.final ? NOT_FINAL_MARK : "";
    rows.push([
      `${j.id}${c.reference?.id === j.id ? "*" : ""}`,
      j.name,
      statusLabel(j.status),
      ...(c.per === "formula" ? [j.formula ? `${j.formulaUnits}×${j.formula}` : ""] : []),
      j.energy === null ? "" : `${fixed(j.energy, c.unit === "Ha" ? 8 : d)}${mark}`,
      j.delta === null ? "" : `${j.delta >= 0 ? "+" : ""}${fixed(j.delta, d)}${mark}`,
      fixed(j.gapEv, 3),
      fixed(j.volume, 3),
      j.scfCycles === null ? "" : String(j.scfCycles),
      duration(j.runtimeSeconds),
    ]);
  }
  const lines = [table(rows)];
  if (c.reference)
    lines.push(
      `* ΔE relative to job ${c.reference.id}${c.reference.chosen ? "" : " (the lowest final energy)"}`,
    );
  else lines.push("no final energy among these jobs: no ΔE");
  if (c.jobs.some((j) => j.energy !== null && !j.final))
    lines.push(`${NOT_FINAL_MARK} not a final energy (never taken as the lowest)`);
  return `${lines.join("\n")}\n`;
}

export function registerJobCompare(job: Command): void {
  job
    .command("compare")
    .description("compare jobs: energy, ΔE to a chosen job or the lowest, gap, volume, SCF cycles, runtime")
    .argument("<ids...>", "job ids")
    .option("--relative-to <id>", "ΔE relative to this job (default: the lowest final energy)")
    .option("--unit <unit>", `energy unit: ${ENERGY_UNITS.join(", ")} (default Ha)`)
    .option(
      "--per <what>",
      "energy per cell, atom or formula (formula unit: the cell's composition reduced, e.g. Ni2O2 → 2 × NiO; default cell)",
    )
    .option("--json", "print JSON: one object per job")
    .option("--csv", "print CSV")
    .action(async (idTexts: string[], opts: CompareFlags, cmd: Command) => {
      const ids = idTexts.flatMap((t) => t.split(",").filter((p) => p.trim() !== "")).map(parseJobId);
      const unit = opts.unit === undefined ? "Ha" : parseEnergyUnit(opts.unit);
      if (unit === null)
        throw new UsageError(
          `unit ${JSON.stringify(opts.unit)} is unknown — use one of ${ENERGY_UNITS.join(", ")}`,
        );
      const asked = (opts.per ?? "cell").toLowerCase();
      // "fu" and "f.u." are how chemists write it
      const per = (["fu", "f.u."].includes(asked) ? "formula" : asked) as EnergyPer;
      if (!ENERGY_PER.includes(per))
        throw new UsageError(`--per ${JSON.stringify(opts.per)} is unknown — use ${ENERGY_PER.join(", ")}`);
      if (opts.json && opts.csv) throw new UsageError("--json and --csv do not go together — choose one");
      const relativeTo = opts.relativeTo === undefined ? undefined : parseJobId(opts.relativeTo);
      await withStore(cmd, async (store) => {
        const c = await compareJobs(store, ids, {
          unit,
          per,
          ...(relativeTo !== undefined ? { relativeTo } : {}),
        });
        if (opts.json) return printJson(jsonOf(c));
        if (opts.csv) {
          const rows = jsonOf(c);
          const keys = Object.keys(rows[0] ?? {}) as (keyof (typeof rows)[number])[];
          return void process.stdout.write(
            delimited("csv", [keys, ...rows.map((r) => keys.map((k) => r[k]))]),
          );
        }
        process.stdout.write(text(c));
      });
    });
}
