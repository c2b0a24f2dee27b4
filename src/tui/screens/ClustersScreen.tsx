// Clusters: the list with each one's status, add / edit (a form validated as you type), test the
// connection and trust the host key — both run as background commands with their progress shown,
// so the screen never waits for a remote machine.
import { Box, Text } from "ink";
import { createContext, useContext, useMemo, useReducer, useState, useSyncExternalStore } from "react";
import { addCluster, type ClusterSettings, editCluster, removeCluster } from "../../app/clusters.js";
import { oneLine, UserError } from "../../domain/errors.js";
import { checkClusterName } from "../../domain/names.js";
import type { Cluster, ClusterConfig, ClusterType } from "../../domain/types.js";
import { CLUSTER_KINDS } from "../../runners/schedulers.js";
import { checkClusterFields } from "../../store/clusters.js";
import { type Binding, useBindings } from "../bindings.js";
import { Confirm } from "../components/Confirm.js";
import { type Field, type FormCtx, FormView, formActions, formBindings } from "../components/Form.js";
import { useFormState } from "../components/form-state.js";
import { clip, formatDuration } from "../format.js";
import { type ClusterRow, useClusters } from "../hooks/use-clusters.js";
import { type Nav, runAction, useNav } from "../nav.js";
import { useNow, useProject } from "../store-watch.js";
import type { Task, Tasks } from "../tasks.js";
import { useColor } from "../theme.js";
import { type ClustersPending, clustersReducer, INITIAL_CLUSTERS_STATE } from "./clusters-state.js";

export const TasksContext = createContext<Tasks | null>(null);

function useTask(key: string | null): Task | undefined {
  const tasks = useContext(TasksContext);
  const subscribe = tasks?.subscribe ?? (() => () => {});
  useSyncExternalStore(subscribe, () => tasks?.getVersion() ?? 0);
  return key && tasks ? tasks.get(key) : undefined;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

interface FormValues {
  name: string;
  type: string;
  hostname: string;
  port: string;
  username: string;
  key_path: string;
  remote_dir: string;
  crystal_exedir: string;
  partition: string;
  account: string;
  max_jobs: string;
}

const EMPTY: FormValues = {
  name: "",
  type: "slurm",
  hostname: "",
  port: "22",
  username: process.env.USER ?? "",
  key_path: "",
  remote_dir: "",
  crystal_exedir: "",
  partition: "",
  account: "",
  max_jobs: "",
};

function valuesOf(c: Cluster): FormValues {
  return {
    name: c.name,
    type: c.type,
    hostname: c.hostname,
    port: String(c.port),
    username: c.username,
    key_path: c.config.key_path ?? "",
    remote_dir: c.config.remote_dir ?? "",
    crystal_exedir: c.config.crystal_exedir ?? "",
    partition: c.config.partition ?? "",
    account: c.config.account ?? "",
    max_jobs: c.config.max_jobs === undefined ? "" : String(c.config.max_jobs),
  };
}

function message(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof UserError ? oneLine(err.message) : String(err);
  }
}

