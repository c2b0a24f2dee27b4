// A minimal ustar writer: the files of one staging flight travel as one tar stream into one remote
// `tar -x` — every login node has tar, and one command is one round trip however many files.
// Plain files with plain names only (what writeFiles is given); nothing here reads archives.

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width-1 octal digits and a NUL, as POSIX ustar writes numeric fields
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(name: string, size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const nameBytes = Buffer.from(name, "utf8");
  if (nameBytes.length > 100)
    throw new Error(`file name too long for tar (${nameBytes.length} bytes): ${name}`);
  nameBytes.copy(h, 0);
  h.write(octal(mode & 0o7777, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii"); // uid
  h.write(octal(0, 8), 116, "ascii"); // gid
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(Math.floor(mtime), 12), 136, "ascii");
  h.write("        ", 148, "ascii"); // checksum counts as blanks while it is computed
  h.write("0", 156, "ascii"); // a regular file
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

export interface TarEntry {
  name: string;
  data: Buffer;
  mode?: number;
}

/** One tar archive holding the entries (sizes up to 8 GiB, the ustar limit). */
export function tarArchive(entries: readonly TarEntry[], mtime = Date.now() / 1000): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.data.length >= 8 * 1024 ** 3) throw new Error(`${e.name} is too large for one staging flight`);
    parts.push(header(e.name, e.data.length, e.mode ?? 0o644, mtime), e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}
