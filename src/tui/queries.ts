// The TUI's list queries live in the store (src/store/views.ts); the screens name their types from here.
export {
  DEFAULT_QUERY,
  type JobListQuery,
  type JobListRow,
  SORT_COLUMNS,
  type SortColumn,
  type WorkflowListRow as WorkflowSummary,
  type WorkflowStepRow,
} from "../store/views.js";
