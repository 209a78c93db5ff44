// Latency samples and their percentiles (nearest rank), in milliseconds.

export interface Latency {
  count: number;
  p50: number;
  p99: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function latency(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/** Milliseconds `run` took. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Runs `total` jobs on `clients` concurrent workers; `run` gets the job and worker numbers. */
export async function runConcurrently(
  total: number,
  clients: number,
  run: (job: number, worker: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (id: number) => {
    while (next < total) await run(next++, id);
  };
  await Promise.all(Array.from({ length: Math.min(clients, total) }, (_, id) => worker(id)));
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));
