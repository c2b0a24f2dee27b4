// A workflow file (YAML): named steps, each from a template (+ parameters) or a deck file, or an
// aggregation over another step; `after_ok` / `after_any` / `after_failed` edges; sweeps
// (`foreach` over a list or a range); data passed between steps (geometry, wavefunction, Hessian,
// results in parameters). This module reads and checks the file's own structure — nothing that
// needs templates, clusters or the database; src/workflows/plan.ts does the rest. A step's sweep
// (`foreach`) is read by sweeps.ts; problems are collected by problems.ts.
//
//   name: mgo-opt-freq
//   params: {basis: STO-3G}              # workflow parameters, `--set basis=POB-TZVP` overrides
//   defaults: {recovery: {max_attempts: 3}}
//   steps:
//     opt:  {template: optimise, params: {basis: "{{ params.basis }}"}}
//     freq: {template: frequencies, geometry_from: opt, params: {basis: "{{ params.basis }}"}}
import path from "node:path";
import { DEPENDENCY_TYPES, type DependencyType } from "../domain/dependencies.js";
import { UserError } from "../domain/errors.js";
import { RECOVERY_TRIGGERS, type RecoveryTrigger } from "../domain/failures.js";
import { findCycle } from "../domain/graph.js";
import type { Parallelism } from "../domain/types.js";
import { checkPriority } from "../domain/whole-numbers.js";
import { Problems } from "./problems.js";
import { isScalarValue, parseForeach, type SweepVar } from "./sweeps.js";
import { readYaml } from "./yaml-document.js";

export { RECOVERY_TRIGGERS, type RecoveryTrigger };

export interface RecoveryPolicy {
  /** Attempts in all, the first run included. */
  max_attempts: number;
  /** Failures that are retried. */
  on: RecoveryTrigger[];
}

export const DEFAULT_RECOVERY: RecoveryPolicy = { max_attempts: 3, on: [...RECOVERY_TRIGGERS] };

export type AggregateType = "convergence" | "eos";

export interface AggregateDecl {
  type: AggregateType;
  /** The (sweep) step whose jobs are aggregated. */
  over: string;
  /** convergence: the result compared (a key of the parsed output, dots for nested keys). */
  quantity: string;
  /** convergence: agreement wanted with the last value, in the quantity's unit. */
  tolerance: number;
  /** convergence: the scanned variable shown (default: the step's only foreach variable). */
  by: string | null;
  /** eos: the energy used (default final_energy_hartree). */
  energy: string;
  /** eos: the cell volume of each point, as an expression of its sweep values (default: from the output's cell). */
  volume: string | null;
}

export interface StepEdge {
  step: string;
  type: DependencyType;
}

export type StepKind = "template" | "deck" | "aggregate";

export interface StepDecl {
  name: string;
  kind: StepKind;
  template: string | null;
  /** A deck file, resolved against the workflow file's folder. */
  deckFile: string | null;
  aux: string[];
  params: Record<string, unknown>;
  foreach: SweepVar[];
  /** Edges written in the file. */
  after: StepEdge[];
  geometryFrom: string | null;
  wavefunctionFrom: string | null;
  hessianFrom: string | null;
  cluster: string | null;
  parallelism: Parallelism;
  priority: number;
  recovery: RecoveryPolicy | null;
  aggregate: AggregateDecl | null;
  /** Steps whose results the parameters use (`{{ steps.opt.final_energy_hartree }}`). */
  refs: string[];
}

export interface WorkflowFile {
  name: string;
  description: string;
  /** Workflow parameters and their defaults; null = must be given with --set. */
  params: Record<string, unknown>;
  steps: StepDecl[];
  source: string;
  sourcePath: string | null;
  /** Relative deck and aux paths are resolved against this folder. */
  baseDir: string;
}

const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

