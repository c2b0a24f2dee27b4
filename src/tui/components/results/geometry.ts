// The final structure (the optimised one, an ELASTCON run's reference, else the input's): space
// group, cell parameters and volume in the units of its dimensionality, the lattice vectors, and
// every atom with its fractional coordinates along the periodic directions (Cartesian Å along the
// others, as CRYSTAL prints a slab's z). Long lists scroll with the Results tab.
import type { Geometry } from "../../../crystal/result.js";
import { fixed, heading, type Line, line, plural, span } from "./styled.js";

const KIND = ["molecule (0D)", "polymer (1D)", "slab (2D)", "crystal (3D)"] as const;
/** VOLUME as CRYSTAL prints it: a length, an area or a volume. */
export const VOLUME_UNITS = ["", "Å", "Å²", "Å³"] as const;

/** "a 2.746698  b 2.746698  c 2.746698 Å   α 60.0000  β 60.0000  γ 60.0000°" (job show too). */
export function cellLine(g: Geometry): Line | null {
  const c = g.cell;
  if (!c) return null;
  const len = (name: string, v: number | null) => (v === null ? "" : `${name} ${fixed(v, 6)} `);
  const lengths = `${len("a", c.a)}${len("b", c.b)}${len("c", c.c)}`.trimEnd();
  // only the angles between periodic directions mean anything
  const angles =
    g.dimensionality === 3
      ? `α ${fixed(c.alpha, 3)} β ${fixed(c.beta, 3)} γ ${fixed(c.gamma, 3)}°`
      : g.dimensionality === 2
        ? `γ ${fixed(c.gamma, 3)}°`
        : "";
  return line(`${lengths} Å${angles ? `  ${angles}` : ""}`);
}

export function geometryLines(g: Geometry): Line[] {
  const d = g.dimensionality;
  const out: Line[] = [
    ...heading(
      "Final geometry",
      `${KIND[d]}${g.space_group ? `, ${d === 3 ? "space group" : d === 2 ? "plane group" : "group"} ${g.space_group}` : ""}, ${plural(g.atoms.length, "atom")}`,
    ),
  ];
  const cell = cellLine(g);
  if (cell) out.push(line(span("  cell     ", "label"), ...cell));
  if (g.volume !== null)
    out.push(
      line(
        span(`  ${["", "length", "area", "volume"][d]!.padEnd(9)}`, "label"),
        `${fixed(g.volume, 4)} ${VOLUME_UNITS[d]}`,
      ),
    );
  const names = ["a", "b", "c"];
  if (g.lattice_vectors_angstrom.length > 0) {
    out.push(line(span("  lattice vectors (Å)", "label")));
    g.lattice_vectors_angstrom.forEach((v, i) => {
      out.push(line(`    ${names[i]}  ${v.map((x) => fixed(x, 6).padStart(11)).join("")}`));
    });
  }
  if (g.atoms.length > 0) {
    // fractional along periodic directions, Cartesian Å along the others
    const axis = (i: number) => (i < d ? `${"xyz"[i]}/${names[i]}` : `${"xyz"[i]} (Å)`);
    out.push(
      line(
        span(
          `  ${"#".padStart(4)}  ${"Z".padStart(3)} ${"".padEnd(3)}${[0, 1, 2].map((i) => axis(i).padStart(12)).join("")}`,
          "label",
        ),
      ),
    );
    for (const a of g.atoms) {
      const coords = [0, 1, 2].map((i) => {
        const v = i < d ? a.fractional[i] : a.cartesian_angstrom[i];
        // CRYSTAL's symmetry operators leave ±1e-17 where a coordinate is 0
        return fixed(v !== null && v !== undefined && Math.abs(v) < 5e-10 ? 0 : v, 6).padStart(12);
      });
      out.push(
        line(
          `  ${String(a.index).padStart(4)}  ${String(a.z).padStart(3)} ${a.symbol.padEnd(3)}${coords.join("")}`,
        ),
      );
    }
    if (d > 0 && d < 3)
      out.push(
        line(span(`  fractional along ${names.slice(0, d).join(", ")}; Cartesian Å along the others`, "dim")),
      );
  }
  return out;
}
