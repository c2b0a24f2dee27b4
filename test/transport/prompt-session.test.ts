// The way a server's question reaches the process that started ssh: ssh runs our askpass helper,
// which asks over the session's socket and prints the answer for ssh. Run here as ssh runs it (the
// real helper, its environment); no server needed. A question still open when the login is over
// is withdrawn from the broker (the TUI's modal takes it away) and the helper exits, answering
// nothing.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  openPromptSession,
  type PromptBroker,
  type PromptRequest,
} from "../../src/transport/openssh/prompt-broker.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function controlDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctps-"));
  fs.chmodSync(dir, 0o700);
  dirs.push(dir);
  return dir;
}

/** The helper as ssh starts it for one prompt: its output and exit code. */
function runHelper(dir: string, env: Record<string, string>, prompt: string) {
  const child = spawn(process.execPath, [path.join(dir, "askpass.mjs"), prompt], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString("utf8");
  });
  return new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout })),
  );
}

async function until(test: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("prompt session (the askpass helper and the broker)", () => {
  it("the broker's answer is printed for ssh; the question names the cluster and keeps the server's words", async () => {
    const dir = controlDir();
    const seen: PromptRequest[] = [];
    const broker: PromptBroker = {
      ask: async (req) => {
        seen.push(req);
        return "482913";
      },
    };
    const session = await openPromptSession(dir, "k1", "hpc", broker);
    const helper = await runHelper(dir, session.env, "(chem@login) Verification code: ");
    await session.close();
    expect(helper).toEqual({ code: 0, stdout: "482913\n" });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      cluster: "hpc",
      prompt: "(chem@login) Verification code: ",
      kind: "one-time-code",
    });
    expect(seen[0]!.signal?.aborted).toBe(false);
    expect(session.asked).toEqual([{ prompt: "(chem@login) Verification code: ", outcome: "answered" }]);
  });

  it("a question still open when the login is over is withdrawn, and the helper exits without an answer", async () => {
    const dir = controlDir();
    const seen: PromptRequest[] = [];
    // nobody answers (a user away from the screen)
    const broker: PromptBroker = {
      ask: (req) => {
        seen.push(req);
        return new Promise(() => {});
      },
    };
    const session = await openPromptSession(dir, "k2", "hpc", broker);
    const helper = runHelper(dir, session.env, "Verification code: ");
    await until(() => seen.length === 1, "the question");
    expect(seen[0]!.signal?.aborted).toBe(false);
    await session.close(); // ssh gave up (its login timed out)
    expect(seen[0]!.signal?.aborted).toBe(true);
    expect(await helper).toEqual({ code: 1, stdout: "" });
  });
});
