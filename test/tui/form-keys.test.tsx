// Text fields in the TUI's forms edit like a shell's line (cursor, home/end, ctrl+u/k/w), keys that
// arrive before the screen is drawn again are all applied (a burst: a paste split in chunks, tab
// then a letter), and esc in a form with changes asks before dropping them.
import { afterEach, describe, expect, test } from "vitest";
import { KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const clusters = { name: "clusters" as const };
const ctrl = (letter: string) => String.fromCharCode(letter.charCodeAt(0) - 96);
const HOME = "\u001b[H";
const LEFT = "\u001b[D";

/** The value shown after a field's label (the cursor cell is one more character: trimmed). */
function fieldValue(frame: string, label: string): string {
  const line = frame.split("\n").find((l) => new RegExp(`^[› ] ${label}(\\s|$)`).test(l));
  if (!line) throw new Error(`no field ${label}:\n${frame}`);
  return line.replace(new RegExp(`^[› ] ${label}\\s*`), "").trimEnd();
}

describe("form text fields", () => {
  test("cursor keys, home/end and ctrl+u / ctrl+k / ctrl+w edit inside the text", async () => {
    const store = makeStore();
    m = mount(store, { view: clusters, columns: 100, rows: 30 });
    await m.waitFor("No clusters yet");
    await m.press("a");
    await m.waitFor("Add a cluster");
    await m.type("mgo_scf");
    await m.press(HOME);
    await m.type("bulk_");
    expect(fieldValue(m.lastFrame(), "Name")).toBe("bulk_mgo_scf");
    // three left from the end, then a letter goes in there
    await m.press(ctrl("e"), LEFT, LEFT, LEFT);
    await m.type("X");
    expect(fieldValue(m.lastFrame(), "Name")).toBe("bulk_mgo_Xscf");
    await m.press(ctrl("k"));
    expect(fieldValue(m.lastFrame(), "Name")).toBe("bulk_mgo_X");
    await m.press(KEY.backspace);
    await m.press(ctrl("a"), ctrl("k"));
    expect(fieldValue(m.lastFrame(), "Name")).toBe("");
    await m.type("hpc two");
    await m.press(ctrl("w"));
    expect(fieldValue(m.lastFrame(), "Name")).toBe("hpc");
    await m.press(ctrl("u"));
    await m.type("hpc");
    expect(fieldValue(m.lastFrame(), "Name")).toBe("hpc");
  });

  test("keys that arrive in one read are all applied, in order: characters, arrows, more characters", async () => {
    const store = makeStore();
    m = mount(store, { view: clusters, columns: 100, rows: 30 });
    await m.waitFor("No clusters yet");
    await m.press("a");
    await m.waitFor("Add a cluster");
    // keys that arrive in one read from the terminal (a fast typist, a paste over a slow link): the
    // input parser hands them over one after the other before anything is drawn
    await m.write(`hpc${KEY.down}${KEY.down}127.0.0.1`);
    const f = await m.waitFor((frame) => fieldValue(frame, "Host") === "127.0.0.1");
    expect(fieldValue(f, "Name")).toBe("hpc");
  });

  test("esc in a form with changes asks; no keeps it, yes drops it", async () => {
    const store = makeStore();
    m = mount(store, { view: clusters, columns: 100, rows: 30 });
    await m.waitFor("No clusters yet");
    await m.press("a");
    await m.waitFor("Add a cluster");
    // nothing typed: esc leaves at once
    await m.press(KEY.escape);
    await m.waitFor("No clusters yet");
    await m.press("a");
    await m.waitFor("Add a cluster");
    await m.type("hpc");
    await m.press(KEY.escape);
    await m.waitFor("Leave the form? What you changed is dropped.");
    await m.press("n");
    let f = await m.waitFor((frame) => !frame.includes("Leave the form?"));
    expect(fieldValue(f, "Name")).toBe("hpc");
    await m.press(KEY.escape);
    await m.waitFor("Leave the form?");
    await m.press("y");
    f = await m.waitFor("No clusters yet");
    expect(store.clusters.list()).toEqual([]);
  });
});
