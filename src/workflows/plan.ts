// From a checked workflow file to a plan: every job of every step with its deck rendered and
// validated, its cluster and resources checked, its place in the graph known. Nothing is written:
// a plan that cannot be made is one clear error and the project is untouched. Steps whose
// parameters use parents' results (`{{ steps.opt.final_energy_hartree }}`) are rendered once with
// stand-in values to check the deck, and for real when the job starts (deferred.ts).
import fs from "node:fs";
import { readDeckFile } from "../crystal/deck-file.js";
import { type CrystalProgram, DATA_LINKS, type DataLink, unprovidedInputs } from "../crystal/files.js";
import { UserError } from "../domain/errors.js";
import { topologicalOrder } from "../domain/graph.js";
import { checkParallelism } from "../domain/parallelism.js";
import type { Cluster, Parallelism, RunnerType } from "../domain/types.js";
import { noSuchCluster } from "../store/clusters.js";
import { checkDeck, firstDeckError } from "./deck-check.js";
import { evaluateExpression, renderExpression } from "./expressions.js";
import { formatCrystalNumber, parseNumber } from "./numbers.js";
import { Problems } from "./problems.js";
import { makePlaceholder } from "./sandbox.js";
import type { SweepValue } from "./spec.js";
import {
  checkTemplate,
  renderTemplate,
  type Template,
  type TemplateFolders,
  templateFinder,
  validateParams,
} from "./templates.js";
import {
  edgesOf,
  isExpression,
  type StepDecl,
  type StepEdge,
  stepRefsIn,
  type WorkflowFile,
} from "./workflow-file.js";

/** What a job needs to have its deck rendered when it starts (jobs.render_spec). */
export interface DeferredRender {
  workflow_step: string;
  /** The template as it was when the workflow was made (a later edit of the file changes nothing). */
  template: Template;
  /** Parameters already known, checked. */
  values: Record<string, unknown>;
  /** Parameters that use parents' results: expressions rendered at start. */
  param_exprs: Record<string, string>;
  /** What the expressions see besides `steps`: workflow params and the point's sweep values. */
  context: Record<string, unknown>;
  /** Steps whose results are used. */
  refs: string[];
}

export interface PlannedJob {
  name: string;
  /** Index of the sweep point (0 for a step without foreach). */
  point: number;
  sweep: Record<string, SweepValue>;
  /** The rendered deck; null when it is rendered at start. */
  deck: string | null;
  /** Template values (for re-rendering by a recovery policy); null for a deck file. */
  values: Record<string, unknown> | null;
  renderSpec: DeferredRender | null;
  /** Cell volume of this point for an eos aggregate (Å³), when given by an expression. */
  volume: number | null;
  auxFiles: string[];
}

export interface PlannedStep {
  decl: StepDecl;
  template: Template | null;
  /** What the step waits for (written edges + data passing). */
  edges: StepEdge[];
  clusterId: number | null;
  clusterName: string | null;
  runnerType: RunnerType;
  parallelism: Parallelism;
  jobs: PlannedJob[];
}

export interface Plan {
  file: WorkflowFile;
  /** Workflow parameters after --set. */
  params: Record<string, unknown>;
  /** In an order where every step comes after the steps it waits for. */
  steps: PlannedStep[];
}

export interface PlanOptions {
  /** The project's clusters, which steps name (planning reads nothing else). */
  clusters: readonly Cluster[];
  /** Whose templates/ folder is searched first. */
  projectDir?: string;
  /** `--set name=value` for workflow parameters. */
  overrides?: Record<string, string>;
  templateFolders?: Omit<TemplateFolders, "projectDir">;
}

/** The workflow parameters after `--set`: numbers and true/false stay typed like their defaults. */
function resolveParams(file: WorkflowFile, overrides: Record<string, string>, problems: Problems) {
  const params: Record<string, unknown> = { ...file.params };
  const declared = Object.keys(file.params);
  for (const [k, text] of Object.entries(overrides)) {
    if (!Object.hasOwn(file.params, k)) {
      problems.add(
        `--set ${k}: the workflow has no parameter ${k} — ${declared.length ? `its parameters are ${declared.join(", ")}` : "it declares none under params:"}`,
      );
      continue;
    }
    const def = file.params[k];
    if (typeof def === "number") {
      const n = parseNumber(text);
      params[k] = n === null ? text : n;
    } else if (typeof def === "boolean") {
      params[k] = /^(true|yes|on|1)$/i.test(text.trim())
        ? true
        : /^(false|no|off|0)$/i.test(text.trim())
          ? false
          : text;
    } else params[k] = text;
  }
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined) {
      problems.add(`workflow parameter ${k} has no value — give it with --set ${k}=…`);
    }
  }
  return params;
}

