// The structure CRYSTAL prints: the primitive cell (a b c α β γ), the atoms of the unit cell
// (`ATOMS IN THE ASYMMETRIC UNIT … ATOMS IN THE UNIT CELL`, fractional along periodic directions
// and Å along the others), and for some geometries the cell vectors and Cartesian coordinates.
// Every geometry printed replaces the one before (an optimisation prints one per point); the
// result is the last one, or the one frozen as the reference of an ELASTCON or FREQCALC run.
import { elementOf, elementSymbol } from "./elements.js";
import { fortranNumber as num } from "./output-bytes.js";
import { type Block, type BlockAnswer, LAST, type LineView, MORE, NOT_MINE, words } from "./output-line.js";
import type { Atom, Geometry, Lattice, Vector3 } from "./result.js";

type Cell = [number, number, number, number, number, number];

interface AtomRow {
  /** CRYSTAL's conventional atomic number (226: iron with a pseudopotential). */
  conventional: number;
  symbol: string;
  coords: Vector3;
}

/** A structure as read so far, kept whole so that it can be frozen as a reference. */
export interface GeometryData {
  dimensionality: number | null;
  spaceGroup: string | null;
  cell: Cell | null;
  /** Per coordinate column of the atoms table: fractional (X/A) or Å (X(ANGSTROM)). */
  fractionalColumns: [boolean, boolean, boolean];
  atoms: AtomRow[];
  /** The vectors and Cartesian coordinates printed for these atoms (null when not printed). */
  vectors: Vector3[] | null;
  cartesian: Vector3[] | null;
}

const E_NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][-+]?\d+)?/g;

/** The numbers of a line printed in E format (`0.2105E+01`, `-5.0E-01`), touching or not. */
function eNumbers(text: string): number[] {
  return (text.match(E_NUMBER) ?? []).map((t) => num(t) ?? Number.NaN);
}

export class GeometryReader {
  data: GeometryData = {
    dimensionality: null,
    spaceGroup: null,
    cell: null,
    fractionalColumns: [true, true, true],
    atoms: [],
    vectors: null,
    cartesian: null,
  };
  /** Lattice parameters come before the atoms table of the same geometry. */
  private pendingCell: Cell | null = null;

  dimensionLine(line: string): void {
    const d = Number(/DIMENSIONALITY OF THE SYSTEM\s+(\d)/.exec(line)?.[1]);
    if (Number.isInteger(d) && d <= 3) this.data.dimensionality = d;
  }

  setDimensionality(d: number): void {
    this.data.dimensionality = d;
  }

  /** `SPACE GROUP (CENTROSYMMETRIC) : F M 3 M`, `TWO-SIDED PLANE GROUP N. 77 : P 6 M M`, `POINT GROUP …`. */
  groupLine(line: string): void {
    if (this.data.spaceGroup !== null || /^CORRESPONDING/.test(line)) return;
    const m =
      /^(?:SPACE GROUP|(?:TWO-SIDED )?PLANE GROUP|LAYER GROUP|ROD GROUP|POINT\s+GROUP)[^:]*:\s*(.+)$/.exec(
        line,
      );
    if (m) this.data.spaceGroup = m[1]!.trim().replace(/\s+/g, " ");
  }

  /**
   * The primitive cell comes as a header (`LATTICE PARAMETERS … - PRIMITIVE CELL` or `PRIMITIVE
   * CELL - CENTRING CODE …`), a line `A B C ALPHA BETA GAMMA [VOLUME]`, then the numbers.
   */
  cellHeader(line: string): Block | null {
    if (line.startsWith("PRIMITIVE CELL") || /^LATTICE PARAMETERS.*PRIMITIVE CELL/.test(line))
      return new CellBlock(this);
    return null;
  }

  cellRead(cell: Cell): void {
    this.pendingCell = cell;
    // a cell printed without an atoms table after it (the properties program's header) still counts
    this.data = { ...this.data, cell };
  }

  /** `ATOMS IN THE ASYMMETRIC UNIT    2 - ATOMS IN THE UNIT CELL:    2`: a new geometry's atoms. */
  atomsHeader(line: string): Block | null {
    const n = Number(/ATOMS IN THE UNIT CELL:\s*(\d+)/.exec(line)?.[1]);
    if (!Number.isInteger(n) || n < 0) return null;
    return new AtomsBlock(this, n);
  }

