// The frequency table of a FREQCALC run: the modes at Γ (degenerate ones on one row, as CRYSTAL
// prints them), IR intensity and activity, Raman activity and intensity, symmetry; imaginary modes
// counted in the title and flagged on their row by a symbol (and in red), so they read without
// colour; the zero-point energy and the thermodynamic functions.
import type { Frequencies, Mode } from "../../../crystal/result.js";
import { fixed, heading, type Line, line, plural, span } from "./styled.js";

/** Marks a row (and the job in the list) whose mode is imaginary. */
export const IMAGINARY_MARK = "⚠";

/** Consecutive modes CRYSTAL printed on one row (same frequency and symmetry): `34–36`. */
function groups(modes: readonly Mode[]): Mode[][] {
  const out: Mode[][] = [];
  for (const m of modes) {
    const last = out.at(-1)?.at(-1);
    if (
      last &&
      last.index + 1 === m.index &&
      last.cm1 === m.cm1 &&
      last.symmetry === m.symmetry &&
      last.ir_km_mol === m.ir_km_mol
    )
      out.at(-1)!.push(m);
    else out.push([m]);
  }
  return out;
}

const active = (v: boolean | null) => (v === null ? "" : v ? "A" : "I");

/** The title line's words: "78 modes at Γ, ⚠ 2 imaginary" (used by job show too). */
export function frequencySummary(f: Frequencies): Line {
  const freqs = f.modes.map((m) => m.cm1);
  const real = freqs.filter((x) => x > 0);
  return line(
    `${plural(f.modes.length, "mode")} at Γ, `,
    f.n_imaginary > 0
      ? span(
          `${IMAGINARY_MARK} ${plural(f.n_imaginary, "imaginary mode")} (lowest ${fixed(Math.min(...freqs), 2)} cm⁻¹)`,
          "bad",
        )
      : span("no imaginary mode", "good"),
    real.length ? `, ${fixed(Math.min(...real), 2)}–${fixed(Math.max(...real), 2)} cm⁻¹` : "",
  );
}

export function frequencyLines(f: Frequencies, opts: { width: number }): Line[] {
  const out: Line[] = [...heading("Vibrational frequencies", "(harmonic, at Γ)")];
  out.push(line("  ", ...frequencySummary(f)));
  if (f.zero_point_energy_ev !== null)
    out.push(line(`  zero-point energy ${fixed(f.zero_point_energy_ev, 6)} eV`));
  if (f.modes.length > 0) {
    const intensities = f.modes.some((m) => m.ir_km_mol !== null);
    const raman = f.modes.some((m) => m.raman_intensity !== null);
    const header = [
      "  ",
      "MODE".padStart(8),
      "cm⁻¹".padStart(11),
      "  SYM ",
      intensities ? "IR km/mol".padStart(10) : "",
      "  IR",
      " RAMAN",
      raman ? "I(Raman)".padStart(10) : "",
    ].join("");
    out.push(line(span(header.slice(0, opts.width), "label")));
    for (const g of groups(f.modes)) {
      const m = g[0]!;
      const imaginary = m.cm1 < 0;
      const modes = g.length > 1 ? `${m.index}–${g.at(-1)!.index}` : String(m.index);
      const text = [
        imaginary ? `${IMAGINARY_MARK} ` : "  ",
        modes.padStart(8),
        fixed(m.cm1, 2).padStart(11),
        "  ",
        (m.symmetry ?? "").padEnd(4),
        intensities ? (m.ir_km_mol === null ? "" : fixed(m.ir_km_mol, 2)).padStart(10) : "",
        active(m.ir_active).padStart(4),
        active(m.raman_active).padStart(6),
        raman ? (m.raman_intensity === null ? "" : fixed(m.raman_intensity, 2)).padStart(10) : "",
      ].join("");
      out.push(line(imaginary ? span(text, "bad") : span(text)));
    }
    out.push(
      line(
        span(
          `  A active, I inactive${f.n_imaginary > 0 ? `; ${IMAGINARY_MARK} imaginary (printed negative)` : ""}`,
          "dim",
        ),
      ),
    );
  }
  for (const t of f.thermodynamics) {
    out.push(
      line(
        span("  Thermodynamics", "label"),
        ` at ${fixed(t.temperature_k, 2)} K, ${fixed(t.pressure_mpa, 6)} MPa`,
      ),
    );
    const ha = (v: number | null) => (v === null ? "—" : `${fixed(v, 8)} Ha`);
    out.push(line(`    E ${ha(t.energy_hartree)}   H ${ha(t.enthalpy_hartree)}`));
    out.push(line(`    G ${ha(t.free_energy_hartree)}`));
    out.push(
      line(
        `    S ${fixed(t.entropy_j_mol_k, 3)} J/(mol·K)   C ${fixed(t.heat_capacity_j_mol_k, 3)} J/(mol·K)`,
      ),
    );
  }
  return out;
}
