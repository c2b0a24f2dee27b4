// An ELASTCON run's results as CRYSTAL prints them between FINAL RESULTS START and END: the
// symmetrized elastic constants (upper triangle, 6×6 in 3D, 3×3 for a slab, 1×1 for a polymer),
// the compliance tensor, the Voigt-Reuss-Hill moduli and the final BULK MODULUS block. The
// matrices are Fortran fixed-point fields that touch when a number fills its width
// (`-122.44-1070.00`): they are split by their decimals, never on blanks.
import { fixedPointNumbers, fortranNumber as num } from "./output-bytes.js";
import { type Block, type BlockAnswer, LAST, type LineView, MORE, NOT_MINE, words } from "./output-line.js";
import type { Elastic } from "./result.js";

export class ElasticReader {
  private constants: number[][] | null = null;
  private units = "GPa";
  private compliance: number[][] | null = null;
  private complianceUnits: string | null = null;
  private vrh: Record<string, number> | null = null;
  private bulk: number | null = null;

  /** `SYMMETRIZED ELASTIC CONSTANTS FOR CUBIC CASE, IN GPa` */
  constantsHeader(line: string): Block {
    const units = /\bIN\s+(\S+)\s*$/.exec(line)?.[1] ?? "GPa";
    return new MatrixBlock((m) => {
      this.constants = m;
      this.units = units;
    });
  }

  /** `ELASTIC MODULI (COMPLIANCE TENSOR), IN TPa^-1` */
  complianceHeader(line: string): Block {
    const units = /\bIN\s+(\S+)\s*$/.exec(line)?.[1] ?? null;
    return new MatrixBlock((m) => {
      this.compliance = m;
      this.complianceUnits = units;
    });
  }

  /** `K_V  G_V  K_R  G_R  K_H  G_H  E_H  v_H`, then (after a blank line) their values. */
  vrhHeader(line: string): Block {
    const names = words(line);
    return new ValuesBlock((values) => {
      if (values.length !== names.length) return;
      this.vrh = Object.fromEntries(names.map((n, i) => [n, values[i]!]));
    });
  }

  /** `BULK MODULUS (GPa)`, then `K =     470.57`. */
  bulkHeader(): Block {
    return new BulkBlock((k) => {
      this.bulk = k;
    });
  }

  result(): Elastic | null {
    if (!this.constants) return null;
    const v = (name: string) => {
      const x = this.vrh?.[name];
      return x === undefined || Number.isNaN(x) ? null : x;
    };
    const moduli = (k: string, g: string) =>
      this.vrh ? { bulk_modulus_gpa: v(k), shear_modulus_gpa: v(g) } : null;
    const hill = this.vrh
      ? {
          bulk_modulus_gpa: v("K_H"),
          shear_modulus_gpa: v("G_H"),
          young_modulus_gpa: v("E_H"),
          poisson_ratio: v("v_H"),
        }
      : null;
    return {
      constants: this.constants,
      units: this.units,
      compliance: this.compliance,
      compliance_units: this.compliance ? this.complianceUnits : null,
      bulk_modulus_gpa: this.bulk ?? v("K_H"),
      shear_modulus_gpa: v("G_H"),
      voigt: moduli("K_V", "G_V"),
      reuss: moduli("K_R", "G_R"),
      hill,
    };
  }
}

/**
 * `| c11 c12 … |` rows of an upper triangle: row i holds columns i…n−1 (n from the first row).
 * Blank lines before the first row are skipped; the matrix is kept only when whole.
 */
class MatrixBlock implements Block {
  private readonly rows: number[][] = [];
  private blanks = 0;
  constructor(private readonly done: (m: number[][]) => void) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (p === e) {
      if (this.rows.length > 0) return this.finish() ? LAST : NOT_MINE;
      return ++this.blanks <= 2 ? MORE : NOT_MINE;
    }
    const line = v.text(p, e);
    if (!line.startsWith("|")) {
      if (this.rows.length > 0) this.finish();
      return NOT_MINE;
    }
    const values = fixedPointNumbers(line.replace(/\|/g, " "));
    const n = this.rows.length === 0 ? values.length : this.rows[0]!.length;
    if (values.length === 0 || values.length !== n - this.rows.length || values.some(Number.isNaN)) {
      return NOT_MINE;
    }
    this.rows.push(values);
    if (this.rows.length === n) return this.finish() ? LAST : NOT_MINE;
    return MORE;
  }

  private finish(): boolean {
    const n = this.rows[0]?.length ?? 0;
    if (n === 0 || this.rows.length !== n) return false;
    const m = Array.from({ length: n }, () => Array<number>(n).fill(0));
    this.rows.forEach((row, i) => {
      row.forEach((x, k) => {
        const j = i + k;
        m[i]![j] = x;
        m[j]![i] = x;
      });
    });
    this.done(m);
    return true;
  }
}

/** One line of fixed-point numbers after blank lines. */
class ValuesBlock implements Block {
  private blanks = 0;
  constructor(private readonly done: (values: number[]) => void) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (p === e) return ++this.blanks <= 2 ? MORE : NOT_MINE;
    const line = v.text(p, e);
    if (!/^[-+\d.\s]+$/.test(line)) return NOT_MINE;
    this.done(fixedPointNumbers(line));
    return LAST;
  }
}

class BulkBlock implements Block {
  private lines = 0;
  constructor(private readonly done: (k: number) => void) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (p === e) return ++this.lines <= 3 ? MORE : NOT_MINE;
    const m = /^K\s*=\s*(\S+)/.exec(v.text(p, e));
    const k = num(m?.[1]);
    if (k === null) return NOT_MINE;
    this.done(k);
    return LAST;
  }
}