  atomsRead(atoms: AtomRow[], fractionalColumns: [boolean, boolean, boolean]): void {
    // a new geometry: vectors and Cartesian coordinates printed before belong to the previous one
    this.data = {
      ...this.data,
      cell: this.pendingCell ?? this.data.cell,
      atoms,
      fractionalColumns,
      vectors: null,
      cartesian: null,
    };
    this.pendingCell = null;
  }

  /** `DIRECT LATTICE VECTORS CARTESIAN COMPONENTS (ANGSTROM)`, then `X Y Z`, then three rows. */
  vectorsHeader(): Block {
    return new RowsBlock(3, (rows) => {
      this.data = { ...this.data, vectors: rows };
    });
  }

  /** `CARTESIAN COORDINATES - PRIMITIVE CELL`: stars, a header, stars, then one row per atom. */
  cartesianHeader(): Block {
    return new RowsBlock(this.data.atoms.length, (rows) => {
      this.data = { ...this.data, cartesian: rows };
    });
  }

  /** The geometry as the result reports it (the last one read, or `frozen`). */
  static result(data: GeometryData): Geometry | null {
    if (data.atoms.length === 0) return null;
    const d = (data.dimensionality ?? 3) as 0 | 1 | 2 | 3;
    let vectors: Vector3[] = [];
    if (d > 0) {
      const all = data.vectors ?? (data.cell ? vectorsOf(data.cell) : null);
      if (!all) return null;
      vectors = all.slice(0, d);
    }
    const cartesian = data.cartesian && data.cartesian.length === data.atoms.length ? data.cartesian : null;
    const atoms: Atom[] = data.atoms.map((row, i) => {
      const fractional: Atom["fractional"] = [null, null, null];
      const cart: Vector3 = [0, 0, 0];
      for (let k = 0; k < 3; k++) {
        const v = row.coords[k]!;
        if (data.fractionalColumns[k] && k < d) {
          fractional[k] = v;
          const vector = vectors[k]!;
          cart[0] += v * vector[0];
          cart[1] += v * vector[1];
          cart[2] += v * vector[2];
        } else cart[k] = cart[k]! + v;
      }
      const z = elementOf(row.conventional);
      return {
        index: i + 1,
        z,
        symbol: elementSymbol(z) ?? titleCase(row.symbol),
        fractional,
        cartesian_angstrom: cartesian ? cartesian[i]! : cart,
      };
    });
    return {
      dimensionality: d,
      space_group: data.spaceGroup,
      lattice_vectors_angstrom: vectors,
      cell: latticeOf(data.cell, d),
      volume: measure(vectors),
      atoms,
    };
  }

  /** The conventional atomic numbers of the last atoms read (for Mulliken charges). */
  conventionalNumbers(data: GeometryData = this.data): number[] {
    return data.atoms.map((a) => a.conventional);
  }
}

function titleCase(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1).toLowerCase();
}

/** a b c α β γ with non-periodic lengths dropped (slab c, polymer b and c); null for molecules. */
export function latticeOf(cell: Cell | null, dimensionality: number): Lattice | null {
  if (!cell || dimensionality === 0) return null;
  const [a, b, c, alpha, beta, gamma] = cell;
  const d = dimensionality;
  return { a, b: d >= 2 ? b : null, c: d >= 3 ? c : null, alpha, beta, gamma };
}

/** Cell vectors from a b c α β γ: a along x, b in the xy plane. */
export function vectorsOf(cell: Cell): Vector3[] {
  const [a, b, c, alpha, beta, gamma] = cell;
  const rad = Math.PI / 180;
  const ca = Math.cos(alpha * rad);
  const cb = Math.cos(beta * rad);
  const cg = Math.cos(gamma * rad);
  const sg = Math.sin(gamma * rad);
  const cy = (ca - cb * cg) / sg;
  const cz = Math.sqrt(Math.max(0, 1 - cb * cb - cy * cy));
  return [
    [a, 0, 0],
    [b * cg, b * sg, 0],
    [c * cb, c * cy, c * cz],
  ];
}

