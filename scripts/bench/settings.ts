// The bench's settings: the full run's defaults, or `--quick` (BENCH_QUICK=1) for contributors:
// every measure with small counts, a few minutes on 2 cores, its verdicts only indicative. A
// BENCH_* variable set explicitly wins over either.

export interface BenchSettings {
  quick: boolean;
  /** Allocations in each of the two "full" pools (row 2). */
  ALLOCATIONS: number;
  /** Sequential samples per latency, per repetition (rows 1, 2, 4, 7, 16). */
  SAMPLES: number;
  /** Repetitions of the sequential latencies (issue 19, target 3: the spread). */
  REPETITIONS: number;
  /** Concurrent callers filling the full pools. */
  SEED_CLIENTS: number;
  /** Allocations per concurrency run at least, and transactions per raw-rate run beside it (row 3) … */
  CONCURRENCY_ALLOCATIONS: number;
  /** … and at least this many per caller (`allocationsPerRun`). */
  ALLOCATIONS_PER_CALLER: number;
  /** Provisionings timed (row 5). */
  PROVISIONS: number;
}

type Counts = Omit<BenchSettings, 'quick'>;

// ALLOCATIONS_PER_CALLER: a run's start (the first calls on fresh pools) and its tail (the last
// calls, with fewer callers left) last about one call per caller. With 400 allocations, 64 callers
// make 6 each and the run's rate came out 25–30 % below its middle 80 %'s; 32 each brings that to
// 5–8 % (docs/performance.md, "Reproduce").
const FULL: Counts = {
  ALLOCATIONS: 100_000,
  SAMPLES: 300,
  REPETITIONS: 3,
  SEED_CLIENTS: 4,
  CONCURRENCY_ALLOCATIONS: 400,
  ALLOCATIONS_PER_CALLER: 32,
  PROVISIONS: 20,
};

const QUICK: Counts = {
  ALLOCATIONS: 500,
  SAMPLES: 40,
  REPETITIONS: 3,
  SEED_CLIENTS: 4,
  CONCURRENCY_ALLOCATIONS: 100,
  ALLOCATIONS_PER_CALLER: 4,
  PROVISIONS: 5,
};

export const USAGE = `usage: npm run bench [-- --quick]
  --quick (or BENCH_QUICK=1)  every measure with small counts: ${listCounts(QUICK)}
  default                     ${listCounts(FULL)}
  any count can be set:       ${Object.keys(FULL)
    .map((name) => `BENCH_${name}`)
    .join(', ')}`;

function listCounts(counts: Counts): string {
  return Object.entries(counts)
    .map(([name, value]) => `${name.toLowerCase()} ${value}`)
    .join(', ');
}

/** The settings of one run, from the command line's arguments and the environment. */
export function benchSettings(args: readonly string[], env: Readonly<Record<string, string | undefined>>): BenchSettings {
  const unknown = args.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}\n${USAGE}`);
  const quick = args.includes('--quick') || isTrue(env.BENCH_QUICK);
  const defaults = quick ? QUICK : FULL;
  const counts = Object.fromEntries(
    Object.entries(defaults).map(([name, fallback]) => [name, positiveInteger(`BENCH_${name}`, env[`BENCH_${name}`], fallback)]),
  ) as unknown as Counts;
  return { quick, ...counts };
}

/** Allocations (and raw transactions) of a concurrency run by `clients` callers. */
export function allocationsPerRun(settings: BenchSettings, clients: number): number {
  return Math.max(settings.CONCURRENCY_ALLOCATIONS, settings.ALLOCATIONS_PER_CALLER * clients);
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${JSON.stringify(text)}`);
  return value;
}
