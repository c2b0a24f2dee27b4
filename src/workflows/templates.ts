// Input templates: a YAML file with a name, a description, tags, typed parameters and a deck body in
// nunjucks, rendered in a sandbox into a CRYSTAL deck that the project's own validator then checks.
// Templates come from three folders, later ones overriding earlier ones by name: the built-in
// library (templates/ of the package), the user's (~/.config/crystal-tui/templates, following
// $XDG_CONFIG_HOME, or $CRYSTAL_TUI_TEMPLATES_DIR), and the project's (<project>/templates).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, Scalar } from "yaml";
import { UserError } from "../domain/errors.js";
import { INPUT_LIMITS, readInputText } from "../files/input-file.js";
import { checkDeck, type DeckReport } from "./deck-check.js";
import { checkParamDeclaration, type ParamError, type TemplateParam, validateParamValues } from "./params.js";
import { type CompiledTemplate, Sandbox, TemplateProblem } from "./sandbox.js";
import { yamlValues } from "./yaml-document.js";

export type { DeckReport } from "./deck-check.js";
export type { TemplateParam } from "./params.js";

export type TemplateSource = "builtin" | "user" | "project";
export type TemplateKind = "crystal" | "properties";

export interface Template {
  name: string;
  description: string;
  tags: string[];
  params: TemplateParam[];
  source: TemplateSource;
  /** The template file. */
  path: string;
  /** crystal: a .d12 deck for crystalOMP; properties: a .d3 deck for `properties` (reads fort.9). */
  kind?: TemplateKind;
  /** The deck text, in nunjucks. */
  body: string;
  /** Lines of the file before the deck text, so errors point at lines of the file. */
  bodyLineOffset: number;
  /** Folders the deck's includes are looked up in, first match wins. */
  searchPath: string[];
}

export interface TemplateFolders {
  /** The project whose templates/ folder overrides the others. */
  projectDir?: string;
  /** The user's template folder (default: $CRYSTAL_TUI_TEMPLATES_DIR, else $XDG_CONFIG_HOME/crystal-tui/templates). */
  userDir?: string;
  /** The built-in library (default: templates/ of the package). */
  builtinDir?: string;
}

/** A template file that could not be used, and why. */
export interface TemplateFileProblem {
  file: string;
  message: string;
  /** The name the file declares, when it could be read. */
  name?: string;
}

/** templates/ at the package root: the same folder whether running from src/ (tsx) or dist/. */
export const BUILTIN_TEMPLATES_DIR = path.resolve(import.meta.dirname, "../../templates");

export function userTemplatesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CRYSTAL_TUI_TEMPLATES_DIR) return path.resolve(env.CRYSTAL_TUI_TEMPLATES_DIR);
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), ".config");
  return path.join(base, "crystal-tui", "templates");
}

export function projectTemplatesDir(projectDir: string): string {
  return path.join(projectDir, "templates");
}

function foldersOf(opts: TemplateFolders): { source: TemplateSource; dir: string }[] {
  const folders: { source: TemplateSource; dir: string }[] = [
    { source: "builtin", dir: opts.builtinDir ?? BUILTIN_TEMPLATES_DIR },
    { source: "user", dir: opts.userDir ?? userTemplatesDir() },
  ];
  if (opts.projectDir) folders.push({ source: "project", dir: projectTemplatesDir(opts.projectDir) });
  return folders;
}

const TEMPLATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Reads one template file; a problem is returned, not thrown, so one bad file spoils nothing else. */
export function readTemplateFile(
  file: string,
  source: TemplateSource,
  searchPath: string[],
): Template | TemplateFileProblem {
  let text: string;
  try {
    text = readInputText(file, { what: "template file", maxBytes: INPUT_LIMITS.template, strict: true });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { file, message: `cannot be used: ${err.message}` };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos?.[0]?.line;
    return {
      file,
      message: `is not valid YAML${at ? ` (line ${at})` : ""}: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
    };
  }
  const values = yamlValues(doc);
  if (values.problem) return { file, message: values.problem };
  const data = values.data as Record<string, unknown> | null;
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    return { file, message: "must be a YAML mapping with name, description, params and deck" };
  }
  const name = typeof data.name === "string" ? data.name : path.basename(file).replace(/\.ya?ml$/i, "");
  const fail = (message: string): TemplateFileProblem => ({ file, message, name });
  if (!TEMPLATE_NAME.test(name)) {
    return fail(`name ${JSON.stringify(name)} must be 1–64 letters, digits, '.', '_' or '-'`);
  }
  if (typeof data.deck !== "string" || data.deck.trim() === "") {
    return fail("has no deck: give the deck text under `deck: |`");
  }
  const kind = data.kind ?? "crystal";
  if (kind !== "crystal" && kind !== "properties") return fail("kind must be crystal or properties");
  const tags = data.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string"))
    return fail("tags must be a list of words");
  const rawParams = data.params ?? [];
  if (!Array.isArray(rawParams)) return fail("params must be a list of parameters (- name: …, type: …)");
  const problems: string[] = [];
  const params: TemplateParam[] = [];
  const seen = new Set<string>();
  rawParams.forEach((p, i) => {
    if (!p || typeof p !== "object" || Array.isArray(p)) {
      problems.push(`params[${i}] must be a mapping (name, type, default, …)`);
      return;
    }
    const decl = p as TemplateParam;
    problems.push(...checkParamDeclaration(decl, i));
    if (seen.has(decl.name)) problems.push(`parameter ${decl.name} is declared twice`);
    seen.add(decl.name);
    const param: TemplateParam = { name: decl.name, type: decl.type };
    for (const key of [
      "default",
      "min",
      "max",
      "options",
      "required",
      "help",
      "pattern",
      "multiline",
    ] as const) {
      if (decl[key] !== undefined) (param as unknown as Record<string, unknown>)[key] = decl[key];
    }
    if (param.options) param.options = param.options.map(String);
    params.push(param);
  });
  if (problems.length > 0) return fail(problems.join("; "));
  return {
    name,
    description: typeof data.description === "string" ? data.description.trim() : "",
    tags: tags as string[],
    params,
    source,
    path: file,
    kind: kind as TemplateKind,
    body: data.deck,
    bodyLineOffset: deckLineOffset(doc, lines),
    searchPath,
  };
}

/** How many lines of the file come before the first line of the deck text. */
function deckLineOffset(doc: ReturnType<typeof parseDocument>, lines: LineCounter): number {
  if (!isMap(doc.contents)) return 0;
  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key) || pair.key.value !== "deck" || !isScalar(pair.value)) continue;
    const value = pair.value as Scalar;
    const start = value.range?.[0];
    if (start === undefined) return 0;
    const header = lines.linePos(start).line;
    // a block scalar's text starts on the line after its `|` header
    return value.type === Scalar.BLOCK_LITERAL || value.type === Scalar.BLOCK_FOLDED ? header : header - 1;
  }
  return 0;
}

/** Every template with the files that could not be used. Later folders override earlier by name. */
export function loadTemplateReport(opts: TemplateFolders = {}): {
  templates: Template[];
  problems: TemplateFileProblem[];
} {
  const folders = foldersOf(opts);
  // includes look in the most specific folder first
  const searchPath = folders.map((f) => f.dir).reverse();
  const byName = new Map<string, Template>();
  const problems: TemplateFileProblem[] = [];
  for (const { source, dir } of folders) {
    let entries: string[];
    try {
      entries = fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/i.test(f))
        .sort();
    } catch {
      continue; // a folder that does not exist holds no templates
    }
    const inFolder = new Map<string, string>();
    for (const entry of entries) {
      const file = path.join(dir, entry);
      const t = readTemplateFile(file, source, searchPath);
      if ("message" in t) {
        problems.push(t);
        continue;
      }
      const twin = inFolder.get(t.name);
      if (twin) {
        problems.push({
          file,
          name: t.name,
          message: `declares the name ${t.name}, as ${twin} does — rename one`,
        });
        continue;
      }
      inFolder.set(t.name, file);
      byName.set(t.name, t);
    }
  }
  const templates = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { templates, problems };
}

export function loadTemplates(opts: TemplateFolders = {}): Template[] {
  return loadTemplateReport(opts).templates;
}

/** The template of that name (project over user over built-in); a UserError if there is none. */
export function findTemplate(name: string, opts: TemplateFolders = {}): Template {
  return templateFinder(opts)(name);
}

/**
 * findTemplate over the folders as read once: a workflow of 10,000 steps reads the template files
 * once, not once per step (which took minutes).
 */
export function templateFinder(opts: TemplateFolders = {}): (name: string) => Template {
  const { templates, problems } = loadTemplateReport(opts);
  const byName = new Map(templates.map((t) => [t.name, t]));
  return (name) => {
    const found = byName.get(name);
    if (found) return found;
    const broken = problems.find((p) => p.name === name);
    if (broken) throw new UserError(`template ${name} (${broken.file}) ${broken.message}`);
    throw new UserError(
      `there is no template ${JSON.stringify(name)} — see \`crystal-tui template list\` (${templates.map((t) => t.name).join(", ")})`,
    );
  };
}

