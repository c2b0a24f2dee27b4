// Reading a CRYSTAL output's bytes without decoding them: prefixes compared byte by byte and the
// numbers of the lines read on every SCF cycle (CYC energies, band gaps) parsed by hand. The output
// parser runs these on every line it looks at, so they allocate nothing in the usual case; anything
// unusual falls back to fortranNumber() on the decoded text, which says what a number is.

/** A Fortran number (`-2.7E+02`, `1.5D-03`), or null for anything else (`*****`, junk). */
export function fortranNumber(text: string | undefined): number | null {
  if (text === undefined || text === "") return null;
  let v = Number(text);
  if (Number.isNaN(v) && /^[-+]?[\d.]+[dD][-+]?\d+$/.test(text)) v = Number(text.replace(/[dD]/, "E"));
  return Number.isFinite(v) ? v : null;
}

/** Whether b holds the ASCII text `prefix` at p. */
export function bytesStartWith(b: Uint8Array, p: number, prefix: string): boolean {
  if (p + prefix.length > b.length) return false;
  for (let k = 0; k < prefix.length; k++) if (b[p + k] !== prefix.charCodeAt(k)) return false;
  return true;
}

/** Where the ASCII text `needle` first occurs in b[from, to), or -1. */
export function indexOfText(b: Uint8Array, needle: string, from: number, to: number): number {
  for (let k = from; k + needle.length <= to; k++) if (bytesStartWith(b, k, needle)) return k;
  return -1;
}

/**
 * Whether byte c is what JavaScript's trim() and `\s` take for white space, in Latin-1 (tab, line
 * feed, vertical tab, form feed, carriage return, space, no-break space).
 */
export function isWhiteSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

/** Powers of ten that doubles hold exactly (parsed, not computed, so that each is exact). */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** More significant digits than this may not fit a double's 53 bits exactly. */
const MAX_EXACT_DIGITS = 15;

/**
 * Where readPlainNumber() leaves the number it read: a double slot, so that reading the numbers of
 * every SCF cycle allocates nothing (a double returned from a call is boxed on the heap).
 */
export const NUMBER_READ = new Float64Array(1);

/**
 * Whether b[p, e) holds a number written plainly (`-2.712170056968E+02`, `12.6917`, `1.5D-03`) with
 * at most 15 significant digits and a power of ten within ±22; if so the number is put in
 * NUMBER_READ[0]. Anything else is left to fortranNumber() on the text. Within those bounds both
 * the digits and the power of ten are exact doubles, so one multiplication or division rounds
 * once: the number is the double Number() gives for the same text.
 */
export function readPlainNumber(b: Uint8Array, p: number, e: number): boolean {
  let q = p;
  let c = b[q];
  const negative = c === 45;
  if (c === 45 || c === 43) q++;
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; q < e; q++) {
    c = b[q]!;
    if (c >= 48 && c <= 57) {
      if (mantissa !== 0 || c !== 48) significant++;
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) scale--;
    } else if (c === 46 && !dot) dot = true;
    else break;
  }
  if (digits === 0 || significant > MAX_EXACT_DIGITS) return false;
  let exponent = 0;
  if (q < e) {
    c = b[q]!;
    // E or D, upper or lower case
    if (c !== 69 && c !== 101 && c !== 68 && c !== 100) return false;
    q++;
    c = b[q]!;
    const negativeExponent = c === 45;
    if (q < e && (c === 45 || c === 43)) q++;
    const from = q;
    for (; q < e; q++) {
      c = b[q]!;
      if (c < 48 || c > 57 || exponent > 999) return false;
      exponent = exponent * 10 + (c - 48);
    }
    if (q === from) return false;
    if (negativeExponent) exponent = -exponent;
  }
  const power = scale + exponent;
  if (power < -22 || power > 22) return false;
  const v = power < 0 ? mantissa / EXACT_POWERS_OF_TEN[-power]! : mantissa * EXACT_POWERS_OF_TEN[power]!;
  NUMBER_READ[0] = negative ? -v : v;
  return true;
}

/**
 * The numbers of a row printed with a fixed-point Fortran format (`F9.3`, `F8.2`): every number has
 * the same count of decimals, so a field that fills its width and touches the one before
 * (`-122.44-1070.00`, `122.4412345.67`) is still read right. The count is taken from the last
 * number, which nothing follows. Text without a decimal point gives []; an unreadable field NaN.
 */
export function fixedPointNumbers(text: string): number[] {
  const last = text.lastIndexOf(".");
  if (last === -1) return [];
  let decimals = 0;
  while (last + 1 + decimals < text.length && isDigit(text.charCodeAt(last + 1 + decimals))) decimals++;
  const out: number[] = [];
  let from = 0;
  for (let dot = text.indexOf("."); dot !== -1; dot = text.indexOf(".", from)) {
    const end = Math.min(text.length, dot + 1 + decimals);
    // the number starts after the previous one, past blanks and anything that is not a digit or sign
    let start = from;
    while (start < dot && !isNumberStart(text.charCodeAt(start))) start++;
    const field = text.slice(start, end);
    out.push(/^[-+]?\d*\.\d*$/.test(field) && field !== "." ? Number(field) : Number.NaN);
    from = end;
  }
  return out;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isNumberStart(c: number): boolean {
  return isDigit(c) || c === 45 || c === 43 || c === 46;
}

/**
 * Fixed-width fields of a Fortran record (`6E12.5`: width 12): numbers that touch
 * (`-1.04758E+02-4.04261E+01`) are read by position. Blank fields are skipped; a field that is
 * not a number is NaN.
 */
export function fixedWidthNumbers(text: string, width: number): number[] {
  const out: number[] = [];
  for (let at = 0; at < text.length; at += width) {
    const field = text.slice(at, at + width).trim();
    if (field === "") continue;
    out.push(fortranNumber(field) ?? Number.NaN);
  }
  return out;
}
