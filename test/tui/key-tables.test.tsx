// The keys a screen shows and the keys it obeys are the same (issue 13, defect 5): on every screen
// and in every mode, each key the `?` help lists does something visible when pressed, each key of
// the footer is in the help, and every other key does nothing at all. The keys are read from the
// rendered help and pressed as a terminal sends them, so the test does not lean on the key tables.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { Store } from "../../src/store/store.js";
import type { View } from "../../src/tui/app.js";
import { MGO_DECK } from "../helpers/project.js";
import { jobFolder, newJob } from "../store/new-jobs.js";
import { addJobs, KEY, type Mounted, makeStore, mount, sleep } from "./helpers.js";

// e (copy and edit) runs $VISUAL on the terminal: here an editor that saves the deck as it is
process.env.VISUAL = "true";
// o runs $PAGER on the terminal, which ink-testing-library does not show: here a pager that is not
// there, so that o answers on the screen (the pager itself: test/tui/detail-paging.test.tsx)
process.env.PAGER = "crystal-tui-test-no-such-pager";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

/** What a terminal sends for a key as the help names it. */
const SENDS: Record<string, string> = {
  "↑": KEY.up,
  "↓": KEY.down,
  "←": KEY.left,
  "→": KEY.right,
  enter: KEY.enter,
  esc: KEY.escape,
  tab: KEY.tab,
  "shift+tab": KEY.shiftTab,
  pgup: KEY.pageUp,
  pgdn: KEY.pageDown,
  home: "\u001b[H",
  end: "\u001b[F",
  space: " ",
  backspace: KEY.backspace,
  type: "x",
  "any key": "x",
};

function sends(token: string): string {
  if (SENDS[token]) return SENDS[token]!;
  const ctrl = /^ctrl\+([a-z])$/.exec(token);
  if (ctrl) return String.fromCharCode(ctrl[1]!.charCodeAt(0) - 96);
  expect([...token], `a key the test does not know: ${token}`).toHaveLength(1);
  return token;
}

/** The keys of one line of the help ("↑↓ j k" → ↑ ↓ j k). */
function tokens(label: string): string[] {
  return label
    .replace("any key", "any\u00a0key")
    .replace("↑↓", "↑ ↓")
    .replace("←→", "← →")
    .split(" ")
    .filter(Boolean)
    .map((t) => t.replace("\u00a0", " "));
}

interface Listed {
  title: string;
  /** The key labels of the screen's lines and of the "Everywhere" lines. */
  labels: string[];
  footer: string[];
}

/** The footer's keys: "keys word  keys word  …". */
const footerOf = (frame: string) =>
  frame
    .split("\n")
    .at(-1)!
    .split(/\s{2,}/)
    .map((item) => item.trim().split(" ").slice(0, -1).join(" "))
    .filter(Boolean);

/**
 * Opens `?`, reads the key column, closes it again. Where `?` is not a key (it is typed into a
 * field, or any key answers a question), the footer is all there is.
 */
async function readHelp(mm: Mounted): Promise<Listed> {
  const before = mm.lastFrame();
  const footer = footerOf(before);
  if (!footer.includes("?")) return { title: "", labels: footer, footer };
  await mm.press("?");
  const f = await mm.waitFor(/Keys — .* screen/);
  const lines = f.split("\n");
  const start = lines.findIndex((l) => l.startsWith("Keys — "));
  const title = /Keys — (.*) screen/.exec(lines[start]!)![1]!;
  const labels: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith("Everywhere") || l.trim() === "") continue;
    if (!/^\S.{0,17}\s{2,}\S/.test(l) || /^(Marks|Statuses) /.test(l)) {
      if (labels.length > 0 && !/\s{2,}/.test(l)) break;
      continue;
    }
    labels.push(l.slice(0, 18).trim());
  }
  await mm.press("x"); // any key closes the help
  await mm.waitFor((fr) => !fr.includes("Keys — "));
  return { title, labels, footer };
}

interface Scenario {
  what: string;
  store: () => Store;
  view?: View;
  /** Keys pressed first, to reach the mode (and a place where every move can move). */
  setup: string[];
  /** A frame that says the setup is done. */
  ready: string | RegExp | ((frame: string) => boolean);
  rows?: number;
}

const PRINTABLE = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i));
const NAMED = [
  "↑",
  "↓",
  "←",
  "→",
  "enter",
  "esc",
  "tab",
  "shift+tab",
  "pgup",
  "pgdn",
  "home",
  "end",
  "space",
];
const CTRL = ["ctrl+s", "ctrl+u", "ctrl+w", "ctrl+a", "ctrl+e"];

function jobsStore(): Store {
  const store = makeStore();
  addJobs(store, ["a1", "b2", "c3"]);
  return store;
}

function detailStore(): Store {
  const store = makeStore();
  const [job] = addJobs(store, ["long"]);
  const folder = jobFolder(store, job!);
  fs.writeFileSync(
    path.join(folder, "long.out"),
    Array.from({ length: 200 }, (_, i) => `line ${i + 1}`).join("\n"),
  );
  fs.writeFileSync(path.join(folder, "extra.txt"), "x\n");
  fs.writeFileSync(path.join(folder, "zz.txt"), "z\n");
  return store;
}

