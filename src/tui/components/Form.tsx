// A form as a column of fields (text, choice, button) with the focused one marked; its state and its
// keys belong to the screen that owns it (see editText / moveChoice).

import type { Key } from "ink";
import { Box, Text } from "ink";
import type { ReactElement } from "react";
import type { Binding } from "../bindings.js";
import { clip } from "../format.js";
import { useColor } from "../theme.js";

export type Field =
  | {
      kind: "text";
      name: string;
      label: string;
      value: string;
      error?: string | null;
      hint?: string;
    }
  | {
      kind: "choice";
      name: string;
      label: string;
      value: string;
      options: readonly string[];
      error?: string | null;
      hint?: string;
    }
  | { kind: "button"; name: string; label: string; error?: string | null; hint?: string };

/**
 * Applies a key press to a text value: printable characters append, backspace/delete remove one.
 * A burst of keys that arrives as one chunk (a paste, or a held backspace on a slow line) is applied
 * character by character; other control characters never enter a field.
 */
export function editText(value: string, input: string, key: Key): string {
  if (key.backspace || key.delete) return [...value].slice(0, -1).join("");
  if (key.ctrl || key.meta || key.escape || key.return || key.tab) return value;
  if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return value;
  if (key.pageUp || key.pageDown) return value;
  let out = [...value];
  for (const ch of input) {
    if (ch === "\u007f" || ch === "\b") out = out.slice(0, -1);
    else if (!/[\u0000-\u001f]/.test(ch)) out.push(ch);
  }
  return out.join("");
}

/** What a form's keys act on: the focused field, moving between fields, changing one, submitting. */
export interface FormCtx {
  fields: Field[];
  focus: number;
  setFocus: (i: number) => void;
  /** Sets a field's value. */
  change: (name: string, value: string) => void;
  submit: () => void;
  back: () => void;
  /** Opens `?` (offered where a key does not type: on a choice or the button). */
  help: () => void;
}

const focused = (c: FormCtx) => c.fields[Math.min(c.focus, c.fields.length - 1)]!;
const step = (c: FormCtx, by: number) => c.setFocus((c.focus + by + c.fields.length) % c.fields.length);

/** The keys of a form (the new-job and the cluster forms); `submit` names what ctrl+s does. */
export function formBindings<C extends FormCtx>(submit: string, back: string, extra: Binding<C>[] = []) {
  const table: Binding<C>[] = [
    { on: ["down", "tab"], does: "next field", footer: "next", run: (c) => step(c, 1) },
    { on: ["up", "shift+tab"], does: "previous field", run: (c) => step(c, -1) },
    {
      on: ["left", "right", "space"],
      does: "change the choice",
      footer: "change",
      when: (c) => focused(c).kind === "choice",
      run: (c, _input, key) => {
        const f = focused(c);
        if (f.kind === "choice") c.change(f.name, moveChoice(f.options, f.value, key.leftArrow ? -1 : 1));
      },
    },
    { on: ["ctrl+s"], does: submit, footer: submit.split(" ")[0], run: (c) => c.submit() },
    {
      on: ["enter"],
      does: `${submit} on the button; elsewhere: next field`,
      run: (c) => (focused(c).kind === "button" ? c.submit() : step(c, 1)),
    },
    { on: ["esc"], does: back, footer: "back", run: (c) => c.back() },
    ...extra,
    {
      on: ["?"],
      does: "this help (on a choice or the button; in a text field ? is typed)",
      footer: "help",
      when: (c) => focused(c).kind !== "text",
      run: (c) => c.help(),
    },
    {
      on: ["text"],
      does: "edit the field (backspace deletes)",
      footer: "edit",
      when: (c) => focused(c).kind === "text",
      run: (c, input, key) => {
        const f = focused(c);
        if (f.kind === "text") c.change(f.name, editText(f.value, input, key));
      },
    },
  ];
  return table;
}

/** The next (+1) or previous (−1) option of a choice, wrapping around. */
export function moveChoice(options: readonly string[], value: string, step: 1 | -1): string {
  if (options.length === 0) return value;
  const i = options.indexOf(value);
  return options[(i + step + options.length) % options.length] ?? value;
}

export function FormView({
  fields,
  focus,
  width,
  height,
  labelWidth = 14,
}: {
  fields: Field[];
  focus: number;
  width: number;
  /** Lines available; the form scrolls to keep the focused field in view. */
  height: number;
  labelWidth?: number;
}) {
  const color = useColor();
  // the longest label and a gap (a template's parameter names are long: opt_maxcycle), at most
  // half the form
  const longest = Math.max(0, ...fields.map((f) => (f.kind === "button" ? 0 : [...f.label].length)));
  const labelCols = Math.max(labelWidth, Math.min(longest + 3, Math.floor(width / 2)));
  const valueWidth = Math.max(4, width - labelCols - 2);
  // each field takes one line, plus one for its error or (when focused) its hint
  const linesOf = (f: Field, i: number) => 1 + (f.error || (i === focus && f.hint) ? 1 : 0);
  let first = 0;
  let used = 0;
  for (let i = 0; i <= focus && i < fields.length; i++) used += linesOf(fields[i]!, i);
  while (used > height && first < focus) {
    used -= linesOf(fields[first]!, first);
    first++;
  }
  const shown: ReactElement[] = [];
  let lines = 0;
  for (let i = first; i < fields.length; i++) {
    const f = fields[i]!;
    const n = linesOf(f, i);
    if (lines + n > height) break;
    lines += n;
    const focused = i === focus;
    let value: ReactElement;
    if (f.kind === "text") {
      value = (
        <Text wrap="truncate-start">
          {clip(f.value, valueWidth - 1)}
          {focused ? <Text inverse> </Text> : ""}
        </Text>
      );
    } else if (f.kind === "choice") {
      value = (
        <Text wrap="truncate-end">
          <Text dimColor={!focused}>‹ </Text>
          {f.value}
          <Text dimColor={!focused}> ›</Text>
        </Text>
      );
    } else {
      value = (
        <Text bold inverse={focused} color={color("green")}>
          {` ${f.label} `}
        </Text>
      );
    }
    shown.push(
      <Box key={f.name} flexDirection="column">
        <Box>
          <Box width={labelCols} flexShrink={0}>
            <Text bold={focused} color={focused ? color("cyan") : undefined} wrap="truncate-end">
              {focused ? "› " : "  "}
              {f.kind === "button" ? "" : f.label}
            </Text>
          </Box>
          <Box width={valueWidth + 2}>{value}</Box>
        </Box>
        {f.error ? (
          <Text color={color("red")} wrap="truncate-end">
            {"  ✖ "}
            {f.error}
          </Text>
        ) : focused && f.hint ? (
          <Text dimColor wrap="truncate-end">
            {"    "}
            {f.hint}
          </Text>
        ) : null}
      </Box>,
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {shown}
    </Box>
  );
}