function cartesian(vars: StepDecl["foreach"]): Record<string, SweepValue>[] {
  let points: Record<string, SweepValue>[] = [{}];
  for (const v of vars) points = points.flatMap((p) => v.values.map((value) => ({ ...p, [v.name]: value })));
  return points;
}

function describePoint(sweep: Record<string, SweepValue>): string {
  const parts = Object.entries(sweep).map(
    ([k, v]) => `${k}=${typeof v === "number" ? formatCrystalNumber(v) : String(v)}`,
  );
  return parts.length ? ` (${parts.join(", ")})` : "";
}

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** `scan-8`, `eos-4.05`; the point's number when the values do not make a usable name. */
function jobNameFor(
  step: string,
  sweep: Record<string, SweepValue>,
  index: number,
  used: Set<string>,
): string {
  let name = step;
  const values = Object.values(sweep);
  if (values.length > 0) {
    const text = values
      .map((v) => (typeof v === "number" ? formatCrystalNumber(v) : String(v)))
      .join("-")
      .replace(/[^A-Za-z0-9._+-]+/g, "_");
    name = `${step}-${text}`;
    if (!JOB_NAME.test(name) || name.includes("..") || used.has(name)) name = `${step}-${index + 1}`;
  }
  used.add(name);
  return name;
}

/** `steps` as seen by a deck being checked before its parents have run: any result is a number. */
function placeholderSteps(refs: string[]): Record<string, unknown> {
  return Object.fromEntries(refs.map((r) => [r, makePlaceholder(`steps.${r}`)]));
}

/** The step that provides each data link of a step (`geometry_from: opt` …), by link. */
export function linksGiven(decl: PlannedStep["decl"]): { link: DataLink; from: string }[] {
  const from: Record<NonNullable<DataLink["workflowKey"]>, string | null> = {
    geometry_from: decl.geometryFrom,
    wavefunction_from: decl.wavefunctionFrom,
    hessian_from: decl.hessianFrom,
  };
  return DATA_LINKS.flatMap((link) => {
    const step = link.workflowKey ? from[link.workflowKey] : null;
    return step ? [{ link, from: step }] : [];
  });
}

/**
 * "Every file the deck reads must be provided" (crystal/files.ts), in the workflow file's words;
 * with `unusedLinks`, also a link given to a deck that never reads what it brings.
 */
function inputProblems(
  where: string,
  reads: readonly string[],
  program: CrystalProgram,
  decl: PlannedStep["decl"],
  auxFiles: readonly string[],
  problems: Problems,
  options: { unusedLinks?: boolean } = {},
): void {
  const given = linksGiven(decl);
  const what = (link: DataLink, file: string) => `${link.keyword} (${file})`;
  if (options.unusedLinks) {
    for (const { link, from } of given) {
      const file = link.reads[program];
      if (link.optional || !file || reads.includes(file)) continue;
      problems.add(
        `${where}: it takes ${link.workflowKey} ${from}, but its deck does not read ${what(link, file)}`,
      );
    }
  }
  for (const { file, link } of unprovidedInputs(reads, program, {
    auxFiles,
    fromParents: given.map((g) => g.link.ext),
  })) {
    if (!link) problems.add(`${where}: its deck reads ${file} — give it as an aux file`);
    else {
      const key = link.workflowKey ? `${link.workflowKey}: <step>` : null;
      const aux = auxFiles.length > 0 || options.unusedLinks ? `an aux ${link.ext} file` : null;
      problems.add(
        `${where}: its deck reads ${what(link, file)} — give ${[key, aux].filter(Boolean).join(" or ")}`,
      );
    }
  }
}