const STEP_KEYS = new Set([
  "template",
  "deck",
  "aux",
  "params",
  "foreach",
  "after_ok",
  "after_any",
  "after_failed",
  "geometry_from",
  "wavefunction_from",
  "hessian_from",
  "cluster",
  "parallelism",
  "priority",
  "recovery",
  "aggregate",
  "over",
  "quantity",
  "tolerance",
  "by",
  "energy",
  "volume",
  "description",
]);
const PARALLELISM_KEYS = new Set([
  "mpi_ranks",
  "threads_per_rank",
  "nodes",
  "time",
  "partition",
  "qos",
  "account",
  "mem",
  "constraint",
]);

/** Steps named in `steps.NAME` or `steps["NAME"]` of a text. */
export function stepRefsIn(text: string): string[] {
  const refs = new Set<string>();
  for (const m of text.matchAll(
    /\bsteps\s*(?:\.\s*([A-Za-z][A-Za-z0-9_]*)|\[\s*["']([A-Za-z][A-Za-z0-9_-]*)["']\s*\])/g,
  )) {
    refs.add((m[1] ?? m[2])!);
  }
  return [...refs];
}

export function isExpression(value: unknown): value is string {
  return typeof value === "string" && (value.includes("{{") || value.includes("{%"));
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function parseRecovery(raw: unknown, where: string, problems: Problems): RecoveryPolicy | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === false || raw === null) return null;
  if (raw === true) return { ...DEFAULT_RECOVERY, on: [...DEFAULT_RECOVERY.on] };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.add(
      `${where}: recovery must be false, true, or {max_attempts: N, on: [${RECOVERY_TRIGGERS.join(", ")}]}`,
    );
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (k !== "max_attempts" && k !== "on")
      problems.add(`${where}: recovery has no setting ${k} (max_attempts, on)`);
  }
  const max = r.max_attempts ?? DEFAULT_RECOVERY.max_attempts;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 10) {
    problems.add(`${where}: recovery max_attempts must be a whole number from 1 to 10`);
  }
  const on = r.on === undefined ? [...DEFAULT_RECOVERY.on] : asList(r.on);
  for (const t of on) {
    if (!RECOVERY_TRIGGERS.includes(t as RecoveryTrigger)) {
      problems.add(
        `${where}: recovery cannot act on ${JSON.stringify(t)} — it knows ${RECOVERY_TRIGGERS.join(", ")}`,
      );
    }
  }
  return { max_attempts: Number(max), on: on as RecoveryTrigger[] };
}

function parseParallelism(raw: unknown, where: string, problems: Problems): Parallelism {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.add(`${where}: parallelism must be a mapping (mpi_ranks, threads_per_rank, nodes, time, …)`);
    return {};
  }
  for (const k of Object.keys(raw as object)) {
    if (!PARALLELISM_KEYS.has(k))
      problems.add(`${where}: parallelism has no setting ${k} (${[...PARALLELISM_KEYS].join(", ")})`);
  }
  return raw as Parallelism;
}

function stringOrNull(v: unknown, key: string, where: string, problems: Problems): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || v.trim() === "") {
    problems.add(`${where}: ${key} must be a step name`);
    return null;
  }
  return v;
}