export function validateParams(
  t: Template,
  raw: Record<string, unknown>,
): { values: Record<string, unknown>; errors: ParamError[] } {
  return validateParamValues(t.name, t.params, raw);
}

const sandboxes = new Map<string, Sandbox>();
const compiled = new WeakMap<Template, CompiledTemplate>();

function sandboxFor(searchPath: string[]): Sandbox {
  const key = searchPath.join("\0");
  let sandbox = sandboxes.get(key);
  if (!sandbox) {
    sandbox = new Sandbox({ roots: searchPath });
    sandboxes.set(key, sandbox);
  }
  return sandbox;
}

/** A template error as one line that names the template, the file and line, and the parameter. */
export function describeProblem(t: Template, problem: TemplateProblem): string {
  const where = problem.file ? ` (${problem.file}${problem.line ? ` line ${problem.line}` : ""})` : "";
  const param = problem.param
    ? t.params.some((p) => p.name === problem.param)
      ? ` [parameter ${problem.param}]`
      : ` [${problem.param} is not a parameter of ${t.name}: ${t.params.map((p) => p.name).join(", ") || "it has none"}]`
    : "";
  return `template ${t.name}${where}: ${problem.message}${param}`;
}

function compile(t: Template): CompiledTemplate {
  let c = compiled.get(t);
  if (!c) {
    c = sandboxFor(t.searchPath).compile(t.body, { file: t.path, lineOffset: t.bodyLineOffset });
    compiled.set(t, c);
  }
  return c;
}

/** Decks end with one newline and carry no trailing blanks (CRYSTAL does not care; diffs do). */
function tidy(deck: string): string {
  return `${deck
    .split("\n")
    .map((l) => l.replace(/[ \t\r]+$/, ""))
    .join("\n")
    .replace(/\n+$/, "")}\n`;
}

/**
 * Renders a template with checked parameter values (strings are converted) and an optional context
 * (e.g. `steps` — parents' results — and `attempt`). Bad values and rendering errors are UserErrors
 * naming the template, the line and the parameter; the deck's own errors are in `report`.
 */
export function renderTemplate(
  t: Template,
  values: Record<string, unknown>,
  context: Record<string, unknown> = {},
): { deck: string; report: DeckReport } {
  const checked = validateParams(t, values);
  if (checked.errors.length > 0) {
    const more = checked.errors.length > 1 ? ` (and ${checked.errors.length - 1} more)` : "";
    const first = checked.errors[0]!.message;
    // a message that names the template already is not prefixed with it again
    const named = first.startsWith(`template ${t.name} `) ? first : `template ${t.name}: ${first}`;
    throw new UserError(`${named}${more}`);
  }
  let text: string;
  try {
    text = compile(t).render({ ...context, ...checked.values });
  } catch (err) {
    if (err instanceof TemplateProblem) throw new UserError(describeProblem(t, err));
    throw err;
  }
  const deck = tidy(text);
  return { deck, report: checkDeck(deck, t.kind ?? "crystal") };
}

/** Compiles a template without rendering it: sandbox violations and syntax errors, as UserErrors. */
export function checkTemplate(t: Template): void {
  try {
    compile(t);
  } catch (err) {
    if (err instanceof TemplateProblem) throw new UserError(describeProblem(t, err));
    throw err;
  }
}
