// The local file a download is written into before it is renamed into place. Closed exactly once:
// a second close could hit the same descriptor number opened meanwhile by another transfer of this
// process (downloads run side by side) and cut that one off. A write that fails (a full disk) is
// kept as the transfer's error instead of escaping from a stream's data event and ending the process.
import fs from "node:fs";

export class LocalPart {
  private fd: number | null;
  /** The first write that failed, if any (later writes are dropped). */
  error: NodeJS.ErrnoException | null = null;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, "w", 0o644);
  }

  /** Appends; false once a write has failed. */
  write(data: Buffer): boolean {
    if (this.error || this.fd === null) return false;
    try {
      fs.writeSync(this.fd, data);
      return true;
    } catch (err) {
      this.error = err as NodeJS.ErrnoException;
      return false;
    }
  }

  close(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) fs.closeSync(fd);
  }
}
