// Numbers written the way a CRYSTAL deck expects them: CRYSTAL reads free-format Fortran, where a
// whole number is a whole number (TOLDEE 8, SHRINK 8 8 — never 8.0 or 1e-08) and a real is plain
// decimal notation without the binary noise of floating point (4.2521, not 4.252100000000001).

/** Significant digits kept: more than any CRYSTAL input needs, fewer than float noise reaches. */
const SIGNIFICANT = 12;

/**
 * Formats a finite number for a deck. Whole numbers print as integers; other numbers in plain
 * decimal notation (no exponent) rounded to 12 significant digits, trailing zeros removed.
 * Throws on NaN and ±Infinity: a deck must never contain them.
 */
export function formatCrystalNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite number`);
  if (Object.is(value, -0)) return "0";
  if (Number.isInteger(value)) return integerText(value);
  const rounded = Number(value.toPrecision(SIGNIFICANT));
  if (Number.isInteger(rounded)) return integerText(rounded);
  const text = String(rounded);
  if (!/e/i.test(text)) return text;
  // tiny or huge: write out the digits instead of an exponent
  const exponent = Math.floor(Math.log10(Math.abs(rounded)));
  const decimals = Math.min(100, Math.max(0, SIGNIFICANT - 1 - exponent));
  return stripZeros(rounded.toFixed(decimals));
}

function integerText(value: number): string {
  // String() switches to exponent notation from 1e21 on
  return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
}

function stripZeros(text: string): string {
  if (!text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

/** Parses a number typed by a person (a form field, `--set k=v`): decimal or exponent notation. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/.test(t)) return null;
  // Fortran's D exponent (1.0D-8) is common in CRYSTAL circles
  const n = Number(t.replace(/[dD]/, "e"));
  return Number.isFinite(n) ? n : null;
}