function parseStep(
  name: string,
  raw: unknown,
  defaults: Record<string, unknown>,
  baseDir: string,
  problems: Problems,
): StepDecl | null {
  const where = `step ${name}`;
  if (!STEP_NAME.test(name)) {
    problems.add(
      `${where}: a step name must start with a letter and use letters, digits, '_' or '-' (at most 40)`,
    );
    return null;
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    problems.add(`${where}: must be a mapping with template, deck or aggregate`);
    return null;
  }
  const s = raw as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (!STEP_KEYS.has(k)) problems.add(`${where}: unknown setting ${k}`);
  }
  const sources = ["template", "deck", "aggregate"].filter((k) => s[k] !== undefined);
  if (sources.length !== 1) {
    problems.add(`${where}: give exactly one of template, deck or aggregate`);
    return null;
  }
  const kind = (sources[0] === "aggregate" ? "aggregate" : sources[0]) as StepKind;
  const after: StepEdge[] = [];
  for (const type of DEPENDENCY_TYPES) {
    for (const target of asList(s[type])) {
      if (typeof target !== "string") problems.add(`${where}: ${type} must list step names`);
      else after.push({ step: target, type });
    }
  }
  const params = s.params ?? {};
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    problems.add(`${where}: params must be a mapping of template parameters`);
  }
  const paramValues = (
    typeof params === "object" && params && !Array.isArray(params) ? params : {}
  ) as Record<string, unknown>;
  for (const [k, v] of Object.entries(paramValues)) {
    if (!isScalarValue(v)) problems.add(`${where}: parameter ${k} must be a number, a word or an expression`);
  }
  const refs = new Set<string>();
  for (const v of Object.values(paramValues))
    if (typeof v === "string") for (const r of stepRefsIn(v)) refs.add(r);

  const step: StepDecl = {
    name,
    kind,
    template: null,
    deckFile: null,
    aux: [],
    params: paramValues,
    foreach: parseForeach(s.foreach, where, problems),
    after,
    geometryFrom: stringOrNull(s.geometry_from, "geometry_from", where, problems),
    wavefunctionFrom: stringOrNull(s.wavefunction_from, "wavefunction_from", where, problems),
    hessianFrom: stringOrNull(s.hessian_from, "hessian_from", where, problems),
    cluster: null,
    parallelism: parseParallelism(s.parallelism ?? defaults.parallelism, where, problems),
    priority: 0,
    recovery: null,
    aggregate: null,
    refs: [...refs],
  };
  const cluster = s.cluster ?? defaults.cluster;
  if (cluster !== undefined && cluster !== null && cluster !== "local") {
    if (typeof cluster !== "string") problems.add(`${where}: cluster must be a cluster name`);
    else step.cluster = cluster;
  }
  const priority = s.priority ?? defaults.priority ?? 0;
  try {
    step.priority = checkPriority(priority, `${where}: priority`);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    problems.add(err.message);
  }
  const recovery = parseRecovery(s.recovery, where, problems);
  const defaultRecovery = parseRecovery(defaults.recovery, "defaults", problems);
  step.recovery =
    recovery !== undefined
      ? recovery
      : defaultRecovery !== undefined
        ? defaultRecovery
        : { ...DEFAULT_RECOVERY };

  if (kind === "template") {
    if (typeof s.template !== "string" || s.template.trim() === "")
      problems.add(`${where}: template must be a template name`);
    else step.template = s.template;
  } else if (kind === "deck") {
    if (typeof s.deck !== "string" || s.deck.trim() === "")
      problems.add(`${where}: deck must be the path of a .d12 file`);
    else step.deckFile = path.resolve(baseDir, s.deck);
    step.aux = asList(s.aux).map((a) => path.resolve(baseDir, String(a)));
    if (Object.keys(paramValues).length > 0)
      problems.add(`${where}: a deck file takes no params — use a template`);
    if (step.foreach.length > 0)
      problems.add(`${where}: a deck file cannot be swept — use a template with foreach`);
  } else {
    step.aggregate = parseAggregate(s, where, problems);
    step.recovery = null;
    for (const key of [
      "params",
      "foreach",
      "geometry_from",
      "wavefunction_from",
      "hessian_from",
      "cluster",
      "parallelism",
    ]) {
      if (s[key] !== undefined)
        problems.add(`${where}: an aggregate step runs no calculation, so it takes no ${key}`);
    }
  }
  if (kind !== "deck" && s.aux !== undefined) problems.add(`${where}: aux files are for deck steps`);
  return step;
}

