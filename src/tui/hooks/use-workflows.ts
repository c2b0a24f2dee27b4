// Workflows with their steps, kept current.
import { useMemo } from "react";
import { listWorkflows, type WorkflowStepRow, type WorkflowSummary, workflowSteps } from "../queries.js";
import { useProject, useStoreVersion } from "../store-watch.js";

export function useWorkflows(): WorkflowSummary[] {
  const { store } = useProject();
  const version = useStoreVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the store
  return useMemo(() => listWorkflows(store.db), [store, version]);
}

export function useWorkflowSteps(workflowId: number | null): WorkflowStepRow[] {
  const { store } = useProject();
  const version = useStoreVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the store
  return useMemo(
    () => (workflowId === null ? [] : workflowSteps(store.db, workflowId)),
    [store, workflowId, version],
  );
}
