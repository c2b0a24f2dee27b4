// What SLURM says about a job, read from squeue / sacct / scontrol output, and what that means for a
// crystal-tui job: queued, running, or finished with the reason in a chemist's words (walltime, out
// of memory, node failure, cancelled by whom). Pure functions: the SLURM runner feeds them the text
// of its (at most two) remote commands per poll.
//
// The rule that matters most: absence from squeue never means success by itself. A job that left
// squeue is finished only when accounting (sacct), the controller (scontrol) or the job's own exit
// record says how it ended.
import type { SchedulerAccounting } from "../domain/accounting.js";
import { signalName } from "../domain/signals.js";
import type { RunState } from "./types.js";

/** The squeue format the runner asks for: one line per job, fields separated by `|`. */
export const SQUEUE_FORMAT = "%i|%T|%r|%N|%S|%e|%P|%u|%l|%q|%a";
/** The queue screen's squeue format: the runner's, then the job's name (last: a name may hold `|`). */
export const QUEUE_SCREEN_FORMAT = `${SQUEUE_FORMAT}|%j`;
/**
 * The sacct fields the runner asks for (`sacct -n -P -o …`, steps included), in this order. MaxRSS
 * is only on the steps (`123.batch`, `123.0`), never on the job's own line: parseSacct folds them in.
 */
export const SACCT_FIELDS =
  "JobIDRaw,State,ExitCode,Start,End,NodeList,Timelimit,Partition,MaxRSS,ElapsedRaw";
/** The fields `sacct -c` (jobcomp, no accounting database) can answer, in this order. */
export const SACCT_JOBCOMP_FIELDS = "JobID,State,ExitCode,Start,End,NodeList,Timelimit,Partition";
/**
 * Times as seconds since the epoch: SLURM prints local times without their UTC offset by default,
 * and cuts longer formats to 19 characters. Set as SLURM_TIME_FORMAT for squeue, sacct, scontrol.
 */
export const SLURM_TIME_FORMAT = "%s";

/** One job as a SLURM command reports it. */
export interface SlurmRecord {
  id: string;
  /** Base state (RUNNING, CANCELLED, …) without decorations like "by 1001" or "+". */
  state: string;
  /** SLURM's reason code (Dependency, Resources, NonZeroExitCode, …), if given. */
  reason?: string;
  /** The uid that cancelled the job ("CANCELLED by 1001"). */
  cancelledByUid?: string;
  exitCode?: number;
  /** The signal that ended the job's batch script, as a number ("0:15" → 15). */
  exitSignal?: number;
  nodeList?: string;
  /** UTC, "YYYY-MM-DD HH:MM:SS" like the database's timestamps. */
  start?: string;
  end?: string;
  partition?: string;
  user?: string;
  timeLimit?: string;
  qos?: string;
  account?: string;
  /** sacct's ElapsedRaw: the run's wall-clock seconds. */
  elapsedS?: number;
  /** The highest MaxRSS of the job's steps, in MB (sacct only; absent when no step has one). */
  maxRssMb?: number;
}

/** Where a job stands in SLURM's state machine. */
export type SlurmPhase = "queued" | "running" | "finished";

const QUEUED = new Set([
  "PENDING",
  "REQUEUED",
  "REQUEUE_HOLD",
  "REQUEUE_FED",
  "RESV_DEL_HOLD",
  "SPECIAL_EXIT", // held for the user after a failure; it may run again
]);
const RUNNING = new Set([
  "RUNNING",
  "CONFIGURING",
  // the batch script ended but the epilog still runs: the outcome is not final yet
  "COMPLETING",
  "STAGE_OUT",
  "SIGNALING",
  "SUSPENDED",
  "STOPPED",
  "RESIZING",
]);
/** The states of a job that has ended, one way or another. */
export const FINISHED_STATES = [
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
  "REVOKED",
] as const;
const FINISHED = new Set<string>(FINISHED_STATES);

/** Whether SLURM's state is queued, running or finished; null for a state this code does not know. */
export function phaseOf(state: string): SlurmPhase | null {
  const s = baseState(state);
  if (QUEUED.has(s)) return "queued";
  if (RUNNING.has(s)) return "running";
  if (FINISHED.has(s)) return "finished";
  return null;
}

/** "CANCELLED by 1001" → "CANCELLED"; "RUNNING+" → "RUNNING"; "CA" stays as is. */
export function baseState(state: string): string {
  return (state.trim().split(/\s+/)[0] ?? "").replace(/\+$/, "").toUpperCase();
}

function field(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === "" || /^(N\/A|NONE|None|None assigned|Unknown|\(null\)|\(None\))$/.test(v)) return undefined;
  return v;
}