function parseAggregate(s: Record<string, unknown>, where: string, problems: Problems): AggregateDecl | null {
  const type = s.aggregate;
  if (type !== "convergence" && type !== "eos") {
    problems.add(`${where}: aggregate must be convergence or eos`);
    return null;
  }
  if (typeof s.over !== "string") {
    problems.add(`${where}: an aggregate needs over: <the step whose jobs it aggregates>`);
    return null;
  }
  const tolerance = s.tolerance ?? 1e-5;
  if (typeof tolerance !== "number" || !(tolerance > 0))
    problems.add(`${where}: tolerance must be a positive number`);
  if (s.volume !== undefined && typeof s.volume !== "string" && typeof s.volume !== "number") {
    problems.add(`${where}: volume must be an expression such as "{{ a ** 3 / 4 }}"`);
  }
  if (type === "convergence" && s.volume !== undefined)
    problems.add(`${where}: volume is for eos aggregates`);
  return {
    type,
    over: s.over,
    quantity: typeof s.quantity === "string" ? s.quantity : "final_energy_hartree",
    tolerance: typeof tolerance === "number" ? tolerance : 1e-5,
    by: typeof s.by === "string" ? s.by : null,
    energy: typeof s.energy === "string" ? s.energy : "final_energy_hartree",
    volume: s.volume === undefined ? null : String(s.volume),
  };
}

/** Reads and checks a workflow file's structure. Every problem is a UserError naming the file and step. */
export function parseWorkflowFile(text: string, sourcePath: string | null = null): WorkflowFile {
  const label = sourcePath ? path.basename(sourcePath) : "(text)";
  const problems = new Problems(label);
  const { doc, problem } = readYaml(text);
  if (problem) {
    problems.add(problem);
    problems.throwIfAny();
  }
  const data = doc.toJS() as Record<string, unknown> | null;
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    problems.add("must be a YAML mapping with name, params and steps");
    problems.throwIfAny();
  }
  const d = data as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (!["name", "description", "params", "defaults", "steps"].includes(k)) {
      problems.add(`unknown setting ${k} (name, description, params, defaults, steps)`);
    }
  }
  const stem = sourcePath ? path.basename(sourcePath).replace(/\.ya?ml$/i, "") : "workflow";
  const name = typeof d.name === "string" ? d.name : stem;
  if (!WORKFLOW_NAME.test(name))
    problems.add(`name ${JSON.stringify(name)} must be 1–64 letters, digits, '.', '_', '+' or '-'`);
  const params = (d.params ?? {}) as Record<string, unknown>;
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    problems.add(
      "params must map each workflow parameter to its default (~ when it must be given with --set)",
    );
  } else {
    for (const [k, v] of Object.entries(params)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        problems.add(`workflow parameter ${JSON.stringify(k)} must be a plain name`);
      if (v !== null && !isScalarValue(v))
        problems.add(`workflow parameter ${k} must be a number, a word, true/false or ~`);
    }
  }
  const defaults = (d.defaults ?? {}) as Record<string, unknown>;
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) {
    problems.add("defaults must be a mapping (cluster, parallelism, priority, recovery)");
  } else {
    for (const k of Object.keys(defaults)) {
      if (!["cluster", "parallelism", "priority", "recovery"].includes(k)) {
        problems.add(`defaults has no setting ${k} (cluster, parallelism, priority, recovery)`);
      }
    }
  }
  const baseDir = sourcePath ? path.dirname(path.resolve(sourcePath)) : process.cwd();
  const rawSteps = d.steps;
  const entries: [string, unknown][] = [];
  if (Array.isArray(rawSteps)) {
    rawSteps.forEach((s, i) => {
      const n = (s as Record<string, unknown>)?.name;
      if (typeof n !== "string") problems.add(`steps[${i}] needs a name`);
      else {
        const { name: _name, ...rest } = s as Record<string, unknown>;
        entries.push([n, rest]);
      }
    });
  } else if (rawSteps && typeof rawSteps === "object") {
    entries.push(...Object.entries(rawSteps as Record<string, unknown>));
  } else {
    problems.add("has no steps — list them under steps:, each with a template, a deck or an aggregate");
  }
  const steps: StepDecl[] = [];
  const seen = new Set<string>();
  for (const [stepName, raw] of entries) {
    if (seen.has(stepName)) problems.add(`step ${stepName} is defined twice`);
    seen.add(stepName);
    const step = parseStep(
      stepName,
      raw,
      (typeof defaults === "object" && defaults) || {},
      baseDir,
      problems,
    );
    if (step) steps.push(step);
  }
  problems.throwIfAny();
  checkGraph(steps, problems);
  problems.throwIfAny();
  return {
    name,
    description: typeof d.description === "string" ? d.description.trim() : "",
    params: params as Record<string, unknown>,
    steps,
    source: text,
    sourcePath: sourcePath ? path.resolve(sourcePath) : null,
    baseDir,
  };
}