export function planWorkflow(file: WorkflowFile, options: PlanOptions): Plan {
  const label = file.sourcePath ? file.sourcePath.split("/").pop()! : file.name;
  const problems = new Problems(label);
  const params = resolveParams(file, options.overrides ?? {}, problems);
  problems.throwIfAny();
  const byName = new Map(file.steps.map((s) => [s.name, s]));
  const order = topologicalOrder(
    file.steps.map((s) => s.name),
    (n) => edgesOf(byName.get(n)!, byName).map((e) => e.step),
  );
  const folders: TemplateFolders = {
    ...options.templateFolders,
    ...(options.projectDir ? { projectDir: options.projectDir } : {}),
  };
  const findTemplate = templateFinder(folders);
  // the EOS fits over each step, found once (per step over all steps was quadratic)
  const eosOver = new Map<string, StepDecl[]>();
  for (const s of file.steps) {
    if (s.aggregate?.type === "eos" && s.aggregate.volume) {
      eosOver.set(s.aggregate.over, [...(eosOver.get(s.aggregate.over) ?? []), s]);
    }
  }
  const usedNames = new Set<string>();
  const steps: PlannedStep[] = [];
  for (const stepName of order) {
    const decl = byName.get(stepName)!;
    const where = `step ${decl.name}`;
    const planned: PlannedStep = {
      decl,
      template: null,
      edges: edgesOf(decl, byName),
      clusterId: null,
      clusterName: null,
      runnerType: "local",
      parallelism: {},
      jobs: [],
    };
    steps.push(planned);
    if (decl.kind === "aggregate") continue;
    if (decl.cluster) {
      const cluster = problems.guard(where, () => {
        const found = options.clusters.find((c) => c.name === decl.cluster);
        if (!found) throw noSuchCluster(decl.cluster!);
        return found;
      });
      if (cluster) {
        planned.clusterId = cluster.id;
        planned.clusterName = cluster.name;
        planned.runnerType = cluster.type;
      }
    }
    planned.parallelism = problems.guard(where, () => checkParallelism(decl.parallelism)) ?? {};
    if (decl.kind === "deck") {
      planDeckStep(planned, usedNames, problems);
      continue;
    }
    const template = problems.guard(where, () => findTemplate(decl.template!));
    if (!template) continue;
    const compiles = problems.guard(where, () => {
      checkTemplate(template);
      return true;
    });
    if (!compiles) continue;
    planned.template = template;
    planTemplateStep(planned, template, params, label, usedNames, problems, eosOver);
  }
  problems.throwIfAny();
  return { file, params, steps };
}

function planDeckStep(planned: PlannedStep, usedNames: Set<string>, problems: Problems): void {
  const decl = planned.decl;
  const where = `step ${decl.name}`;
  let deck: string;
  try {
    deck = readDeckFile(decl.deckFile!, "check the path (relative to the workflow file)");
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    problems.add(`${where}: ${err.message}`);
    return;
  }
  for (const aux of decl.aux) {
    if (!fs.existsSync(aux) || !fs.statSync(aux).isFile())
      problems.add(`${where}: the aux file ${aux} does not exist`);
  }
  const report = checkDeck(deck, "crystal");
  const error = firstDeckError(report);
  if (error) problems.add(`${where}: the deck ${decl.deckFile} is not valid: ${error}`);
  inputProblems(where, report.auxInputs, "crystal", decl, decl.aux, problems, { unusedLinks: true });
  planned.jobs.push({
    name: jobNameFor(decl.name, {}, 0, usedNames),
    point: 0,
    sweep: {},
    deck,
    values: null,
    renderSpec: null,
    volume: null,
    auxFiles: decl.aux,
  });
}

