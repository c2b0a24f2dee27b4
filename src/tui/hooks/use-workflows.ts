// Workflows with their steps, kept current.
import { useMemo } from "react";
import type { WorkflowStepRow, WorkflowSummary } from "../queries.js";
import { useProject, useStoreVersion } from "../store-watch.js";

export function useWorkflows(): WorkflowSummary[] {
  const { store } = useProject();
  const version = useStoreVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the store
  return useMemo(() => store.views.workflows(), [store, version]);
}

export function useWorkflowSteps(workflowId: number | null): WorkflowStepRow[] {
  const { store } = useProject();
  const version = useStoreVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the store
  return useMemo(
    () => (workflowId === null ? [] : store.views.workflowSteps(workflowId)),
    [store, workflowId, version],
  );
}
