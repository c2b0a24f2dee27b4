// The sections of a stored result, checked once: jobs.key_results may hold a result of an older
// parser (or of the earlier Python tool), so each section is taken only when it has the shape the
// panels draw, else it is absent. The panels then work on the parser's own types.
import type {
  Elastic,
  Frequencies,
  Geometry,
  Mode,
  Moduli,
  Mulliken,
  PropertiesRun,
  Thermodynamics,
} from "../../../crystal/result.js";
import { asObject, isNumber, numbersOf } from "./styled.js";

const numOrNull = (v: unknown): number | null => (isNumber(v) ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === "string" ? v : null);
const boolOrNull = (v: unknown): boolean | null => (typeof v === "boolean" ? v : null);
const matrix = (v: unknown): number[][] | null =>
  Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r) && r.length === v.length)
    ? v.map((r) => (r as unknown[]).map((x) => (isNumber(x) ? x : Number.NaN)))
    : null;

export function frequenciesOf(v: unknown): Frequencies | null {
  const f = asObject(v);
  if (!f || !Array.isArray(f.modes)) return null;
  const modes: Mode[] = [];
  for (const m of f.modes) {
    const o = asObject(m);
    if (!o || !isNumber(o.cm1)) continue;
    modes.push({
      index: isNumber(o.index) ? o.index : modes.length + 1,
      cm1: o.cm1,
      ir_km_mol: numOrNull(o.ir_km_mol),
      ir_active: boolOrNull(o.ir_active),
      raman_active: boolOrNull(o.raman_active),
      symmetry: strOrNull(o.symmetry),
      raman_intensity: numOrNull(o.raman_intensity),
    });
  }
  const thermodynamics: Thermodynamics[] = [];
  for (const t of Array.isArray(f.thermodynamics) ? f.thermodynamics : []) {
    const o = asObject(t);
    if (!o || !isNumber(o.temperature_k)) continue;
    thermodynamics.push({
      temperature_k: o.temperature_k,
      pressure_mpa: isNumber(o.pressure_mpa) ? o.pressure_mpa : Number.NaN,
      energy_hartree: numOrNull(o.energy_hartree),
      enthalpy_hartree: numOrNull(o.enthalpy_hartree),
      entropy_j_mol_k: numOrNull(o.entropy_j_mol_k),
      free_energy_hartree: numOrNull(o.free_energy_hartree),
      heat_capacity_j_mol_k: numOrNull(o.heat_capacity_j_mol_k),
    });
  }
  if (modes.length === 0 && thermodynamics.length === 0) return null;
  return {
    modes,
    // counted from the modes: the count a chemist checks must agree with the table shown
    n_imaginary: modes.filter((m) => m.cm1 < 0).length,
    zero_point_energy_ev: numOrNull(f.zero_point_energy_ev),
    thermodynamics,
  };
}

function moduliOf(v: unknown): Moduli | null {
  const o = asObject(v);
  return o
    ? { bulk_modulus_gpa: numOrNull(o.bulk_modulus_gpa), shear_modulus_gpa: numOrNull(o.shear_modulus_gpa) }
    : null;
}

export function elasticOf(v: unknown): Elastic | null {
  const e = asObject(v);
  const constants = matrix(e?.constants);
  if (!e || !constants) return null;
  const hill = asObject(e.hill);
  return {
    constants,
    units: strOrNull(e.units) ?? "",
    compliance: matrix(e.compliance),
    compliance_units: strOrNull(e.compliance_units),
    bulk_modulus_gpa: numOrNull(e.bulk_modulus_gpa),
    shear_modulus_gpa: numOrNull(e.shear_modulus_gpa),
    voigt: moduliOf(e.voigt),
    reuss: moduliOf(e.reuss),
    hill: hill
      ? {
          ...moduliOf(hill)!,
          young_modulus_gpa: numOrNull(hill.young_modulus_gpa),
          poisson_ratio: numOrNull(hill.poisson_ratio),
        }
      : null,
  };
}

const vector = (v: unknown): [number, number, number] | null => {
  const n = numbersOf(v);
  return Array.isArray(v) && v.length === 3 && n.length === 3 ? [n[0]!, n[1]!, n[2]!] : null;
};

export function geometryOf(v: unknown): Geometry | null {
  const g = asObject(v);
  if (!g || !Array.isArray(g.atoms)) return null;
  const d = g.dimensionality;
  const dimensionality = d === 0 || d === 1 || d === 2 || d === 3 ? d : 3;
  const cell = asObject(g.cell);
  const atoms: Geometry["atoms"] = [];
  for (const a of g.atoms) {
    const o = asObject(a);
    const cart = vector(o?.cartesian_angstrom);
    if (!o || !cart) continue;
    const frac = Array.isArray(o.fractional) ? o.fractional : [];
    atoms.push({
      index: isNumber(o.index) ? o.index : atoms.length + 1,
      z: isNumber(o.z) ? o.z : 0,
      symbol: strOrNull(o.symbol) ?? "?",
      fractional: [numOrNull(frac[0]), numOrNull(frac[1]), numOrNull(frac[2])],
      cartesian_angstrom: cart,
    });
  }
  return {
    dimensionality,
    space_group: strOrNull(g.space_group),
    lattice_vectors_angstrom: (Array.isArray(g.lattice_vectors_angstrom) ? g.lattice_vectors_angstrom : [])
      .map(vector)
      .filter((x): x is [number, number, number] => x !== null),
    cell:
      cell && isNumber(cell.alpha) && isNumber(cell.beta) && isNumber(cell.gamma)
        ? {
            a: numOrNull(cell.a),
            b: numOrNull(cell.b),
            c: numOrNull(cell.c),
            alpha: cell.alpha,
            beta: cell.beta,
            gamma: cell.gamma,
          }
        : null,
    volume: numOrNull(g.volume),
    atoms,
  };
}

export function mullikenOf(v: unknown): Mulliken | null {
  const m = asObject(v);
  if (!m || !Array.isArray(m.charges)) return null;
  const spins = Array.isArray(m.spins) ? m.spins.map((x) => (isNumber(x) ? x : Number.NaN)) : null;
  return {
    charges: m.charges.map(numOrNull),
    electrons: Array.isArray(m.electrons) ? m.electrons.map((x) => (isNumber(x) ? x : Number.NaN)) : [],
    spins,
    total_magnetisation: numOrNull(m.total_magnetisation),
  };
}

export function propertiesOf(v: unknown): PropertiesRun | null {
  const p = asObject(v);
  if (!p) return null;
  const status = p.status === "completed" || p.status === "failed" ? p.status : "incomplete";
  return {
    status,
    error_kind: null,
    crystal_version: strOrNull(p.crystal_version),
    n_atoms: numOrNull(p.n_atoms),
    spin_polarized: boolOrNull(p.spin_polarized),
    kinds: Array.isArray(p.kinds) ? p.kinds.filter((k): k is string => typeof k === "string") : [],
    band_gap_ev: numOrNull(p.band_gap_ev),
    band_gap_alpha_ev: numOrNull(p.band_gap_alpha_ev),
    band_gap_beta_ev: numOrNull(p.band_gap_beta_ev),
    fort25_blocks: Array.isArray(p.fort25_blocks)
      ? p.fort25_blocks.filter((k): k is string => typeof k === "string")
      : [],
    wall_time_s: numOrNull(p.wall_time_s),
  };
}