/** Each field's problem (as you type), and the cluster to save when there is none. */
export function checkClusterForm(v: FormValues, base: ClusterConfig = {}) {
  const errors: Partial<Record<keyof FormValues, string>> = {};
  const set = (k: keyof FormValues, m: string | null) => {
    if (m) errors[k] = m;
  };
  set("name", v.name.trim() === "" ? "a name is needed" : message(() => checkClusterName(v.name.trim())));
  set("type", CLUSTER_KINDS.includes(v.type) ? null : `cluster type ${JSON.stringify(v.type)} is unknown`);
  set(
    "hostname",
    v.hostname.trim() === ""
      ? "a host name or address is needed"
      : message(() => checkClusterFields({ hostname: v.hostname.trim() })),
  );
  const port = Number(v.port);
  set(
    "port",
    !/^\d+$/.test(v.port.trim())
      ? "a whole number from 1 to 65535"
      : message(() => checkClusterFields({ port })),
  );
  set(
    "username",
    message(() => checkClusterFields({ username: v.username.trim() })),
  );
  if (v.max_jobs.trim() !== "" && !(/^\d+$/.test(v.max_jobs.trim()) && Number(v.max_jobs) >= 1)) {
    errors.max_jobs = "a whole number ≥ 1, or empty for no limit";
  }
  if (v.type === "ssh" && (v.partition.trim() || v.account.trim())) {
    errors.partition = "partition and account are SLURM settings — choose type slurm, or leave them empty";
  }
  const config: ClusterConfig = { ...base };
  const opt = <K extends keyof ClusterConfig>(k: K, value: ClusterConfig[K] | undefined) => {
    if (value === undefined || value === "") delete config[k];
    else config[k] = value;
  };
  opt("key_path", v.key_path.trim());
  opt("remote_dir", v.remote_dir.trim());
  opt("crystal_exedir", v.crystal_exedir.trim());
  opt("partition", v.partition.trim());
  opt("account", v.account.trim());
  opt("max_jobs", v.max_jobs.trim() === "" ? undefined : Number(v.max_jobs));
  return {
    errors,
    cluster: {
      name: v.name.trim(),
      type: v.type as ClusterType,
      hostname: v.hostname.trim(),
      port,
      username: v.username.trim(),
      config,
    },
  };
}

/** The form as the settings `cluster add` / `cluster edit` take; the optional fields left empty. */
function formSettings(v: FormValues): { settings: ClusterSettings; empty: string[] } {
  const settings: ClusterSettings = {
    type: v.type,
    host: v.hostname.trim(),
    port: v.port.trim(),
    user: v.username.trim(),
  };
  const empty: string[] = [];
  const optional: [keyof FormValues, keyof ClusterSettings, string][] = [
    ["key_path", "key", "key_path"],
    ["remote_dir", "remoteDir", "remote_dir"],
    ["crystal_exedir", "crystalExedir", "crystal_exedir"],
    ["partition", "partition", "partition"],
    ["account", "account", "account"],
    ["max_jobs", "maxJobs", "max_jobs"],
  ];
  for (const [field, setting, stored] of optional) {
    const value = v[field].trim();
    if (value === "") empty.push(stored);
    else (settings as Record<string, unknown>)[setting] = value;
  }
  return { settings, empty };
}

const FIELD_LABELS: [keyof FormValues, string, string][] = [
  ["name", "Name", "how jobs and commands refer to it (e.g. hpc)"],
  ["type", "Type", "slurm: jobs go through sbatch; ssh: run directly on the machine"],
  ["hostname", "Host", "host name or address (or an alias from ~/.ssh/config)"],
  ["port", "Port", "SSH port"],
  ["username", "User", "login name on the machine"],
  ["key_path", "Key file", "private key; empty = the ssh-agent. Passwords are never stored"],
  ["remote_dir", "Remote dir", "folder for job folders on the machine (default ~/crystal-tui)"],
  ["crystal_exedir", "CRYSTAL dir", "folder with crystalOMP / PcrystalOMP there (CRY23_EXEDIR)"],
  ["partition", "Partition", "SLURM partition (optional)"],
  ["account", "Account", "SLURM account (optional)"],
  ["max_jobs", "Max jobs", "at most this many jobs there at once (empty: no limit)"],
];

const CLUSTER_FORM_BINDINGS = formBindings<FormCtx>("save the cluster", "back without saving");

