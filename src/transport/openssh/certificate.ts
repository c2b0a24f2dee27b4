// SSH user certificates (CertificateFile): an expired or not-yet-valid one is said plainly before
// any connection is tried — the server would only answer "Permission denied (publickey)".
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { AuthenticationError } from "../errors.js";

export interface CertificateValidity {
  from: Date | null;
  to: Date | null;
}

/** The `Valid:` line of `ssh-keygen -L` ("from A to B", "forever", "before B", "after A"). */
export function parseValidity(text: string): CertificateValidity | null {
  const line = /^\s*Valid:\s*(.*)$/m.exec(text)?.[1]?.trim();
  if (!line) return null;
  if (line === "forever") return { from: null, to: null };
  // ssh-keygen prints local time without a zone, which is how Date reads it
  const date = (s: string | undefined) => (s ? new Date(s) : null);
  const m = /^from (\S+) to (\S+)$/.exec(line);
  if (m) return { from: date(m[1]), to: date(m[2]) };
  const before = /^before (\S+)$/.exec(line);
  if (before) return { from: null, to: date(before[1]) };
  const after = /^after (\S+)$/.exec(line);
  if (after) return { from: date(after[1]), to: null };
  return null;
}

/** Throws a one-line AuthenticationError when a certificate file is outside its validity. */
export function checkCertificate(label: string, hopName: string, file: string, now = new Date()): void {
  if (!fs.existsSync(file)) return; // ssh itself ignores a missing CertificateFile
  const r = spawnSync("ssh-keygen", ["-L", "-f", file], { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) return;
  const v = parseValidity(r.stdout);
  if (!v) return;
  if (v.to && now > v.to) {
    throw new AuthenticationError(
      `cluster '${label}': the certificate ${file} for ${hopName} expired on ${v.to.toISOString().replace(/\.\d+Z$/, "Z")} — get a new one from your site (its signing tool), then connect again`,
    );
  }
  if (v.from && now < v.from) {
    throw new AuthenticationError(
      `cluster '${label}': the certificate ${file} for ${hopName} is valid only from ${v.from.toISOString().replace(/\.\d+Z$/, "Z")} — check this machine's clock`,
    );
  }
}
