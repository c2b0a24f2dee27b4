// The rows a person reads of a parsed output, declared once (issue 10): key, label, unit and how the
// value is written. The CLI's `parse` text and the TUI's Results tab both draw their rows from this
// table, so a new field is one entry here. Values come as stored (jobs.key_results may hold older
// results), so every format checks what it is given and a missing value gives no row.
import { energyStanding, NOT_FINAL_MARK } from "../domain/final-energy.js";
import { LINE_VALUES, type LineValue } from "./output-values.js";
import type { CrystalResult } from "./result.js";
import { HARTREE_TO_EV } from "./result.js";
import { standinWords } from "./standin-signature.js";

export interface ResultField {
  /** The result's key this row shows. */
  key: keyof CrystalResult;
  label: string;
  /** The unit the value is written in (also shown in the text), null when it has none. */
  unit: string | null;
  /** The value as text, or null for no row (absent, or nothing to add). */
  format: (value: unknown, result: Partial<Record<keyof CrystalResult, unknown>>) => string | null;
  /** Shown as a warning (the TUI colours it; e.g. imaginary modes, an SCF that did not converge). */
  warn?: (value: unknown, result: Partial<Record<keyof CrystalResult, unknown>>) => boolean;
}

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const fixed = (v: unknown, digits: number) => (isNumber(v) ? v.toFixed(digits) : "—");
const signed = (v: number, digits: number) => `${v >= 0 ? "+" : ""}${v.toFixed(digits)}`;

/** Why the result's energy is not final, by the result's own status; null when it is (or it does not say). */
function notFinal(r: Partial<Record<keyof CrystalResult, unknown>>): string | null {
  if (typeof r.status !== "string") return null;
  const standing = energyStanding(null, r);
  return standing.final ? null : standing.why;
}

export const TASK_NAMES: Record<string, string> = {
  scf: "single point (SCF)",
  opt: "geometry optimisation",
  freq: "frequency calculation",
  elastic: "elastic constants",
  eos: "equation of state",
  properties: "properties",
};