function ClusterForm({
  editing,
  width,
  height,
  onDone,
}: {
  editing: Cluster | null;
  width: number;
  height: number;
  onDone: () => void;
}) {
  const nav = useNav();
  const { store } = useProject();
  const start = useMemo(() => (editing ? valuesOf(editing) : EMPTY), [editing]);
  const [form, dispatch] = useFormState({ ...start });
  const values = form.values as unknown as FormValues;
  const focus = Math.min(form.focus, FIELD_LABELS.length);
  const [leaving, setLeaving] = useState(false);
  const checked = useMemo(() => checkClusterForm(values, editing?.config ?? {}), [values, editing]);
  const fields: Field[] = [
    ...FIELD_LABELS.map(
      ([k, label, hint]): Field =>
        k === "type"
          ? {
              kind: "choice",
              name: k,
              label,
              value: values.type,
              options: CLUSTER_KINDS,
              error: checked.errors[k],
              hint,
            }
          : { kind: "text", name: k, label, value: values[k], error: checked.errors[k], hint },
    ),
    { kind: "button", name: "save", label: editing ? "Save changes" : "Add cluster" },
  ];

  const save = () => {
    const problems = Object.values(checked.errors);
    if (problems.length > 0) {
      nav.flash(`fix the form first: ${problems[0]}`, "error");
      return;
    }
    const c = checked.cluster;
    // the same use cases as `cluster add` / `cluster edit`: every setting and the route checked there
    const given = formSettings(values);
    void runAction(
      nav,
      () =>
        editing
          ? editCluster(store, editing.name, {
              ...given.settings,
              type: undefined,
              ...(c.name !== editing.name ? { rename: c.name } : {}),
              unset: given.empty,
            })
          : addCluster(store, c.name, given.settings),
      (saved) => `cluster ${saved.name} ${editing ? "saved" : "added"} — press t to test the connection`,
    ).then((done) => {
      if (done) onDone();
    });
  };

  const actions = formActions(dispatch, fields.length);
  // a form with changes is not dropped by one key: esc asks first (as the new-job form)
  const changed = (Object.keys(start) as (keyof FormValues)[]).some((k) => values[k] !== start[k]);
  const ctx: FormCtx = {
    fields,
    focus,
    ...actions,
    change: (name, value) => {
      if (editing && name === "type")
        nav.flash("the type of a cluster cannot change — add a new cluster", "error");
      else actions.set(name, value);
    },
    submit: save,
    back: () => (changed ? setLeaving(true) : onDone()),
    help: () => nav.help(),
  };
  useBindings("cluster form", CLUSTER_FORM_BINDINGS, ctx, { active: !leaving });

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>{editing ? `Edit cluster ${editing.name}` : "Add a cluster"}</Text>
      <FormView fields={fields} focus={focus} cursor={form.cursor} width={width} height={height - 2} />
      {leaving ? (
        <Confirm
          question="Leave the form? What you changed is dropped."
          onAnswer={(yes) => {
            setLeaving(false);
            if (yes) onDone();
          }}
        />
      ) : null}
    </Box>
  );
}

/** The connection as the process holding it last recorded it (shared through the store). */
const CONNECTION_COLOR = {
  connected: "green",
  connecting: "yellow",
  "needs-auth": "yellow",
  unreachable: "red",
  none: "gray",
} as const;

/**
 * The host key a cluster offers now, fetched without logging in (the transport's own function,
 * loaded on first use; the network call is asynchronous, so the screen keeps answering).
 */
async function offeredKey(c: Cluster): Promise<{ keyType: string; fingerprint: string }> {
  const { OpenSshMaster, openSshSettingsForCluster } = await import("../../transport/openssh/master.js");
  const master = new OpenSshMaster(openSshSettingsForCluster(c));
  const login = (await master.hops()).at(-1);
  const offered = login ? await master.probeHostKey(login) : null;
  if (!offered) throw new Error(`cluster '${c.name}': could not get the login host's key`);
  return { keyType: offered.keyType, fingerprint: offered.fingerprint };
}

