// Numbers in decks are written the way CRYSTAL reads them: whole numbers as integers, reals in
// plain decimals without float noise — never an exponent CRYSTAL's free-format read might choke on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCrystalNumber, parseNumber } from "../../src/workflows/numbers.js";

describe("formatCrystalNumber", () => {
  it("keeps whole numbers whole: TOLDEE 8 stays 8, SHRINK 12 stays 12", () => {
    expect(formatCrystalNumber(8)).toBe("8");
    expect(formatCrystalNumber(12)).toBe("12");
    expect(formatCrystalNumber(-3)).toBe("-3");
    expect(formatCrystalNumber(8.0)).toBe("8");
    expect(formatCrystalNumber(-0)).toBe("0");
  });

  it("writes reals without exponent or binary noise", () => {
    expect(formatCrystalNumber(1e-8)).toBe("0.00000001");
    expect(formatCrystalNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatCrystalNumber(4.21 * 1.01)).toBe("4.2521");
    expect(formatCrystalNumber(0.0003)).toBe("0.0003");
    expect(formatCrystalNumber(2.5e-12)).toBe("0.0000000000025");
    expect(formatCrystalNumber(1.5e22)).toBe("15000000000000000000000");
  });

  it("writes numbers too small for any deck as 0 rather than with an exponent", () => {
    expect(formatCrystalNumber(1e-300)).toBe("0");
  });

  it("refuses NaN and infinities", () => {
    expect(() => formatCrystalNumber(Number.NaN)).toThrow();
    expect(() => formatCrystalNumber(Number.POSITIVE_INFINITY)).toThrow();
  });

  it("never writes an exponent, and reads back to the same number to 12 significant digits", () => {
    // deck numbers live far from the ends of the double range; below 1e-88 digits run out (→ 0)
    const deckNumber = fc
      .double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 })
      .filter((x) => x === 0 || Math.abs(x) > 1e-80);
    fc.assert(
      fc.property(deckNumber, (x) => {
        const text = formatCrystalNumber(x);
        expect(text).not.toMatch(/[eE]/);
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
        const back = Number(text);
        if (Number.isInteger(x) && Math.abs(x) < 2 ** 53) expect(back).toBe(x === 0 ? 0 : x);
        else expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.abs(x) * 1e-11 + 1e-300);
      }),
      { numRuns: 3000 },
    );
  });

  it("writes integers in the safe range exactly as JavaScript does", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(formatCrystalNumber(n)).toBe(String(n));
      }),
    );
  });
});

describe("parseNumber", () => {
  it("reads what people type, including Fortran's D exponent", () => {
    expect(parseNumber("8")).toBe(8);
    expect(parseNumber(" 4.21 ")).toBe(4.21);
    expect(parseNumber("1e-8")).toBe(1e-8);
    expect(parseNumber("1.0D-8")).toBe(1e-8);
    expect(parseNumber(".5")).toBe(0.5);
    expect(parseNumber("4,21")).toBeNull();
    expect(parseNumber("abc")).toBeNull();
    expect(parseNumber("")).toBeNull();
    expect(parseNumber("0x10")).toBeNull();
  });

  it("reads back every number it formats", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), (x) => {
        const text = formatCrystalNumber(x);
        expect(parseNumber(text)).toBe(Number(text));
      }),
    );
  });
});
