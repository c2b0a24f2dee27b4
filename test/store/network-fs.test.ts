// Where the database lives: a project folder on a network file system (NFS, CIFS, sshfs) is told
// from a local one by the mount table (the longest mount point above the folder), and its database
// uses the rollback journal, not WAL, with a one-line notice; a local folder keeps WAL.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { fsTypeFromMounts, networkFsOf } from "../../src/store/network-fs.js";
import { Store } from "../../src/store/store.js";
import { tempProject } from "../helpers/project.js";

const MOUNTS = `/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
server:/export/home /home nfs4 rw,vers=4.2 0 0
tmpfs /home/chem/fast tmpfs rw 0 0
//nas/group\\040share /mnt/group\\040share cifs rw 0 0
chem@login:/scratch /mnt/cluster fuse.sshfs rw 0 0
/dev/vdb /mnt/cluster ext4 rw 0 0
/dev/vdc /data xfs rw 0 0
server:/data2 /data2 nfs rw 0 0
`;

const mounted: string[] = [];
afterAll(() => {
  for (const m of mounted) execFileSync("umount", ["-l", m]);
});

/** The journal mode the file itself records (WAL is persistent; anything else reads as "delete"). */
function journalOf(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma("journal_mode", { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe("the file system a project lives on", () => {
  it("is the longest mount point above the folder, at a folder boundary, the later of two at one point", () => {
    expect(fsTypeFromMounts("/home/chem/mgo", MOUNTS)).toBe("nfs4");
    expect(fsTypeFromMounts("/home", MOUNTS)).toBe("nfs4");
    expect(fsTypeFromMounts("/home/chem/fast/run1", MOUNTS)).toBe("tmpfs");
    expect(fsTypeFromMounts("/mnt/group share/p", MOUNTS)).toBe("cifs"); // \040 is a space
    expect(fsTypeFromMounts("/mnt/cluster/p", MOUNTS)).toBe("ext4"); // mounted over the sshfs
    expect(fsTypeFromMounts("/data2/p", MOUNTS)).toBe("nfs"); // not /data's xfs
    expect(fsTypeFromMounts("/datax/p", MOUNTS)).toBe("ext4");
    expect(fsTypeFromMounts("/tmp/p", MOUNTS)).toBe("ext4");
  });

  it("network ones are named; local ones are not", () => {
    const judge = (dir: string) => networkFsOf(dir, MOUNTS);
    expect(judge("/home/chem/mgo")).toBe("nfs4");
    expect(judge("/mnt/group share/p")).toBe("cifs");
    expect(judge("/data2/p")).toBe("nfs");
    expect(judge("/home/chem/fast/run1")).toBeNull();
    expect(judge("/mnt/cluster/p")).toBeNull();
    expect(judge("/data/p")).toBeNull();
  });

  it("on this machine: the test folder and a tmpfs are local", () => {
    const dir = tempProject();
    expect(networkFsOf(dir)).toBeNull();
    if (process.getuid?.() !== 0) return;
    const point = tempProject("ctui-tmpfs-");
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", point]);
    mounted.push(point);
    expect(fsTypeFromMounts(fs.realpathSync(point), fs.readFileSync("/proc/mounts", "utf8"))).toBe("tmpfs");
    expect(networkFsOf(point)).toBeNull();
  });

  it("a project on NFS gets the rollback journal with one notice; a local one keeps WAL", () => {
    const dir = tempProject();
    const real = fs.realpathSync(dir);
    const nfs = `/dev/vda / ext4 rw 0 0\nserver:/x ${path.dirname(real)} nfs4 rw 0 0\n`;
    const notices: string[] = [];
    const opts = { mountsText: nfs, notice: (l: string) => notices.push(l) };
    const store = Store.open(dir, opts);
    store.jobs.count();
    store.close();
    expect(journalOf(store.path)).toBe("delete");
    Store.open(dir, opts).close();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/network file system \(nfs4\).*rollback journal/);
    const local = Store.open(tempProject(), { notice: (l) => notices.push(l) });
    local.close();
    expect(journalOf(local.path)).toBe("wal");
    expect(notices).toHaveLength(1);
  });
});