function planTemplateStep(
  planned: PlannedStep,
  t: Template,
  params: Record<string, unknown>,
  label: string,
  usedNames: Set<string>,
  problems: Problems,
  eosOver: ReadonlyMap<string, StepDecl[]>,
): void {
  const decl = planned.decl;
  const where = `step ${decl.name}`;
  const has = (p: string) => t.params.some((x) => x.name === p);
  const isProperties = t.kind === "properties";
  // data passing sets the template's own switches, unless the file sets them itself
  const implied: Record<string, unknown> = {};
  if (decl.geometryFrom) {
    if (isProperties || !has("geometry")) {
      problems.add(
        `${where}: template ${t.name} cannot read a geometry from another step (it has no geometry parameter)`,
      );
    } else if (!Object.hasOwn(decl.params, "geometry")) implied.geometry = "external";
  }
  if (decl.wavefunctionFrom && !isProperties) {
    if (!has("guessp"))
      problems.add(
        `${where}: template ${t.name} cannot start from another step's wavefunction (it has no guessp parameter)`,
      );
    else if (!Object.hasOwn(decl.params, "guessp")) implied.guessp = true;
  }
  if (isProperties && !decl.wavefunctionFrom) {
    problems.add(
      `${where}: template ${t.name} is a properties calculation: it reads a wavefunction — add wavefunction_from: <an SCF step>`,
    );
  }
  if (decl.hessianFrom) {
    if (!has("hessopt"))
      problems.add(
        `${where}: template ${t.name} cannot start from another step's Hessian (it has no hessopt parameter)`,
      );
    else if (!Object.hasOwn(decl.params, "hessopt")) implied.hessopt = true;
  }
  for (const v of decl.foreach) {
    if (
      !has(v.name) &&
      !Object.values(decl.params).some((p) => typeof p === "string" && p.includes(v.name))
    ) {
      problems.add(
        `${where}: foreach ${v.name} is neither a parameter of template ${t.name} nor used in its params`,
      );
    }
  }
  const eosVolumes = eosOver.get(decl.name) ?? [];
  const points = cartesian(decl.foreach);
  points.forEach((sweep, index) => {
    const at = `${where}${describePoint(sweep)}`;
    const ctx: Record<string, unknown> = {
      params,
      ...sweep,
      item: decl.foreach.length === 1 ? Object.values(sweep)[0] : sweep,
      index,
    };
    const raw: Record<string, unknown> = { ...implied };
    for (const v of decl.foreach)
      if (has(v.name) && !Object.hasOwn(decl.params, v.name)) raw[v.name] = sweep[v.name];
    const deferred: Record<string, string> = {};
    for (const [k, v] of Object.entries(decl.params)) {
      if (!isExpression(v)) raw[k] = v;
      else if (stepRefsIn(v).length > 0) deferred[k] = v;
      else {
        const text = problems.guard(`${at}: parameter ${k}`, () =>
          renderExpression(v, ctx, `${label}: ${where}: ${k}`),
        );
        if (text !== undefined) raw[k] = text;
      }
    }
    let volume: number | null = null;
    for (const agg of eosVolumes) {
      const v = problems.guard(`step ${agg.name}${describePoint(sweep)}: volume`, () =>
        evaluateExpression(agg.aggregate!.volume!, ctx, `${label}: step ${agg.name}: volume`),
      );
      if (v === undefined) continue;
      if (!(v > 0))
        problems.add(`step ${agg.name}${describePoint(sweep)}: volume ${v} is not a positive number of Å³`);
      else volume = v;
    }
    const known = Object.fromEntries(Object.entries(raw).filter(([k]) => !(k in deferred)));
    const checked = validateParams(t, known);
    // parameters still waiting for results are filled when the job starts
    const errors = checked.errors.filter((e) => !(e.param in deferred));
    if (errors.length > 0) {
      problems.add(`${at}: ${errors[0]!.message}`);
      return;
    }
    const name = jobNameFor(decl.name, sweep, index, usedNames);
    const job: PlannedJob = {
      name,
      point: index,
      sweep,
      deck: null,
      values: checked.values,
      renderSpec: null,
      volume,
      auxFiles: [],
    };
    const refs = [...new Set(Object.values(deferred).flatMap(stepRefsIn))];
    let rendered: ReturnType<typeof renderTemplate> | undefined;
    if (refs.length === 0) {
      rendered = problems.guard(at, () => renderTemplate(t, checked.values, { attempt: 1 }));
      if (rendered) job.deck = rendered.deck;
    } else {
      const dry: Record<string, unknown> = { ...checked.values };
      const stand = { ...ctx, steps: placeholderSteps(refs) };
      for (const [k, expr] of Object.entries(deferred)) {
        const text = problems.guard(`${at}: parameter ${k}`, () =>
          renderExpression(expr, stand, `${label}: ${where}: ${k}`),
        );
        if (text !== undefined) dry[k] = text;
      }
      // a stand-in result may not fit a parameter's type (a choice, say): its default is used then
      const dryChecked = validateParams(t, dry);
      for (const e of dryChecked.errors) if (e.param in deferred) delete dry[e.param];
      rendered = problems.guard(at, () =>
        renderTemplate(t, dry, { steps: placeholderSteps(refs), attempt: 1 }),
      );
      job.renderSpec = {
        workflow_step: decl.name,
        template: t,
        values: checked.values,
        param_exprs: deferred,
        context: { params, ...sweep, item: ctx.item, index },
        refs,
      };
    }
    if (rendered) {
      const error = firstDeckError(rendered.report);
      if (error) problems.add(`${at}: the deck rendered from template ${t.name} is not valid: ${error}`);
      // a properties template's wavefunction is asked for above, in the template's own words
      if (!isProperties) inputProblems(at, rendered.report.auxInputs, "crystal", decl, [], problems);
    }
    planned.jobs.push(job);
  });
}
