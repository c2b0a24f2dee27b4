// The content of the job detail's tabs as lines (the detail screen scrolls them): the deck with its
// keywords highlighted, the parsed results with their plots, the files, and the history.
import { Text } from "ink";
import type { ReactNode } from "react";
import { resultRows } from "../../crystal/result-fields.js";
import { STATUS_SYMBOL } from "../../domain/status.js";
import type { JobEvent } from "../../domain/types.js";
import type { LinkedJob } from "../../store/dependencies.js";
import { clip, formatBytes, formatTimestamp, formatWhen, printable } from "../format.js";
import { highlightDeck, type SegmentKind } from "../highlight.js";
import { energyChanges, plotSeries } from "../plots.js";
import { STATUS_COLOR } from "../theme.js";

export type ColorFn = (name: string | undefined) => string | undefined;

const SEGMENT_STYLE: Record<SegmentKind, { color?: string; bold?: boolean }> = {
  title: { color: "white", bold: true },
  keyword: { color: "cyan", bold: true },
  number: { color: "yellow" },
  text: {},
};

export function deckLines(deck: string, keywords: ReadonlySet<string>, color: ColorFn): ReactNode[] {
  // a deck is text from anywhere: no control character of it reaches the terminal
  const shown = deck.replace(/\t/g, "    ").replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "");
  return highlightDeck(shown, keywords).map((segments, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
    <Text key={i} wrap="truncate-end">
      <Text dimColor>{String(i + 1).padStart(3)} </Text>
      {segments.map((s, j) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
        <Text key={j} color={color(SEGMENT_STYLE[s.kind].color)} bold={SEGMENT_STYLE[s.kind].bold}>
          {s.text}
        </Text>
      ))}
    </Text>
  ));
}

const numbers = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))) : [];

function row(label: string, value: ReactNode, key: string, labelColor?: string): ReactNode {
  return (
    <Text key={key} wrap="truncate-end">
      <Text bold color={labelColor}>
        {`${label.padEnd(14)} `}
      </Text>
      {value}
    </Text>
  );
}

/**
 * The parser's JSON for a job as lines: a summary, then the SCF convergence plot (|ΔE| per cycle on
 * a log scale) and the optimisation energy trajectory. `live` marks values read from a running
 * job's output so far.
 */
export function resultLines(
  results: Record<string, unknown> | null,
  opts: { width: number; plotHeight: number; live: boolean; color: ColorFn; note?: string },
): ReactNode[] {
  const { color } = opts;
  const out: ReactNode[] = [];
  if (opts.note)
    out.push(
      <Text key="note" dimColor wrap="truncate-end">
        {opts.note}
      </Text>,
    );
  if (!results) {
    out.push("No results yet: they are read from the CRYSTAL output when the job runs and when it ends.");
    return out;
  }
  const status = typeof results.status === "string" ? results.status : "";
  const statusColor = status === "completed" ? "green" : status === "failed" ? "red" : "yellow";
  out.push(
    row(
      "Outcome",
      <Text color={color(statusColor)}>
        {status || "unknown"}
        {opts.live ? " (so far — the job is still running)" : ""}
      </Text>,
      "status",
    ),
  );
  if (typeof results.calc_type === "string") out.push(row("Calculation", results.calc_type, "calc"));
  // the values, as the result-field table writes them (the same rows as `crystal-tui parse`)
  for (const r of resultRows(results)) {
    out.push(row(r.label, r.warn ? <Text color={color("red")}>{r.value}</Text> : r.value, r.key));
  }
  const scf = obj(results.scf);
  const scfEnergies = numbers(scf?.energies_hartree);
  const opt = obj(results.opt);
  const optEnergies = numbers(opt?.energies_hartree);
  for (const [i, w] of strings(results.warnings).entries()) {
    out.push(row(i === 0 ? "Warnings" : "", <Text color={color("yellow")}>{printable(w)}</Text>, `w${i}`));
  }
  for (const [i, err] of strings(results.errors).entries()) {
    out.push(row(i === 0 ? "Errors" : "", <Text color={color("red")}>{printable(err)}</Text>, `e${i}`));
  }
  const plotWidth = Math.max(20, opts.width - 2);
  if (scfEnergies.length >= 1) {
    out.push(" ");
    out.push(
      <Text key="scf-title" bold>
        SCF convergence — |ΔE| per cycle (Ha, log scale)
      </Text>,
    );
    const initial = typeof scf?.initial_energy_hartree === "number" ? scf.initial_energy_hartree : null;
    for (const [i, l] of plotSeries(energyChanges(scfEnergies, initial), {
      width: plotWidth,
      height: opts.plotHeight,
      log: true,
      xLabel: "cycle",
    }).entries()) {
      out.push(
        <Text key={`scf${i}`} color={color("cyan")}>
          {l}
        </Text>,
      );
    }
  }
  if (optEnergies.length >= 1) {
    out.push(" ");
    out.push(
      <Text key="opt-title" bold>
        Optimisation — energy per step (Ha)
      </Text>,
    );
    for (const [i, l] of plotSeries(optEnergies, {
      width: plotWidth,
      height: opts.plotHeight,
      xLabel: "step",
    }).entries()) {
      out.push(
        <Text key={`opt${i}`} color={color("green")}>
          {l}
        </Text>,
      );
    }
  }
  return out;
}

