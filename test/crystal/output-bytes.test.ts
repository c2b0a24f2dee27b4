// The output parser reads bytes: numbers parsed by hand must be the numbers Number() gives, strings
// with characters beyond Latin-1 must read like the bytes they stand for (their lines kept
// verbatim), and lines cut by any chunking or by the file reads must be read once and whole.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fortranNumber, NUMBER_READ, readPlainNumber } from "../../src/crystal/output-bytes.js";
import { OutputParser, parseOutputFileSync, parseOutputText } from "../../src/crystal/output-parser.js";
import { FIXTURES } from "../helpers/project.js";

const text = (file: string) => fs.readFileSync(path.join(FIXTURES, file), "latin1");
const bytesOf = (s: string) => Buffer.from(s, "latin1");
/** The number readPlainNumber() reads from the whole of t, or undefined when it leaves t to fortranNumber(). */
const plainNumber = (t: string) => (readPlainNumber(bytesOf(t), 0, t.length) ? NUMBER_READ[0] : undefined);

/** Any text of Latin-1 characters: what the bytes of a file stand for. */
const latin1Text = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) });

/** A number as Fortran prints it: sign, digits with or without a point, an E or D exponent. */
const fortranText = fc
  .record({
    sign: fc.constantFrom("", "-", "+"),
    int: fc.stringMatching(/^\d{0,9}$/),
    frac: fc.option(fc.stringMatching(/^\d{0,12}$/), { nil: undefined }),
    exp: fc.option(
      fc.record({ letter: fc.constantFrom("E", "D", "e", "d"), sign: fc.constantFrom("", "-", "+") }),
      { nil: undefined },
    ),
    expDigits: fc.stringMatching(/^\d{1,3}$/),
  })
  .map(
    ({ sign, int, frac, exp, expDigits }) =>
      `${sign}${int}${frac === undefined ? "" : `.${frac}`}${exp === undefined ? "" : `${exp.letter}${exp.sign}${expDigits}`}`,
  );

