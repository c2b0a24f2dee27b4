// Editing a deck in the user's own editor ($VISUAL, else $EDITOR, else vi), as git and crontab do:
// the deck goes into a temporary file named like a deck (so the editor highlights it), the editor
// runs on the terminal, and what the file holds when it exits is the new deck. The TUI suspends its
// screen around this call; the CLI calls it as is.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { UserError } from "../domain/errors.js";

/** The editor command a user asked for, by the usual variables. */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  for (const v of [env.VISUAL, env.EDITOR]) if (v && v.trim() !== "") return v.trim();
  return "vi";
}

export interface EditedDeck {
  deck: string;
  /** The file the edit is kept in until the job is made (the caller removes it, or names it). */
  file: string;
  changed: boolean;
}

/**
 * Opens `deck` in the editor and returns what the user saved. The editor command may carry words
 * (`code --wait`); it runs through the shell like git runs $EDITOR, with the file as its argument
 * "$1", so the file name is never part of the command text. An editor that fails (exit ≠ 0) or a
 * deck emptied in it is a refusal: nothing is made from it.
 */
export function editDeck(deck: string, name: string, env: NodeJS.ProcessEnv = process.env): EditedDeck {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crystal-tui-edit-"));
  const file = path.join(dir, `${name}.d12`);
  fs.writeFileSync(file, deck, { mode: 0o600 });
  const editor = editorCommand(env);
  const r = spawnSync("/bin/sh", ["-c", `${editor} "$1"`, "sh", file], { stdio: "inherit", env });
  if (r.error)
    throw new UserError(
      `the editor ${editor} could not be started (${r.error.message}) — set $VISUAL or $EDITOR`,
    );
  if (r.status !== 0) {
    throw new UserError(
      `the editor ${editor} exited with ${r.status === null ? `signal ${r.signal}` : `code ${r.status}`}; no job was made (the deck is kept in ${file})`,
    );
  }
  const edited = fs.readFileSync(file, "utf8");
  if (edited.trim() === "") {
    throw new UserError("the deck was emptied in the editor; no job was made");
  }
  return { deck: edited, file, changed: edited !== deck };
}

/** Removes the temporary file of an edit (after the job was made from it). */
export function discardEdit(edit: EditedDeck): void {
  fs.rmSync(path.dirname(edit.file), { recursive: true, force: true });
}
