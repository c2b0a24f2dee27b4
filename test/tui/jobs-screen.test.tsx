// The job list as a user sees it and drives it with keys, on a real project database.
import { afterEach, describe, expect, test } from "vitest";
import { Store } from "../../src/store/store.js";
import { MGO_DECK } from "../helpers/project.js";
import { newJob } from "../store/new-jobs.js";
import { sql } from "../store/raw-sql.js";
import { addJobs, KEY, type Mounted, makeStore, mount, sleep } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

/** The line of the job list showing job `id`. */
function rowOf(frame: string, id: number): string {
  return frame.split("\n").find((l) => new RegExp(`^[› ]\\s*${id} `).test(l)) ?? "";
}

function finish(store: Store, id: number, status: "COMPLETED" | "FAILED", energy?: number) {
  store.jobs.transition(id, "RUNNING");
  store.jobs.transition(id, status, { reason: status === "FAILED" ? "SCF did not converge" : null });
  if (energy !== undefined) store.jobs.storeResults(id, energy, null);
}

describe("job list", () => {
  test("every job with id, name, status (symbol and word), where, runtime, energy, created — in 80×24", async () => {
    const store = makeStore();
    const [a, b, c] = addJobs(store, ["mgo_scf", "mgo_opt", "nio_afm"]);
    finish(store, a!.id, "COMPLETED", -271.21814375);
    finish(store, c!.id, "FAILED");
    m = mount(store, { columns: 80, rows: 24 });
    const f = await m.waitFor("nio_afm");
    const lines = f.split("\n");
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    expect(f).toMatch(/ID\s+NAME\s+STATUS\s+WHERE\s+RUNTIME\s+ENERGY \(Ha\)\s+CREATED/);
    expect(rowOf(f, a!.id)).toMatch(
      /mgo_scf\s+✔ COMPLETED\s+local\s+\d+s\s+-271\.21814375\s+\d\d-\d\d \d\d:\d\d/,
    );
    expect(rowOf(f, b!.id)).toMatch(/mgo_opt\s+… PENDING\s+local/);
    expect(rowOf(f, c!.id)).toMatch(/nio_afm\s+✖ FAILED/);
    // without colour (the test renders with colour off) the frame carries no escape codes at all
    expect(f).not.toMatch(/\u001b\[/);
    // the footer shows the screen's keys, the status line the counts per status
    expect(lines[lines.length - 1]).toMatch(/enter open.*n new.*c cancel.*\? help.*q quit/);
    expect(f).toMatch(/…1 ✔1 ✖1/);
  });

  test("a running job on a cluster that cannot be reached is marked ✖ before its cluster; ? while a login is wanted", async () => {
    const store = makeStore();
    const hpc = store.clusters.create({ name: "hpc", type: "slurm", hostname: "10.0.0.5", username: "chem" });
    const far = newJob(store, { name: "far_scf", input: MGO_DECK, clusterId: hpc.id, runnerType: "slurm" });
    const old = newJob(store, { name: "old_scf", input: MGO_DECK, clusterId: hpc.id, runnerType: "slurm" });
    for (const st of ["QUEUED", "RUNNING"] as const) store.jobs.transition(far.id, st, { reason: null });
    finish(store, old.id, "COMPLETED", -1);
    m = mount(store, { columns: 80, rows: 24 });
    let f = await m.waitFor("far_scf");
    expect(rowOf(f, far.id)).toMatch(/RUNNING\s+hpc\s/);
    store.clusters.setConnection(hpc.id, { status: "unreachable", lastError: "down", since: Date.now() });
    m.watcher.touch();
    f = await m.waitFor("✖ hpc");
    expect(rowOf(f, far.id)).toMatch(/RUNNING\s+✖ hpc\s/);
    expect(rowOf(f, old.id)).toMatch(/COMPLETED\s+hpc\s/); // a finished job is not the connection's
    store.clusters.setConnection(hpc.id, { status: "needs-auth", lastError: "code", since: Date.now() });
    m.watcher.touch();
    f = await m.waitFor("? hpc");
    expect(rowOf(f, far.id)).toMatch(/RUNNING\s+\? hpc\s/);
  });

  test("j/k move the cursor and enter opens the job under it", async () => {
    const store = makeStore();
    const [a, b] = addJobs(store, ["first", "second"]);
    m = mount(store);
    await m.waitFor("second");
    expect(rowOf(m.lastFrame(), b!.id)).toMatch(/^›/);
    await m.press("j");
    expect(rowOf(m.lastFrame(), a!.id)).toMatch(/^›/);
    await m.press("k", "j", KEY.enter);
    const f = await m.waitFor("History");
    expect(f).toContain(`#${a!.id} first`);
    await m.press(KEY.escape);
    await m.waitFor((fr) => rowOf(fr, a!.id).startsWith("›"));
  });

  test("c then y cancels a PENDING job (in the store); c then n changes nothing", async () => {
    const store = makeStore();
    const [a, b] = addJobs(store, ["keep", "stop"]);
    m = mount(store);
    await m.waitFor("stop");
    await m.press("c");
    expect(m.lastFrame()).toContain(`[y/N] Cancel job ${b!.id} (stop)?`);
    await m.press("n");
    expect(store.jobs.require(b!.id).status).toBe("PENDING");
    await m.press("c", "y");
    expect(store.jobs.require(b!.id).status).toBe("CANCELLED");
    expect(store.jobs.require(b!.id).statusReason).toBe("cancelled by user (TUI)");
    expect(store.jobs.require(a!.id).status).toBe("PENDING");
    const f = await m.waitFor((fr) => rowOf(fr, b!.id).includes("⊘ CANCELLED"));
    expect(f).toContain(`job ${b!.id} cancelled`);
  });

  test("c on a RUNNING job asks its engine to stop it; on a finished one it says there is nothing to cancel", async () => {
    const store = makeStore();
    const [a, b] = addJobs(store, ["done", "running"]);
    finish(store, a!.id, "COMPLETED");
    store.jobs.transition(b!.id, "RUNNING");
    m = mount(store);
    await m.waitFor("running");
    await m.press("c", "y");
    expect(store.jobs.require(b!.id).cancelRequested).toBe(true);
    expect(store.jobs.require(b!.id).status).toBe("RUNNING");
    await m.waitFor("cancel of job");
    await m.press("j", "c");
    await m.waitFor(`job ${a!.id} is COMPLETED — nothing to cancel`);
  });

  test("d then y deletes the job's record (asks first), the list follows", async () => {
    const store = makeStore();
    const [a, b] = addJobs(store, ["old", "new"]);
    m = mount(store);
    await m.waitFor((f) => rowOf(f, b!.id) !== "");
    await m.press("d");
    expect(m.lastFrame()).toContain(`Delete job ${b!.id} (new)?`);
    await m.press("y");
    expect(store.jobs.get(b!.id)).toBeUndefined();
    const f = await m.waitFor((fr) => rowOf(fr, b!.id) === "" && fr.includes("deleted"));
    expect(rowOf(f, a!.id)).toMatch(/^›/);
  });

  test("r re-runs a finished job as a NEW job with the same deck, after one question (y / e / n); a pending job cannot be re-run", async () => {
    const store = makeStore();
    const [a] = addJobs(store, ["mgo"]);
    m = mount(store);
    await m.waitFor("mgo");
    await m.press("r");
    await m.waitFor("only a finished job can be re-run");
    expect(store.jobs.count()).toBe(1);
    finish(store, a!.id, "FAILED");
    m.watcher.touch(); // the test wrote through the app's own connection
    await m.waitFor("✖ FAILED");
    await m.press("r");
    await m.waitFor(`[y/e/N] Re-run job ${a!.id} (mgo) as a new job? (e: edit its deck first)`);
    await m.press("n");
    await m.waitFor((fr) => !fr.includes("[y/e/N]"));
    expect(store.jobs.count()).toBe(1);
    await m.press("r");
    await m.waitFor("[y/e/N]");
    await m.press("y");
    await m.waitFor("re-run as job");
    const jobs = store.jobs.list();
    expect(jobs).toHaveLength(2);
    const rerun = jobs.find((j) => j.id !== a!.id)!;
    expect(rerun.status).toBe("PENDING");
    expect(rerun.inputFile).toBe(store.jobs.require(a!.id).inputFile);
    expect(store.jobs.require(a!.id).status).toBe("FAILED");
  });

  test("r then e: the deck is edited first ($VISUAL a sed script), and the new job has the edit", async () => {
    const store = makeStore();
    const [a] = addJobs(store, ["mgo"]);
    finish(store, a!.id, "COMPLETED");
    m = mount(store);
    await m.waitFor("✔ COMPLETED");
    const saved = process.env.VISUAL;
    process.env.VISUAL = "sed -i -e '/^TOLDEE$/{n;s/.*/10/;}'";
    try {
      await m.press("r");
      await m.waitFor("[y/e/N]");
      await m.press("e");
      await m.waitFor(`job ${a!.id} copied as job ${a!.id + 1} with your edit`);
    } finally {
      if (saved === undefined) delete process.env.VISUAL;
      else process.env.VISUAL = saved;
    }
    expect(store.jobs.count()).toBe(2);
    const made = store.jobs.require(a!.id + 1);
    expect(made.name).toBe("mgo");
    expect(made.inputFile).toMatch(/\nTOLDEE\n10\n/);
    expect(store.jobs.require(a!.id).inputFile).not.toMatch(/\nTOLDEE\n10\n/);
  });

  test("/ searches by name as you type, f filters by group then by status, esc clears both", async () => {
    const store = makeStore();
    const [a, , c] = addJobs(store, ["mgo_scf", "nio_scf", "mgo_opt"]);
    finish(store, a!.id, "COMPLETED");
    m = mount(store);
    await m.waitFor("mgo_opt");
    await m.press("/");
    await m.type("mgo");
    let f = await m.waitFor((fr) => !fr.includes("nio_scf"));
    expect(f).toContain("mgo_scf");
    expect(f).toContain("1–2 of 2");
    // the groups first (issue 13, defect 10): what is going on, then what finished
    await m.press(KEY.enter, "f"); // search kept
    f = await m.waitFor("filter: active (pending, queued, running)");
    expect(rowOf(f, c!.id)).toContain("mgo_opt");
    expect(f).not.toContain("mgo_scf");
    await m.press("f");
    f = await m.waitFor("filter: finished (completed)");
    expect(rowOf(f, a!.id)).toContain("mgo_scf");
    expect(f).not.toContain("mgo_opt");
    await m.press("f", "f"); // failed, then the statuses one by one: PENDING first
    f = await m.waitFor("filter: … PENDING");
    expect(rowOf(f, c!.id)).toContain("mgo_opt");
    expect(f).not.toContain("mgo_scf");
    await m.press(KEY.escape);
    f = await m.waitFor("nio_scf");
    expect(f).toContain("filter: all");
  });

  test("s opens a chooser and a column's number sorts by it directly (issue 13, defect 10); S reverses", async () => {
    const store = makeStore();
    const [a, b, c] = addJobs(store, ["bbb", "aaa", "ccc"]);
    finish(store, a!.id, "COMPLETED", -10);
    finish(store, b!.id, "COMPLETED", -30);
    finish(store, c!.id, "COMPLETED", -20);
    m = mount(store, { columns: 120 });
    await m.waitFor("ccc");
    const order = (f: string) =>
      ["aaa", "bbb", "ccc"].sort((x, y) => f.indexOf(` ${x} `) - f.indexOf(` ${y} `));
    await m.press("s");
    let f = await m.waitFor("sort by:");
    expect(f).toMatch(/sort by: \[1 created ▼\]\s+2 name\s+3 status\s+4 where\s+5 runtime\s+6 energy/);
    await m.press("6"); // energy, straight from created
    f = await m.waitFor("ENERGY (Ha)▼");
    expect(order(f)).toEqual(["bbb", "ccc", "aaa"]); // -10, -20, -30 Ha
    expect(f).not.toContain("sort by:");
    await m.press("s", "2"); // name (A→Z)
    f = await m.waitFor("NAME▲");
    expect(order(f)).toEqual(["aaa", "bbb", "ccc"]);
    await m.press("S");
    f = await m.waitFor("NAME▼");
    expect(order(f)).toEqual(["ccc", "bbb", "aaa"]);
    await m.press("s", "2"); // the column sorted by now: the other way round
    f = await m.waitFor("NAME▲");
    // ←/→ and enter choose too; esc leaves the order as it was
    await m.press("s", KEY.right, KEY.right, KEY.right, KEY.right, KEY.enter); // name → energy
    f = await m.waitFor("ENERGY (Ha)▼");
    await m.press("s", "2", KEY.escape);
    await m.waitFor("NAME▲");
    await m.press("s");
    await m.waitFor("sort by:");
    await m.press(KEY.escape);
    f = await m.waitFor((x) => !x.includes("sort by:"));
    expect(f).toContain("NAME▲");
  });

  test("the cursor stays on its job when others add jobs above it (issue 13, defect 1)", async () => {
    const store = makeStore();
    const [, b] = addJobs(store, ["first", "second", "third"]);
    m = mount(store);
    await m.waitFor("third");
    await m.press("j"); // newest first: third, second ← cursor, first
    expect(rowOf(m.lastFrame(), b!.id)).toMatch(/^›/);
    const other = Store.open(store.projectDir);
    try {
      addJobs(other, ["theirs-1", "theirs-2"]);
      const f = await m.waitFor("theirs-2", 2000);
      await m
        .waitFor((fr) => rowOf(fr, b!.id).startsWith("›"), 2000)
        .catch(() => {
          throw new Error(`the cursor left job ${b!.id}:\n${m!.lastFrame()}`);
        });
      expect(f.split("\n").filter((l) => l.startsWith("›"))).toHaveLength(1);
      // enter opens the job the cursor is on, not the one now on its old row
      await m.press(KEY.enter);
      await m.waitFor(`#${b!.id} second`);
    } finally {
      other.close();
    }
  });

  test("a sorted column whose title is cut keeps its arrow (issue 13, defect 6)", async () => {
    const store = makeStore();
    addJobs(store, ["x"]);
    m = mount(store, { columns: 80, rows: 24 });
    await m.waitFor("CREATED");
    await m.press("s", "5"); // runtime
    const header = (await m.waitFor(/RUNTI?M?\S*[▲▼]/)).split("\n")[1]!;
    expect(header).toMatch(/RUNT\S*▼/);
    expect(header).not.toContain("…▼");
    expect(header).not.toMatch(/RUNTIM…/);
  });

  test("d on a running job offers to cancel it instead (issue 13, defect 8)", async () => {
    const store = makeStore();
    const [a] = addJobs(store, ["busy"]);
    store.jobs.transition(a!.id, "RUNNING");
    m = mount(store);
    await m.waitFor("▶ RUNNING");
    await m.press("d");
    await m.waitFor(`[y/N] Job ${a!.id} (busy) is running and cannot be deleted — cancel it?`);
    await m.press("y");
    await m.waitFor("cancel of job");
    expect(store.jobs.require(a!.id).cancelRequested).toBe(true);
    expect(store.jobs.get(a!.id)).toBeDefined();
  });

  test("what another process does (a second connection) shows within a second", async () => {
    const store = makeStore();
    addJobs(store, ["mine"]);
    m = mount(store);
    await m.waitFor("mine");
    const other = Store.open(store.projectDir);
    try {
      const t0 = Date.now();
      const [j] = addJobs(other, ["theirs"]);
      await m.waitFor("theirs", 1000);
      other.jobs.transition(j!.id, "RUNNING");
      await m.waitFor((f) => rowOf(f, j!.id).includes("▶ RUNNING"), 1000);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      other.close();
    }
  });

  test("10,000 jobs: only the visible rows are drawn; paging and G reach the end quickly", async () => {
    const store = makeStore();
    const insert = sql(store).prepare(
      "INSERT INTO jobs (name, work_dir, status, runner_type, created_at) VALUES (?, ?, 'PENDING', 'local', ?)",
    );
    sql(store).transaction(() => {
      for (let i = 1; i <= 10_000; i++) {
        insert.run(
          `job${i}`,
          `calculations/${i}`,
          `2025-01-01 00:${String(Math.floor(i / 600)).padStart(2, "0")}:${String(Math.floor(i / 10) % 60).padStart(2, "0")}`,
        );
      }
    })();
    m = mount(store, { columns: 80, rows: 24 });
    let f = await m.waitFor("of 10000");
    expect(f.split("\n").filter((l) => /^[› ]\s*\d+ job\d+/.test(l)).length).toBeLessThanOrEqual(20);
    const t0 = Date.now();
    await m.press("G");
    f = await m.waitFor((fr) => /^›\s*1 job1 /m.test(fr));
    expect(f).toContain("of 10000");
    await m.press(KEY.pageUp);
    f = await m.waitFor((fr) => !/^›\s*1 job1 /m.test(fr));
    expect(Date.now() - t0).toBeLessThan(3000);
    await sleep(10);
  });
});
