// Element symbols by atomic number, as chemists write them (CRYSTAL prints them upper-case).
const SYMBOLS = (
  "X H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr " +
  "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb " +
  "Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf " +
  "Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og"
).split(" ");

/** The symbol of atomic number z ("X" for 0, a ghost); null beyond the table. */
export function elementSymbol(z: number): string | null {
  return Number.isInteger(z) && z >= 0 && z < SYMBOLS.length ? SYMBOLS[z]! : null;
}

/** The atomic number of a symbol in any case ("MG", "mg", "Mg"); null when it is not an element. */
export function atomicNumber(symbol: string): number | null {
  const s = symbol.trim();
  if (s === "") return null;
  const wanted = s[0]!.toUpperCase() + s.slice(1).toLowerCase();
  const z = SYMBOLS.indexOf(wanted);
  return z === -1 ? null : z;
}

/**
 * CRYSTAL's conventional atomic number: Z, or Z + 100·k for an atom with a special basis or a
 * pseudopotential (226 is iron with an effective core). The element is Z modulo 100.
 */
export function elementOf(conventional: number): number {
  return conventional >= 100 ? conventional % 100 : conventional;
}
