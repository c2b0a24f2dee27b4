// crystal-tui template list | show | render — the input template library (built-in, user, project).
import fs from "node:fs";
import type { Command } from "commander";
import { UsageError, UserError } from "../../domain/errors.js";
import { formatCrystalNumber } from "../../workflows/numbers.js";
import { isParamName, type TemplateParam } from "../../workflows/params.js";
import type { Template } from "../../workflows/templates.js";

/** The template engine (nunjucks) is loaded only by the commands that use it. */
const templates = () => import("../../workflows/templates.js");

import { collect, projectDirOf } from "../context.js";
import { printJson, table } from "../output.js";

/** `--set k=v` pairs as a mapping (the last one wins). */
export function parseSets(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new UsageError(`--set ${JSON.stringify(pair)} must be NAME=VALUE`);
    const name = pair.slice(0, eq).trim();
    // an object's own machinery, never a parameter: `out.__proto__ = v` would drop the value silently
    if (!isParamName(name)) {
      throw new UsageError(
        `--set ${JSON.stringify(pair)}: ${JSON.stringify(name)} cannot be a parameter name — use letters, digits and _`,
      );
    }
    out[name] = pair.slice(eq + 1);
  }
  return out;
}

export function templateToJson(t: Template) {
  return {
    name: t.name,
    description: t.description,
    tags: t.tags,
    kind: t.kind ?? "crystal",
    source: t.source,
    path: t.path,
    params: t.params,
  };
}

function describeValue(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return formatCrystalNumber(v);
  return String(v);
}

function paramRange(p: TemplateParam): string {
  if (p.type === "choice") return (p.options ?? []).join(" | ");
  if (p.min !== undefined || p.max !== undefined)
    return `${describeValue(p.min) || "…"} – ${describeValue(p.max) || "…"}`;
  return "";
}

function warnProblems(problems: { file: string; message: string }[]): void {
  for (const p of problems)
    process.stderr.write(`crystal-tui: warning: template file ${p.file} ${p.message}\n`);
}

export function registerTemplateCommands(program: Command): void {
  const template = program.command("template").description("input templates: parameterised CRYSTAL decks");

  template
    .command("list")
    .description(
      "the templates available here (built-in, ~/.config/crystal-tui/templates, <project>/templates)",
    )
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { loadTemplateReport } = await templates();
      const { templates: found, problems } = loadTemplateReport({ projectDir: projectDirOf(cmd) });
      warnProblems(problems);
      if (opts.json) return printJson(found.map(templateToJson));
      if (found.length === 0) return void process.stdout.write("no templates found\n");
      const rows = [["NAME", "KIND", "SOURCE", "TAGS", "DESCRIPTION"]];
      for (const t of found) {
        const description = t.description.length > 60 ? `${t.description.slice(0, 59)}…` : t.description;
        rows.push([t.name, t.kind ?? "crystal", t.source, t.tags.join(","), description]);
      }
      process.stdout.write(`${table(rows)}\n`);
    });

  template
    .command("show")
    .description("a template's parameters and deck")
    .argument("<name>", "template name")
    .option("--json", "print JSON")
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const { findTemplate } = await templates();
      const t = findTemplate(name, { projectDir: projectDirOf(cmd) });
      if (opts.json) return printJson({ ...templateToJson(t), deck: t.body });
      const rows = [["PARAMETER", "TYPE", "DEFAULT", "RANGE / OPTIONS", "HELP"]];
      for (const p of t.params) {
        rows.push([
          p.required ? `${p.name}*` : p.name,
          p.type,
          describeValue(p.default),
          paramRange(p),
          p.help ?? "",
        ]);
      }
      const lines = [
        `template  ${t.name} (${t.kind ?? "crystal"}, ${t.source})`,
        `file      ${t.path}`,
        ...(t.tags.length ? [`tags      ${t.tags.join(", ")}`] : []),
        "",
        t.description,
        "",
        table(rows),
        "",
        "deck:",
        t.body.replace(/\n+$/, ""),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  template
    .command("render")
    .description("render a template into a deck and check it with the deck validator")
    .argument("<name>", "template name")
    .option("--set <name=value>", "a parameter value; repeatable", collect)
    .option("-o, --output <file>", "write the deck to this file instead of printing it")
    .option("--json", "print JSON (deck, errors, warnings)")
    .action(async (name: string, opts: { set?: string[]; output?: string; json?: boolean }, cmd: Command) => {
      const { findTemplate, renderTemplate } = await templates();
      const t = findTemplate(name, { projectDir: projectDirOf(cmd) });
      const { deck, report } = renderTemplate(t, parseSets(opts.set));
      if (opts.json) {
        printJson({
          template: t.name,
          deck,
          valid: report.errors.length === 0,
          calc_type: report.calcType,
          aux_inputs: report.auxInputs,
          errors: report.errors,
          warnings: report.warnings,
        });
      }
      if (report.errors.length > 0) {
        throw new UserError(
          `template ${t.name}: the rendered deck is not valid — ${report.errors.map((e: { line: number; message: string }) => `line ${e.line}: ${e.message}`).join("; ")}`,
        );
      }
      for (const w of report.warnings)
        process.stderr.write(`crystal-tui: warning: line ${w.line}: ${w.message}\n`);
      if (opts.json) return;
      if (opts.output) {
        try {
          fs.writeFileSync(opts.output, deck);
        } catch (err) {
          throw new UserError(`cannot write ${opts.output}: ${(err as Error).message}`);
        }
        process.stdout.write(`deck written to ${opts.output}\n`);
      } else process.stdout.write(deck);
    });
}
