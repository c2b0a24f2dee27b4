// The final geometry written for other programs: CIF and POSCAR (read by ASE, VESTA, pymatgen…),
// extended XYZ, and CRYSTAL's own EXTERNAL geometry (fort.34, the .gui file). Pure functions of a
// parsed Geometry. Directions CRYSTAL leaves non-periodic (slab z, polymer y z, molecule) get a box:
// the atoms' extent plus VACUUM_ANGSTROM for CIF/POSCAR/XYZ, CRYSTAL's formal 500 Å for fort.34.
import type { Geometry, Vector3 } from "./result.js";

export type StructureFormat = "cif" | "xyz" | "poscar" | "gui";
export const STRUCTURE_FORMATS: readonly StructureFormat[] = ["cif", "xyz", "poscar", "gui"];

/** Empty space added along a non-periodic direction, Å. */
export const VACUUM_ANGSTROM = 20;
/** CRYSTAL's formal length of a non-periodic lattice vector (fort.34), Å. */
const CRYSTAL_FORMAL = 500;

/** Three cell vectors: the periodic ones as printed, the others along their Cartesian axis. */
export function fullCell(g: Geometry, formal = false): Vector3[] {
  const cell: Vector3[] = g.lattice_vectors_angstrom.map((v) => [...v] as Vector3);
  for (let axis = cell.length; axis < 3; axis++) {
    let length = CRYSTAL_FORMAL;
    if (!formal) {
      const xs = g.atoms.map((a) => a.cartesian_angstrom[axis]!);
      length = (xs.length ? Math.max(...xs) - Math.min(...xs) : 0) + VACUUM_ANGSTROM;
    }
    const v: Vector3 = [0, 0, 0];
    v[axis] = length;
    cell.push(v);
  }
  return cell;
}

/** Fractional coordinates of a Cartesian point in a cell (solving cell^T f = r). */
export function fractionalOf(cell: Vector3[], r: Vector3): Vector3 {
  const [a, b, c] = cell as [Vector3, Vector3, Vector3];
  const det =
    a[0] * (b[1] * c[2] - b[2] * c[1]) -
    a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0]);
  // Cramer's rule on r = f0 a + f1 b + f2 c
  const solve = (p: Vector3, q: Vector3, s: Vector3) =>
    (p[0] * (q[1] * s[2] - q[2] * s[1]) -
      p[1] * (q[0] * s[2] - q[2] * s[0]) +
      p[2] * (q[0] * s[1] - q[1] * s[0])) /
    det;
  return [solve(r, b, c), solve(a, r, c), solve(a, b, r)];
}

/**
 * Each atom's position in the cell: the fractional coordinates CRYSTAL printed along periodic
 * directions, and for the others the Cartesian coordinate within the box.
 */
function positions(g: Geometry, cell: Vector3[]): { frac: Vector3; cart: Vector3 }[] {
  return g.atoms.map((atom) => {
    const f = fractionalOf(cell, atom.cartesian_angstrom);
    const frac: Vector3 = [0, 1, 2].map((k) => atom.fractional[k] ?? f[k]!) as Vector3;
    const cart: Vector3 = [0, 1, 2].map(
      (j) => frac[0] * cell[0]![j]! + frac[1] * cell[1]![j]! + frac[2] * cell[2]![j]!,
    ) as Vector3;
    return { frac, cart };
  });
}

