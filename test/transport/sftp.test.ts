// Files over SFTP against the real test sshd: large files streamed both ways with their content
// checked by hash, transfers cut off mid-way (the server drops the connection) detected and retried,
// folders, small reads and writes, and errors that say what is wrong.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, RemoteFileError } from "../../src/transport/errors.js";
import { SshPool } from "../../src/transport/pool.js";
import {
  download,
  downloadDir,
  listRemote,
  mkdirp,
  readRemoteFile,
  remoteHome,
  removeRemote,
  statRemote,
  upload,
  uploadDir,
  writeRemoteFile,
} from "../../src/transport/sftp.js";
import { dropConnection, isRoot, requireInfra, testTarget } from "../helpers/infra.js";
import { tempProject } from "../helpers/project.js";

const infra = await requireInfra("transport: SFTP transfers");

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

describe.skipIf(!infra)("SFTP against the real sshd", () => {
  const inf = infra!;
  const pool = infra ? new SshPool(testTarget(inf)) : (undefined as never);
  const local = tempProject("ctui-sftp-");
  const base = `ctui-sftp-${process.pid}-${Date.now()}`;
  const big = path.join(local, "big.f9");
  const BIG = 40 * 1024 * 1024;
  const mid = path.join(local, "mid.f9"); // for the retry cases: big enough to cut mid-way

  beforeAll(async () => {
    // incompressible content, written in pieces: the test itself never holds it whole either
    const fd = fs.openSync(big, "w");
    for (let i = 0; i < BIG / (1024 * 1024); i++) fs.writeSync(fd, randomBytes(1024 * 1024));
    fs.closeSync(fd);
    fs.writeFileSync(mid, fs.readFileSync(big).subarray(0, 12 * 1024 * 1024));
    await mkdirp(pool, base);
  });
  afterAll(async () => {
    await removeRemote(pool, base, { recursive: true });
    await pool.close();
  });

  it("uploads and downloads a 40 MB file streamed, byte-identical (hash checked on both sides)", async () => {
    const progress: number[] = [];
    const up = await upload(pool, big, `${base}/big.f9`, { onProgress: (done) => progress.push(done) });
    expect(up).toEqual({ bytes: BIG, attempts: 1 });
    expect(progress.length).toBeGreaterThan(10); // streamed in chunks, reported as it goes
    const remoteHash = (await pool.execOk(["sha256sum", `${base}/big.f9`])).stdout.split(" ")[0];
    expect(remoteHash).toBe(sha256(big));
    const back = path.join(local, "back", "big.f9");
    expect(await download(pool, `${base}/big.f9`, back)).toEqual({ bytes: BIG, attempts: 1 });
    expect(sha256(back)).toBe(sha256(big));
    // nothing half-written is left behind on either side
    expect((await listRemote(pool, base)).map((e) => e.name)).toEqual(["big.f9"]);
    expect(fs.readdirSync(path.dirname(back))).toEqual(["big.f9"]);
  });

  it.skipIf(!isRoot())("an upload cut off by a dropped connection is detected and retried", async () => {
    let cut = false;
    const attemptsSeen = new Set<number>();
    const result = await upload(pool, mid, `${base}/cut.f9`, {
      onProgress: (done, total, attempt) => {
        attemptsSeen.add(attempt);
        if (!cut && done > total / 4) {
          cut = true;
          void dropConnection(inf, pool.connectionInfo()!.localPort);
        }
      },
    });
    expect(cut).toBe(true);
    expect(result.attempts).toBe(2);
    expect([...attemptsSeen]).toEqual([1, 2]);
    expect(pool.stats.connects).toBeGreaterThanOrEqual(2);
    const st = await statRemote(pool, `${base}/cut.f9`);
    expect(st?.size).toBe(fs.statSync(mid).size);
    const remoteHash = (await pool.execOk(["sha256sum", `${base}/cut.f9`])).stdout.split(" ")[0];
    expect(remoteHash).toBe(sha256(mid));
    expect((await listRemote(pool, base)).some((e) => e.name.endsWith(".ctui-part"))).toBe(false);
  });

  it.skipIf(!isRoot())("a download cut off by a dropped connection is detected and retried", async () => {
    await upload(pool, mid, `${base}/down.f9`);
    const back = path.join(local, "cut-back.f9");
    let cut = false;
    const result = await download(pool, `${base}/down.f9`, back, {
      onProgress: (done, total) => {
        if (!cut && done > total / 3) {
          cut = true;
          void dropConnection(inf, pool.connectionInfo()!.localPort);
        }
      },
    });
    expect(cut).toBe(true);
    expect(result.attempts).toBe(2);
    expect(sha256(back)).toBe(sha256(mid));
    expect(fs.readdirSync(local).filter((f) => f.includes("ctui-part"))).toEqual([]);
  });

  it.skipIf(!isRoot())(
    "when every attempt is cut off, the caller gets a ConnectionError (transient)",
    async () => {
      const small = path.join(local, "small.bin");
      fs.writeFileSync(small, randomBytes(4 * 1024 * 1024));
      const err = await upload(pool, small, `${base}/never.bin`, {
        attempts: 2,
        chunkSize: 16 * 1024,
        concurrency: 2,
        onProgress: (done) => {
          const info = pool.connectionInfo();
          if (done > 0 && info) void dropConnection(inf, info.localPort);
        },
      }).catch((e) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(await statRemote(pool, `${base}/never.bin`)).toBeNull();
    },
  );

  it("an upload whose source changes under it stops short, is detected by size, and retried", async () => {
    const moving = path.join(local, "moving.out");
    fs.copyFileSync(mid, moving);
    let changed = false;
    const result = await upload(pool, moving, `${base}/moving.out`, {
      onProgress: (done, total) => {
        if (!changed && done > total / 2) {
          changed = true;
          fs.truncateSync(moving, 1000); // rewritten while being sent
        }
      },
    });
    expect(result).toEqual({ bytes: 1000, attempts: 2 });
    expect((await pool.execOk(["sha256sum", `${base}/moving.out`])).stdout.split(" ")[0]).toBe(
      sha256(moving),
    );
  });

  it("a download whose remote file is cut short under it is detected by size, and retried", async () => {
    await upload(pool, mid, `${base}/shrinks.out`);
    const back = path.join(local, "shrinks.out");
    let cut: Promise<unknown> | null = null;
    const result = await download(pool, `${base}/shrinks.out`, back, {
      onProgress: (done, total) => {
        if (!cut && done > total / 3) cut = pool.execOk(["truncate", "-s", "5000", `${base}/shrinks.out`]);
      },
    });
    await cut;
    expect(result).toEqual({ bytes: 5000, attempts: 2 });
    expect(sha256(back)).toBe(
      createHash("sha256").update(fs.readFileSync(mid).subarray(0, 5000)).digest("hex"),
    );
  });

  it("copies folders both ways, creating what is missing", async () => {
    const src = path.join(local, "job");
    fs.mkdirSync(path.join(src, "sub", "deeper"), { recursive: true });
    fs.writeFileSync(path.join(src, "mgo.d12"), "MgO\nCRYSTAL\n");
    fs.writeFileSync(path.join(src, "mgo.gui"), "geometry");
    fs.writeFileSync(path.join(src, "sub", "deeper", "fort.34"), randomBytes(100_000));
    const sent = await uploadDir(pool, src, `${base}/a/b/job`);
    expect(sent).toEqual(["mgo.d12", "mgo.gui", "sub/deeper/fort.34"]);
    const dest = path.join(local, "job-back");
    const got = await downloadDir(pool, `${base}/a/b/job`, dest, { filter: (f) => f !== "mgo.gui" });
    expect(got).toEqual(["mgo.d12", "sub/deeper/fort.34"]);
    expect(fs.readFileSync(path.join(dest, "mgo.d12"), "utf8")).toBe("MgO\nCRYSTAL\n");
    expect(sha256(path.join(dest, "sub/deeper/fort.34"))).toBe(sha256(path.join(src, "sub/deeper/fort.34")));
    expect(fs.existsSync(path.join(dest, "mgo.gui"))).toBe(false);
  });

  it("reads and writes small files; ~/ means the login folder; mkdirp is idempotent", async () => {
    await mkdirp(pool, `~/${base}/x/y`);
    await mkdirp(pool, `${base}/x/y`);
    await writeRemoteFile(pool, `~/${base}/x/y/note.txt`, "hello é 😀\n", { mode: 0o600 });
    expect((await readRemoteFile(pool, `${base}/x/y/note.txt`)).toString("utf8")).toBe("hello é 😀\n");
    const st = await statRemote(pool, `${base}/x/y/note.txt`);
    expect(st).toMatchObject({ isFile: true, size: Buffer.byteLength("hello é 😀\n") });
    expect(st!.mode & 0o777).toBe(0o600);
    expect(await remoteHome(pool)).toBe(`/home/${inf.sshUser}`);
    expect(await statRemote(pool, `${base}/x/nothing`)).toBeNull();
  });

  it("a missing file, a forbidden folder, a file in the way: one-line errors naming the path", async () => {
    const missing = await download(pool, `${base}/nope.f9`, path.join(local, "nope")).catch((e) => e);
    expect(missing).toBeInstanceOf(RemoteFileError);
    expect(missing.message).toMatch(/nope\.f9 does not exist there/);
    const forbidden = await mkdirp(pool, "/root/ctui-not-allowed").catch((e) => e);
    expect(forbidden).toBeInstanceOf(RemoteFileError);
    expect(forbidden.message).toMatch(/permission denied .*\/root\/ctui-not-allowed/);
    await writeRemoteFile(pool, `${base}/afile`, "x");
    const inTheWay = await mkdirp(pool, `${base}/afile/sub`).catch((e) => e);
    expect(inTheWay.message).toMatch(/afile exists and is not a folder/);
    const tooBig = await readRemoteFile(pool, `${base}/afile`, { maxBytes: 0 }).catch((e) => e);
    expect(tooBig.message).toMatch(/download it instead/);
    for (const e of [missing, forbidden, inTheWay, tooBig]) expect(e.message).not.toContain("\n");
  });
});
