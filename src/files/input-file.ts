// The one way a file a user names is read (a deck, a workflow or template file, a key, a
// known_hosts or ssh config file, a CRYSTAL output): it must be a regular file, and what is read
// whole is bounded. A device (/dev/zero), a named pipe, a socket or a folder is refused at once
// with one line — reading one never ends, or blocks for ever in open(), or grows memory until the
// process dies. Outputs of any size are streamed through an opened descriptor, never read whole.
import fs from "node:fs";
import { UserError } from "../domain/errors.js";

const MB = 1024 * 1024;

/**
 * The most read whole of each kind of input, far above any real one (a CRYSTAL deck with a large
 * geometry is well under 1 MB; an OpenSSH private key a few KB) and far below what hurts.
 */
export const INPUT_LIMITS = {
  deck: 8 * MB,
  workflow: 8 * MB,
  template: 8 * MB,
  key: 1 * MB,
  knownHosts: 16 * MB,
  sshConfig: 4 * MB,
  /** a properties data file (fort.25, BAND.DAT, DOSS.DAT) is parsed in memory */
  dataFile: 256 * MB,
} as const;

/** How the file is named to the user, and what to do when it is wrong. */
export interface InputFile {
  /** e.g. "deck file", "key file" */
  what: string;
  /** what to do, e.g. "check the path given to --input" */
  hint?: string;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a named pipe";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

function sizeText(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function refusal(file: string, f: InputFile, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  const hint = f.hint ?? "check the path";
  if (code === "ENOENT" || code === "ENOTDIR")
    return new UserError(`${f.what} ${file} does not exist — ${hint}`);
  if (code === "EACCES" || code === "EPERM")
    return new UserError(`${f.what} ${file} cannot be read: permission denied — check its permissions`);
  if (code === "ELOOP") return new UserError(`${f.what} ${file} is a symbolic link loop — ${hint}`);
  return new UserError(`${f.what} ${file} cannot be read (${code ?? (err as Error).message}) — ${hint}`);
}

function notRegular(file: string, f: InputFile, stat: fs.Stats): UserError {
  return new UserError(`${f.what} ${file} is ${kindOf(stat)}, not a regular file — give the path of a file`);
}

/**
 * Opens a regular file for reading and returns its descriptor (the caller closes it). The type is
 * looked at before the open (a stat never blocks; opening a named pipe waits for a writer) and
 * again on the open descriptor, opened non-blocking, so a file swapped in between is caught too.
 */
export function openInputFile(file: string, f: InputFile): { fd: number; size: number } {
  let before: fs.Stats;
  try {
    before = fs.statSync(file);
  } catch (err) {
    throw refusal(file, f, err);
  }
  if (!before.isFile()) throw notRegular(file, f, before);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    throw refusal(file, f, err);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw notRegular(file, f, stat);
    return { fd, size: stat.size };
  } catch (err) {
    fs.closeSync(fd);
    throw err instanceof UserError ? err : refusal(file, f, err);
  }
}

/** A regular file read whole, refused when it is larger than `maxBytes`. */
export function readInputFile(file: string, f: InputFile & { maxBytes: number }): Buffer {
  const { fd, size } = openInputFile(file, f);
  const tooBig = (n: number) =>
    new UserError(
      `${f.what} ${file} is ${sizeText(n)}; a ${f.what} is at most ${sizeText(f.maxBytes)} — is it the right file?`,
    );
  try {
    if (size > f.maxBytes) throw tooBig(size);
    // read to the end, not to the size seen: a file may grow while it is read; never past the bound
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1 * MB, f.maxBytes + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > f.maxBytes) throw tooBig(total);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    throw err instanceof UserError ? err : refusal(file, f, err);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A regular text file read whole. With `strict`, bytes that are not UTF-8 are refused with the
 * line they are on (decoding would store U+FFFD in their place: a silent change); without it they
 * are read as U+FFFD (for files crystal-tui only looks through, such as an ssh config).
 */
export function readInputText(file: string, f: InputFile & { maxBytes: number; strict?: boolean }): string {
  const bytes = readInputFile(file, f);
  if (!f.strict) return bytes.toString("utf8");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const line = firstInvalidUtf8Line(bytes);
    throw new UserError(
      `${f.what} ${file} line ${line} is not valid UTF-8 text — save the file as UTF-8 (or plain ASCII)`,
    );
  }
}

/** The 1-based line holding the first byte sequence that is not UTF-8. */
export function firstInvalidUtf8Line(bytes: Buffer): number {
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      const piece = bytes.subarray(start, i);
      if (Buffer.from(piece.toString("utf8"), "utf8").compare(piece) !== 0) return line;
      line++;
      start = i + 1;
    }
  }
  return line;
}

/** The last `maxBytes` of a regular file (a log of any size: what says why a run stopped is at its end). */
export function readInputTail(file: string, f: InputFile & { maxBytes: number }): string {
  const { fd, size } = openInputFile(file, f);
  try {
    const length = Math.min(size, f.maxBytes);
    const buffer = Buffer.alloc(length);
    const n = length === 0 ? 0 : fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.subarray(0, n).toString("utf8");
  } catch (err) {
    throw err instanceof UserError ? err : refusal(file, f, err);
  } finally {
    fs.closeSync(fd);
  }
}
