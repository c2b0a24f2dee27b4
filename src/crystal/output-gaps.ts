// Band gaps as CRYSTAL prints them after each diagonalisation: INSULATING STATE (then the band
// edges and, from CRYSTAL17 on, the gap itself) or (POSSIBLY) CONDUCTING STATE, for each spin
// channel in turn; after OPT END, CRYSTAL17+ prints the final geometry's gaps again. One tracker per
// run (the crystal run and a properties run's NEWK each have their own); nothing is allocated per
// SCF cycle.
import { NUMBER_READ, fortranNumber as num } from "./output-bytes.js";
import type { LineView } from "./output-line.js";
import { HARTREE_TO_EV } from "./result.js";

type Channel = "all" | "alpha" | "beta";

export interface Gaps {
  all: number | null;
  alpha: number | null;
  beta: number | null;
}

/** What one diagonalisation printed for one spin channel, reused from SCF to SCF. */
interface BandGroup {
  /** Whether the current SCF printed one for this channel. */
  seen: boolean;
  state: "insulating" | "conducting" | "no_gap";
  top: number | null;
  bottom: number | null;
  /** Whether CRYSTAL printed the gap (`… ENERGY BAND GAP:`), and its number (NaN if unreadable). */
  gapPrinted: boolean;
  gap: number;
}

const emptyBandGroup = (): BandGroup => ({
  seen: false,
  state: "insulating",
  top: null,
  bottom: null,
  gapPrinted: false,
  gap: Number.NaN,
});

export class GapTracker {
  private channel: Channel = "all";
  private readonly bands: Record<Channel, BandGroup> = {
    all: emptyBandGroup(),
    alpha: emptyBandGroup(),
    beta: emptyBandGroup(),
  };
  private finalGaps: Gaps | null = null;
  /** Once CRYSTAL prints gaps itself (CRYSTAL17 on), band edges and INSULATING STATE need no reading. */
  printed = false;

  /** A new SCF: its diagonalisations replace the last one's. */
  newScf(): void {
    this.channel = "all";
    this.bands.all.seen = false;
    this.bands.alpha.seen = false;
    this.bands.beta.seen = false;
  }

  /** Each SCF cycle starts with the closed-shell (or total) channel. */
  cycle(): void {
    this.channel = "all";
  }

  /** `ALPHA ELECTRONS` / `BETA ELECTRONS`: the lines that follow are that channel's. */
  spinChannel(channel: "alpha" | "beta"): void {
    this.channel = channel;
  }

  state(state: BandGroup["state"]): void {
    const group = this.bands[this.channel];
    group.seen = true;
    group.state = state;
    group.top = null;
    group.bottom = null;
    group.gapPrinted = false;
    group.gap = Number.NaN;
  }

  /** The current channel's group, opened as insulating if its state line was not seen. */
  private group(): BandGroup {
    const group = this.bands[this.channel];
    if (!group.seen) this.state("insulating");
    return group;
  }

  /** `INDIRECT ENERGY BAND GAP:  12.6917 eV`, from just after the colon (one per SCF cycle). */
  gapLine(v: LineView, from: number, e: number): void {
    const b = v.b;
    let q = from;
    while (q < e && b[q] === 32) q++;
    let r = q;
    while (r < e && b[r] !== 32) r++;
    const group = this.group();
    group.state = "insulating";
    group.gapPrinted = true;
    group.gap = v.readNumber(q, r) ? NUMBER_READ[0]! : Number.NaN;
    this.printed = true;
  }

  /** `TOP OF VALENCE BANDS -    BAND     10; K   12; EIG -2.0823120E-01 AU` (one per k point kind). */
  edge(top: boolean, v: LineView, p: number, e: number): void {
    if (this.printed) return;
    const b = v.b;
    const at = lastIndexOfEig(b, p, e);
    if (at < p) return;
    let r = e;
    while (r > at && b[r - 1] !== 32) r--; // drop the unit "AU"
    const eig = num(v.text(at + 3, r).trim());
    if (eig === null) return;
    const group = this.group();
    if (top) group.top = group.top === null ? eig : Math.max(group.top, eig);
    else group.bottom = group.bottom === null ? eig : Math.min(group.bottom, eig);
  }

  /** After OPT END, CRYSTAL17+ prints the gap of the final geometry (`BAND GAP:`, `ALPHA BAND GAP:`). */
  finalGap(channel: Channel, line: string): void {
    const gap = num(/BAND GAP:\s*(\S+)/.exec(line)?.[1]);
    if (gap === null) return;
    this.finalGaps ??= { all: null, alpha: null, beta: null };
    this.finalGaps[channel] = gap;
  }

  /** The gaps of the last diagonalisation (or those printed after OPT END). */
  gaps(): Gaps {
    return (
      this.finalGaps ?? {
        all: gapOf(this.bands.all),
        alpha: gapOf(this.bands.alpha),
        beta: gapOf(this.bands.beta),
      }
    );
  }
}

function lastIndexOfEig(b: Uint8Array, p: number, e: number): number {
  let at = e - 3;
  while (at >= p && !(b[at] === 69 && b[at + 1] === 73 && b[at + 2] === 71)) at--;
  return at;
}

/** The gap of one diagonalisation: as printed, else from its band edges (CRYSTAL14 prints none). */
function gapOf(group: BandGroup): number | null {
  if (!group.seen || group.state === "no_gap") return null;
  if (group.state === "conducting") return 0;
  if (group.gapPrinted) return Number.isNaN(group.gap) ? null : group.gap;
  if (group.top === null || group.bottom === null) return null;
  const gap = Math.max(0, (group.bottom - group.top) * HARTREE_TO_EV);
  return Math.round(gap * 1e4) / 1e4;
}
