// A form as a column of fields (text, choice, button) with the focused one marked; its state and its
// keys belong to the screen that owns it (see editText / moveChoice).

import type { Key } from "ink";
import { Box, Text } from "ink";
import type { ReactElement } from "react";
import type { Binding } from "../bindings.js";
import { clip } from "../format.js";
import { useColor } from "../theme.js";
import type { FormAction } from "./form-state.js";
import { atEnd, cursorView, editLine, LINE_EDIT_KEYS } from "./line-editor.js";

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
 * A key press applied to a text value with the cursor at its end (src/tui/components/line-editor.ts
 * has the editing rules: a burst that arrives as one chunk is applied character by character, and
 * control characters never enter a field).
 */
export function editText(value: string, input: string, key: Key): string {
  return editLine(atEnd(value), input, key).value;
}

/** What a form's keys act on: the focused field, moving between fields, changing one, submitting. */
export interface FormCtx {
  fields: Field[];
  focus: number;
  /** Moves the focus by this many fields (wrapping), from where it is when the key arrives. */
  move: (by: number) => void;
  /** Sets a field's value (a choice). */
  change: (name: string, value: string) => void;
  /** Applies a key to a text field, from its value when the key arrives (`shown` until first edited). */
  edit: (name: string, shown: string, input: string, key: Key) => void;
  submit: () => void;
  back: () => void;
  /** Opens `?` (offered where a key does not type: on a choice or the button). */
  help: () => void;
}

/** The FormCtx parts a useFormState reducer provides. */
export function formActions(
  dispatch: (a: FormAction) => void,
  count: number,
): Pick<FormCtx, "move" | "edit"> & { set: (name: string, value: string) => void } {
  return {
    move: (by) => dispatch({ type: "step", by, count }),
    edit: (name, shown, input, key) => dispatch({ type: "edit", name, shown, input, key }),
    set: (name, value) => dispatch({ type: "set", name, value }),
  };
}

const focused = (c: FormCtx) => c.fields[Math.min(c.focus, c.fields.length - 1)]!;
const step = (c: FormCtx, by: number) => c.move(by);

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
      does: "edit the field (backspace deletes before the cursor)",
      footer: "edit",
      when: (c) => focused(c).kind === "text",
      run: (c, input, key) => {
        const f = focused(c);
        if (f.kind === "text") c.edit(f.name, f.value, input, key);
      },
    },
    {
      on: LINE_EDIT_KEYS,
      does: "move in the text (←/→, home/end, ctrl+a/e); ctrl+u/ctrl+k delete to the start/end, ctrl+w a word",
      when: (c) => focused(c).kind === "text",
      run: (c, input, key) => {
        const f = focused(c);
        if (f.kind === "text") c.edit(f.name, f.value, input, key);
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
  cursor = null,
}: {
  fields: Field[];
  focus: number;
  /** The cursor in the focused text field (null: after its end). */
  cursor?: number | null;
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
      if (focused) {
        const shown = cursorView({ value: f.value, cursor: cursor ?? [...f.value].length }, valueWidth);
        value = (
          <Text wrap="truncate-end">
            {shown.before}
            <Text inverse>{shown.at}</Text>
            {shown.after}
          </Text>
        );
      } else value = <Text wrap="truncate-start">{clip(f.value, valueWidth - 1)}</Text>;
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