const num = (x: number, digits = 10) => (Object.is(x, -0) ? 0 : x).toFixed(digits);
const norm = (v: Vector3) => Math.hypot(v[0], v[1], v[2]);
const angle = (u: Vector3, v: Vector3) =>
  (Math.acos(Math.max(-1, Math.min(1, (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (norm(u) * norm(v))))) *
    180) /
  Math.PI;

/** A CIF of the cell in P 1 with every atom of the primitive cell. */
export function toCif(g: Geometry, name: string): string {
  const cell = fullCell(g);
  const [a, b, c] = cell as [Vector3, Vector3, Vector3];
  const lines = [
    `# ${name}: final geometry read from a CRYSTAL output by crystal-tui`,
    `# CRYSTAL's space group: ${g.space_group ?? "not printed"}; written in P 1 with all ${g.atoms.length} atoms`,
    `data_${name.replace(/[^A-Za-z0-9_-]/g, "_") || "crystal"}`,
    "_symmetry_space_group_name_H-M   'P 1'",
    "_symmetry_Int_Tables_number      1",
    `_cell_length_a     ${num(norm(a))}`,
    `_cell_length_b     ${num(norm(b))}`,
    `_cell_length_c     ${num(norm(c))}`,
    `_cell_angle_alpha  ${num(angle(b, c))}`,
    `_cell_angle_beta   ${num(angle(a, c))}`,
    `_cell_angle_gamma  ${num(angle(a, b))}`,
    "loop_",
    "_symmetry_equiv_pos_as_xyz",
    "  'x, y, z'",
    "loop_",
    "_atom_site_label",
    "_atom_site_type_symbol",
    "_atom_site_fract_x",
    "_atom_site_fract_y",
    "_atom_site_fract_z",
  ];
  positions(g, cell).forEach(({ frac }, i) => {
    const atom = g.atoms[i]!;
    lines.push(
      `${atom.symbol}${atom.index} ${atom.symbol} ${num(frac[0], 12)} ${num(frac[1], 12)} ${num(frac[2], 12)}`,
    );
  });
  return `${lines.join("\n")}\n`;
}

/** A VASP 5 POSCAR: the cell, the species in CRYSTAL's order (runs of one symbol), direct coordinates. */
export function toPoscar(g: Geometry, name: string): string {
  const cell = fullCell(g);
  const runs: { symbol: string; count: number }[] = [];
  for (const atom of g.atoms) {
    const last = runs.at(-1);
    if (last && last.symbol === atom.symbol) last.count++;
    else runs.push({ symbol: atom.symbol, count: 1 });
  }
  const lines = [
    `${name} (final geometry from a CRYSTAL output, crystal-tui)`,
    "1.0",
    ...cell.map((v) => `  ${v.map((x) => num(x, 12)).join("  ")}`),
    `  ${runs.map((r) => r.symbol).join("  ")}`,
    `  ${runs.map((r) => r.count).join("  ")}`,
    "Direct",
    ...positions(g, cell).map(({ frac }) => `  ${frac.map((x) => num(x, 12)).join("  ")}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** Extended XYZ: Cartesian Å, with the cell and which directions are periodic on the comment line. */
export function toXyz(g: Geometry, name: string): string {
  const comment =
    g.dimensionality === 0
      ? `${name} (final geometry from a CRYSTAL output, crystal-tui)`
      : `Lattice="${fullCell(g)
          .flat()
          .map((x) => num(x))
          .join(
            " ",
          )}" Properties=species:S:1:pos:R:3 pbc="${[0, 1, 2].map((k) => (k < g.dimensionality ? "T" : "F")).join(" ")}"`;
  const lines = [String(g.atoms.length), comment];
  for (const atom of g.atoms)
    lines.push(`${atom.symbol} ${atom.cartesian_angstrom.map((x) => num(x)).join(" ")}`);
  return `${lines.join("\n")}\n`;
}

/**
 * CRYSTAL's EXTERNAL geometry (fort.34): dimensionality, centring and crystal type; the three
 * vectors (Å, 500 along non-periodic directions); the symmetry operators (the identity: P1); the
 * atoms (conventional Z and Cartesian Å). A deck with EXTERNAL reads it back.
 */
export function toGui(g: Geometry): string {
  const cell = fullCell(g, true);
  const e = (x: number) => {
    const [mantissa, exponent] = (Object.is(x, -0) ? 0 : x).toExponential(12).split("e") as [string, string];
    const n = Number(exponent);
    return `${mantissa}E${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`.padStart(22);
  };
  const lines = [`${g.dimensionality} 1 1`, ...cell.map((v) => v.map(e).join("")), "1"];
  for (const row of [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [0, 0, 0],
  ])
    lines.push(row.map(e).join(""));
  lines.push(String(g.atoms.length));
  for (const atom of g.atoms)
    lines.push(`${String(atom.z).padStart(4)}${atom.cartesian_angstrom.map(e).join("")}`);
  return `${lines.join("\n")}\n`;
}

export function exportStructure(g: Geometry, format: StructureFormat, name: string): string {
  if (format === "cif") return toCif(g, name);
  if (format === "poscar") return toPoscar(g, name);
  if (format === "xyz") return toXyz(g, name);
  return toGui(g);
}
