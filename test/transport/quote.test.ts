// The one quoting function, proven against real shells: a local /bin/sh, and the login shell of the
// real test sshd (where every remote command of crystal-tui goes).
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { shellAssignment, shellCommand, shellQuote } from "../../src/transport/quote.js";
import { requireInfra } from "../helpers/infra.js";
import { testShell } from "../remote/helpers.js";

// Strings that shells treat specially, mixed with arbitrary unicode (no NUL: no argv can hold one).
const nasty = fc.constantFrom(
  "'",
  '"',
  "\\",
  "$(",
  ")",
  "$(id)",
  "`id`",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell expansion, on purpose
  "${HOME}",
  "$HOME",
  "$1",
  "\n",
  "\r",
  "\t",
  " ",
  ";",
  "&&",
  "|",
  "&",
  "*",
  "?",
  "[a]",
  "~",
  "!",
  "#",
  "-",
  "--",
  "-n",
  "-e",
  "=",
  "<",
  ">",
  "{a,b}",
  "é",
  "Ω",
  "😀",
  "\u00a0",
  "\u202e",
);
const arg = fc.oneof(
  fc.string({
    unit: fc.oneof(nasty, fc.string({ unit: "binary", minLength: 1, maxLength: 1 })),
    maxLength: 12,
  }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constant(""),
);
const argv = fc.array(
  arg.filter((s) => !s.includes("\0")),
  { minLength: 1, maxLength: 6 },
);

function splitNul(out: Buffer): string[] {
  const text = out.toString("utf8");
  return text === "" ? [] : text.slice(0, -1).split("\0");
}

describe("shellQuote with a local /bin/sh", () => {
  it("every argument reaches the program literally, whatever it contains", () => {
    fc.assert(
      fc.property(argv, (args) => {
        const line = shellCommand(["printf", "%s\\0", ...args]);
        const r = spawnSync("/bin/sh", ["-c", line]);
        expect(r.status).toBe(0);
        expect(splitNul(r.stdout)).toEqual(args);
      }),
      { numRuns: 150 },
    );
  });

  it("an assignment sets exactly the value", () => {
    fc.assert(
      fc.property(
        arg.filter((s) => !s.includes("\0")),
        (value) => {
          const r = spawnSync("/bin/sh", ["-c", `${shellAssignment("V", value)}; printf '%s' "$V"`]);
          expect(r.stdout.toString("utf8")).toBe(value);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("plain words stay readable; NUL and bad variable names are refused", () => {
    expect(shellQuote("crystalOMP")).toBe("crystalOMP");
    expect(shellQuote("/home/u/jobs/mgo-1.d12")).toBe("/home/u/jobs/mgo-1.d12");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
    expect(() => shellAssignment("1X", "v")).toThrow(/variable name/);
    expect(() => shellAssignment("A;rm", "v")).toThrow(/variable name/);
  });
});

const infra = await requireInfra("transport: quoting against the real sshd");

describe.skipIf(!infra)("quoting against the real sshd", () => {
  const pool = infra ? testShell(infra) : (undefined as never);
  afterAll(() => pool?.close());

  it("arbitrary arguments of a remote command arrive byte-identical, as literal arguments", async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const r = await pool.exec(["printf", "%s\\0", ...args]);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe("");
        expect(splitNul(r.stdoutBytes)).toEqual(args);
      }),
      { numRuns: 120 },
    );
    // one login for all of them (none when another suite's master for the same settings is up)
    expect(pool.stats.connects).toBeLessThanOrEqual(1);
  });

  it('arguments of a script fed on stdin arrive as "$@" literally', async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const r = await pool.script('printf "%s\\0" "$@"', { args });
        expect(r.code).toBe(0);
        expect(splitNul(r.stdoutBytes)).toEqual(args);
      }),
      { numRuns: 40 },
    );
  });

  it("a working folder and environment values with quotes and $() are set, not run", async () => {
    const value = "it's $(touch /tmp/pwned) `id` ; rm -rf ~";
    const r = await pool.exec(["sh", "-c", 'printf "%s|%s" "$PWD" "$CTUI_V"'], {
      cwd: "/tmp",
      env: { CTUI_V: value },
    });
    expect(r.stdout).toBe(`/tmp|${value}`);
  });
});
