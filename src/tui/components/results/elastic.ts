// The elastic tensor of an ELASTCON run in Voigt notation, in the units CRYSTAL printed it (GPa in
// 3D; its own word — HARTREE — for a slab or a polymer), the compliance tensor when printed, the
// Voigt / Reuss / Hill moduli, and whether the crystal is mechanically stable (Born: every
// eigenvalue of C positive), which is what a chemist checks first.
import type { Elastic } from "../../../crystal/result.js";
import { fixed, heading, type Line, line, span } from "./styled.js";

/** The strain components of Voigt notation, by dimensionality of the matrix (6, 3 or 1). */
const VOIGT: Readonly<Record<number, readonly string[]>> = {
  6: ["xx", "yy", "zz", "yz", "xz", "xy"],
  3: ["xx", "yy", "xy"],
  1: ["xx"],
};

/** Eigenvalues of a symmetric matrix (cyclic Jacobi rotations; 6×6 converges in a few sweeps). */
export function symmetricEigenvalues(m: readonly (readonly number[])[]): number[] {
  const n = m.length;
  const a = m.map((r) => [...r]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-22 * Math.max(1, ...a.map((r, i) => r[i]! ** 2))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((r, i) => r[i]!).sort((x, y) => x - y);
}

function matrixLines(m: readonly (readonly number[])[], digits: number): Line[] {
  const names = VOIGT[m.length] ?? m.map((_, i) => String(i + 1));
  const cellWidth = Math.max(9, ...m.flat().map((v) => fixed(v, digits).length + 1));
  const out: Line[] = [];
  out.push(line(span(`      ${names.map((n, i) => `${i + 1} ${n}`.padStart(cellWidth)).join("")}`, "label")));
  m.forEach((r, i) => {
    out.push(
      line(
        span(`  ${`${i + 1} ${names[i] ?? ""}`.padEnd(4)}`, "label"),
        r.map((v) => fixed(v, digits).padStart(cellWidth)).join(""),
      ),
    );
  });
  return out;
}

/** "mechanically stable (Born: every eigenvalue of C positive, the smallest 289.27 GPa)" */
export function stabilityLine(e: Elastic): Line {
  const values = symmetricEigenvalues(e.constants);
  const smallest = values[0]!;
  const units = e.units || "";
  if (values.some((v) => !Number.isFinite(v)))
    return line(span("stability: the tensor has unreadable values", "warn"));
  return smallest > 0
    ? line(
        span("mechanically stable", "good"),
        ` (Born: every eigenvalue of C > 0, lowest ${fixed(smallest, 2)} ${units})`,
      )
    : line(
        span("⚠ mechanically unstable", "bad"),
        ` (Born: C has an eigenvalue ${fixed(smallest, 2)} ${units} ≤ 0)`,
      );
}

export function elasticLines(e: Elastic): Line[] {
  const n = e.constants.length;
  const what = n === 6 ? "" : n === 3 ? " of the slab" : n === 1 ? " of the polymer" : "";
  const units = e.units || "CRYSTAL's units";
  const out: Line[] = [...heading(`Elastic constants${what}`, `C (${units}, Voigt notation, symmetrized)`)];
  // CRYSTAL prints the constants with three decimals (F9.3), the compliance with four
  const digits = 3;
  out.push(...matrixLines(e.constants, digits));
  out.push(line("  ", ...stabilityLine(e)));
  if (e.compliance) {
    out.push([]);
    out.push(line(span("  Compliance S", "label"), ` (${e.compliance_units ?? "?"})`));
    out.push(...matrixLines(e.compliance, 4));
  }
  const rows: [string, number | null, number | null, number | null, number | null][] = [];
  if (e.voigt) rows.push(["Voigt", e.voigt.bulk_modulus_gpa, e.voigt.shear_modulus_gpa, null, null]);
  if (e.reuss) rows.push(["Reuss", e.reuss.bulk_modulus_gpa, e.reuss.shear_modulus_gpa, null, null]);
  if (e.hill)
    rows.push([
      "Hill",
      e.hill.bulk_modulus_gpa,
      e.hill.shear_modulus_gpa,
      e.hill.young_modulus_gpa,
      e.hill.poisson_ratio,
    ]);
  if (rows.length > 0) {
    out.push([]);
    out.push(
      line(
        span(
          `  ${"Moduli (GPa)".padEnd(14)}${"K bulk".padStart(10)}${"G shear".padStart(10)}${"E Young".padStart(10)}${"ν Poisson".padStart(11)}`,
          "label",
        ),
      ),
    );
    const cell = (v: number | null, w: number, d = 2) => (v === null ? "" : fixed(v, d)).padStart(w);
    for (const [name, k, g, y, nu] of rows)
      out.push(line(`  ${name.padEnd(14)}${cell(k, 10)}${cell(g, 10)}${cell(y, 10)}${cell(nu, 11)}`));
  } else if (n < 6) {
    out.push(line(span("  (CRYSTAL prints no bulk or shear modulus for a slab or a polymer)", "dim")));
  }
  if (e.bulk_modulus_gpa !== null && e.voigt?.bulk_modulus_gpa !== e.bulk_modulus_gpa)
    out.push(line(`  bulk modulus K ${fixed(e.bulk_modulus_gpa, 2)} GPa (CRYSTAL's BULK MODULUS block)`));
  return out;
}