function TaskLine({ task, width }: { task: Task | undefined; width: number }) {
  const color = useColor();
  const now = useNow(120, task?.state === "running");
  if (!task) return <Text dimColor>not tested yet — t tests the connection</Text>;
  const elapsed = formatDuration(((task.endedAt ?? now) - task.startedAt) / 1000);
  const last = task.lines[task.lines.length - 1] ?? "";
  if (task.state === "running") {
    const frame = SPINNER[Math.floor(now / 120) % SPINNER.length];
    return (
      <Text color={color("yellow")} wrap="truncate-end">
        {frame} {task.label}… {elapsed} {clip(last, Math.max(0, width - task.label.length - 12))}
      </Text>
    );
  }
  return (
    <Text color={color(task.state === "ok" ? "green" : "red")} wrap="truncate-end">
      {task.state === "ok" ? "✔" : "✖"} {task.label}:{" "}
      {last || (task.state === "ok" ? "ok" : `exit ${task.exitCode}`)}
    </Text>
  );
}

interface ClustersCtx {
  nav: Nav;
  tasks: Tasks | null;
  clusters: ClusterRow[];
  /** Up (-1) or down (1) the list. */
  move: (by: number) => void;
  selected: ClusterRow | null;
  setForm: (f: { editing: Cluster | null }) => void;
  ask: (p: ClustersPending) => void;
}

const withCluster = (c: ClustersCtx) => c.selected !== null;

export const CLUSTERS_BINDINGS: readonly Binding<ClustersCtx>[] = [
  {
    on: ["up", "down", "j", "k"],
    does: "move",
    footer: "move",
    when: (c) => c.clusters.length > 1,
    run: (c, input, key) => c.move(key.downArrow || input === "j" ? 1 : -1),
  },
  { on: ["a"], does: "add a cluster", footer: "add", run: (c) => c.setForm({ editing: null }) },
  {
    on: ["e", "enter"],
    does: "edit the cluster",
    footer: "edit",
    when: withCluster,
    run: (c) => c.setForm({ editing: c.selected }),
  },
  {
    on: ["t"],
    does: "test the connection (runs in the background)",
    footer: "test",
    when: (c) => withCluster(c) && c.tasks !== null,
    run: (c) => {
      const name = c.selected!.name;
      const started = c.tasks!.run(`cluster:${name}`, `testing ${name}`, ["cluster", "test", name]);
      if (!started) c.nav.flash(`${name}: a check is already running`, "error");
    },
  },
  {
    on: ["T"],
    does: "trust the cluster's host key (asks)",
    footer: "trust",
    when: withCluster,
    run: (c) => {
      const cl = c.selected!;
      if (c.tasks?.get(`cluster:${cl.name}`)?.state === "running") {
        c.nav.flash(`${cl.name}: a check is already running`, "error");
        return;
      }
      c.nav.flash(`asking ${cl.hostname}:${cl.port} for its host key…`);
      offeredKey(cl).then(
        (k) => c.ask({ kind: "trust", cluster: cl, ...k }),
        (err: Error) => c.nav.flash(`${cl.name}: cannot get the host key — ${oneLine(err.message)}`, "error"),
      );
    },
  },
  {
    on: ["d"],
    does: "remove the cluster (asks; its jobs stay)",
    footer: "remove",
    when: withCluster,
    run: (c) => c.ask({ kind: "delete", cluster: c.selected! }),
  },
];

