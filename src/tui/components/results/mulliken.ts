// Mulliken populations of the SCF whose energy is final: per atom the electrons, the net charge
// (Z − electrons) and, for a spin-polarised run, the spin (α − β), with the cell's total spin.
import type { Geometry, Mulliken } from "../../../crystal/result.js";
import { fixed, heading, type Line, line, span } from "./styled.js";

const signed = (v: number | null | undefined, digits: number) =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : `${v > 0 ? "+" : ""}${fixed(v, digits)}`;

export function mullikenLines(m: Mulliken, geometry: Geometry | null): Line[] {
  const spin = m.spins !== null;
  const out: Line[] = [...heading("Mulliken populations", spin ? "(e; spin = α − β electrons)" : "(e)")];
  if (m.total_magnetisation !== null)
    out.push(line(span("  total spin ", "label"), `${signed(m.total_magnetisation, 3)} (α − β per cell)`));
  // the atoms' names come from the final geometry when it lists the same atoms
  const atoms = geometry && geometry.atoms.length === m.charges.length ? geometry.atoms : null;
  out.push(
    line(
      span(
        `  ${"#".padStart(4)} ${"".padEnd(3)}${"electrons".padStart(11)}${"charge".padStart(10)}${spin ? "spin".padStart(10) : ""}`,
        "label",
      ),
    ),
  );
  m.charges.forEach((q, i) => {
    const s = m.spins?.[i];
    out.push(
      line(
        `  ${String(i + 1).padStart(4)} ${(atoms?.[i]?.symbol ?? "").padEnd(3)}${fixed(m.electrons[i], 4).padStart(11)}${signed(q, 4).padStart(10)}`,
        spin
          ? span(signed(s, 4).padStart(10), s !== undefined && Math.abs(s) >= 0.1 ? "data" : undefined)
          : null,
      ),
    );
  });
  if (m.charges.some((q) => q === null))
    out.push(
      line(span("  — : an atom with a pseudopotential (its charge counts valence electrons only)", "dim")),
    );
  return out;
}
