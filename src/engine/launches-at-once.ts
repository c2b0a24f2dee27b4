// How many launches to one cluster are in flight at once. A submission is a round trip that waits on
// the network and the scheduler, not on this machine: through a jump host each one takes ~20–60 ms
// of which this machine works ~2, so one after the other a 200-job run spends seconds only waiting.
// A few at once over the one shared master cost the site no extra login; the shell's session cap
// (MaxSessions) still bounds the channels, and the jobs of one claim never depend on each other (a
// job whose parent is claimed in the same pass is not runnable yet), so no launch waits on another.
// The local machine launches one at a time: its launches are quick, and each takes cores.
export const CLUSTER_LAUNCHES_AT_ONCE = 4;

/**
 * Runs `fn` on every item, at most `n` at a time, in the items' order of start. Once one fails no
 * further item is started; those already running are awaited, then the first failure is thrown.
 */
export async function eachAtMost<T>(
  items: readonly T[],
  n: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failed === null && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  if (failed !== null) throw (failed as { error: unknown }).error;
}
