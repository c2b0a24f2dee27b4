// The TUI's list queries live in the store (src/store/views.ts); the screens name their types from here.
export type {
  JobListQuery,
  JobListRow,
  SortColumn,
  WorkflowListRow as WorkflowSummary,
  WorkflowStepRow,
} from "../store/records.js";
export { DEFAULT_QUERY, SORT_COLUMNS } from "../store/views.js";
