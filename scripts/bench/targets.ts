// Issue 19's targets as table rows: plain numbers of one run in, ratios with PASS/MISS out.
import type { Measure } from './report.ts';

/** The bounds of issue 19, in one place. */
export const ISSUE_19 = {
  /** Throughput at 64 callers ÷ at 16 callers, one pool and 16 pools. */
  scaling: { from: 16, to: 64, atLeast: 1 },
  /** Allocations/s ÷ raw 3-item transactions/s at the same concurrency. */
  shareOfRaw: { clients: [16, 64], atLeast: { onePool: 0.4, manyPools: 0.6 } },
  /** Allocation and release p50 ÷ the floor p50, in every repetition. */
  latency: { allocate: 1.6, release: 2 },
  /** Lost transaction races per allocation, 16 callers on one pool. */
  conflicts: { clients: 16, perAllocation: 0.1 },
} as const;

/** One concurrency run of the bench, with the raw transaction rate measured right before it. */
export interface ConcurrencyResult {
  clients: number;
  pools: number;
  allocations: number;
  perSecond: number;
  conflicts: number;
  failures: number;
  overlaps: number;
  /** Raw 3-item TransactWriteItems per second by as many callers, each on its own keys. */
  rawPerSecond: number;
}

const poolsText = (pools: number) => `${pools} pool${pools > 1 ? 's' : ''}`;

/** Row 3: one per run, with its share of the raw rate (no bound: issue 19's are in `issue19Measures`). */
export function concurrencyMeasures(runs: readonly ConcurrencyResult[]): Measure[] {
  return runs.map(
    (run): Measure => ({
      item: '3',
      name: `${run.clients} clients, ${poolsText(run.pools)} (÷ raw tx/s)`,
      value: `${run.perSecond}/s (raw ${run.rawPerSecond}/s), ${run.conflicts} conflict retries, ${run.failures} failed, ${run.overlaps} overlaps`,
      ratio: run.perSecond / run.rawPerSecond,
      ok: run.overlaps === 0 && run.failures === 0,
    }),
  );
}

/** The p50s (ms) of one repetition of the sequential latencies. */
export interface RepetitionP50s {
  floor: number;
  allocate: number;
  release: number;
}

/** Issue 19's targets 1–4, in its order. */
export function issue19Measures(runs: readonly ConcurrencyResult[], repetitions: readonly RepetitionP50s[]): Measure[] {
  const find = (clients: number, pools: number) => runs.find((run) => run.clients === clients && run.pools === pools);
  const poolCounts = [...new Set(runs.map((run) => run.pools))];
  const scaling = poolCounts.flatMap((pools): Measure[] => {
    const [from, to] = [find(ISSUE_19.scaling.from, pools), find(ISSUE_19.scaling.to, pools)];
    if (!from || !to) return [];
    return [
      {
        item: '19.1',
        name: `throughput ${to.clients} / ${from.clients} callers, ${poolsText(pools)}`,
        value: `${to.perSecond}/s vs ${from.perSecond}/s`,
        ratio: to.perSecond / from.perSecond,
        atLeast: ISSUE_19.scaling.atLeast,
      },
    ];
  });
  const shareOfRaw = poolCounts.flatMap((pools) =>
    ISSUE_19.shareOfRaw.clients.flatMap((clients): Measure[] => {
      const run = find(clients, pools);
      if (!run) return [];
      return [
        {
          item: '19.2',
          name: `allocations / raw tx, ${clients} callers, ${poolsText(pools)}`,
          value: `${run.perSecond}/s vs ${run.rawPerSecond}/s`,
          ratio: run.perSecond / run.rawPerSecond,
          atLeast: pools > 1 ? ISSUE_19.shareOfRaw.atLeast.manyPools : ISSUE_19.shareOfRaw.atLeast.onePool,
        },
      ];
    }),
  );
  const contended = find(ISSUE_19.conflicts.clients, 1);
  const conflicts: Measure[] = contended
    ? [
        {
          item: '19.4',
          name: `conflict retries per allocation, ${contended.clients} callers, 1 pool`,
          value: `${contended.conflicts} retries for ${contended.allocations} allocations`,
          ratio: contended.conflicts / contended.allocations,
          target: ISSUE_19.conflicts.perAllocation,
          unit: '',
        },
      ]
    : [];
  return [...scaling, ...shareOfRaw, ...latencyMeasures(repetitions), ...conflicts];
}

/**
 * Target 3: allocation and release p50 within their bound of the floor p50 in every repetition.
 * The ratio column shows the worst repetition, so the row passes only if all do.
 */
function latencyMeasures(repetitions: readonly RepetitionP50s[]): Measure[] {
  if (repetitions.length === 0) return [];
  const row = (name: string, p50: (repetition: RepetitionP50s) => number, target: number): Measure => {
    const ratios = repetitions.map((repetition) => p50(repetition) / repetition.floor);
    const [lowest, highest] = [Math.min(...ratios), Math.max(...ratios)];
    return {
      item: '19.3',
      name: `${name} p50 / floor p50, worst of ${repetitions.length}`,
      value: `${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')}; spread ${lowest.toFixed(2)}–${highest.toFixed(2)}×`,
      ratio: highest,
      target,
    };
  };
  return [
    row('allocate', (repetition) => repetition.allocate, ISSUE_19.latency.allocate),
    row('release', (repetition) => repetition.release, ISSUE_19.latency.release),
  ];
}
