// A cluster's login asks a one-time code while the TUI is open: the modal names the cluster and
// shows the server's own prompt, what is typed never reaches the screen, enter hands it to the
// login, esc cancels it, and while it is open no key reaches the screen underneath.
import { afterEach, describe, expect, test } from "vitest";
import type { PromptRequest } from "../../src/transport/openssh/prompt-broker.js";
import { LoginPrompts } from "../../src/tui/login-prompts.js";
import { addJobs, KEY, type Mounted, makeStore, mount } from "./helpers.js";

let m: Mounted | null = null;
afterEach(() => {
  m?.unmount();
  m = null;
});

const codeFor = (cluster: string, prompt = "(chem@login) Verification code: "): PromptRequest => ({
  cluster,
  prompt,
  kind: "one-time-code",
});

async function open(): Promise<{ m: Mounted; logins: LoginPrompts; store: ReturnType<typeof makeStore> }> {
  const store = makeStore();
  addJobs(store, ["mgo"]);
  const logins = new LoginPrompts();
  m = mount(store, { columns: 100, rows: 24, logins });
  await m.waitFor("CREATED");
  return { m, logins, store };
}

describe("the login prompt (one-time codes in the TUI)", () => {
  test("names the cluster and the server's prompt; the typed code is never shown; enter answers with it", async () => {
    const { m, logins } = await open();
    const answer = logins.ask(codeFor("hpc"));
    const f = await m.waitFor("Login to cluster hpc");
    expect(f).toContain("(chem@login) Verification code:");
    expect(f).toContain("one-time code");
    await m.type("739201");
    const typed = await m.waitFor("••••••");
    expect(typed).not.toMatch(/•{7}/);
    await m.press(KEY.enter);
    expect(await answer).toBe("739201");
    // the list is back, and no frame ever showed the code
    await m.waitFor((fr) => fr.includes("CREATED") && !fr.includes("Login to cluster"));
    for (const frame of m.frames) expect(frame).not.toContain("739201");
  });

  test("esc cancels: the login gets no answer", async () => {
    const { m, logins } = await open();
    const answer = logins.ask(codeFor("hpc"));
    await m.waitFor("Login to cluster hpc");
    await m.type("12");
    await m.press(KEY.escape);
    expect(await answer).toBeNull();
    await m.waitFor((fr) => fr.includes("CREATED") && !fr.includes("Login to cluster"));
  });

  test("while it is open every key is the modal's: q does not quit, 3 does not switch screens", async () => {
    const { m, logins } = await open();
    const answer = logins.ask(codeFor("hpc"));
    await m.waitFor("Login to cluster hpc");
    await m.type("q3?x");
    await m.press(KEY.backspace);
    const f = await m.waitFor("•••");
    expect(f).not.toMatch(/•{4}/);
    expect(f).not.toContain("Keys —");
    expect(f).toMatch(/enter send\s+esc cancel/);
    await m.press(KEY.enter);
    expect(await answer).toBe("q3?");
    expect(m.quit.called).toBe(false);
    const back = await m.waitFor("CREATED");
    expect(back).not.toContain("Add a cluster");
  });

  test("asked again after a refused code: the modal says why the last try failed", async () => {
    const { m, logins, store } = await open();
    const hpc = store.clusters.create({ name: "hpc", type: "ssh", hostname: "10.0.0.5", username: "chem" });
    store.clusters.setConnection(hpc.id, {
      status: "needs-auth",
      lastError: "cluster 'hpc': 10.0.0.5 refused the one-time code",
      since: Date.now(),
    });
    m.watcher.touch();
    const answer = logins.ask(codeFor("hpc"));
    const f = await m.waitFor("last try: cluster 'hpc': 10.0.0.5 refused the one-time code");
    expect(f).toContain("Verification code:");
    await m.press(KEY.escape);
    expect(await answer).toBeNull();
  });

  test("two logins asking at once: one question at a time, in order, each starting empty", async () => {
    const { m, logins } = await open();
    const first = logins.ask(codeFor("hpc"));
    const second = logins.ask(codeFor("archer", "Enter your OTP token: "));
    await m.waitFor("Login to cluster hpc");
    await m.type("111111");
    await m.press(KEY.enter);
    expect(await first).toBe("111111");
    const f = await m.waitFor("Login to cluster archer");
    expect(f).toContain("Enter your OTP token:");
    expect(f).not.toContain("•");
    await m.type("22");
    await m.press(KEY.enter);
    expect(await second).toBe("22");
  });

  test("a login that stops waiting (ssh timed out) takes its question away; the next one shows", async () => {
    const { m, logins } = await open();
    const gaveUp = new AbortController();
    const first = logins.ask({ ...codeFor("hpc"), signal: gaveUp.signal });
    const second = logins.ask(codeFor("archer"));
    await m.waitFor("Login to cluster hpc");
    await m.type("12");
    gaveUp.abort();
    expect(await first).toBeNull();
    const f = await m.waitFor("Login to cluster archer");
    expect(f).not.toContain("•");
    await m.type("34");
    await m.press(KEY.enter);
    expect(await second).toBe("34");
    await m.waitFor((fr) => fr.includes("CREATED") && !fr.includes("Login to cluster"));
    // asked by a login that already gave up: never shown
    const late = new AbortController();
    late.abort();
    expect(await logins.ask({ ...codeFor("hpc"), signal: late.signal })).toBeNull();
    expect(logins.current()).toBeNull();
  });

  test("closing the TUI cancels the questions still open (no login waits for ever)", async () => {
    const logins = new LoginPrompts();
    const a = logins.ask(codeFor("hpc"));
    const b = logins.ask(codeFor("archer"));
    logins.close();
    expect(await a).toBeNull();
    expect(await b).toBeNull();
    expect(await logins.ask(codeFor("late"))).toBeNull();
    expect(logins.current()).toBeNull();
  });
});