/**
 * A SLURM time printed with SLURM_TIME_FORMAT (epoch seconds), or in SLURM's default format (local
 * time, taken as UTC), as the database stores times: "YYYY-MM-DD HH:MM:SS" in UTC. Undefined for
 * N/A, Unknown, None, ….
 */
export function slurmTime(value: string | undefined): string | undefined {
  const v = field(value);
  if (!v) return undefined;
  if (/^\d{1,12}$/.test(v)) {
    const seconds = Number(v);
    if (seconds <= 0) return undefined;
    return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
  }
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:([+-])(\d{2}):?(\d{2})|Z)?$/.exec(v);
  if (!m) return undefined;
  const offset = m[3] ? `${m[3]}${m[4]}:${m[5]}` : "Z";
  const t = new Date(`${m[1]}T${m[2]}${offset}`);
  if (Number.isNaN(t.getTime())) return undefined;
  return t.toISOString().slice(0, 19).replace("T", " ");
}

const MB_PER_UNIT: Record<string, number> = {
  "": 1 / 1024 / 1024,
  K: 1 / 1024,
  M: 1,
  G: 1024,
  T: 1024 * 1024,
  P: 1024 ** 3,
};

/**
 * A SLURM memory figure ("129168K", "12M", "1.5G"; a bare number is bytes, as SLURM prints a unit for
 * anything else) in MB, to 0.1 MB; undefined for an empty or unreadable one.
 */
export function parseMemMb(value: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGTP]?)$/i.exec(value?.trim() ?? "");
  if (!m) return undefined;
  const mb = Number(m[1]) * MB_PER_UNIT[m[2]!.toUpperCase()]!;
  return Number.isFinite(mb) ? Math.round(mb * 10) / 10 : undefined;
}

/** "3:0" → exit 3; "0:15" → signal 15. */
function exitParts(value: string | undefined): { exitCode?: number; exitSignal?: number } {
  const m = /^(\d+):(\d+)$/.exec(value?.trim() ?? "");
  if (!m) return {};
  const code = Number(m[1]);
  const signal = Number(m[2]);
  return { exitCode: code, ...(signal > 0 ? { exitSignal: signal } : {}) };
}

function stateParts(value: string): { state: string; cancelledByUid?: string } {
  const state = baseState(value);
  const by = /\bby\s+(\d+)/.exec(value);
  return { state, ...(by ? { cancelledByUid: by[1]! } : {}) };
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The sections of a multi-command answer: `@@name [rc]` lines start each (the rc becomes `#rc N`). */
export function splitSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name = "";
  let lines: string[] = [];
  const flush = () => {
    if (name) out.set(name, lines.join("\n"));
  };
  for (const line of text.split("\n")) {
    const m = /^@@(\w+)(?: (.*))?$/.exec(line);
    if (m) {
      flush();
      name = m[1]!;
      lines = m[2] !== undefined ? [`#rc ${m[2]}`] : [];
    } else lines.push(line);
  }
  flush();
  return out;
}

/** Lines of `squeue -h -o SQUEUE_FORMAT`; other lines (errors, blank) are ignored. */
export function parseSqueue(text: string): Map<string, SlurmRecord> {
  const out = new Map<string, SlurmRecord>();
  for (const line of text.split("\n")) {
    const parts = line.split("|");
    if (parts.length < 9 || !/^\d+$/.test(parts[0]!.trim())) continue;
    const [id, state, reason, nodes, start, end, partition, user, limit, qos, account] = parts.map((p) =>
      p.trim(),
    );
    out.set(
      id!,
      defined({
        id: id!,
        ...stateParts(state!),
        reason: field(reason),
        nodeList: field(nodes),
        start: slurmTime(start),
        end: slurmTime(end),
        partition: field(partition),
        user: field(user),
        timeLimit: field(limit),
        qos: field(qos),
        account: field(account),
      }),
    );
  }
  return out;
}

/** Lines of `squeue -h -o QUEUE_SCREEN_FORMAT`: each job's record and its name, in squeue's order. */
export function parseQueue(text: string): { record: SlurmRecord; name: string }[] {
  const records = parseSqueue(text);
  const out: { record: SlurmRecord; name: string }[] = [];
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    const parts = line.split("|");
    const record = records.get(parts[0]!.trim());
    if (!record || parts.length < 12 || seen.has(record.id)) continue;
    seen.add(record.id);
    out.push({ record, name: parts.slice(11).join("|").trim() });
  }
  return out;
}

/**
 * Lines of `sacct -n -P -o SACCT_FIELDS` (or `sacct -c` with SACCT_JOBCOMP_FIELDS): one record per
 * job, its steps' (123.batch, 123.0, 123.extern) highest MaxRSS folded in.
 */
