// Workflows with their steps, kept current by the view cache.
import type { WorkflowStepRow, WorkflowSummary } from "../queries.js";
import { useProject } from "../store-watch.js";
import { useCached } from "./cache.js";

const NO_WORKFLOWS: WorkflowSummary[] = [];
const NO_STEPS: WorkflowStepRow[] = [];

export function useWorkflows(): WorkflowSummary[] {
  const { store, cache } = useProject();
  return useCached(cache, "workflows", () => store.views.workflows(), NO_WORKFLOWS);
}

export function useWorkflowSteps(workflowId: number | null): WorkflowStepRow[] {
  const { store, cache } = useProject();
  return useCached(
    cache,
    `workflow-steps:${workflowId}`,
    () => (workflowId === null ? NO_STEPS : store.views.workflowSteps(workflowId)),
    NO_STEPS,
  );
}
