// A project's job folders: where a job's deck and auxiliary inputs live and its outputs come back
// to (`<project>/calculations/<folder>`). Folders are made BEFORE the job's record, outside any
// database transaction, under a name no other job has or will take (an exclusive mkdir; the name
// does not depend on an id the database has not handed out yet). So a crash at any point leaves no
// job without its folder, and at worst a folder no job points at, which no later job can collide
// with. A creation the store refuses removes the folders it made.
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../domain/errors.js";
import { checkJobName } from "../domain/names.js";
import type { Job, NewJob, NewJobRecord } from "../domain/types.js";
import { deckFileOf } from "./deck-file.js";

export const CALCULATIONS_DIR = "calculations";

/** `20261128-153012_mgo_opt`: sorts in creation order, says when, and what. */
function folderBase(name: string, at: Date): string {
  const stamp = at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return `${stamp}_${name}`;
}

function isPlainFileName(n: string): boolean {
  return n !== "" && !n.includes("/") && n !== "." && n !== ".." && !n.includes("\0");
}

export class ProjectFiles {
  constructor(
    readonly projectDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Absolute job folder (Phase-1 rows may hold an absolute path already). */
  folderOf(job: Pick<Job, "workDir">): string {
    return path.isAbsolute(job.workDir) ? job.workDir : path.join(this.projectDir, job.workDir);
  }

  /**
   * Makes the folder of a new job with its deck and auxiliary files, and returns the job as the store
   * records it. Bad input (a missing or irregular auxiliary file, a name that would shadow the deck
   * or another file) is refused before anything is made.
   */
  prepare(spec: NewJob): NewJobRecord {
    checkJobName(spec.name);
    const deckName = spec.input ? deckFileOf({ name: spec.name, inputFile: spec.input }) : null;
    const copies: [string, string][] = [];
    for (const file of spec.auxFiles ?? []) {
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch {
        throw new UserError(`auxiliary file ${file} does not exist — check the path given to --aux`);
      }
      if (!stat.isFile()) throw new UserError(`auxiliary file ${file} is not a regular file`);
      copies.push([path.basename(file), path.resolve(file)]);
    }
    const contents = Object.entries(spec.auxContents ?? {});
    const names = [...copies.map(([n]) => n), ...contents.map(([n]) => n)];
    const seen = new Set<string>();
    for (const n of names) {
      if (!isPlainFileName(n)) {
        throw new UserError(`auxiliary file name ${JSON.stringify(n)} is not a plain file name`);
      }
      if (n === `${spec.name}.d12` || n === `${spec.name}.d3`) {
        throw new UserError(`auxiliary file ${n} would overwrite the deck — rename it`);
      }
      if (seen.has(n)) {
        throw new UserError(
          `two auxiliary files are named ${n}; the second would overwrite the first — rename one`,
        );
      }
      seen.add(n);
    }
    const workDir = this.makeFolder(spec.name);
    const folder = this.folderOf({ workDir });
    try {
      if (spec.input && deckName) fs.writeFileSync(path.join(folder, deckName), spec.input);
      for (const [n, src] of copies) fs.copyFileSync(src, path.join(folder, n));
      for (const [n, content] of contents) fs.writeFileSync(path.join(folder, n), content);
    } catch (err) {
      fs.rmSync(folder, { recursive: true, force: true });
      throw new UserError(
        `could not write job ${spec.name}'s files into ${folder}: ${(err as Error).message}`,
      );
    }
    const { auxFiles: _paths, auxContents: _contents, ...rest } = spec;
    return { ...rest, workDir, auxFileNames: names };
  }

  /** Folders for several jobs; if one cannot be made, those made before it are removed again. */
  prepareMany(specs: readonly NewJob[]): NewJobRecord[] {
    const made: NewJobRecord[] = [];
    try {
      for (const spec of specs) made.push(this.prepare(spec));
      return made;
    } catch (err) {
      this.discard(made);
      throw err;
    }
  }

  /**
   * Makes the folders, then hands the records to `insert` (the store's creation); when the store
   * refuses, the folders go again. Returns what `insert` returns.
   */
  async create<T>(specs: readonly NewJob[], insert: (records: NewJobRecord[]) => T | Promise<T>): Promise<T> {
    const records = this.prepareMany(specs);
    try {
      return await insert(records);
    } catch (err) {
      this.discard(records);
      throw err;
    }
  }

  /** Removes folders made for jobs whose records were never made. */
  discard(records: readonly Pick<NewJobRecord, "workDir">[]): void {
    const base = path.join(this.projectDir, CALCULATIONS_DIR);
    for (const r of records) {
      const folder = this.folderOf(r);
      // never anything but a folder directly under calculations/
      if (path.dirname(folder) !== base) continue;
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }

  /** Writes a job's deck rendered late (it used its parents' results), under its CRYSTAL name. */
  writeDeck(job: Pick<Job, "name" | "workDir">, deck: string): void {
    fs.writeFileSync(path.join(this.folderOf(job), deckFileOf({ name: job.name, inputFile: deck })), deck);
  }

  /**
   * Copies a file a job takes from a parent's results (`<parent>.gui`, `<parent>.f9`, …) into the
   * job's folder as `<job><ext>`; false when the parent did not produce it.
   */
  copyFromParent(
    job: Pick<Job, "name" | "workDir">,
    parent: Pick<Job, "name" | "workDir">,
    ext: string,
  ): boolean {
    const src = path.join(this.folderOf(parent), `${parent.name}${ext}`);
    if (!fs.existsSync(src)) return false;
    fs.copyFileSync(src, path.join(this.folderOf(job), `${job.name}${ext}`));
    return true;
  }

  /** A new folder under calculations/, made exclusively (mkdir fails if the name exists). */
  private makeFolder(name: string): string {
    const base = path.join(this.projectDir, CALCULATIONS_DIR);
    fs.mkdirSync(base, { recursive: true });
    const stem = folderBase(name, this.now());
    for (let n = 1; n < 10_000; n++) {
      const workDir = path.join(CALCULATIONS_DIR, n === 1 ? stem : `${stem}_${n}`);
      try {
        fs.mkdirSync(path.join(this.projectDir, workDir));
        return workDir;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new UserError(`cannot make a job folder in ${base}: ${(err as Error).message}`);
        }
      }
    }
    throw new UserError(`cannot make a job folder for ${name} in ${base}: every name is taken`);
  }
}
