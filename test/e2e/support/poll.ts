// Polling the way a user of the guide does: read, look, wait a second, at most a minute.
export const POLL_INTERVAL_MS = 1_000;
export const POLL_LIMIT_MS = 60_000;

export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what = 'the expected state',
  { intervalMs = POLL_INTERVAL_MS, limitMs = POLL_LIMIT_MS } = {},
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() + intervalMs > deadline) {
      throw new Error(`gave up after ${limitMs / 1000} s waiting for ${what}; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
