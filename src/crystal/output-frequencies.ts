// A FREQCALC run's results: the modes at Γ (`MODES EIGV FREQUENCIES IRREP IR INTENS RAMAN`), the
// Raman intensities when computed, the zero-point energy and the thermodynamic functions at each
// temperature and pressure CRYSTAL printed.
import { fortranNumber as num } from "./output-bytes.js";
import { type Block, type BlockAnswer, LAST, type LineView, MORE, NOT_MINE } from "./output-line.js";
import type { Frequencies, Mode, Thermodynamics } from "./result.js";

/** `    4-   6    0.4884E-05    485.0276   14.5408  (Fu )   A (  1045.07)   I` */
const MODE_ROW = /^(\d+)-\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)(.*)$/;
/** What follows the frequencies: `(Fu )` the irrep, then IR activity, `( 1045.07)` intensity, Raman activity. */
const MODE_REST = /^\s*(?:\(([^)]*)\))?\s*([AI])?\s*(?:\(\s*([^)]*?)\s*\))?\s*([AI])?/;
/** `    4-   4       68.6037 (Ag )      3.06      2.15      0.91` (polycrystalline Raman intensities) */
const RAMAN_ROW = /^(\d+)-\s*(\d+)\s+(\S+)\s+\(([^)]*)\)\s+(\S+)/;

interface ThermoRow {
  temperature_k: number;
  pressure_mpa: number;
  et: number | null;
  pv: number | null;
  ts: number | null;
  g: number | null;
  s: number | null;
  c: number | null;
}

export class FrequencyReader {
  modes: Mode[] | null = null;
  zpeEv: number | null = null;
  private el: number | null = null;
  private e0: number | null = null;
  private readonly thermo: ThermoRow[] = [];

  /** `MODES  EIGV  FREQUENCIES  IRREP  IR  INTENS  RAMAN`: the first transverse table (Γ) only. */
  modesHeader(line: string): Block | null {
    if (this.modes !== null || /SHIFTS/.test(line) || !/FREQUENCIES/.test(line)) return null;
    this.modes = [];
    return new ModesBlock(this.modes, /INTENS/.test(line));
  }

  /** `MODES  FREQUENCIES  I_tot  I_par  I_perp`: Raman intensities of the modes already read. */
  ramanHeader(line: string): Block | null {
    if (!this.modes || !/I_tot/.test(line)) return null;
    return new RamanBlock(this.modes);
  }

  /** `EL : au ev kj/mol`, `E0 : …`, then per temperature `ET`, `PV`, `TS`, `EL+E0+ET+PV-TS` … */
  energyLine(label: string, line: string): void {
    const m = /:\s*(\S+)\s+(\S+)/.exec(line);
    const au = num(m?.[1]);
    if (label === "E0") {
      const ev = num(m?.[2]);
      if (ev !== null) this.zpeEv = ev;
      this.e0 = au;
      return;
    }
    if (label === "EL") {
      this.el = au;
      return;
    }
    const row = this.thermo.at(-1);
    if (!row) return;
    if (label === "ET") row.et = au;
    else if (label === "PV") row.pv = au;
    else if (label === "TS") row.ts = au;
    else if (label === "G") row.g = au;
  }

  /** `AT (T =  298.15 K, P =   0.10132500E+00 MPA):` opens one temperature's functions. */
  temperatureLine(line: string): void {
    const m = /T\s*=\s*(\S+)\s*K,\s*P\s*=\s*(\S+)\s*MPA/.exec(line);
    const t = num(m?.[1]);
    const p = num(m?.[2]);
    if (t === null || p === null) return;
    this.thermo.push({
      temperature_k: t,
      pressure_mpa: p,
      et: null,
      pv: null,
      ts: null,
      g: null,
      s: null,
      c: null,
    });
  }

  /** `ENTROPY : mHa/(cell K)  meV/(cell K)  J/(mol K)` and `HEAT CAPACITY : …`: J/(mol·K) is the third. */
  perKelvinLine(which: "s" | "c", line: string): void {
    const row = this.thermo.at(-1);
    const m = /:\s*(\S+)\s+(\S+)\s+(\S+)/.exec(line);
    const v = num(m?.[3]);
    if (row && v !== null) row[which] = v;
  }

  result(): Frequencies | null {
    if (this.modes === null && this.zpeEv === null && this.thermo.length === 0) return null;
    // copies: a snapshot taken mid-table must not grow with the table
    const modes = (this.modes ?? []).map((m) => ({ ...m }));
    const base = this.el !== null && this.e0 !== null ? this.el + this.e0 : null;
    const thermodynamics: Thermodynamics[] = this.thermo.map((r) => {
      const energy = base !== null && r.et !== null ? base + r.et : null;
      const enthalpy = energy !== null && r.pv !== null ? energy + r.pv : null;
      const free = r.g ?? (enthalpy !== null && r.ts !== null ? enthalpy - r.ts : null);
      return {
        temperature_k: r.temperature_k,
        pressure_mpa: r.pressure_mpa,
        energy_hartree: energy,
        enthalpy_hartree: enthalpy,
        entropy_j_mol_k: r.s,
        free_energy_hartree: free,
        heat_capacity_j_mol_k: r.c,
      };
    });
    return {
      modes,
      n_imaginary: modes.filter((m) => m.cm1 < 0).length,
      zero_point_energy_ev: this.zpeEv,
      thermodynamics,
    };
  }
}

const activity = (flag: string | undefined): boolean | null =>
  flag === "A" ? true : flag === "I" ? false : null;

class ModesBlock implements Block {
  constructor(
    private readonly modes: Mode[],
    private readonly intensities: boolean,
  ) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    const started = this.modes.length > 0;
    if (p === e) return started ? LAST : MORE;
    const line = v.text(p, e);
    if (line.startsWith("(")) return started ? NOT_MINE : MORE; // the units line
    const m = MODE_ROW.exec(line);
    if (!m) return NOT_MINE;
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    const cm1 = num(m[4]);
    // a row reads as its own modes only if it follows the last one (a cut or mangled table ends here)
    if (cm1 === null || hi < lo || hi - lo > 1000 || lo !== this.modes.length + 1) return NOT_MINE;
    const rest = MODE_REST.exec(m[6]!)!;
    const symmetry = rest[1]?.trim() || null;
    const intensity = this.intensities ? num(rest[3]) : null;
    for (let index = lo; index <= hi; index++) {
      this.modes.push({
        index,
        cm1,
        ir_km_mol: intensity,
        ir_active: activity(rest[2]),
        raman_active: activity(rest[4]),
        symmetry,
        raman_intensity: null,
      });
    }
    return MORE;
  }
}

class RamanBlock implements Block {
  private rows = 0;
  constructor(private readonly modes: Mode[]) {}

  line(v: LineView, p: number, e: number): BlockAnswer {
    if (p === e) return this.rows > 0 ? LAST : MORE;
    const line = v.text(p, e);
    if (line.startsWith("---")) return MORE;
    const m = RAMAN_ROW.exec(line);
    if (!m) return NOT_MINE;
    const total = num(m[5]);
    for (let index = Number(m[1]); index <= Number(m[2]); index++) {
      const mode = this.modes[index - 1];
      if (mode && mode.index === index) mode.raman_intensity = total;
    }
    this.rows++;
    return MORE;
  }
}
