// The screens as modules (lazygit's model): each names itself, its title, the key that reaches it
// (the top screens), its component and its key table. The header, the keys 1 2 3 4 and the app's
// routing are read from this list; the footer and `?` from the table the shown screen publishes.
import type { ComponentType } from "react";
import type { Binding } from "../bindings.js";
import type { View } from "../nav.js";
import { CLUSTERS_BINDINGS, ClustersScreen } from "./ClustersScreen.js";
import { DETAIL_BINDINGS, JobDetailScreen } from "./JobDetailScreen.js";
import { JOBS_BINDINGS, JobsScreen } from "./JobsScreen.js";
import { NEW_JOB_BINDINGS, NewJobScreen } from "./NewJobScreen.js";
import { QUEUE_BINDINGS, QueueScreen } from "./QueueScreen.js";
import { WORKFLOWS_BINDINGS, WorkflowsScreen } from "./WorkflowsScreen.js";

export interface ScreenProps {
  view: View;
  width: number;
  height: number;
}

export interface ScreenModule {
  name: View["name"];
  title: string;
  /** The key that shows it from anywhere (top screens only). */
  key?: string;
  component: ComponentType<ScreenProps>;
  // biome-ignore lint/suspicious/noExplicitAny: each screen's table has its own context type
  bindings: readonly Binding<any>[];
}

export const SCREENS: readonly ScreenModule[] = [
  { name: "jobs", title: "Jobs", key: "1", component: JobsScreen, bindings: JOBS_BINDINGS },
  {
    name: "workflows",
    title: "Workflows",
    key: "2",
    component: WorkflowsScreen,
    bindings: WORKFLOWS_BINDINGS,
  },
  { name: "clusters", title: "Clusters", key: "3", component: ClustersScreen, bindings: CLUSTERS_BINDINGS },
  { name: "queue", title: "Queue", key: "4", component: QueueScreen, bindings: QUEUE_BINDINGS },
  {
    name: "detail",
    title: "Job",
    component: ({ view, width, height }) =>
      view.name === "detail" ? (
        <JobDetailScreen key={view.jobId} jobId={view.jobId} width={width} height={height} />
      ) : null,
    bindings: DETAIL_BINDINGS,
  },
  { name: "new", title: "New job", component: NewJobScreen, bindings: NEW_JOB_BINDINGS },
];

export function screenOf(name: View["name"]): ScreenModule {
  return SCREENS.find((s) => s.name === name)!;
}
