// Energy units a chemist compares results in, from the CODATA 2018 constants, written once: the
// Hartree energy in eV and in J, and the Avogadro constant. Everything else is derived.
import { HARTREE_TO_EV } from "../crystal/result.js";

/** CODATA 2018: the Hartree energy in joules. */
const HARTREE_J = 4.3597447222071e-18;
/** CODATA 2018 (exact since the 2019 SI): the Avogadro constant, per mole. */
const AVOGADRO = 6.02214076e23;

export const ENERGY_UNITS = ["Ha", "eV", "kJ/mol", "meV"] as const;
export type EnergyUnit = (typeof ENERGY_UNITS)[number];

/** How many of each unit one hartree is. */
const PER_HARTREE: Readonly<Record<EnergyUnit, number>> = {
  Ha: 1,
  eV: HARTREE_TO_EV,
  "kJ/mol": (HARTREE_J * AVOGADRO) / 1000,
  meV: HARTREE_TO_EV * 1000,
};

/** Decimals that show the differences chemists care about (≈ 0.01 meV) in each unit. */
export const UNIT_DECIMALS: Readonly<Record<EnergyUnit, number>> = { Ha: 8, eV: 5, "kJ/mol": 3, meV: 2 };

export function fromHartree(energy: number, unit: EnergyUnit): number {
  return energy * PER_HARTREE[unit];
}

/** The unit a user typed (case-insensitive: ha, EV, kj/mol, mev), or null. */
export function parseEnergyUnit(text: string): EnergyUnit | null {
  const t = text.trim().toLowerCase();
  return ENERGY_UNITS.find((u) => u.toLowerCase() === t) ?? null;
}