describe("numbers read from the bytes", () => {
  it("are the numbers fortranNumber() reads from the text, to the last bit", () => {
    fc.assert(
      fc.property(fc.oneof(fortranText, latin1Text), (t) => {
        const fast = plainNumber(t);
        if (fast !== undefined) expect(Object.is(fast, fortranNumber(t))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("are read by hand as CRYSTAL prints them (13 digits and an exponent, or fixed point)", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 1e12, max: 1e13 - 1 }),
        fc.integer({ min: -10, max: 10 }),
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        (negative, digits, exponent, x) => {
          const d = String(digits);
          const e = `${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
          const mantissa = `${negative ? "-" : ""}${d[0]}.${d.slice(1)}`;
          for (const t of [`${mantissa}E${e}`, `${mantissa}D${e}`, x.toFixed(4)]) {
            const fast = plainNumber(t);
            expect(fast, t).toBeDefined();
            expect(Object.is(fast, Number(t.replace("D", "E"))), t).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("read every CYC energy and band gap of the real outputs by hand", () => {
    let seen = 0;
    for (const file of fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".out"))) {
      for (const m of text(file).matchAll(/CYC +\d+ ETOT\(AU\) +(\S+)|ENERGY BAND GAP: +(\S+)/g)) {
        const t = (m[1] ?? m[2])!;
        expect(plainNumber(t), `${file}: ${t}`).toBe(Number(t));
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(100);
  });

  it("leave anything unusual to fortranNumber()", () => {
    for (const t of ["", "-", ".", "1e", "1.2.3", "1E+999", "12345678901234567", "1e-30", "0x10", "1_0"]) {
      expect(plainNumber(t), t).toBeUndefined();
    }
  });
});

describe("strings beyond Latin-1", () => {
  const base = text("aiida-crystal17__mgo_sto3g_scf.out");
  // CRYSTAL writes ASCII, but a caller may hand text with any character: lines are kept as given,
  // and Unicode white space separates words as JavaScript's trim() and \s say
  const error = " ERROR **** é → 😀 **** CANNOT READ 'ﬁle' ";
  const wide = base
    .replace(
      " == SCF ENDED - CONVERGENCE ON ENERGY      E(AU)",
      " == SCF ENDED - CONVERGENCE ON ENERGY\u3000\u2003E(AU)\u2003",
    )
    .replace(" TTTTTTTTTTTTTTTTTTTTTTTTTTTTTT END", `${error}\n TTTTTTTTTTTTTTTTTTTTTTTTTTTTTT END`);

  it("keeps such lines verbatim and reads the numbers between Unicode blanks", () => {
    expect(wide).not.toBe(base);
    const r = parseOutputText(wide);
    expect(r.errors).toEqual([error.trim()]);
    expect(r.status).toBe("failed");
    expect(r.scf.converged).toBe(true);
    expect(r.final_energy_hartree).toBe(-271.21814374931);
    expect(r.scf.cycles).toBe(7);
    expect(r.wall_time_s).toBe(3.95);
  });

  it("gives the same result whatever the chunking, even inside a surrogate pair", () => {
    const whole = parseOutputText(wide);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 30 }), (sizes) => {
        const parser = new OutputParser();
        let at = 0;
        for (let k = 0; at < wide.length; k++) {
          const size = sizes[k % sizes.length]!;
          parser.feed(wide.slice(at, at + size));
          at += size;
        }
        expect(parser.end()).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });
});

describe("lines across reads", () => {
  it("the wall time is the last timing line's, whatever later line holds ten T's, in any chunking", () => {
    const t = `${text("aiida-crystal17__mgo_sto3g_scf.out")}\n NOTE: TTTTTTTTTTTT is not a timing line\n`;
    expect(parseOutputText(t).wall_time_s).toBe(3.95);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: t.length - 1 }), (cut) => {
        const parser = new OutputParser();
        parser.feed(bytesOf(t.slice(0, cut)));
        parser.feed(bytesOf(t.slice(cut)));
        expect(parser.end().wall_time_s).toBe(3.95);
      }),
      { numRuns: 200 },
    );
  });

  it("a line cut between two chunks is read as it is when whole (a run stopped after INSULATING STATE)", () => {
    const scf = text("aiida-crystal17__mgo_sto3g_scf.out");
    const at = scf.lastIndexOf(" INSULATING STATE");
    const t = scf.slice(0, scf.indexOf("\n", at) + 1);
    const whole = parseOutputText(t);
    expect(whole.band_gap_ev).toBe(12.6906);
    for (let cut = at; cut <= at + 18; cut++) {
      const parser = new OutputParser();
      parser.feed(bytesOf(t.slice(0, cut)));
      parser.feed(bytesOf(t.slice(cut)));
      expect(parser.end(), `cut at ${cut - at}`).toEqual(whole);
    }
  });

  it("a file of several reads parses as its whole text does", () => {
    const scf = text("aiida-crystal17__mgo_sto3g_scf.out");
    const start = scf.indexOf(" CRYSTAL - SCF - TYPE OF CALCULATION");
    const end = scf.indexOf("\n", scf.indexOf(" == SCF ENDED")) + 1;
    // ~3.3 MB: lines straddle the 1 MB reads; an SCF that did not converge in the middle, a
    // converged one at the end
    const block = scf.slice(start, end);
    const failed = block.replace("CONVERGENCE ON ENERGY     ", "TOO MANY CYCLES           ");
    const whole = scf.slice(0, start) + block.repeat(170) + failed + block.repeat(170) + scf.slice(end);
    expect(whole.length).toBeGreaterThan(3_000_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-parse-bytes-"));
    try {
      const file = path.join(dir, "long.out");
      fs.writeFileSync(file, whole, "latin1");
      const r = parseOutputFileSync(file);
      expect(r).toEqual(parseOutputText(whole));
      expect(r.status).toBe("completed");
      expect(r.scf.energies_hartree).toHaveLength(7);
      expect(r.final_energy_hartree).toBe(-271.21814374931);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