export function parseSacct(text: string): Map<string, SlurmRecord> {
  const out = new Map<string, SlurmRecord>();
  const stepRss = new Map<string, number>();
  for (const line of text.split("\n")) {
    const parts = line.split("|");
    if (parts.length < 8) continue;
    const [id, state, exit, start, end, nodes, limit, partition, maxRss, elapsed] = parts.map((p) =>
      p.trim(),
    );
    const step = /^(\d+)\.\w+$/.exec(id!);
    if (step) {
      const mb = parseMemMb(maxRss);
      if (mb !== undefined) stepRss.set(step[1]!, Math.max(mb, stepRss.get(step[1]!) ?? 0));
      continue;
    }
    // array / het members (123_4, 123+1) are not the job itself
    if (!/^\d+$/.test(id!)) continue;
    out.set(
      id!,
      defined({
        id: id!,
        ...stateParts(state!),
        ...exitParts(exit),
        start: slurmTime(start),
        end: slurmTime(end),
        nodeList: field(nodes),
        timeLimit: field(limit),
        partition: field(partition),
        elapsedS: /^\d+$/.test(elapsed ?? "") ? Number(elapsed) : undefined,
      }),
    );
  }
  for (const [id, mb] of stepRss) {
    const rec = out.get(id);
    if (rec) rec.maxRssMb = mb;
  }
  return out;
}

/** What accounting says of a job it has a final record of (sacct's fields, not the controller's). */
export function accountingFrom(record: SlurmRecord): SchedulerAccounting {
  return {
    state: record.state,
    exitCode: record.exitCode === undefined ? null : `${record.exitCode}:${record.exitSignal ?? 0}`,
    elapsedS: record.elapsedS ?? null,
    maxRssMb: record.maxRssMb ?? null,
  };
}

/** `scontrol show job -o` output: one line per job of KEY=VALUE words. */
export function parseScontrol(text: string): Map<string, SlurmRecord> {
  const out = new Map<string, SlurmRecord>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("JobId=")) continue;
    const kv = new Map<string, string>();
    for (const m of line.matchAll(/(?:^|\s)([A-Za-z/:]+)=(\S*)/g)) {
      if (!kv.has(m[1]!)) kv.set(m[1]!, m[2]!);
    }
    const id = kv.get("JobId");
    if (!id || !/^\d+$/.test(id)) continue;
    const user = /^([^(]+)/.exec(kv.get("UserId") ?? "")?.[1];
    out.set(
      id,
      defined({
        id,
        ...stateParts(kv.get("JobState") ?? ""),
        reason: field(kv.get("Reason")),
        ...exitParts(kv.get("ExitCode")),
        nodeList: field(kv.get("NodeList")),
        start: slurmTime(kv.get("StartTime")),
        end: slurmTime(kv.get("EndTime")),
        partition: field(kv.get("Partition")),
        user: field(user),
        timeLimit: field(kv.get("TimeLimit")),
      }),
    );
  }
  return out;
}

/** What a finished-state mapping needs to know besides SLURM's record. */
export interface MappingContext {
  /** crystal-tui asked for the cancel itself (the job's cancel_requested). */
  cancelRequested?: boolean;
  /** The job's --time, for the walltime reason. */
  timeLimit?: string;
  /** The job's --mem, for the out-of-memory reason. */
  mem?: string;
  /** Names of uids seen in "CANCELLED by UID" (resolved on the cluster). */
  userNames?: Map<string, string>;
  /** CRYSTAL's own exit code, recorded by the batch script (more precise than the script's). */
  crystalExitCode?: number;
}

/**
 * The reason a finished SLURM job gives in a chemist's words, or undefined when SLURM's verdict adds
 * nothing to the exit code and the output (COMPLETED, FAILED).
 */
export function reasonFor(record: SlurmRecord, ctx: MappingContext = {}): string | undefined {
  switch (record.state) {
    case "TIMEOUT": {
      const limit = ctx.timeLimit ?? record.timeLimit;
      return `walltime exceeded${limit ? ` (--time ${limit})` : ""}`;
    }
    case "OUT_OF_MEMORY":
      return `out of memory${ctx.mem ? ` (--mem ${ctx.mem})` : ""}`;
    case "NODE_FAIL":
      return `node failure${record.nodeList ? ` on ${record.nodeList}` : ""}`;
    case "BOOT_FAIL":
      return "the node failed to boot (BOOT_FAIL)";
    case "PREEMPTED":
      return "preempted by the scheduler for another job";
    case "DEADLINE":
      return "its deadline passed before it could finish";
    case "REVOKED":
      return "revoked by the scheduler (it ran on another cluster of the federation)";
    case "CANCELLED": {
      if (ctx.cancelRequested) return undefined;
      const uid = record.cancelledByUid;
      if (uid === undefined) return "cancelled outside crystal-tui";
      const name = ctx.userNames?.get(uid);
      if (uid === "0" && !name) return "cancelled by root (an administrator) outside crystal-tui";
      return `cancelled by ${name ?? `uid ${uid}`} outside crystal-tui`;
    }
    default:
      return undefined;
  }
}

