// Store-only helpers of the TUI tests (no React), so pure SQL tests load nothing else.
import type { Store } from "../../src/store/store.js";
import { Store as StoreClass } from "../../src/store/store.js";
import { MGO_DECK, tempProject } from "../helpers/project.js";
import { newJob } from "../store/new-jobs.js";

export function makeStore(): Store {
  return StoreClass.open(tempProject("ctui-tui-"));
}

export function addJobs(store: Store, names: string[], deck = MGO_DECK) {
  return names.map((name) => newJob(store, { name, input: deck }));
}
