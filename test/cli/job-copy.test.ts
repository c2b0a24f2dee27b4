// Copies of a job (`job add NAME --from ID`, the TUI's re-run): what the chemist expects to find in
// the copy (deck, aux files, links to parents' files, cluster, resources), the deck edited in
// $EDITOR and checked on return, and a re-run of a job whose geometry comes from another job
// running through (it used to fail with `fort.34 NOT FOUND`).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { rerunJob } from "../../src/app/job-copy.js";
import { openProject } from "../../src/app/project.js";
import { cli, cliJson, MGO_BODY, tempProject, writeDeck } from "../helpers/project.js";
import { standinDeck, standinEnv } from "../helpers/standin.js";

interface Shown {
  id: number;
  name: string;
  status: string;
  cluster: string | null;
  parallelism: Record<string, unknown>;
  priority?: number;
  input_file: string;
  folder: string;
  dependencies: { job_id: number; type: string }[];
}

const EXTERNAL_DECK = "MgO from a geometry\nEXTERNAL\nEND\nBASISSET\nSTO-3G\nSHRINK\n8 8\nTOLDEE\n8\nEND\n";

/** An $EDITOR that is a script: runs `sh -c BODY` on the file it is given ($1). */
function editorScript(dir: string, body: string): string {
  const file = path.join(dir, `editor-${Math.random().toString(36).slice(2)}.sh`);
  fs.writeFileSync(file, `#!/bin/sh\nset -e\n${body}\n`, { mode: 0o755 });
  return file;
}

function jobCount(project: string): number {
  return cliJson<{ jobs: number }>(project, ["db", "status"]).jobs;
}

