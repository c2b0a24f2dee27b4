// How a child names a parent that was deleted (issue 13, defect 8), in `job show` and the TUI's
// detail alike: the parent's edge went with it, the note written at delete time stays.
import type { DeletedParent } from "../store/records.js";

/** "parent job 4 (mgo_opt), deleted — after_ok; deleted 2026-12-02 16:10:03" */
export function deletedParentText(p: DeletedParent): string {
  return `parent job ${p.parentId} (${p.parentName}), deleted — ${p.type}; deleted ${p.deletedAt}`;
}