function workflowsStore(): Store {
  const store = makeStore();
  for (const name of ["wf-a", "wf-b", "wf-c"]) {
    const { workflow } = store.workflows.create({ name, source: `name: ${name}\n` }, [], () => ({}));
    for (const step of ["one", "two", "three"])
      newJob(store, {
        name: `${name}-${step}`,
        input: MGO_DECK,
        workflowId: workflow.id,
        workflowStep: step,
      });
  }
  return store;
}

function clustersStore(): Store {
  const store = makeStore();
  for (const name of ["c-one", "c-two", "c-three"])
    store.clusters.create({ name, type: "slurm", hostname: "login.example.org", username: "chemist" });
  return store;
}

const detail = (jobId: number): View => ({ name: "detail", jobId, from: { name: "jobs" } });

const SCENARIOS: Scenario[] = [
  { what: "job list", store: jobsStore, setup: ["j"], ready: /^›\s*2 b2/m },
  {
    what: "job list, filtered",
    store: jobsStore,
    setup: ["f", "j"],
    ready: (f) => f.includes("filter: active") && /^›\s*2 b2/m.test(f),
  },
  { what: "job list, searching", store: jobsStore, setup: ["/", "b"], ready: "/b" },
  { what: "job list, choosing a sort column", store: jobsStore, setup: ["s", KEY.right], ready: "sort by:" },
  { what: "a question", store: jobsStore, setup: ["c"], ready: "[y/N]" },
  { what: "job detail, log", store: detailStore, view: detail(1), setup: ["k", "k"], ready: "not following" },
  {
    what: "job detail, files",
    store: detailStore,
    view: detail(1),
    setup: ["\t", "\t", "\t", "j"],
    ready: /^›(?!extra)\S/m,
  },
  {
    what: "job detail, a file",
    store: detailStore,
    view: detail(1),
    setup: ["\t", "\t", "\t", "j", "\r"],
    ready: "(esc: back",
  },
  {
    what: "workflows",
    store: workflowsStore,
    view: { name: "workflows" },
    setup: ["j"],
    ready: "Steps of wf-b",
  },
  {
    what: "workflow steps",
    store: workflowsStore,
    view: { name: "workflows" },
    setup: ["j", "\r", "j"],
    ready: /›\s*\S*\s*… two/,
  },
  { what: "clusters", store: clustersStore, view: { name: "clusters" }, setup: ["j"], ready: "c-three:" },
  {
    what: "cluster form, a text field",
    store: clustersStore,
    view: { name: "clusters" },
    setup: ["a"],
    ready: "Add a cluster",
  },
  {
    what: "cluster form, a choice",
    store: clustersStore,
    view: { name: "clusters" },
    setup: ["a", KEY.down],
    ready: /› Type/,
  },
  { what: "new job, a choice", store: jobsStore, setup: ["n"], ready: "single-point" },
];

async function reach(s: Scenario): Promise<Mounted> {
  const mm = mount(s.store(), { view: s.view, rows: s.rows ?? 30, columns: 100 });
  await mm.waitFor((f) => f.includes("crystal-tui"), 10_000);
  await sleep(100);
  for (const k of s.setup) {
    await mm.press(k);
    await sleep(30);
  }
  await mm.waitFor(s.ready, 10_000);
  await sleep(50);
  return mm;
}

describe("every screen: the keys shown are the keys obeyed", () => {
  for (const s of SCENARIOS) {
    test(s.what, async () => {
      m = await reach(s);
      const listed = await readHelp(m);
      expect(listed.labels.length, "the help lists keys").toBeGreaterThan(0);
      // the footer promises nothing the help does not list
      for (const f of listed.footer) expect(listed.labels, `footer key ${f}`).toContain(f);
      const keys = [...new Set(listed.labels.flatMap(tokens))];

      // every key shown does something: from the same place, pressing it changes the screen
      m.unmount();
      m = null;
      for (const k of keys) {
        const mm = await reach(s);
        m = mm;
        const before = mm.lastFrame();
        await mm.press(sends(k));
        await mm
          .waitFor((f) => f !== before || mm.quit.called, 4000)
          .catch(() => {
            throw new Error(`${s.what}: "${k}" is shown but does nothing; the screen:\n${before}`);
          });
        mm.unmount();
        m = null;
      }

      // and no other key does anything
      // where keys type (a text field, the search), every character does something already
      if (keys.includes("any key") || keys.includes("type")) return;
      m = await reach(s);
      const mm = m;
      const quiet = [...PRINTABLE, ...NAMED, ...CTRL].filter((k) => !keys.includes(k));
      const before = mm.lastFrame();
      for (const k of quiet) {
        await mm.press(sends(k));
        await sleep(10);
        const after = mm.lastFrame();
        expect(after, `${s.what}: "${k}" is not shown but changed the screen`).toBe(before);
        expect(mm.quit.called, `${s.what}: "${k}" quit`).toBe(false);
      }
    }, 240_000);
  }
});
