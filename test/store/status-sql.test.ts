// The SQL pieces every status and dependency rule is written into (src/store/status-sql.ts), checked
// by what SQLite itself makes of them — not by their text: a literal reads back as the very string
// it was made from, whatever quotes it holds, and a list matches exactly its members.
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { sqlList, sqlString } from "../../src/store/status-sql.js";

const db = new Database(":memory:");
afterAll(() => db.close());

// SQLite's text ends at a NUL inside a literal; no status, reason or name of ours holds one
const text = fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\0"));

describe("SQL literals and lists", () => {
  it("a literal reads back as the string it was made from (quotes, backslashes, SQL of its own)", () => {
    for (const tricky of ["O'Brien", "''", "a'; DROP TABLE jobs; --", "\\'", "née 'quoted'"]) {
      expect(db.prepare(`SELECT ${sqlString(tricky)} AS v`).get()).toEqual({ v: tricky });
    }
    fc.assert(
      fc.property(text, (v) => {
        expect(db.prepare(`SELECT ${sqlString(v)} AS v`).get()).toEqual({ v });
      }),
    );
  });

  it("a list matches its members and nothing else; an empty list matches nothing", () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), text, (values, probe) => {
        const row = db.prepare(`SELECT ${sqlString(probe)} IN ${sqlList(values)} AS hit`).get() as {
          hit: number | null;
        };
        expect(Boolean(row.hit)).toBe(values.includes(probe));
      }),
    );
    const rows = db
      .prepare(`SELECT value FROM json_each('["RUNNING","QUEUED"]') WHERE value IN ${sqlList([])}`)
      .all();
    expect(rows).toEqual([]);
  });
});