export const RESULT_FIELDS: readonly ResultField[] = [
  {
    key: "standin",
    label: "Computed by",
    unit: null,
    // first, and as a warning: every number below is a recorded run's, not this deck's
    format: (v) => {
      const run = obj(v);
      return run
        ? standinWords({ recording: typeof run.recording === "string" ? run.recording : null })
        : null;
    },
    warn: (v) => obj(v) !== null,
  },
  {
    key: "crystal_version",
    label: "CRYSTAL",
    unit: null,
    format: (v, r) =>
      typeof v === "string" ? `CRYSTAL${v}${r.program === "properties" ? " (properties)" : ""}` : null,
  },
  {
    key: "error_kind",
    label: "Failure",
    unit: null,
    format: (v) => (typeof v === "string" ? v.replace(/_/g, " ") : null),
    warn: (v) => typeof v === "string",
  },
  {
    key: "final_energy_hartree",
    label: "Final energy",
    unit: "Ha",
    // a run that did not reach its goal still reports its last SCF's energy: never as if final
    format: (v, r) => {
      if (!isNumber(v)) return null;
      const standing = notFinal(r);
      const mark = standing ? ` ${NOT_FINAL_MARK} not final: ${standing}` : "";
      return `${v.toFixed(10)} Ha  (${(v * HARTREE_TO_EV).toFixed(6)} eV)${mark}`;
    },
    warn: (v, r) => isNumber(v) && notFinal(r) !== null,
  },
  {
    key: "scf_energy_hartree",
    label: "SCF energy",
    unit: "Ha",
    // only when a dispersion (or gCP) correction makes it differ from the final energy
    format: (v, r) =>
      isNumber(v) && isNumber(r.final_energy_hartree) && Math.abs(v - r.final_energy_hartree) > 1e-7
        ? `${v.toFixed(10)} Ha (without dispersion/gCP corrections, or E(T) of a smeared SCF)`
        : null,
  },
  {
    key: "scf",
    label: "SCF",
    unit: null,
    format: (v, r) => {
      const scf = obj(v);
      // a properties run computes no SCF
      if (!scf || !isNumber(scf.cycles) || (r.program === "properties" && scf.cycles === 0)) return null;
      const cycles = plural(scf.cycles, "cycle");
      const energies = Array.isArray(scf.energies_hartree) ? scf.energies_hartree : [];
      const last = energies.at(-1);
      if (scf.converged === true) return `converged in ${cycles}`;
      if (scf.cycles > 0)
        return `not converged after ${cycles}${isNumber(last) ? ` (last ${last.toFixed(8)} Ha)` : ""}`;
      return "no SCF cycle";
    },
    warn: (v) => obj(v)?.converged === false && isNumber(obj(v)?.cycles) && (obj(v)!.cycles as number) > 0,
  },
  {
    key: "opt",
    label: "Optimisation",
    unit: null,
    format: (v) => {
      const opt = obj(v);
      if (!opt || !isNumber(opt.steps)) return null;
      return `${opt.converged === true ? "converged" : "not converged"} after ${plural(opt.steps, "step")}`;
    },
    warn: (v) => obj(v)?.converged === false,
  },
  {
    key: "band_gap_ev",
    label: "Band gap",
    unit: "eV",
    format: (v) => (isNumber(v) ? `${v.toFixed(4)} eV` : null),
  },
  {
    key: "band_gap_alpha_ev",
    label: "Band gaps",
    unit: "eV",
    format: (v, r) =>
      isNumber(v) || isNumber(r.band_gap_beta_ev)
        ? `α ${fixed(v, 4)} eV, β ${fixed(r.band_gap_beta_ev, 4)} eV`
        : null,
  },
  {
    key: "zero_point_energy_ev",
    label: "Zero-point energy",
    unit: "eV",
    format: (v) => (isNumber(v) ? `${v.toFixed(6)} eV` : null),
  },
  {
    key: "frequencies",
    label: "Frequencies",
    unit: "cm⁻¹",
    format: (v) => {
      const f = obj(v);
      const modes = Array.isArray(f?.modes) ? (f!.modes as Record<string, unknown>[]) : [];
      if (!f || modes.length === 0) return null;
      const freqs = modes.map((m) => m.cm1).filter(isNumber);
      const imaginary = isNumber(f.n_imaginary) ? f.n_imaginary : freqs.filter((x) => x < 0).length;
      const highest = freqs.length ? Math.max(...freqs) : null;
      const warn = imaginary > 0 ? `⚠ ${imaginary} imaginary` : "no imaginary mode";
      return `${plural(modes.length, "mode")}, ${warn}${highest === null ? "" : `, highest ${highest.toFixed(1)} cm⁻¹`}`;
    },
    warn: (v) => {
      const n = obj(v)?.n_imaginary;
      return isNumber(n) && n > 0;
    },
  },
  {
    key: "elastic",
    label: "Elastic",
    unit: null,
    format: (v) => {
      const e = obj(v);
      const c = Array.isArray(e?.constants) ? (e!.constants as number[][]) : null;
      if (!e || !c || c.length === 0) return null;
      const units = typeof e.units === "string" ? e.units : "";
      const diag = c.map((row, i) => `C${i + 1}${i + 1} ${fixed(row[i], 2)}`).join(" ");
      const k = isNumber(e.bulk_modulus_gpa) ? `, K ${e.bulk_modulus_gpa.toFixed(2)} GPa` : "";
      const g = isNumber(e.shear_modulus_gpa) ? `, G ${e.shear_modulus_gpa.toFixed(2)} GPa` : "";
      return `${c.length}×${c.length} ${units}: ${diag}${k}${g}`;
    },
  },
  {
    key: "geometry",
    label: "Structure",
    unit: null,
    format: (v) => {
      const g = obj(v);
      if (!g || !Array.isArray(g.atoms)) return null;
      const d = isNumber(g.dimensionality) ? `${g.dimensionality}D` : "";
      const group = typeof g.space_group === "string" ? `, ${g.space_group}` : "";
      const units = ["", " Å", " Å²", " Å³"][isNumber(g.dimensionality) ? g.dimensionality : 3];
      const volume = isNumber(g.volume) ? `, volume ${g.volume.toFixed(4)}${units}` : "";
      return `${d}${group}, ${plural(g.atoms.length, "atom")}${volume}`;
    },
  },
  {
    key: "lattice",
    label: "Cell",
    unit: "Å",
    format: (v) => {
      const l = obj(v);
      if (!l) return null;
      const len = (x: unknown) => (isNumber(x) ? x.toFixed(5) : "—");
      const ang = (x: unknown) => (isNumber(x) ? String(Number(x.toFixed(3))) : "—");
      // one space between values: a triclinic cell fits an 80-column screen with its label
      return `a ${len(l.a)} b ${len(l.b)} c ${len(l.c)} Å  α ${ang(l.alpha)} β ${ang(l.beta)} γ ${ang(l.gamma)}°`;
    },
  },
  {
    key: "mulliken",
    label: "Mulliken",
    unit: "e",
    format: (v) => {
      const m = obj(v);
      if (!m || !Array.isArray(m.charges)) return null;
      const shown = (xs: unknown[]) =>
        xs
          .slice(0, 8)
          .map((x) => (isNumber(x) ? signed(x, 3) : "?"))
          .join(" ") + (xs.length > 8 ? " …" : "");
      const spins = Array.isArray(m.spins) ? `; spins ${shown(m.spins)}` : "";
      const total = isNumber(m.total_magnetisation) ? `; total spin ${m.total_magnetisation.toFixed(3)}` : "";
      return `charges ${shown(m.charges)}${spins}${total}`;
    },
  },
  {
    key: "properties",
    label: "Properties",
    unit: null,
    format: (v) => {
      const p = obj(v);
      if (!p) return null;
      const kinds = Array.isArray(p.kinds) && p.kinds.length > 0 ? p.kinds.join(" ") : "nothing computed yet";
      const gap = isNumber(p.band_gap_ev) ? ` · NEWK gap ${p.band_gap_ev.toFixed(4)} eV` : "";
      return `${kinds}${gap} · ${typeof p.status === "string" ? p.status : "?"}`;
    },
  },
  {
    key: "n_atoms",
    label: "Atoms",
    unit: null,
    format: (v, r) =>
      isNumber(v)
        ? `${v}${r.spin_polarized === true ? " (spin-polarised)" : r.spin_polarized === false ? " (closed shell)" : ""}`
        : null,
  },
  {
    key: "wall_time_s",
    label: "Wall time",
    unit: "s",
    format: (v) => (isNumber(v) ? `${v} s` : null),
  },
  // the values CRYSTAL prints on a line of their own (src/crystal/output-values.ts)
  ...(LINE_VALUES as readonly LineValue[]).map(
    (lv): ResultField => ({
      key: lv.key as keyof CrystalResult,
      label: lv.label,
      unit: lv.unit,
      format: (v) => (isNumber(v) ? `${lv.format(v)}${lv.unit ? ` ${lv.unit}` : ""}` : null),
    }),
  ),
];

export interface ResultRow {
  key: keyof CrystalResult;
  label: string;
  value: string;
  warn: boolean;
}

/** The rows of a result (as parsed, or as stored), in the table's order. */
export function resultRows(result: Partial<Record<keyof CrystalResult, unknown>>): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const field of RESULT_FIELDS) {
    const value = field.format(result[field.key], result);
    if (value === null) continue;
    rows.push({
      key: field.key,
      label: field.label,
      value,
      warn: field.warn?.(result[field.key], result) ?? false,
    });
  }
  return rows;
}
