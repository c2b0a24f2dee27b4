// Values on a line of their own (src/crystal/output-values.ts): how the number is read from the
// line, and that the result holds every declared key, null when its line never came.
import { describe, expect, it } from "vitest";
import { LINE_VALUES, lineValuesOf, numberAfter } from "../../src/crystal/output-values.js";

describe("one-line values", () => {
  it("reads the first number after the prefix, Fortran exponents too", () => {
    const read = numberAfter("FERMI ENERGY");
    expect(read("FERMI ENERGY -0.1234")).toBe(-0.1234);
    expect(read("FERMI ENERGY = 1.5D-03 AU")).toBe(0.0015);
    expect(read("FERMI ENERGY: +2E2")).toBe(200);
    expect(read("FERMI ENERGY .5")).toBe(0.5);
    expect(read("FERMI ENERGY 7")).toBe(7);
    expect(read("FERMI ENERGY NOT COMPUTED")).toBeNull();
    expect(read("FERMI ENERGY")).toBeNull();
  });

  it("every declared key is in the values, null until its line comes", () => {
    const keys = (LINE_VALUES as readonly { key: string }[]).map((v) => v.key);
    const none = lineValuesOf(new Map()) as Record<string, number | null>;
    expect(Object.keys(none).sort()).toEqual([...keys].sort());
    expect(Object.values(none).every((v) => v === null)).toBe(true);
    // a key the table does not declare never reaches the result
    expect(lineValuesOf(new Map([["not_declared", 1]]))).not.toHaveProperty("not_declared");
  });
});
