// New job: pick a template (or a deck file), fill the form generated from the template's typed
// parameters — each value checked as you type — see the rendered deck and the validator's messages
// live, choose where it runs (this machine or a cluster; ranks, threads, time) and create it.
import fs from "node:fs";
import path from "node:path";
import { Box, Text } from "ink";
import { useEffect, useMemo, useState } from "react";
import { createJobs } from "../../app/project.js";
import { readDeckFile } from "../../crystal/deck-file.js";
import { oneLine, UserError } from "../../domain/errors.js";
import { checkJobName } from "../../domain/names.js";
import { checkParallelism } from "../../domain/parallelism.js";
import type { Parallelism, RunnerType } from "../../domain/types.js";
import type { Template } from "../../workflows/templates.js";
import { type Binding, useBindings } from "../bindings.js";
import { Confirm } from "../components/Confirm.js";
import { deckLines } from "../components/detail-lines.js";
import { type Field, type FormCtx, FormView, formActions, formBindings } from "../components/Form.js";
import { useFormState } from "../components/form-state.js";
import { Lines } from "../components/Lines.js";
import { checkDeck, DECK_KEYWORDS, type DeckMessages, deckMessages, unprovidedInput } from "../crystal.js";
import { dropFormDeckEdit, editFormDeck, editOutcome, type FormDeckEdit } from "../form-deck-edit.js";
import { wrapText } from "../format.js";
import { useClusters } from "../hooks/use-clusters.js";
import { type Nav, runAction, useNav } from "../nav.js";
import { useProject } from "../store-watch.js";
import { useColor } from "../theme.js";

export const DECK_FILE = "(a deck file)";

interface Placement {
  where: string;
  ranks: string;
  threads: string;
  time: string;
  aux: string;
}

function problem(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof UserError ? oneLine(err.message) : String(err);
  }
}

type TemplatesModule = typeof import("../../workflows/templates.js");
let templatesModule: TemplatesModule | null = null;

/**
 * The templates module (nunjucks and the deck validator), loaded when the form is first opened:
 * the list of jobs does not wait for it.
 */
function useTemplatesModule(): TemplatesModule | Error | null {
  const [mod, setMod] = useState<TemplatesModule | Error | null>(templatesModule);
  useEffect(() => {
    if (templatesModule) return;
    let live = true;
    import("../../workflows/templates.js").then(
      (m) => {
        templatesModule = m;
        if (live) setMod(m);
      },
      (err: Error) => live && setMod(err),
    );
    return () => {
      live = false;
    };
  }, []);
  return mod;
}

const paramDefault = (v: unknown) => (v === undefined || v === null ? "" : String(v));

/** Everything the form says, checked: per-field errors, the deck, its report, the job to create. */
export function checkNewJob(
  lib: Pick<TemplatesModule, "validateParams" | "renderTemplate">,
  input: {
    template: Template | null;
    raw: Record<string, string>;
    name: string;
    deckPath: string;
    placement: Placement;
    clusters: { id: number; name: string; type: RunnerType }[];
    projectDir: string;
    /** The deck as the user edited it in $EDITOR (ctrl+o): it replaces the rendered one. */
    editedDeck?: string | null;
  },
) {
  const errors: Record<string, string> = {};
  let deck = "";
  let report: DeckMessages = { errors: [], warnings: [] };
  if (input.editedDeck != null) {
    deck = input.editedDeck;
    report = checkDeck(deck);
  } else if (input.template) {
    const checked = lib.validateParams(input.template, input.raw);
    for (const e of checked.errors) errors[`p:${e.param}`] = e.message;
    if (checked.errors.length === 0) {
      try {
        const r = lib.renderTemplate(input.template, input.raw);
        deck = r.deck;
        report = deckMessages(r.report);
      } catch (err) {
        errors.template = err instanceof UserError ? oneLine(err.message) : String(err);
      }
    }
  } else if (input.deckPath.trim() === "") {
    errors.deck = "give the path of a .d12 deck";
  } else {
    const file = path.resolve(input.projectDir, input.deckPath.trim());
    try {
      deck = readDeckFile(file, "check the path");
      report = checkDeck(deck) ?? report;
    } catch (err) {
      errors.deck = err instanceof UserError ? oneLine(err.message) : `${file} cannot be read`;
    }
  }
  const name = input.name.trim();
  const nameError = name === "" ? "a job name is needed" : problem(() => checkJobName(name));
  if (nameError) errors.name = nameError;
  const p = input.placement;
  const parallelism: Parallelism = {};
  const whole = (field: string, text: string, set: (n: number) => void) => {
    if (text.trim() === "") return;
    if (!/^\d+$/.test(text.trim())) errors[field] = "a whole number (empty: 1)";
    else set(Number(text));
  };
  whole("ranks", p.ranks, (n) => {
    parallelism.mpi_ranks = n;
  });
  whole("threads", p.threads, (n) => {
    parallelism.threads_per_rank = n;
  });
  const cluster = input.clusters.find((c) => c.name === p.where) ?? null;
  if (cluster && p.time.trim() !== "") parallelism.time = p.time.trim();
  const parError = problem(() => checkParallelism(parallelism));
  if (parError) {
    const field = /ranks/.test(parError) ? "ranks" : /threads/.test(parError) ? "threads" : "time";
    errors[field] ??= parError;
  }
  const auxFiles = p.aux
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => path.resolve(input.projectDir, s));
  const missing = auxFiles.find((f) => !fs.existsSync(f));
  if (missing) errors.aux = `${missing} does not exist`;
  const unprovided = deck ? unprovidedInput(deck, auxFiles) : null;
  if (unprovided) errors.aux ??= unprovided;
  return {
    errors,
    deck,
    report,
    job: {
      name,
      input: deck,
      auxFiles,
      clusterId: cluster?.id ?? null,
      runnerType: (cluster?.type ?? "local") as RunnerType,
      parallelism,
    },
  };
}

