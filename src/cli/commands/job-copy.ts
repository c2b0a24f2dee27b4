// crystal-tui job add NAME --from ID [--edit] [--set KEY=VALUE…]: a copy of a job (src/app/job-copy.ts),
// its deck optionally edited in $VISUAL/$EDITOR first and checked on return.
import { discardEdit, type EditedDeck, editDeck } from "../../app/edit-deck.js";
import { copyJob, DeckHasProblems, SET_KEYS } from "../../app/job-copy.js";
import { readDeckFile } from "../../crystal/deck-file.js";
import { UsageError } from "../../domain/errors.js";
import { parseJobId } from "../../domain/names.js";
import type { Project } from "../../engine/hooks.js";

export interface CopyOptions {
  from: string;
  input?: string;
  edit?: boolean;
  set?: string[];
  check?: boolean;
  [flag: string]: unknown;
}

/** `job add` flags that make no sense with --from: the copy takes these from its source. */
const NOT_WITH_FROM: Readonly<Record<string, string>> = {
  aux: "--aux",
  afterOk: "--after-ok",
  afterAny: "--after-any",
  afterFailed: "--after-failed",
  geometryFrom: "--geometry-from",
  wavefunctionFrom: "--wavefunction-from",
};

/** Adds a copy of job --from; returns the new job's id. */
export async function addCopy(project: Project, name: string, opts: CopyOptions): Promise<number> {
  for (const [key, flag] of Object.entries(NOT_WITH_FROM)) {
    if (opts[key] !== undefined) {
      throw new UsageError(
        `${flag} does not go with --from: a copy keeps its source's files and links — make a new job without --from to change them`,
      );
    }
  }
  const sourceId = parseJobId(opts.from);
  const set = [
    // `job add`'s resource flags are named as the `--set` keys they mean (--ranks 4 = ranks=4)
    ...SET_KEYS.flatMap((key) => (typeof opts[key] === "string" ? [`${key}=${opts[key] as string}`] : [])),
    ...(opts.set ?? []),
  ];
  let deck: string | undefined;
  // the one reading rule for decks: a regular file of a few MB, UTF-8 (crystal/deck-file.ts)
  if (opts.input !== undefined) deck = readDeckFile(opts.input);
  let edit: EditedDeck | undefined;
  if (opts.edit) {
    const source = await project.store.jobs.require(sourceId);
    edit = editDeck(deck ?? source.inputFile ?? "", name);
    deck = edit.deck;
  }
  try {
    const job = await copyJob(project, sourceId, {
      name,
      ...(deck !== undefined ? { deck } : {}),
      set,
      ...(opts.check === false ? { check: false } : {}),
    });
    if (edit) discardEdit(edit);
    return job.id;
  } catch (err) {
    if (edit && err instanceof DeckHasProblems) {
      // the edit is not lost: the user fixes it and hands it back with --input
      err.message = `${err.message} — no job was made; your edit is kept in ${edit.file}: fix it and run \`crystal-tui job add ${name} --from ${sourceId} --input ${edit.file}\``;
    } else if (edit) discardEdit(edit);
    throw err;
  }
}
