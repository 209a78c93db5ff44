// Bounded parallelism for work that waits on I/O (inventory reads, per-CIDR commits).

/** Runs `work` on every item, at most `limit` at a time; the first failure rejects once the running ones settle. */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    // After a failure no new item starts; the ones running finish, so nothing outlives the call.
    while (!failure && next < items.length) {
      try {
        await work(items[next++]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
