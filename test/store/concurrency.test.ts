// Two processes writing to one project at once: no SQLITE_BUSY reaches the user, nothing is lost.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.js";
import { ROOT, tempProject } from "../helpers/project.js";
import { sql } from "./raw-sql.js";

function writer(project: string, tag: string, n: number): Promise<{ code: number; stderr: string }> {
  const script = `
    const { Store } = await import(${JSON.stringify(path.join(ROOT, "dist/store/store.js"))});
    const { ProjectFiles } = await import(${JSON.stringify(path.join(ROOT, "dist/crystal/project-files.js"))});
    const store = Store.open(${JSON.stringify(project)});
    const files = new ProjectFiles(${JSON.stringify(project)});
    for (let i = 0; i < ${n}; i++) {
      const [job] = await files.create([{ name: "${tag}" + i, input: "deck ${tag} " + i + "\\nEND\\n" }], (r) => store.jobs.createMany(r));
      if (i % 50 === 49) store.dependencies.add(job.id, job.id - 1, "after_any");
    }
    store.close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe("concurrent writers", () => {
  it("2 × 1,000 job adds from two processes at once: all land, ids unique, no busy error", async () => {
    const project = tempProject();
    Store.open(project).close();
    const [a, b] = await Promise.all([writer(project, "a", 1000), writer(project, "b", 1000)]);
    expect(a.stderr).toBe("");
    expect(b.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const store = Store.open(project);
    const jobs = store.jobs.list();
    expect(jobs).toHaveLength(2000);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(2000);
    expect(new Set(jobs.map((j) => j.workDir)).size).toBe(2000);
    for (const tag of ["a", "b"]) {
      const names = new Set(jobs.filter((j) => j.name.startsWith(tag)).map((j) => j.name));
      expect(names.size).toBe(1000);
    }
    expect(sql(store).prepare("SELECT COUNT(*) FROM job_events").pluck().get()).toBe(2000);
    store.close();
  }, 120_000);
});
