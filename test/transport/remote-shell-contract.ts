// What every RemoteShell must do, as runners rely on it — written once, run against each transport
// (the OpenSSH shell in openssh-shell.test.ts; another transport joins with one line). Against a
// real sshd only.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/domain/errors.js";
import {
  CommandTimeoutError,
  isConnectionTrouble,
  RemoteCommandError,
  RemoteFileError,
} from "../../src/transport/errors.js";
import type { RemoteShell } from "../../src/transport/remote-shell.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export function describeRemoteShellContract(
  name: string,
  make: () => RemoteShell | Promise<RemoteShell>,
): void {
  describe(`RemoteShell contract: ${name}`, () => {
    let shell: RemoteShell;
    const base = `ctui-contract-${process.pid}-${Date.now()}`;
    const local = fs.mkdtempSync(path.join(os.tmpdir(), "ctui-contract-"));

    beforeAll(async () => {
      shell = await make();
      await shell.mkdirp(base);
    });
    afterAll(async () => {
      await shell.remove(base, { recursive: true }).catch(() => {});
      await shell.close();
      fs.rmSync(local, { recursive: true, force: true });
    });

    it("every argument reaches the program literally", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.string({ unit: "grapheme", maxLength: 16 }).filter((s) => !s.includes("\0")),
            { minLength: 1, maxLength: 5 },
          ),
          async (args) => {
            const r = await shell.execOk(["printf", "%s\\0", ...args]);
            expect(r.stdoutBytes.toString("utf8").split("\0").slice(0, -1)).toEqual(args);
          },
        ),
        { numRuns: 40 },
      );
      const hostile = ["$(touch pwned)", "`id`", "a;b", "'\"'", "-n", "\n", "*", "~"];
      const r = await shell.execOk(["printf", "%s\\0", ...hostile], { cwd: base });
      expect(r.stdout.split("\0").slice(0, -1)).toEqual(hostile);
      expect(await shell.stat(`${base}/pwned`)).toBeNull();
    });

    it("exit codes and stderr are results; execOk makes a failure one line", async () => {
      expect(await shell.exec(["sh", "-c", "echo out; echo oops >&2; exit 7"])).toMatchObject({
        code: 7,
        stdout: "out\n",
        stderr: "oops\n",
      });
      const err = await shell.execOk(["ls", "/no/such/folder"]).catch((e) => e);
      expect(err).toBeInstanceOf(RemoteCommandError);
      expect(isConnectionTrouble(err)).toBe(false);
      expect(err.message).toMatch(/`ls \/no\/such\/folder` failed \(exit 2\): .*No such file/);
      expect(err.message).not.toContain("\n");
    });

    it('scripts get their arguments as "$@", and stdin, cwd and env work', async () => {
      const r = await shell.scriptOk(
        'for a in "$@"; do printf "[%s]" "$a"; done; echo; pwd; echo "$GREETING"',
        {
          args: ["a b", "$HOME", ""],
          cwd: base,
          env: { GREETING: "it's $(not) expanded" },
        },
      );
      const [argsLine, cwdLine, envLine] = r.stdout.split("\n");
      expect(argsLine).toBe("[a b][$HOME][]");
      expect(cwdLine!.endsWith(`/${base}`)).toBe(true);
      expect(envLine).toBe("it's $(not) expanded");
      expect((await shell.execOk(["wc", "-c"], { stdin: Buffer.alloc(100_000, 1) })).stdout.trim()).toBe(
        "100000",
      );
    });

    it("a command over its time limit is a transient CommandTimeoutError", async () => {
      const t0 = Date.now();
      const err = await shell.exec(["sleep", "20"], { timeoutMs: 500 }).catch((e) => e);
      expect(err).toBeInstanceOf(CommandTimeoutError);
      expect(isConnectionTrouble(err)).toBe(true);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect((await shell.execOk(["echo", "still fine"])).stdout).toBe("still fine\n");
    });

    it("home, mkdirp, stat and list", async () => {
      const home = await shell.home();
      expect(home.startsWith("/")).toBe(true);
      await shell.mkdirp(`${base}/a/b/c`);
      await shell.mkdirp(`~/${base}/a/b/c`); // again, and with ~/: fine
      const st = await shell.stat(`${base}/a/b`);
      expect(st).toMatchObject({ isDirectory: true, isFile: false });
      expect(await shell.stat(`${base}/nothing`)).toBeNull();
      await shell.writeFiles(`${base}/l`, [
        { name: "x.out", data: Buffer.from("12345") },
        { name: ".hidden", data: Buffer.from("h") },
        { name: "with space", data: Buffer.alloc(0) },
      ]);
      const listed = await shell.list(`${base}/l`);
      expect(listed.map((e) => [e.name, e.stat.size, e.stat.isFile])).toEqual([
        [".hidden", 1, true],
        ["with space", 0, true],
        ["x.out", 5, true],
      ]);
      await expect(shell.list(`${base}/none`)).rejects.toBeInstanceOf(RemoteFileError);
    });

    it("writeFiles creates the folder with every file, and never reuses a folder", async () => {
      const files = [
        { name: "INPUT", data: Buffer.from("MgO\nCRYSTAL\nEND\n") },
        { name: "fort.20", data: Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 256)) },
        { name: "run.sh", data: Buffer.from("#!/bin/sh\n"), mode: 0o755 },
      ];
      await shell.writeFiles(`${base}/run-1`, files);
      for (const f of files) expect(sha(await shell.readFile(`${base}/run-1/${f.name}`))).toBe(sha(f.data));
      expect(((await shell.stat(`${base}/run-1/run.sh`))!.mode & 0o777).toString(8)).toBe("755");
      const again = await shell.writeFiles(`${base}/run-1`, files).catch((e) => e);
      expect(again).toBeInstanceOf(RemoteFileError);
      expect(again.message).not.toContain("\n");
      const denied = await shell.writeFiles(`/ctui-not-writable-${process.pid}/run`, files).catch((e) => e);
      expect(denied).toBeInstanceOf(RemoteFileError);
      expect(denied.message).toMatch(/permission denied/i);
      await expect(
        shell.writeFiles(`${base}/run-2`, [{ name: "../escape", data: Buffer.from("x") }]),
      ).rejects.toBeInstanceOf(UserError);
    });

    it("readFile refuses what is too large; readFrom follows a file by offset", async () => {
      const p = `${base}/tail.out`;
      await expect(shell.readFile(p)).rejects.toMatchObject({ sftpCode: 2 });
      expect(await shell.readFrom(p, 0, 100)).toBeNull();
      await shell.execOk(["sh", "-c", 'printf "0123456789" > "$1"', "sh", p]);
      await expect(shell.readFile(p, { maxBytes: 5 })).rejects.toThrow(/10 bytes, more than the 5/);
      expect(await shell.readFrom(p, 0, 4)).toEqual({ data: Buffer.from("0123"), size: 10 });
      expect(await shell.readFrom(p, 4, 100)).toEqual({ data: Buffer.from("456789"), size: 10 });
      expect(await shell.readFrom(p, 10, 100)).toEqual({ data: Buffer.alloc(0), size: 10 });
      expect(await shell.readFrom(p, 50, 100)).toEqual({ data: Buffer.alloc(0), size: 10 });
      await shell.execOk(["sh", "-c", 'printf "ABC" >> "$1"', "sh", p]);
      expect(await shell.readFrom(p, 10, 100)).toEqual({ data: Buffer.from("ABC"), size: 13 });
    });

    it("uploads and downloads byte for byte, counting the bytes", async () => {
      const file = path.join(local, "wave.f9");
      const data = Buffer.from(Array.from({ length: 2_500_000 }, (_, i) => (i * 31 + 7) % 256));
      fs.writeFileSync(file, data);
      const before = { in: shell.stats.bytesIn, out: shell.stats.bytesOut };
      const progress: number[] = [];
      const up = await shell.upload(file, `${base}/up/wave.f9`.replace("/up/", "/"), {
        onProgress: (done) => progress.push(done),
      });
      expect(up).toEqual({ bytes: data.length, attempts: 1 });
      expect(progress.at(-1)).toBe(data.length);
      expect((await shell.execOk(["sha256sum", `${base}/wave.f9`])).stdout.split(" ")[0]).toBe(sha(data));
      const back = path.join(local, "sub", "back.f9");
      expect(await shell.download(`${base}/wave.f9`, back)).toEqual({ bytes: data.length, attempts: 1 });
      expect(sha(fs.readFileSync(back))).toBe(sha(data));
      expect(shell.stats.bytesOut - before.out).toBeGreaterThanOrEqual(data.length);
      expect(shell.stats.bytesIn - before.in).toBeGreaterThanOrEqual(data.length);
      expect(fs.readdirSync(path.join(local, "sub"))).toEqual(["back.f9"]); // no partial file left
      await expect(shell.upload(path.join(local, "missing"), `${base}/m`)).rejects.toBeInstanceOf(UserError);
      await expect(shell.download(`${base}/missing`, path.join(local, "m"))).rejects.toMatchObject({
        sftpCode: 2,
      });
    });

    it("remove: a file, a folder only when recursive, a missing path is fine", async () => {
      await shell.writeFiles(`${base}/rm`, [{ name: "f", data: Buffer.from("x") }]);
      await shell.remove(`${base}/rm/f`);
      expect(await shell.stat(`${base}/rm/f`)).toBeNull();
      await shell.writeFiles(`${base}/rm2`, [{ name: "f", data: Buffer.from("x") }]);
      await expect(shell.remove(`${base}/rm2`)).rejects.toThrow(/is a folder/);
      await shell.remove(`${base}/rm2`, { recursive: true });
      expect(await shell.stat(`${base}/rm2`)).toBeNull();
      await shell.remove(`${base}/never-there`);
    });
  });
}