/** Volume (3 vectors), area (2) or length (1) of the periodic cell; null for a molecule. */
function measure(v: Vector3[]): number | null {
  const cross = (p: Vector3, q: Vector3): Vector3 => [
    p[1] * q[2] - p[2] * q[1],
    p[2] * q[0] - p[0] * q[2],
    p[0] * q[1] - p[1] * q[0],
  ];
  const norm = (p: Vector3) => Math.hypot(p[0], p[1], p[2]);
  if (v.length === 3) {
    const c = cross(v[0]!, v[1]!);
    return Math.abs(c[0] * v[2]![0] + c[1] * v[2]![1] + c[2] * v[2]![2]);
  }
  if (v.length === 2) return norm(cross(v[0]!, v[1]!));
  if (v.length === 1) return norm(v[0]!);
  return null;
}

class CellBlock implements Block {
  /** 1: the `A B C ALPHA BETA GAMMA` line expected; 2: the numbers. */
  private state = 1;
  constructor(private readonly reader: GeometryReader) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (p === e) return NOT_MINE;
    const line = v.text(p, e);
    if (this.state === 1) {
      if (!/^A\s+B\s+C\s+ALPHA\s+BETA\s+GAMMA/.test(line)) return NOT_MINE;
      this.state = 2;
      return MORE;
    }
    const parts = line.split(/\s+/, 7);
    if (parts.length < 6) return NOT_MINE;
    const values = parts.slice(0, 6).map((t) => num(t));
    if (!values.every((x) => x !== null)) return NOT_MINE;
    this.reader.cellRead(values as Cell);
    return LAST;
  }
}

class AtomsBlock implements Block {
  private columns: [boolean, boolean, boolean] | null = null;
  private readonly rows: AtomRow[] = [];
  constructor(
    private readonly reader: GeometryReader,
    private readonly count: number,
  ) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (p === e) return NOT_MINE;
    const line = v.text(p, e);
    if (line.startsWith("*")) return MORE;
    if (this.columns === null) {
      // `ATOM  X/A  Y/B  Z(ANGSTROM)`: which columns are fractional
      const w = words(line);
      if (w[0] !== "ATOM" || w.length < 4) return NOT_MINE;
      const cols = w.slice(-3).map((c) => c.includes("/"));
      this.columns = [cols[0]!, cols[1]!, cols[2]!];
      return this.count === 0 ? this.finish() : MORE;
    }
    // `1 T  12 MG    0.000000000000E+00  0.000000000000E+00  0.000000000000E+00`
    const m = /^\d+\s+[TF]\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    const coords = m ? eNumbers(m[3]!) : [];
    if (!m || coords.length !== 3 || coords.some(Number.isNaN)) return NOT_MINE;
    this.rows.push({
      conventional: Number(m[1]),
      symbol: m[2]!,
      coords: [coords[0]!, coords[1]!, coords[2]!],
    });
    return this.rows.length === this.count ? this.finish() : MORE;
  }

  /** Only a whole table replaces the geometry (a cut output keeps the one before). */
  private finish(): BlockAnswer {
    this.reader.atomsRead(this.rows, this.columns!);
    return LAST;
  }
}

/**
 * Rows of three numbers after a header (vectors, Cartesian coordinates): lines of words before the
 * first row are skipped; a row may start with an index, a Z and a symbol (`1  12 MG  x y z`).
 */
class RowsBlock implements Block {
  private readonly rows: Vector3[] = [];
  private skipped = 0;
  constructor(
    private readonly count: number,
    private readonly done: (rows: Vector3[]) => void,
  ) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (this.count === 0) return NOT_MINE;
    if (p === e) return this.rows.length === 0 && this.skipped < 2 ? MORE : NOT_MINE;
    const line = v.text(p, e);
    const m = /^(?:\d+\s+\d+\s+[A-Za-z]+\s+)?(\S.*)$/.exec(line);
    const rest = m ? m[1]! : "";
    const values = /^[-+\d.EeDd\s]+$/.test(rest) ? eNumbers(rest) : [];
    if (values.length !== 3 || values.some(Number.isNaN)) {
      // the header lines before the rows (`X Y Z`, stars, `* ATOM X(ANGSTROM) …`)
      if (this.rows.length > 0 || ++this.skipped > 4) return NOT_MINE;
      return MORE;
    }
    this.rows.push([values[0]!, values[1]!, values[2]!]);
    if (this.rows.length < this.count) return MORE;
    this.done(this.rows);
    return LAST;
  }
}