const LOADING_BINDINGS: readonly Binding<Nav>[] = [
  { on: ["esc"], does: "back", footer: "back", run: (nav) => nav.back() },
];

interface NewJobCtx extends FormCtx {
  deckOffset: number;
  setDeckOffset: (n: number) => void;
  /** There is a deck to open in the editor (the form renders one, or it was edited already). */
  hasDeck: boolean;
  openEditor: () => void;
}

export const NEW_JOB_BINDINGS = formBindings<NewJobCtx>("create the job", "back without creating", [
  {
    on: ["pgdn"],
    does: "scroll the rendered deck down",
    footer: "deck",
    run: (c) => c.setDeckOffset(c.deckOffset + 5),
  },
  {
    on: ["pgup"],
    does: "scroll the rendered deck up",
    when: (c) => c.deckOffset > 0,
    run: (c) => c.setDeckOffset(Math.max(0, c.deckOffset - 5)),
  },
  {
    // ctrl+o ("open"): e would be typed into a text field, and ctrl+e is the field's end of line
    on: ["ctrl+o"],
    does: "open the deck in $VISUAL / $EDITOR (checked on return; the job is made from your edit)",
    footer: "editor",
    when: (c) => c.hasDeck,
    run: (c) => c.openEditor(),
  },
]);

export function NewJobScreen({ width, height }: { width: number; height: number }) {
  const mod = useTemplatesModule();
  const nav = useNav();
  const ready = mod !== null && !(mod instanceof Error);
  useBindings("new job", LOADING_BINDINGS, nav, { active: !ready });
  if (mod === null) return <Text dimColor>loading the templates…</Text>;
  if (mod instanceof Error) {
    return (
      <Text>
        The templates cannot be loaded ({mod.message}) — see `crystal-tui template list`; esc goes back.
      </Text>
    );
  }
  return <NewJobForm lib={mod} width={width} height={height} />;
}

