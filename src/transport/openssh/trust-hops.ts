// `cluster trust` through jump hosts: each hop's key is fetched in order — the first directly, each
// later one through the hops before it (which must be trusted by then, so they are done first) —
// without logging in to the hop being asked, and recorded under the name and port ssh will look up.
import fs from "node:fs";
import { ConnectionError } from "../errors.js";
import { checkHostKey, readKnownHosts } from "../known-hosts.js";
import { recordTrust, type TrustOptions, type TrustOutcome } from "../trust-record.js";
import type { OpenSshMaster } from "./master.js";
import { type Hop, hopName } from "./ssh-config-resolve.js";

export interface HopTrustOutcome extends TrustOutcome {
  /** The hop as messages name it. */
  hop: string;
  /** Whether this is the cluster's login host (else a jump host). */
  loginHost: boolean;
}

export interface HopTrustOptions extends TrustOptions {
  /** Asked for each hop before its key is recorded (the jump hosts as well as the login host). */
  confirmHop?: (
    hop: Hop,
    offered: { keyType: string; fingerprint: string },
    loginHost: boolean,
  ) => Promise<boolean>;
}

/** Whether any known_hosts file ssh will read for the hop already trusts this key. */
function trustedSomewhere(hop: Hop, key: Buffer): boolean {
  return hop.knownHostsFiles.some(
    (f) =>
      fs.existsSync(f) && checkHostKey(readKnownHosts(f), hop.keyName, hop.port, key).status === "trusted",
  );
}

export async function trustHops(
  master: OpenSshMaster,
  opts: HopTrustOptions = {},
): Promise<HopTrustOutcome[]> {
  const hops = await master.hops();
  const out: HopTrustOutcome[] = [];
  for (const [i, hop] of hops.entries()) {
    const loginHost = i === hops.length - 1;
    const offered = await master.probeHostKey(hop);
    if (!offered) {
      throw new ConnectionError(
        `cluster '${master.settings.label}': could not get the host key of ${loginHost ? "" : "the jump host "}${hopName(hop)}${
          out.length ? ` through ${out.map((o) => o.hop).join(" → ")}` : ""
        } — see \`crystal-tui cluster test ${master.settings.label}\``,
      );
    }
    const file = hop.knownHostsFiles[0];
    if (!file)
      throw new ConnectionError(
        `cluster '${master.settings.label}': no known_hosts file for ${hopName(hop)}`,
      );
    const base = { hop: hopName(hop), loginHost };
    if (trustedSomewhere(hop, offered.key)) {
      out.push({
        ...base,
        status: "already",
        hostId: hop.keyName,
        keyType: offered.keyType,
        fingerprint: offered.fingerprint,
        knownHostsFile: file,
      });
      continue;
    }
    const outcome = await recordTrust(
      { label: master.settings.label, host: hop.keyName, port: hop.port, knownHostsFile: file },
      offered,
      {
        ...(opts.replace ? { replace: true } : {}),
        // a fingerprint given on the command line is the login host's
        ...(loginHost && opts.expectFingerprint ? { expectFingerprint: opts.expectFingerprint } : {}),
        ...(opts.confirmHop
          ? { confirm: (o) => opts.confirmHop!(hop, o, loginHost) }
          : opts.confirm
            ? { confirm: opts.confirm }
            : {}),
      },
    );
    out.push({ ...base, ...outcome });
  }
  master.retryNow(); // a refused key may be trusted now
  return out;
}
