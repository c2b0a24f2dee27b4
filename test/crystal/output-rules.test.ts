// The line-rule table: one declaration per kind of line. Its index must reach every rule (no prefix
// hidden behind an earlier one of its group), and literal lines must reach the rule written for them.
import { describe, expect, it } from "vitest";
import { LINE_RULES, type LineRule, RULE_GROUPS, RULE_START } from "../../src/crystal/output-rules.js";

/** The rule a line reaches: the first of its pair's group whose prefix it starts with (conditions aside). */
function ruleFor(line: string): LineRule | undefined {
  const t = line.trimStart();
  const group = RULE_START[t.charCodeAt(0) * 128 + t.charCodeAt(1)];
  if (!group) return undefined;
  return RULE_GROUPS[group - 1]!.find(
    (r) => t.startsWith(r.prefix) && (!r.exact || t.trimEnd() === r.prefix),
  );
}

describe("line rules", () => {
  it("every rule is in the index under its first two characters, once", () => {
    const indexed = RULE_GROUPS.flat();
    expect(indexed).toHaveLength(LINE_RULES.length);
    for (const rule of LINE_RULES) {
      const group = RULE_START[rule.prefix.charCodeAt(0) * 128 + rule.prefix.charCodeAt(1)]!;
      expect(RULE_GROUPS[group - 1]).toContain(rule);
    }
  });

  it("no rule is hidden behind an earlier one of its group that matches whenever it does", () => {
    for (const group of RULE_GROUPS)
      group.forEach((rule, i) => {
        for (const earlier of group.slice(0, i)) {
          const hides =
            rule.prefix.startsWith(earlier.prefix) &&
            !earlier.when &&
            !earlier.exact &&
            !earlier.inProperties;
          expect(hides, `${JSON.stringify(earlier.prefix)} hides ${JSON.stringify(rule.prefix)}`).toBe(false);
        }
      });
  });

  it("CRYSTAL's lines reach the rule written for them", () => {
    const cases: [string, string | undefined][] = [
      [" CYC   3 ETOT(AU) -2.712170056968E+02 DETOT -3.54E-03", "CYC "],
      [" == SCF ENDED - CONVERGENCE ON ENERGY      E(AU) -2.7E+02 CYCLES   7", "== SCF ENDED"],
      [" TOTAL ENERGY + DISP (AU)    -7.5741059291E+01", "TOTAL ENERGY + "],
      [" TOTAL ENERGY(DFT)(AU)(  6) -7.6E+01 DE-1.7E-11", "TOTAL ENERGY("],
      [" TOTAL ATOMIC CHARGES:", "TOTAL ATOMIC CHARGES"],
      [" TTTTTTTTTTTTTTTTTTTTTTTTTTTTTT NEWK        TELAPSE        0.06", "TTTTTTTTTT"],
      [" -%-0DOSS      1   14    0    0    0    0", "-%-"],
      ["    MODES         EIGV          FREQUENCIES     IRREP  IR   INTENS    RAMAN", "MODES "],
      [" SYMMETRIZED ELASTIC CONSTANTS FOR CUBIC        CASE, IN GPa", "SYMMETRIZED ELASTIC CONSTANTS"],
      ["    K_V     G_V     K_R     G_R     K_H     G_H    E_H      v_H", "K_V "],
      [" EL+E0+ET+PV-TS:   -3747.478246761130", "EL+E0+ET+PV-TS"],
      [" CRYSTAL - PROPERTIES - TYPE OF CALCULATION :  RESTRICTED CLOSED SHELL", "CRYSTAL - PROPERTIES"],
      ["FREQCALC", "FREQCALC"],
      [" FREQCALC is echoed in a sentence", undefined],
      [" DIIS TEST: 0.89943E-06 AT SCF   CYCLE   4", undefined],
      [" CHARGE NORMALIZATION FACTOR   1.00000000", undefined],
      ["-rw-r--r-- 1 mauro users       85 mar 11 08:42 ERROR", undefined],
    ];
    for (const [line, prefix] of cases) expect(ruleFor(line)?.prefix, line).toBe(prefix);
  });
});