describe("job add --from", () => {
  it("copies deck, aux files, the link to a parent's geometry, cluster and resources", () => {
    const project = tempProject();
    expect(
      cli(project, ["cluster", "add", "hpc", "--type", "slurm", "--host", "login.example", "--user", "chem"])
        .code,
    ).toBe(0);
    const opt = cliJson<{ id: number }>(project, ["job", "add", "opt", "--input", writeDeck(project)]);
    const extra = path.join(project, "extra.f98");
    fs.writeFileSync(extra, "a formatted wavefunction\n");
    const deck = writeDeck(project, "ext.d12", EXTERNAL_DECK);
    const src = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "ext",
      "--input",
      deck,
      "--geometry-from",
      String(opt.id),
      "--aux",
      extra,
      "--cluster",
      "hpc",
      "--ranks",
      "4",
      "--time",
      "01:00:00",
    ]);
    const copy = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "ext2",
      "--from",
      String(src.id),
      "--set",
      "ranks=8",
      "--set",
      "TOLDEE=10",
    ]);
    expect(copy).toEqual({ id: src.id + 1 }); // --json prints {"id": N} and nothing else
    const a = cliJson<Shown>(project, ["job", "show", String(src.id)]);
    const b = cliJson<Shown>(project, ["job", "show", String(copy.id)]);
    expect(b).toMatchObject({ name: "ext2", status: "PENDING", cluster: "hpc" });
    expect(b.parallelism).toEqual({ mpi_ranks: 8, time: "01:00:00" });
    expect(b.dependencies.map((d) => [d.job_id, d.type])).toEqual([[opt.id, "after_ok"]]);
    // the deck is the source's, with the one change asked for
    expect(b.input_file).toBe(EXTERNAL_DECK.replace("TOLDEE\n8\n", "TOLDEE\n10\n"));
    expect(a.input_file).toBe(EXTERNAL_DECK);
    // the aux file is a copy in the new job's own folder
    expect(b.folder).not.toBe(a.folder);
    expect(fs.readFileSync(path.join(b.folder, "extra.f98"), "utf8")).toBe("a formatted wavefunction\n");
  });

  it("--edit opens $EDITOR on the deck and makes the job from what was saved", () => {
    const project = tempProject();
    const src = cliJson<{ id: number }>(project, ["job", "add", "scf", "--input", writeDeck(project)]);
    const editor = editorScript(project, `sed -i 's/^STO-3G$/POB-TZVP/' "$1"`);
    const r = cli(project, ["job", "add", "scf_tz", "--from", String(src.id), "--edit", "--json"], {
      VISUAL: "",
      EDITOR: editor,
    });
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: number };
    const shown = cliJson<Shown>(project, ["job", "show", String(id)]);
    expect(shown.input_file).toBe(`MgO bulk test\n${MGO_BODY.replace("STO-3G", "POB-TZVP")}`);
    // $VISUAL wins over $EDITOR
    const visual = editorScript(project, `sed -i 's/^8 8$/12 12/' "$1"`);
    const v = cliJson<{ id: number }>(
      project,
      ["job", "add", "scf_k12", "--from", String(src.id), "--edit"],
      {
        VISUAL: visual,
        EDITOR: editor,
      },
    );
    expect(cliJson<Shown>(project, ["job", "show", String(v.id)]).input_file).toContain("SHRINK\n12 12\n");
  });

  it("a deck broken in the editor: line-numbered problems, no job made, the edit kept for --input", () => {
    const project = tempProject();
    const src = cliJson<{ id: number }>(project, ["job", "add", "scf", "--input", writeDeck(project)]);
    // line 15 of the deck is TOLDEE's value: a word where a whole number must be
    const editor = editorScript(project, `sed -i '15s/.*/eight/' "$1"`);
    const before = jobCount(project);
    const r = cli(project, ["job", "add", "broken", "--from", String(src.id), "--edit"], {
      EDITOR: editor,
      VISUAL: "",
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/line 14: TOLDEE needs an integer/);
    expect(r.stderr).toMatch(/no job was made/);
    expect(jobCount(project)).toBe(before);
    const kept = /kept in (\S+\.d12)/.exec(r.stderr)?.[1];
    expect(kept && fs.readFileSync(kept, "utf8")).toContain("\neight\n");
    // fixed and handed back: the job is made from the fixed deck
    fs.writeFileSync(kept!, fs.readFileSync(kept!, "utf8").replace("\neight\n", "\n9\n"));
    const fixed = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "fixed",
      "--from",
      String(src.id),
      "--input",
      kept!,
    ]);
    expect(cliJson<Shown>(project, ["job", "show", String(fixed.id)]).input_file).toContain("TOLDEE\n9\n");
  });

  it("an editor that fails makes no job; bad --set and flags that do not go with --from are usage errors", () => {
    const project = tempProject();
    const src = cliJson<{ id: number }>(project, ["job", "add", "scf", "--input", writeDeck(project)]);
    const before = jobCount(project);
    const failing = cli(project, ["job", "add", "x", "--from", String(src.id), "--edit"], {
      EDITOR: editorScript(project, "exit 3"),
      VISUAL: "",
    });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/exited with code 3; no job was made/);
    for (const args of [
      ["--set", "colour=blue"],
      ["--set", "novalue"],
      ["--aux", path.join(project, "mgo.d12")],
      ["--geometry-from", String(src.id)],
    ]) {
      const r = cli(project, ["job", "add", "x", "--from", String(src.id), ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
    }
    const badRanks = cli(project, ["job", "add", "x", "--from", String(src.id), "--set", "ranks=lots"]);
    expect(badRanks.code).toBe(1);
    expect(badRanks.stderr).toMatch(/ranks= must be a whole number/);
    expect(cli(project, ["job", "add", "x", "--from", "99"]).stderr).toMatch(/99/);
    expect(cli(project, ["job", "add", "x"]).code).toBe(2);
    expect(jobCount(project)).toBe(before);
  });

  it("a re-run of a job whose geometry comes from another job runs (no fort.34 NOT FOUND)", async () => {
    const project = tempProject();
    const opt = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "opt",
      "--input",
      writeDeck(project, "opt.d12", standinDeck("[standin:aiida-crystal17__mgo_sto3g_opt]")),
    ]);
    const child = cliJson<{ id: number }>(project, [
      "job",
      "add",
      "child",
      "--input",
      writeDeck(
        project,
        "child.d12",
        EXTERNAL_DECK.replace("MgO from a geometry", "MgO [standin:aiida-crystal17__mgo_sto3g_scf]"),
      ),
      "--geometry-from",
      String(opt.id),
    ]);
    let run = cli(project, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    expect(cliJson<Shown>(project, ["job", "show", String(child.id)]).status).toBe("COMPLETED");
    // the TUI's re-run (r) and the CLI's copy both keep the link to the parent's geometry
    const p = await openProject(project);
    const again = await rerunJob(p, await p.store.jobs.require(child.id));
    await p.close();
    const copy = cliJson<{ id: number }>(project, ["job", "add", "child_copy", "--from", String(child.id)]);
    run = cli(project, ["run"], standinEnv());
    expect(run.code, run.stderr).toBe(0);
    for (const id of [again.id, copy.id]) {
      const shown = cliJson<Shown & { status_reason?: string }>(project, ["job", "show", String(id)]);
      expect(shown.status, JSON.stringify(shown)).toBe("COMPLETED");
    }
    // the geometry the re-run read is the parent's optimised one, not the child's own output
    const optFolder = cliJson<Shown>(project, ["job", "show", String(opt.id)]).folder;
    const againFolder = cliJson<Shown>(project, ["job", "show", String(again.id)]).folder;
    expect(fs.readFileSync(path.join(againFolder, "child.gui"), "utf8")).toBe(
      fs.readFileSync(path.join(optFolder, "opt.gui"), "utf8"),
    );
  });
});
