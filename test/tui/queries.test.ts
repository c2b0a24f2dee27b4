// The job list's SQL on a real project database: the window, the count, filter, search and sort.
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import type { Store } from "../../src/store/store.js";
import { DEFAULT_QUERY } from "../../src/tui/queries.js";
import { addJobs, makeStore } from "./helpers-store.js";

let store: Store;
const NAMES = ["mgo_scf", "mgo_opt", "nio_afm", "MgO_freq", "cao_scf", "a_b", "axb"];

beforeAll(() => {
  store = makeStore();
  const jobs = addJobs(store, NAMES);
  // a few statuses and energies, through the status machine
  store.jobs.transition(jobs[0]!.id, "RUNNING");
  store.jobs.transition(jobs[0]!.id, "COMPLETED");
  store.jobs.storeResults(jobs[0]!.id, -271.21814375, null);
  store.jobs.transition(jobs[1]!.id, "RUNNING");
  store.jobs.transition(jobs[1]!.id, "COMPLETED");
  store.jobs.storeResults(jobs[1]!.id, -271.25962069, null);
  store.jobs.transition(jobs[2]!.id, "RUNNING");
  store.jobs.transition(jobs[2]!.id, "FAILED", { reason: "SCF did not converge" });
  store.jobs.requestCancel(jobs[3]!.id, "test");
});

describe("job list window", () => {
  test("newest first by default (creation order is id order); the window is the rows from the offset", () => {
    const all = store.views.jobWindow(DEFAULT_QUERY, 0, 100);
    expect(all.map((r) => r.name)).toEqual([...NAMES].reverse());
    expect(store.views.jobWindow(DEFAULT_QUERY, 2, 3).map((r) => r.name)).toEqual(
      all.slice(2, 5).map((r) => r.name),
    );
    expect(store.views.countJobs(DEFAULT_QUERY)).toBe(NAMES.length);
  });

  test("filter by status", () => {
    const q = { ...DEFAULT_QUERY, status: "COMPLETED" as const };
    expect(
      store.views
        .jobWindow(q, 0, 10)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["mgo_opt", "mgo_scf"]);
    expect(store.views.countJobs(q)).toBe(2);
    expect(store.views.statusCounts()).toMatchObject({ COMPLETED: 2, FAILED: 1, CANCELLED: 1, PENDING: 3 });
  });

  test("search is by part of the name, case-insensitive, and % and _ are plain characters", () => {
    const names = (search: string) =>
      store.views
        .jobWindow({ ...DEFAULT_QUERY, search }, 0, 100)
        .map((r) => r.name)
        .sort();
    expect(names("mgo")).toEqual(["MgO_freq", "mgo_opt", "mgo_scf"]);
    expect(names("%")).toEqual([]);
    expect(names("a_b")).toEqual(["a_b"]);
    expect(names("zzz")).toEqual([]);
  });

  test("sort by energy puts jobs without one last, both ways", () => {
    const asc = store.views.jobWindow({ ...DEFAULT_QUERY, sort: "energy", descending: false }, 0, 100);
    expect(asc.slice(0, 2).map((r) => r.name)).toEqual(["mgo_opt", "mgo_scf"]);
    expect(asc.slice(2).every((r) => r.finalEnergy === null)).toBe(true);
    const desc = store.views.jobWindow({ ...DEFAULT_QUERY, sort: "energy", descending: true }, 0, 100);
    expect(desc.slice(0, 2).map((r) => r.name)).toEqual(["mgo_scf", "mgo_opt"]);
  });

  test("sort by name and by status", () => {
    const byName = store.views.jobWindow({ ...DEFAULT_QUERY, sort: "name", descending: false }, 0, 100);
    expect(byName.map((r) => r.name)).toEqual(
      [...NAMES].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    );
    const byStatus = store.views.jobWindow({ ...DEFAULT_QUERY, sort: "status", descending: false }, 0, 100);
    expect(byStatus[0]!.status).toBe("PENDING");
    expect(byStatus[byStatus.length - 1]!.status).toBe("CANCELLED");
  });

  test("a trailing number in a name sorts as a number: scan-4 before scan-10 (issue 13, defect 6)", () => {
    const own = makeStore();
    addJobs(own, ["scan-10", "scan-4", "scan-100", "Scan-9", "scan-", "scan-a"]);
    const q = { ...DEFAULT_QUERY, sort: "name" as const, descending: false };
    const asc = own.views.jobWindow(q, 0, 100).map((r) => r.name);
    expect(asc).toEqual(["scan-", "scan-4", "Scan-9", "scan-10", "scan-100", "scan-a"]);
    const desc = own.views.jobWindow({ ...q, descending: true }, 0, 100).map((r) => r.name);
    expect(desc).toEqual([...asc].reverse());
    const id10 = own.views.jobWindow(q, 3, 1)[0]!.id;
    expect(own.views.positionOf(q, id10)).toBe(3);
    own.close();
  });

  test("positionOf finds a job's row in any order, and null when it is filtered out", () => {
    for (const sort of ["created", "name", "energy", "status", "runtime", "where"] as const) {
      for (const descending of [true, false]) {
        const q = { ...DEFAULT_QUERY, sort, descending };
        const rows = store.views.jobWindow(q, 0, 100);
        for (const [i, r] of rows.entries()) expect(store.views.positionOf(q, r.id)).toBe(i);
      }
    }
    expect(store.views.positionOf({ ...DEFAULT_QUERY, status: "FAILED" }, 1)).toBeNull();
  });
});

describe("windows tile the list (any offsets)", () => {
  test("consecutive windows put together are the whole list, in order, without repeats", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom("created", "name", "energy", "status", "where", "runtime"),
        fc.boolean(),
        (size, sort, descending) => {
          const q = { ...DEFAULT_QUERY, sort: sort as "name", descending };
          const whole = store.views.jobWindow(q, 0, 1000).map((r) => r.id);
          const tiled: number[] = [];
          for (let off = 0; off < whole.length; off += size)
            tiled.push(...store.views.jobWindow(q, off, size).map((r) => r.id));
          expect(tiled).toEqual(whole);
        },
      ),
      { numRuns: 40 },
    );
  });
});