/** A SLURM record as the engine's RunState. */
export function runStateOf(record: SlurmRecord, ctx: MappingContext = {}): RunState {
  const phase = phaseOf(record.state);
  switch (phase) {
    case "queued":
      // squeue's %r is "None" while a pending job has no reason (yet)
      return {
        state: "queued",
        ...(record.reason && record.reason !== "None" ? { detail: record.reason } : {}),
      };
    case "running":
      return defined({ state: "running" as const, nodeList: record.nodeList, startedAt: record.start });
    case "finished": {
      const exitCode = ctx.crystalExitCode ?? record.exitCode ?? null;
      const reason = reasonFor(record, ctx);
      return defined({
        state: "finished" as const,
        exitCode,
        signal:
          record.exitSignal !== undefined && ctx.crystalExitCode === undefined
            ? signalName(record.exitSignal)
            : undefined,
        schedulerState: record.state,
        // COMPLETED and FAILED are the script's own ending; any other final state is SLURM's doing
        stoppedByScheduler: record.state !== "COMPLETED" && record.state !== "FAILED" ? true : undefined,
        reason,
        cancelled: record.state === "CANCELLED" ? true : undefined,
        startedAt: record.start,
        endedAt: record.end,
      });
    }
    default:
      return { state: "unknown", reason: `SLURM reports the unfamiliar state ${record.state}` };
  }
}

/** How long to wait for accounting to catch up with a job that ended, before doing without it. */
export const ACCOUNTING_LAG_MS = 30_000;

/** Everything known about a job that is no longer queued or running in squeue. */
export interface EndedEvidence {
  slurmJobId: string;
  /** Its run folder and cluster, for messages. */
  dir: string;
  cluster: string;
  /** sacct (accounting), scontrol (the controller), sacct -c (jobcomp), squeue -t all. */
  acct?: SlurmRecord;
  ctl?: SlurmRecord;
  comp?: SlurmRecord;
  queue?: SlurmRecord;
  ctx: MappingContext;
  /** How long the runner has already waited for accounting to name who cancelled it. */
  waitedMs: number;
}

function mergeRecords(records: (SlurmRecord | undefined)[]): SlurmRecord | undefined {
  const present = records.filter((r): r is SlurmRecord => r !== undefined);
  if (present.length === 0) return undefined;
  // the first record decides; the others fill in what it lacks
  return Object.assign({}, ...[...present].reverse()) as SlurmRecord;
}

/**
 * The state of a job that left squeue (or shows a final state there). Finished only when a record
 * says how it ended, or its batch script recorded an exit code; never because it is merely absent.
 */
export function endedStateOf(e: EndedEvidence): { state: RunState; waitingForAccounting: boolean } {
  const { acct, ctl, comp, queue, ctx } = e;
  const final = (r: SlurmRecord | undefined) => (r && phaseOf(r.state) === "finished" ? r : undefined);
  const acctFinal = final(acct);
  if (acctFinal) {
    const state = runStateOf(mergeRecords([acctFinal, final(ctl), final(queue)])!, ctx);
    return {
      state: state.state === "finished" ? { ...state, accounting: accountingFrom(acctFinal) } : state,
      waitingForAccounting: false,
    };
  }
  const other = mergeRecords([final(ctl), final(comp), final(queue)]);
  if (other) {
    // accounting names who cancelled a job, and may be a moment late: wait a little for it
    if (
      other.state === "CANCELLED" &&
      !ctx.cancelRequested &&
      acct !== undefined &&
      e.waitedMs < ACCOUNTING_LAG_MS
    ) {
      return {
        state: { state: "running", ...(other.nodeList ? { nodeList: other.nodeList } : {}) },
        waitingForAccounting: true,
      };
    }
    return { state: runStateOf(other, ctx), waitingForAccounting: false };
  }
  // no record says it ended: if one says it is still there, believe it
  const active = [ctl, acct].find(
    (r) => r && (phaseOf(r.state) === "queued" || phaseOf(r.state) === "running"),
  );
  if (active) return { state: runStateOf(active, ctx), waitingForAccounting: false };
  if (ctx.crystalExitCode !== undefined) {
    return {
      state: {
        state: "finished",
        exitCode: ctx.crystalExitCode,
        reason: `SLURM keeps no record of job ${e.slurmJobId} any more; its batch script recorded exit code ${ctx.crystalExitCode}`,
      },
      waitingForAccounting: false,
    };
  }
  return {
    state: {
      state: "lost",
      reason: `lost: SLURM on ${e.cluster} has no record of job ${e.slurmJobId} (squeue, sacct and scontrol know nothing of it) and it left no exit code in ${e.dir}`,
    },
    waitingForAccounting: false,
  };
}
