// Where the database lives: SQLite's WAL needs memory shared between the processes that use the
// file (its -shm index, mapped by each), which a network file system (NFS, CIFS/SMB, sshfs, …) does
// not provide across machines — two engines on two hosts would corrupt the file. A project folder on
// one gets the rollback journal (journal_mode DELETE) instead, said once.
import fs from "node:fs";

/** File system types (as /proc/mounts names them) that are shared over a network. */
const NETWORK_TYPES = new Set([
  "nfs",
  "nfs4",
  "cifs",
  "smb",
  "smb2",
  "smb3",
  "smbfs",
  "sshfs",
  "fuse.sshfs",
  "9p",
  "afs",
  "ceph",
  "fuse.ceph",
  "fuse.ceph-fuse",
  "glusterfs",
  "fuse.glusterfs",
  "lustre",
  "gpfs",
  "beegfs",
  "davfs",
  "fuse.davfs2",
  "fuse.rclone",
  "fuse.s3fs",
]);

/** statfs f_type magic numbers of network file systems (Linux: linux/magic.h). */
const NETWORK_MAGIC = new Map<number, string>([
  [0x6969, "nfs"],
  [0x517b, "smb"],
  [0xff534d42, "cifs"],
  [0xfe534d42, "smb2"],
  [0x01021997, "9p"],
  [0x5346414f, "afs"],
  [0x00c36400, "ceph"],
  [0x0bd00bd0, "lustre"],
  [0x47504653, "gpfs"],
]);

export function isNetworkFsType(type: string): boolean {
  return NETWORK_TYPES.has(type) || type.startsWith("nfs") || type.startsWith("fuse.sshfs");
}

/** /proc/mounts escapes space, tab, newline and backslash as octal (\040, \011, \012, \134). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/**
 * The type of the file system holding `absPath` according to a mount table in /proc/mounts form:
 * the mount point that is the longest prefix of the path (at a folder boundary); of two mounts at
 * the same point, the later (on top). Null when no line applies.
 */
export function fsTypeFromMounts(absPath: string, mountsText: string): string | null {
  let best: { point: string; type: string } | null = null;
  for (const line of mountsText.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 3) continue;
    const point = unescapeMountField(fields[1]!);
    const type = fields[2]!;
    const inside =
      point === "/" || absPath === point || absPath.startsWith(point.endsWith("/") ? point : `${point}/`);
    if (!inside) continue;
    if (!best || point.length >= best.point.length) best = { point, type };
  }
  return best?.type ?? null;
}

/**
 * The network file system holding `dir` (its type), or null when it is local or cannot be told.
 * `mountsText` stands for /proc/mounts (tests); statfs answers where the mount table is silent.
 */
export function networkFsOf(dir: string, mountsText?: string): string | null {
  let real = dir;
  try {
    real = fs.realpathSync(dir);
  } catch {
    // judged by the path as given
  }
  let table = mountsText;
  if (table === undefined) {
    try {
      table = fs.readFileSync("/proc/mounts", "utf8");
    } catch {
      table = "";
    }
  }
  const type = fsTypeFromMounts(real, table);
  if (type !== null) return isNetworkFsType(type) ? type : null;
  if (process.platform !== "linux") return null;
  try {
    return NETWORK_MAGIC.get(Number(fs.statfsSync(real).type)) ?? null;
  } catch {
    return null;
  }
}
