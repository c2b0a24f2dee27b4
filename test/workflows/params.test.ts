// Template parameters: values typed into a form or given with --set are checked and converted the
// same way everywhere; a bad value is refused with a message naming the parameter.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkParamDeclaration,
  coerceParam,
  type TemplateParam,
  validateParamValues,
} from "../../src/workflows/params.js";

const PARAMS: TemplateParam[] = [
  { name: "title", type: "string", default: "MgO" },
  { name: "shrink", type: "integer", min: 1, max: 64, default: 8 },
  { name: "a", type: "float", min: 0.1, required: true },
  { name: "method", type: "choice", options: ["HF", "B3LYP", "PBE0"], default: "B3LYP" },
  { name: "guessp", type: "boolean" },
  { name: "tolinteg", type: "string", pattern: "\\d+( +\\d+){4}", default: "7 7 7 7 14" },
];

describe("validateParamValues", () => {
  it("converts text from a form and fills defaults", () => {
    const { values, errors } = validateParamValues("t", PARAMS, {
      a: "4.21",
      shrink: "12",
      method: "pbe0",
      guessp: "yes",
    });
    expect(errors).toEqual([]);
    expect(values).toEqual({
      title: "MgO",
      shrink: 12,
      a: 4.21,
      method: "PBE0",
      guessp: true,
      tolinteg: "7 7 7 7 14",
    });
  });

  it("names the parameter and says what is wrong", () => {
    const { errors } = validateParamValues("t", PARAMS, {
      shrink: "8.5",
      method: "LDA",
      tolinteg: "7 7 7",
      guessp: "maybe",
      bogus: 1,
    });
    const byParam = Object.fromEntries(errors.map((e) => [e.param, e.message]));
    expect(byParam.shrink).toMatch(/whole number/);
    expect(byParam.method).toMatch(/not one of HF, B3LYP, PBE0/);
    expect(byParam.tolinteg).toMatch(/expected form/);
    expect(byParam.guessp).toMatch(/true or false/);
    expect(byParam.bogus).toMatch(/has no parameter bogus — its parameters are title, shrink/);
    expect(byParam.a).toMatch(/a is required/);
  });

  it("refuses a decimal comma with a hint", () => {
    expect(coerceParam({ name: "a", type: "float" }, "4,21")).toEqual({
      error: expect.stringMatching(/decimal point/),
    });
  });

  it("refuses line breaks in one-line text: they would change the deck's structure", () => {
    const r = validateParamValues("t", PARAMS, { a: 4, title: "MgO\nEND\nOPTGEOM" });
    expect(r.errors.map((e) => e.param)).toEqual(["title"]);
    expect(coerceParam({ name: "t", type: "string", multiline: true }, "a\nb")).toEqual({ value: "a\nb" });
    expect(coerceParam({ name: "t", type: "string" }, "a\u0007b")).toEqual({
      error: "contains control characters",
    });
  });

  it("accepts exactly the whole numbers within [min, max], typed or as text", () => {
    const p: TemplateParam = { name: "n", type: "integer", min: -5, max: 40 };
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100 }), fc.boolean(), (n, asText) => {
        const r = coerceParam(p, asText ? ` ${n} ` : n);
        if (n >= -5 && n <= 40) expect(r).toEqual({ value: n });
        else expect(r).toHaveProperty("error");
      }),
    );
  });

  it("never throws, whatever a form sends", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...PARAMS.map((p) => p.name), "x"), fc.jsonValue()),
        (raw) => {
          const { values, errors } = validateParamValues("t", PARAMS, raw);
          for (const p of PARAMS) {
            if (errors.some((e) => e.param === p.name)) continue;
            const v = values[p.name];
            if (v === undefined) continue;
            if (p.type === "integer") expect(Number.isInteger(v)).toBe(true);
            if (p.type === "float") expect(Number.isFinite(v)).toBe(true);
            if (p.type === "choice") expect(p.options).toContain(v);
            if (p.type === "boolean") expect(typeof v).toBe("boolean");
            if (p.type === "string") expect(typeof v).toBe("string");
          }
        },
      ),
    );
  });
});

describe("checkParamDeclaration", () => {
  it("finds mistakes in a template's parameter list", () => {
    expect(checkParamDeclaration({ name: "steps", type: "string" }, 0)).toEqual([
      expect.stringMatching(/reserved/),
    ]);
    expect(checkParamDeclaration({ name: "x", type: "text" as never }, 0)).toEqual([
      expect.stringMatching(/type must be/),
    ]);
    expect(checkParamDeclaration({ name: "x", type: "choice" }, 0)).toEqual([
      expect.stringMatching(/list of options/),
    ]);
    expect(checkParamDeclaration({ name: "x", type: "integer", min: 5, max: 1 }, 0)).toEqual([
      expect.stringMatching(/min 5 is larger than max 1/),
    ]);
    expect(checkParamDeclaration({ name: "x", type: "integer", default: 2.5 }, 0)).toEqual([
      expect.stringMatching(/default 2.5 — "?2.5"? is not a whole number/),
    ]);
    expect(checkParamDeclaration({ name: "ok", type: "float", min: 0, max: 1, default: 0.5 }, 0)).toEqual([]);
  });
});
