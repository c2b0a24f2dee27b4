// y copies the job's folder (a local job) or its SLURM id (a job on a cluster) to the terminal's
// clipboard (issue 13, defect 10): the OSC 52 sequence the terminal receives carries exactly that
// text, and the flash says what was copied.
import { afterEach, describe, expect, test } from "vitest";
import { setClipboardTerminal } from "../../src/tui/clipboard.js";
import { MGO_DECK } from "../helpers/project.js";
import { jobFolder, newJob } from "../store/new-jobs.js";
import { addJobs, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
  setClipboardTerminal(null);
});

/** What the terminal was asked to put on its clipboard, decoded from each OSC 52 sequence. */
function clipboardOf(sent: string[]): string[] {
  return sent.map((s) => {
    const x = /^\x1b\]52;c;([A-Za-z0-9+/=]*)\x07$/.exec(s);
    expect(x, `an OSC 52 sequence: ${JSON.stringify(s)}`).not.toBeNull();
    return Buffer.from(x![1]!, "base64").toString("utf8");
  });
}

describe("y on the job list", () => {
  test("a local job: its folder goes to the clipboard, the flash shows it", async () => {
    const sent: string[] = [];
    setClipboardTerminal((s) => sent.push(s));
    const store = makeStore();
    const [job] = addJobs(store, ["mgo_scf"]);
    m = mount(store, { columns: 200 });
    await m.waitFor(/›\s*1 mgo_scf/);
    await m.press("y");
    const folder = jobFolder(store, job!);
    await m.waitFor(`copied job 1's folder ${folder}`);
    expect(clipboardOf(sent)).toEqual([folder]);
    // the same in the job's detail
    m.unmount();
    m = mount(store, { columns: 200, view: { name: "detail", jobId: job!.id, from: { name: "jobs" } } });
    await m.waitFor("#1 mgo_scf");
    await m.press("y");
    await m.waitFor(`copied job 1's folder ${folder}`);
    expect(clipboardOf(sent)).toEqual([folder, folder]);
  });

  test("a SLURM job: its SLURM id; before it was submitted, one line saying so and nothing copied", async () => {
    const sent: string[] = [];
    setClipboardTerminal((s) => sent.push(s));
    const store = makeStore();
    const hpc = store.clusters.create({
      name: "hpc",
      type: "slurm",
      hostname: "login.example.org",
      username: "chemist",
    });
    const queued = newJob(store, { name: "far", input: MGO_DECK, clusterId: hpc.id, runnerType: "slurm" });
    const pending = newJob(store, { name: "later", input: MGO_DECK, clusterId: hpc.id, runnerType: "slurm" });
    store.jobs.transition(queued.id, "QUEUED");
    store.remoteJobs.create({
      jobId: queued.id,
      clusterId: hpc.id,
      remoteHandle: "4242",
      workingDirectory: "/scratch/x",
    });
    m = mount(store, { columns: 200 });
    await m.waitFor(/›\s*2 later/); // newest first
    await m.press("y");
    await m.waitFor(
      `job ${pending.id} is PENDING and has no SLURM id yet — y copies it once it was submitted`,
    );
    expect(sent).toEqual([]);
    await m.press("j");
    await m.waitFor(/›\s*1 far/);
    await m.press("y");
    await m.waitFor(`copied job ${queued.id}'s SLURM id 4242`);
    expect(clipboardOf(sent)).toEqual(["4242"]);
  });
});