/** The steps a step waits for, with the edge type: written edges plus those data passing implies. */
export function edgesOf(step: StepDecl, byName: ReadonlyMap<string, StepDecl>): StepEdge[] {
  const edges = new Map<string, DependencyType>();
  for (const e of step.after) edges.set(e.step, e.type);
  const implied = [step.geometryFrom, step.wavefunctionFrom, step.hessianFrom, ...step.refs].filter(
    (s): s is string => s !== null,
  );
  for (const s of implied) {
    if (edges.has(s)) continue;
    // results of an aggregate exist once its points have finished, whichever way they ended
    edges.set(s, byName.get(s)?.kind === "aggregate" ? "after_any" : "after_ok");
  }
  if (step.aggregate) edges.set(step.aggregate.over, "after_any");
  return [...edges].map(([s, type]) => ({ step: s, type }));
}

function checkGraph(steps: StepDecl[], problems: Problems): void {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const names = steps.map((s) => s.name).join(", ");
  for (const step of steps) {
    const where = `step ${step.name}`;
    for (const e of step.after) {
      if (!byName.has(e.step))
        problems.add(`${where}: ${e.type} names unknown step ${JSON.stringify(e.step)} (steps: ${names})`);
      else if (e.step === step.name) problems.add(`${where}: a step cannot wait for itself`);
    }
    const dataLinks: [string, string | null][] = [
      ["geometry_from", step.geometryFrom],
      ["wavefunction_from", step.wavefunctionFrom],
      ["hessian_from", step.hessianFrom],
    ];
    for (const [key, target] of dataLinks) {
      if (target === null) continue;
      const t = byName.get(target);
      if (!t) problems.add(`${where}: ${key} names unknown step ${JSON.stringify(target)} (steps: ${names})`);
      else if (t.kind === "aggregate")
        problems.add(`${where}: ${key} must name a calculation, not the aggregate ${target}`);
      else if (t.foreach.length > 0) {
        problems.add(`${where}: ${key} must name a step with one job; ${target} is a sweep (foreach)`);
      } else if (target === step.name) problems.add(`${where}: ${key} cannot name the step itself`);
    }
    for (const r of step.refs) {
      if (!byName.has(r))
        problems.add(`${where}: its parameters use steps.${r}, but there is no step ${r} (steps: ${names})`);
      else if (r === step.name) problems.add(`${where}: its parameters cannot use its own results`);
    }
    if (step.aggregate) {
      const over = byName.get(step.aggregate.over);
      if (!over)
        problems.add(
          `${where}: over names unknown step ${JSON.stringify(step.aggregate.over)} (steps: ${names})`,
        );
      else if (over.kind === "aggregate")
        problems.add(`${where}: over must name a calculation step, not the aggregate ${over.name}`);
      else if (step.aggregate.type === "convergence" && over.foreach.length > 1 && !step.aggregate.by) {
        problems.add(`${where}: ${over.name} sweeps several variables — say which one with by:`);
      }
    }
  }
  if (problems.list.length > 0) return;
  const cycle = findCycle(
    steps.map((s) => s.name),
    (n) => edgesOf(byName.get(n)!, byName).map((e) => e.step),
  );
  if (cycle) problems.add(`its steps wait for each other in a cycle: ${cycle.join(" → ")}`);
}