export function ClustersScreen({ width, height }: { width: number; height: number }) {
  const nav = useNav();
  const color = useColor();
  const { store } = useProject();
  const tasks = useContext(TasksContext);
  const clusters = useClusters();
  const [{ cursor, form, pending }, dispatch] = useReducer(clustersReducer, INITIAL_CLUSTERS_STATE);
  const selected = clusters[Math.min(cursor, clusters.length - 1)] ?? null;
  const task = useTask(selected ? `cluster:${selected.name}` : null);
  const ctx: ClustersCtx = {
    nav,
    tasks,
    clusters,
    move: (by) => dispatch({ type: "move", by, count: clusters.length }),
    selected,
    setForm: (f) => dispatch({ type: "form", editing: f.editing }),
    ask: (p) => dispatch({ type: "ask", pending: p }),
  };
  useBindings("clusters", CLUSTERS_BINDINGS, ctx, {
    active: form === null && pending === null,
    global: true,
  });

  if (form) {
    return (
      <ClusterForm
        editing={form.editing}
        width={width}
        height={height}
        onDone={() => dispatch({ type: "form done" })}
      />
    );
  }

  const answer = (yes: boolean) => {
    const p = pending;
    dispatch({ type: "answer", yes });
    if (!yes || !p) return;
    if (p.kind === "delete") {
      void runAction(nav, async () => {
        // refused while it has unfinished jobs (they would wait for ever): the message says so
        await removeCluster(store, p.cluster.name);
        return `cluster ${p.cluster.name} removed; its finished jobs stay`;
      });
    } else if (tasks) {
      // trust exactly the key the user saw: the command refuses if the host now offers another
      tasks.run(`cluster:${p.cluster.name}`, `trusting ${p.cluster.name}'s host key`, [
        "cluster",
        "trust",
        p.cluster.name,
        "--fingerprint",
        p.fingerprint,
        "--yes",
      ]);
    }
  };

  const nameW = Math.max(8, Math.min(20, width - 71));
  const hostW = Math.max(10, width - nameW - 53);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {clusters.length === 0 ? (
        <Box flexDirection="column">
          <Text>No clusters yet — jobs run on this machine.</Text>
          <Text dimColor>Press a to add one (or `crystal-tui cluster add`).</Text>
        </Box>
      ) : (
        <Box flexDirection="column" height={Math.max(1, height - 4 - (pending ? 1 : 0))} overflowY="hidden">
          <Text bold wrap="truncate-end">
            {" "}
            {"NAME".padEnd(nameW)} {"TYPE".padEnd(6)} {"USER@HOST:PORT".padEnd(hostW)} {"STATUS".padEnd(9)}{" "}
            {"CONNECTION".padEnd(12)} ACTIVE
          </Text>
          {clusters.map((c, i) => (
            <Text key={c.id} inverse={i === cursor} wrap="truncate-end">
              {i === cursor ? "›" : " "}
              {clip(c.name, nameW).padEnd(nameW)} {c.type.padEnd(6)}{" "}
              {clip(`${c.username}@${c.hostname}:${c.port}`, hostW).padEnd(hostW)}{" "}
              <Text color={color(c.status === "active" ? "green" : c.status === "error" ? "red" : "gray")}>
                {(c.status === "active" ? "● " : c.status === "error" ? "✖ " : "○ ") + c.status.padEnd(7)}
              </Text>{" "}
              <Text color={color(CONNECTION_COLOR[c.connection?.status ?? "none"])}>
                {(c.connection?.status ?? "—").padEnd(12)}
              </Text>{" "}
              {c.activeJobs}
            </Text>
          ))}
        </Box>
      )}
      {selected ? (
        <Box flexDirection="column" height={3}>
          <Text dimColor wrap="truncate-end">
            {selected.name}:{" "}
            {selected.config.remote_dir
              ? `jobs in ${selected.config.remote_dir}`
              : "jobs in the default remote folder"}
            {selected.config.partition ? `, partition ${selected.config.partition}` : ""}
          </Text>
          <TaskLine task={task} width={width} />
          {task && task.lines.length > 1 ? (
            <Text dimColor wrap="truncate-end">
              {task.lines[task.lines.length - 2]}
            </Text>
          ) : null}
        </Box>
      ) : null}
      {pending ? (
        <Confirm
          question={
            pending.kind === "delete"
              ? `Remove cluster ${pending.cluster.name}? Its jobs stay, without a cluster.`
              : `${pending.cluster.hostname}:${pending.cluster.port} offers ${pending.keyType} ${pending.fingerprint} — trust it for ${pending.cluster.name}?`
          }
          onAnswer={answer}
        />
      ) : null}
    </Box>
  );
}