export interface FileEntry {
  name: string;
  size: number;
  modified: number;
  isDir: boolean;
}

export function fileLines(files: FileEntry[], cursor: number, width: number): ReactNode[] {
  if (files.length === 0) return ["The job folder is empty (or missing)."];
  const nameWidth = Math.max(10, width - 10 - 12 - 4);
  return files.map((f, i) => (
    <Text key={f.name} inverse={i === cursor} wrap="truncate-end">
      {i === cursor ? "›" : " "}
      {clip(f.isDir ? `${f.name}/` : f.name, nameWidth).padEnd(nameWidth)}{" "}
      {(f.isDir ? "" : formatBytes(f.size)).padStart(10)} {formatWhen(new Date(f.modified).toISOString())}
    </Text>
  ));
}

export function historyLines(
  events: JobEvent[],
  dependencies: LinkedJob[],
  dependents: LinkedJob[],
  color: ColorFn,
): ReactNode[] {
  const out: ReactNode[] = [];
  out.push(
    <Text key="h" bold>
      {"WHEN".padEnd(20)}TRANSITION{"".padEnd(16)}REASON
    </Text>,
  );
  for (const e of events) {
    const move = `${e.fromStatus ? `${STATUS_SYMBOL[e.fromStatus]} ${e.fromStatus} → ` : "created "}`;
    out.push(
      <Text key={`e${e.id}`} wrap="truncate-end">
        {formatTimestamp(e.at).padEnd(20)}
        <Text>{move}</Text>
        <Text color={color(STATUS_COLOR[e.toStatus])}>
          {STATUS_SYMBOL[e.toStatus]} {e.toStatus}
        </Text>
        {e.reason ? `  ${printable(e.reason)}` : ""}
      </Text>,
    );
  }
  const link = (l: LinkedJob, otherId: number, key: string) => (
    <Text key={key} wrap="truncate-end">
      {"  "}#{otherId} {l.otherName}{" "}
      <Text color={color(STATUS_COLOR[l.otherStatus])}>
        {STATUS_SYMBOL[l.otherStatus]} {l.otherStatus}
      </Text>{" "}
      <Text dimColor>({l.type})</Text>
    </Text>
  );
  if (dependencies.length > 0) {
    out.push(" ");
    out.push(
      <Text key="dh" bold>
        Waits for
      </Text>,
    );
    for (const d of dependencies) out.push(link(d, d.dependsOnJobId, `d${d.id}`));
  }
  if (dependents.length > 0) {
    out.push(" ");
    out.push(
      <Text key="th" bold>
        Waited for by
      </Text>,
    );
    for (const d of dependents) out.push(link(d, d.jobId, `t${d.id}`));
  }
  return out;
}
