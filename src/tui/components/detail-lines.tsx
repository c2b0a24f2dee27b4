// The content of the job detail's tabs as lines (the detail screen scrolls them): the deck with its
// keywords highlighted, the files, and the history. The Results tab is components/results/.
import { Text } from "ink";
import type { ReactNode } from "react";
import { STATUS_SYMBOL } from "../../domain/status.js";
import type { JobEvent } from "../../domain/types.js";
import type { LinkedJob } from "../../store/records.js";
import { clip, formatBytes, formatTimestamp, formatWhen, printable } from "../format.js";
import { highlightDeck, type SegmentKind } from "../highlight.js";
import { STATUS_COLOR } from "../theme.js";

export type ColorFn = (name: string | undefined) => string | undefined;

const SEGMENT_STYLE: Record<SegmentKind, { color?: string; bold?: boolean }> = {
  title: { color: "white", bold: true },
  keyword: { color: "cyan", bold: true },
  number: { color: "yellow" },
  text: {},
};

export function deckLines(
  deck: string,
  keywords: ReadonlySet<string>,
  color: ColorFn,
  /** Lines with errors (1-based): their number is shown as ✖ in red, so the failing line stands out. */
  errorLines: readonly number[] = [],
): ReactNode[] {
  // a deck is text from anywhere: no control character of it reaches the terminal
  const shown = deck.replace(/\t/g, "    ").replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "");
  const failing = new Set(errorLines);
  return highlightDeck(shown, keywords).map((segments, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
    <Text key={i} wrap="truncate-end">
      {failing.has(i + 1) ? (
        <Text color={color("red")} bold inverse>{`${String(i + 1).padStart(3)}✖`}</Text>
      ) : (
        <Text dimColor>{String(i + 1).padStart(3)} </Text>
      )}
      {segments.map((s, j) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional
        <Text key={j} color={color(SEGMENT_STYLE[s.kind].color)} bold={SEGMENT_STYLE[s.kind].bold}>
          {s.text}
        </Text>
      ))}
    </Text>
  ));
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