function NewJobForm({ lib, width, height }: { lib: TemplatesModule; width: number; height: number }) {
  const nav = useNav();
  const color = useColor();
  const { store, files } = useProject();
  const clusters = useClusters();
  const loaded = useMemo(
    () => lib.loadTemplateReport({ projectDir: store.projectDir }),
    [lib, store.projectDir],
  );
  // a properties deck (.d3) reads a finished job's wavefunction: it belongs in a workflow step
  const templates = loaded.templates.filter((t) => (t.kind ?? "crystal") === "crystal");
  const sources = [...templates.map((t) => t.name), DECK_FILE];
  // every value the user set lives in one reducer (src/tui/components/form-state.ts): keys see the
  // form as it is when they arrive; a template's parameters are kept per template (p:TEMPLATE:NAME)
  const [form, dispatch] = useFormState();
  const typed = form.values;
  const source =
    typed.source ?? (sources.includes("single-point") ? "single-point" : (sources[0] ?? DECK_FILE));
  const template = templates.find((t) => t.name === source) ?? null;
  const paramKey = (param: string) => `p:${source}:${param}`;
  const raw = useMemo(
    () =>
      Object.fromEntries(
        (template?.params ?? []).map((p) => [
          p.name,
          typed[`p:${source}:${p.name}`] ?? paramDefault(p.default),
        ]),
      ),
    [typed, source, template],
  );
  // the job's name starts as the template's (or the deck file's) until the user edits it
  const name = typed.name ?? null;
  const deckPath = typed.deck ?? "";
  const placement = useMemo<Placement>(
    () => ({
      where: typed.where ?? "local",
      ranks: typed.ranks ?? "",
      threads: typed.threads ?? "",
      time: typed.time ?? "",
      aux: typed.aux ?? "",
    }),
    [typed],
  );
  const [deckOffset, setDeckOffset] = useState(0);
  // the deck edited in $EDITOR (ctrl+o); the template's fields no longer make the deck while it is set
  const [edit, setEdit] = useState<FormDeckEdit | null>(null);
  const defaultName = source === DECK_FILE ? path.basename(deckPath.trim(), ".d12") : source;
  const jobName = name ?? defaultName;

  const checked = useMemo(
    () =>
      checkNewJob(lib, {
        template,
        raw,
        name: jobName,
        deckPath,
        placement,
        clusters: clusters.map((c) => ({ id: c.id, name: c.name, type: c.type })),
        projectDir: store.projectDir,
        editedDeck: edit?.deck ?? null,
      }),
    [lib, template, raw, jobName, deckPath, placement, clusters, store.projectDir, edit],
  );

  const whereOptions = ["local", ...clusters.map((c) => c.name)];
  const onCluster = placement.where !== "local";
  const fields: Field[] = [
    {
      kind: "choice",
      name: "source",
      label: "Template",
      value: source,
      options: sources,
      error: checked.errors.template ?? null,
      hint: template ? fitHint(template.description) : "a deck file you wrote (.d12)",
    },
    {
      kind: "text",
      name: "name",
      label: "Job name",
      value: jobName,
      error: checked.errors.name ?? null,
      hint: "letters, digits, . _ + -",
    },
    ...(template
      ? template.params.map((p): Field => {
          const hint = [
            p.help,
            p.min !== undefined || p.max !== undefined ? `(${p.min ?? "…"}–${p.max ?? "…"})` : "",
          ]
            .filter(Boolean)
            .join(" ");
          const error = checked.errors[`p:${p.name}`] ?? null;
          if (p.type === "choice") {
            return {
              kind: "choice",
              name: `p:${p.name}`,
              label: p.name,
              value: raw[p.name] ?? "",
              options: p.options ?? [],
              error,
              hint,
            };
          }
          if (p.type === "boolean") {
            return {
              kind: "choice",
              name: `p:${p.name}`,
              label: p.name,
              value: raw[p.name] || "false",
              options: ["false", "true"],
              error,
              hint,
            };
          }
          return { kind: "text", name: `p:${p.name}`, label: p.name, value: raw[p.name] ?? "", error, hint };
        })
      : [
          {
            kind: "text" as const,
            name: "deck",
            label: "Deck file",
            value: deckPath,
            error: checked.errors.deck ?? null,
            hint: "path of the .d12 (relative to the project)",
          },
        ]),
    {
      kind: "choice",
      name: "where",
      label: "Where",
      value: placement.where,
      options: whereOptions,
      hint: "this machine, or a cluster (3: clusters screen)",
    },
    {
      kind: "text",
      name: "ranks",
      label: "MPI ranks",
      value: placement.ranks,
      error: checked.errors.ranks ?? null,
      hint: "empty or 1: crystalOMP; more: PcrystalOMP under MPI",
    },
    {
      kind: "text",
      name: "threads",
      label: "Threads",
      value: placement.threads,
      error: checked.errors.threads ?? null,
      hint: "OpenMP threads per rank (empty: 1)",
    },
    ...(onCluster
      ? [
          {
            kind: "text" as const,
            name: "time",
            label: "Time limit",
            value: placement.time,
            error: checked.errors.time ?? null,
            hint: "HH:MM:SS or D-HH:MM:SS (SLURM --time)",
          },
        ]
      : []),
    {
      kind: "text",
      name: "aux",
      label: "Aux files",
      value: placement.aux,
      error: checked.errors.aux ?? null,
      hint: "e.g. mgo.gui (EXTERNAL geometry), mgo.f9 (GUESSP); comma-separated",
    },
    {
      kind: "button",
      name: "create",
      label: "Create job",
      error: checked.report.errors.length > 0 ? "the deck has errors (see the right)" : null,
    },
  ];

  const [leaving, setLeaving] = useState(false);
  const filled =
    edit !== null ||
    Object.keys(typed).some((k) => k !== "source" && k !== "where") ||
    placement.where !== "local";

  const create = () => {
    const firstError = Object.values(checked.errors)[0] ?? checked.report.errors[0];
    if (firstError) {
      nav.flash(`not created: ${firstError}`, "error");
      return;
    }
    void runAction(
      nav,
      async () => (await createJobs({ store, files }, [checked.job]))[0]!,
      (j) =>
        `job ${j.id} (${j.name}) created${edit ? " from your edited deck" : ""} — it starts when the engine picks it up`,
    ).then((job) => {
      if (!job) return;
      dropFormDeckEdit(edit);
      nav.showJob(job.id);
    });
  };

  const openEditor = () => {
    try {
      const made = editFormDeck(checked.deck, jobName.trim(), checked.job.auxFiles);
      dropFormDeckEdit(edit);
      setEdit(made);
      setDeckOffset(0);
      const said = editOutcome(made);
      nav.flash(said.text, said.kind);
    } catch (err) {
      nav.flash(err instanceof UserError ? oneLine(err.message) : String(err), "error");
    }
  };
  /** A field that makes the deck changed: the edit is set aside (its file kept), the form's deck is back. */
  const setAside = (field: string) => {
    if (!edit || !(field === "source" || field === "deck" || field.startsWith("p:"))) return;
    setEdit(null);
    nav.flash(`your edited deck was set aside (kept in ${edit.file}): the deck is the form's again`);
  };

  const actions = formActions(dispatch, fields.length);
  const keyOf = (field: string) => (field.startsWith("p:") ? paramKey(field.slice(2)) : field);
  const ctx: NewJobCtx = {
    fields,
    focus: Math.min(form.focus, fields.length - 1),
    move: actions.move,
    change: (field, value) => {
      if (field === "source") setDeckOffset(0);
      setAside(field);
      actions.set(keyOf(field), value);
    },
    edit: (field, shown, input, key) => {
      setAside(field);
      actions.edit(keyOf(field), shown, input, key);
    },
    submit: create,
    // a filled form is not dropped by one key: esc asks first
    back: () => (filled ? setLeaving(true) : nav.back()),
    help: () => nav.help(),
    deckOffset,
    setDeckOffset,
    hasDeck: checked.deck !== "",
    openEditor,
  };
  useBindings("new job", NEW_JOB_BINDINGS, ctx, { active: !leaving });

  const side = width >= 100;
  const formWidth = side ? Math.min(60, Math.floor(width * 0.5)) : width;
  const deckWidth = side ? width - formWidth - 1 : width;
  const formHeight = side ? height - 1 : Math.max(6, Math.floor((height - 1) * 0.55));
  const deckHeight = side ? height - 1 : height - 1 - formHeight;
  // messages whole, wrapped to the pane (one row each, so scrolling counts them right)
  const wrapped = (mark: string, text: string) =>
    wrapText(text, deckWidth - 2).map((l, i) => `${i === 0 ? mark : " "} ${l}`);
  const messages = [
    ...checked.report.errors.flatMap((e) =>
      wrapped("✖", e).map((l) => (
        <Text key={`e-${e}-${l}`} color={color("red")} wrap="truncate-end">
          {l}
        </Text>
      )),
    ),
    ...checked.report.warnings.flatMap((w) =>
      wrapped("!", w).map((l) => (
        <Text key={`w-${w}-${l}`} color={color("yellow")} wrap="truncate-end">
          {l}
        </Text>
      )),
    ),
  ];
  const deckView = checked.deck
    ? [...messages, ...deckLines(checked.deck, DECK_KEYWORDS, color, checked.report.errorLines)]
    : [
        ...messages,
        <Text key="none" dimColor wrap="truncate-end">
          {Object.values(checked.errors)[0] ? "fix the form to see the deck" : "no deck yet"}
        </Text>,
      ];
  const problems = loaded.problems.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {leaving ? (
        <Confirm
          question="Leave the form? What you typed is dropped."
          onAnswer={(yes) => {
            setLeaving(false);
            if (!yes) return;
            dropFormDeckEdit(edit);
            nav.back();
          }}
        />
      ) : (
        <Text bold wrap="truncate-end">
          New job
          {problems > 0 ? (
            <Text
              dimColor
            >{`  (${problems} template file(s) could not be read: crystal-tui template list)`}</Text>
          ) : null}
        </Text>
      )}
      <Box flexDirection={side ? "row" : "column"}>
        <FormView
          fields={fields}
          focus={ctx.focus}
          cursor={form.cursor}
          width={formWidth}
          height={formHeight}
        />
        {side ? <Box width={1} /> : null}
        <Box flexDirection="column" width={deckWidth} height={deckHeight}>
          <Text bold wrap="truncate-end">
            Deck{edit ? " — your edit" : ""}{" "}
            {checked.report.errors.length === 0 && checked.deck ? (
              <Text color={color("green")}>✔ no errors</Text>
            ) : null}
            <Text dimColor> (pgup/pgdn scroll, ctrl+o edit)</Text>
          </Text>
          <Lines
            lines={deckView}
            offset={deckOffset}
            height={Math.max(1, deckHeight - 1)}
            width={deckWidth}
          />
        </Box>
      </Box>
    </Box>
  );
}

function fitHint(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
