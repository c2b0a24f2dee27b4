// A form's state in one reducer: the values typed so far, the focused field and the cursor in it.
// Keys are applied to the state as it is when they arrive, not as the last frame drew it: two keys
// that come before the screen is drawn again (fast typing, a paste split in two chunks, tab then a
// letter) each see what the one before did. The screen passes what it shows for a field not yet
// edited (a default such as the template's job name), so the first edit starts from that.
import type { Key } from "ink";
import { useReducer } from "react";
import { atEnd, editLine } from "./line-editor.js";

export interface FormState {
  /** Values the user set (a field not in here shows its default). */
  values: Readonly<Record<string, string>>;
  focus: number;
  /** The cursor in the focused text field; null = after its last character. */
  cursor: number | null;
}

export type FormAction =
  | { type: "step"; by: number; count: number }
  | { type: "focus"; to: number }
  | { type: "set"; name: string; value: string }
  | { type: "edit"; name: string; shown: string; input: string; key: Key };

export function formReducer(state: FormState, action: FormAction): FormState {
  switch (action.type) {
    case "step": {
      const n = Math.max(1, action.count);
      const from = Math.min(state.focus, n - 1);
      return { ...state, focus: (((from + action.by) % n) + n) % n, cursor: null };
    }
    case "focus":
      return action.to === state.focus ? state : { ...state, focus: action.to, cursor: null };
    case "set":
      return { ...state, values: { ...state.values, [action.name]: action.value } };
    case "edit": {
      const value = state.values[action.name] ?? action.shown;
      const line = state.cursor === null ? atEnd(value) : { value, cursor: state.cursor };
      const next = editLine(line, action.input, action.key);
      const end = [...next.value].length;
      return {
        ...state,
        values: next.value === value ? state.values : { ...state.values, [action.name]: next.value },
        cursor: next.cursor >= end ? null : next.cursor,
      };
    }
  }
}

export function useFormState(values: Record<string, string> = {}) {
  return useReducer(formReducer, { values, focus: 0, cursor: null });
}
