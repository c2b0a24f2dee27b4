// The content of the job detail's tabs as lines (the detail screen scrolls them): the deck with its
// keywords highlighted, the parsed results with their plots, the files, and the history.
import { Text } from "ink";
import type { ReactNode } from "react";
import { STATUS_SYMBOL } from "../../domain/status.js";
import type { JobEvent } from "../../domain/types.js";
import type { LinkedJob } from "../../store/records.js";
import {
  clip,
  formatBytes,
  formatDuration,
  formatHartree,
  formatTimestamp,
  formatWhen,
  printable,
} from "../format.js";
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

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const numbers = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))) : [];

const HARTREE_EV = 27.211386245988;

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

function latticeText(lattice: unknown): string | null {
  const l = obj(lattice);
  if (!l) return null;
  const f = (k: string, d: number) => (num(l[k]) === null ? null : num(l[k])!.toFixed(d));
  const abc = ["a", "b", "c"].map((k) => f(k, 4));
  const ang = ["alpha", "beta", "gamma"].map((k) => f(k, 2));
  if (abc.every((x) => x !== null)) {
    const angles = ang.every((x) => x !== null) ? `  α ${ang[0]} β ${ang[1]} γ ${ang[2]}°` : "";
    return `a ${abc[0]} b ${abc[1]} c ${abc[2]} Å${angles}`;
  }
  return JSON.stringify(l);
}

const SHOWN = new Set([
  "status",
  "calc_type",
  "final_energy_hartree",
  "scf",
  "opt",
  "band_gap_ev",
  "lattice",
  "errors",
  "warnings",
  "scf_converged",
  "opt_converged",
  "scf_cycles",
  "final_energy_ev",
]);

/** Names for the parser's other values (the rest show their key). */
const LABELS: Record<string, string> = {
  crystal_version: "CRYSTAL",
  n_atoms: "Atoms",
  spin_polarized: "Spin-polarised",
  wall_time_s: "Wall time",
  error_kind: "Failure",
  band_gap_alpha_ev: "Gap α (eV)",
  band_gap_beta_ev: "Gap β (eV)",
  zero_point_energy_ev: "ZPE (eV)",
};

function otherValue(key: string, v: unknown): string {
  if (key === "wall_time_s" && typeof v === "number") return formatDuration(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number" && !Number.isInteger(v)) return String(Number(v.toFixed(6)));
  return String(v);
}

/**
 * The parser's JSON for a job as lines: a summary, then the SCF convergence plot (|ΔE| per cycle on
 * a log scale) and the optimisation energy trajectory. `live` marks values read from a running
 * job's output so far.
 */
export function resultLines(
  parsed: object | null,
  opts: { width: number; plotHeight: number; live: boolean; color: ColorFn; note?: string },
): ReactNode[] {
  // every key of the parser's result (or of a Phase-1 tool's) is shown, by name
  const results: Record<string, unknown> | null = parsed ? Object.fromEntries(Object.entries(parsed)) : null;
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
  const e = num(results.final_energy_hartree);
  if (e !== null) {
    out.push(row("Final energy", `${formatHartree(e)} Ha  (${(e * HARTREE_EV).toFixed(4)} eV)`, "energy"));
  }
  const scf = obj(results.scf);
  const scfEnergies = numbers(scf?.energies_hartree);
  const scfCycles = num(scf?.cycles) ?? num(results.scf_cycles) ?? (scfEnergies.length || null);
  const scfConv =
    typeof (scf?.converged ?? results.scf_converged) === "boolean"
      ? (scf?.converged ?? results.scf_converged)
      : null;
  if (scfCycles !== null || scfConv !== null) {
    const conv = scfConv === null ? "" : scfConv ? ", converged" : ", NOT converged";
    out.push(row("SCF", `${scfCycles ?? "?"} cycles${conv}`, "scf"));
  }
  const opt = obj(results.opt);
  const optEnergies = numbers(opt?.energies_hartree);
  const optSteps = num(opt?.steps) ?? (optEnergies.length || null);
  const optConv =
    typeof (opt?.converged ?? results.opt_converged) === "boolean"
      ? (opt?.converged ?? results.opt_converged)
      : null;
  if (optSteps !== null || optConv !== null) {
    const conv = optConv === null ? "" : optConv ? ", converged" : ", NOT converged";
    out.push(row("Optimisation", `${optSteps ?? "?"} steps${conv}`, "opt"));
  }
  const gap = num(results.band_gap_ev);
  if (gap !== null) out.push(row("Band gap", `${gap.toFixed(4)} eV`, "gap"));
  const lattice = latticeText(results.lattice);
  if (lattice) out.push(row("Lattice", lattice, "lattice"));
  // everything else the parser found, so nothing it knows stays hidden
  for (const [k, v] of Object.entries(results)) {
    if (SHOWN.has(k) || v === null || v === undefined) continue;
    if (typeof v === "object") continue;
    out.push(row(LABELS[k] ?? k.replace(/_/g, " "), otherValue(k, v), `x-${k}`));
  }
  for (const [i, w] of strings(results.warnings).entries()) {
    out.push(row(i === 0 ? "Warnings" : "", <Text color={color("yellow")}>{printable(w)}</Text>, `w${i}`));
  }
  for (const [i, err] of strings(results.errors).entries()) {
    out.push(row(i === 0 ? "Errors" : "", <Text color={color("red")}>{printable(err)}</Text>, `e${i}`));
  }
  const plotWidth = Math.max(20, opts.width - 2);
  if (scfEnergies.length >= 2) {
    out.push(" ");
    out.push(
      <Text key="scf-title" bold>
        SCF convergence — |ΔE| per cycle (Ha, log scale)
      </Text>,
    );
    for (const [i, l] of plotSeries(energyChanges(scfEnergies), {
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
