// The bench's verdicts (scripts/bench): given the numbers of a run, each row of issue 19's targets
// says PASS or MISS by the issue's bounds, and the settings pick the quick or the full counts.
import { describe, expect, it } from 'vitest';
import { type Measure, table, verdict } from '../../scripts/bench/report.ts';
import { allocationsPerRun, benchSettings } from '../../scripts/bench/settings.ts';
import { type ConcurrencyResult, concurrencyMeasures, issue19Measures, type RepetitionP50s } from '../../scripts/bench/targets.ts';

/** The issue's own measurement (raw rate, 16 pools, one pool at 1/4/16/64 callers), as runs. */
function issueRuns(overrides: Partial<Record<string, Partial<ConcurrencyResult>>> = {}): ConcurrencyResult[] {
  const raw: Record<number, number> = { 1: 494, 4: 588, 16: 717, 64: 777 };
  const perSecond: Record<number, Record<number, number>> = {
    16: { 1: 164, 4: 274, 16: 247, 64: 121 },
    1: { 1: 110, 4: 115, 16: 112, 64: 71 },
  };
  return [1, 16].flatMap((pools) =>
    [1, 4, 16, 64].map((clients) => ({
      clients,
      pools,
      allocations: 400,
      perSecond: perSecond[pools][clients],
      rawPerSecond: raw[clients],
      conflicts: 0,
      failures: 0,
      overlaps: 0,
      ...overrides[`${clients}/${pools}`],
    })),
  );
}

const steadyLatency: RepetitionP50s[] = [
  { floor: 5, allocate: 7.5, release: 9 },
  { floor: 6, allocate: 9, release: 11 },
  { floor: 5.5, allocate: 8, release: 10 },
];

const row = (measures: readonly Measure[], name: string) => {
  const found = measures.filter((measure) => measure.name === name);
  expect(found, name).toHaveLength(1);
  return found[0];
};
const verdicts = (measures: readonly Measure[]) => Object.fromEntries(measures.map((measure) => [measure.name, verdict(measure)]));

describe('the verdict of a row', () => {
  it('passes a ratio up to its highest bound and misses beyond it', () => {
    expect(verdict({ item: '1', name: 'a', value: '', ratio: 2, target: 2 })).toBe('PASS');
    expect(verdict({ item: '1', name: 'a', value: '', ratio: 2.01, target: 2 })).toBe('MISS');
  });

  it('passes a ratio down to its lowest bound and misses below it', () => {
    expect(verdict({ item: '19.2', name: 'a', value: '', ratio: 0.6, atLeast: 0.6 })).toBe('PASS');
    expect(verdict({ item: '19.2', name: 'a', value: '', ratio: 0.59, atLeast: 0.6 })).toBe('MISS');
  });

  it('misses when any one of its checks fails, and has none without a check', () => {
    expect(verdict({ item: '3', name: 'a', value: '', ratio: 0.9, atLeast: 0.6, ok: false })).toBe('MISS');
    expect(verdict({ item: '3', name: 'a', value: '', ratio: 0.5, ok: true })).toBe('PASS');
    expect(verdict({ item: '1', name: 'a', value: '', ratio: 5 })).toBe('');
  });

  it('prints each bound with its unit', () => {
    const printed = table([
      { item: '19.2', name: 'share', value: '', ratio: 0.5, atLeast: 0.6 },
      { item: '19.4', name: 'retries', value: '', ratio: 0.05, target: 0.1, unit: '' },
    ]);
    expect(printed).toMatch(/\| share +\| +\| 0\.50× \| ≥ 0\.6× \| MISS \|/);
    expect(printed).toMatch(/\| retries +\| +\| 0\.05 +\| ≤ 0\.1 +\| PASS \|/);
  });
});

describe("issue 19's targets", () => {
  it("misses the issue's own measurement where the issue says it falls short", () => {
    const measures = issue19Measures(issueRuns({ '16/1': { conflicts: 200 } }), steadyLatency);
    expect(verdicts(measures)).toEqual({
      // 121/s at 64 vs 247/s at 16; 71 vs 112.
      'throughput 64 / 16 callers, 1 pool': 'MISS',
      'throughput 64 / 16 callers, 16 pools': 'MISS',
      // 112/717 = 0.16, 71/777 = 0.09 (≥ 0.4); 247/717 = 0.34, 121/777 = 0.16 (≥ 0.6).
      'allocations / raw tx, 16 callers, 1 pool': 'MISS',
      'allocations / raw tx, 64 callers, 1 pool': 'MISS',
      'allocations / raw tx, 16 callers, 16 pools': 'MISS',
      'allocations / raw tx, 64 callers, 16 pools': 'MISS',
      'allocate p50 / floor p50, worst of 3': 'PASS',
      'release p50 / floor p50, worst of 3': 'PASS',
      // 200 retries for 400 allocations.
      'conflict retries per allocation, 16 callers, 1 pool': 'MISS',
    });
  });

  it('passes throughput that holds from 16 to 64 callers at the share of the raw rate each pool count needs', () => {
    const measures = issue19Measures(
      issueRuns({
        '16/1': { perSecond: 287, conflicts: 40 }, // 287/717 = 0.40; 40/400 = 0.1
        '64/1': { perSecond: 311 }, // 311/777 = 0.40
        '16/16': { perSecond: 431 }, // 431/717 = 0.60
        '64/16': { perSecond: 467 }, // 467/777 = 0.60
      }),
      steadyLatency,
    );
    expect(new Set(measures.map(verdict))).toEqual(new Set(['PASS']));
    expect(row(measures, 'allocations / raw tx, 64 callers, 16 pools')).toMatchObject({ value: '467/s vs 777/s', atLeast: 0.6 });
    expect(row(measures, 'allocations / raw tx, 64 callers, 1 pool')).toMatchObject({ atLeast: 0.4 });
    expect(row(measures, 'conflict retries per allocation, 16 callers, 1 pool')).toMatchObject({ ratio: 0.1, target: 0.1, unit: '' });
  });

  it('misses a throughput that falls by one allocation per second from 16 to 64 callers', () => {
    const measures = issue19Measures(issueRuns({ '16/16': { perSecond: 500 }, '64/16': { perSecond: 499 } }), steadyLatency);
    expect(verdict(row(measures, 'throughput 64 / 16 callers, 16 pools'))).toBe('MISS');
    expect(verdict(row(measures, 'throughput 64 / 16 callers, 1 pool'))).toBe('MISS');
    const held = issue19Measures(issueRuns({ '16/16': { perSecond: 500 }, '64/16': { perSecond: 500 } }), steadyLatency);
    expect(verdict(row(held, 'throughput 64 / 16 callers, 16 pools'))).toBe('PASS');
  });

  it('prints every repetition and the spread, and passes the latencies only if every repetition does', () => {
    const [allocate, release] = issue19Measures([], steadyLatency);
    // 7.5/5 = 1.5, 9/6 = 1.5, 8/5.5 = 1.45; 9/5 = 1.8, 11/6 = 1.83, 10/5.5 = 1.82.
    expect(allocate).toMatchObject({ value: '1.50×, 1.50×, 1.45×; spread 1.45–1.50×', ratio: 1.5, target: 1.6 });
    expect(release).toMatchObject({ value: '1.80×, 1.83×, 1.82×; spread 1.80–1.83×', target: 2 });
    expect([verdict(allocate), verdict(release)]).toEqual(['PASS', 'PASS']);

    // One slow repetition out of three is a MISS, even if the other two (and their mean) pass.
    const [oneSlow] = issue19Measures([], [...steadyLatency.slice(0, 2), { floor: 5, allocate: 8.5, release: 9 }]);
    expect(oneSlow.value).toBe('1.50×, 1.50×, 1.70×; spread 1.50–1.70×');
    expect(verdict(oneSlow)).toBe('MISS');
  });

  it('skips a ratio whose runs the bench did not make', () => {
    const onlyOnePool = issueRuns().filter((run) => run.pools === 1 && run.clients !== 64);
    expect(issue19Measures(onlyOnePool, []).map((measure) => measure.name)).toEqual([
      'allocations / raw tx, 16 callers, 1 pool',
      'conflict retries per allocation, 16 callers, 1 pool',
    ]);
  });
});

describe('row 3, one per concurrency run', () => {
  it('shows the share of the raw rate and misses on an overlap or a failed allocation', () => {
    const runs = issueRuns({ '4/1': { overlaps: 1 }, '16/16': { failures: 2 } });
    const measures = concurrencyMeasures(runs);
    expect(measures).toHaveLength(8);
    expect(row(measures, '64 clients, 16 pools (÷ raw tx/s)')).toMatchObject({
      value: '121/s (raw 777/s), 0 conflict retries, 0 failed, 0 overlaps',
      ratio: 121 / 777,
    });
    expect(measures.filter((measure) => verdict(measure) === 'MISS').map((measure) => measure.name)).toEqual([
      '4 clients, 1 pool (÷ raw tx/s)',
      '16 clients, 16 pools (÷ raw tx/s)',
    ]);
  });
});

describe('the bench settings', () => {
  it('runs the full counts by default and small ones with --quick or BENCH_QUICK=1', () => {
    const full = benchSettings([], {});
    expect(full).toMatchObject({ quick: false, ALLOCATIONS: 100_000, REPETITIONS: 3 });
    for (const quick of [benchSettings(['--quick'], {}), benchSettings([], { BENCH_QUICK: '1' })]) {
      expect(quick.quick).toBe(true);
      expect(quick.ALLOCATIONS).toBeLessThan(full.ALLOCATIONS);
      expect(quick.SAMPLES).toBeLessThan(full.SAMPLES);
      expect(quick.CONCURRENCY_ALLOCATIONS).toBeLessThan(full.CONCURRENCY_ALLOCATIONS);
      expect(quick.REPETITIONS).toBe(3);
    }
    expect(benchSettings([], { BENCH_QUICK: '0' }).quick).toBe(false);
  });

  it('gives each concurrency run its least count, and more with many callers so each caller makes enough', () => {
    const full = benchSettings([], {});
    expect([1, 4, 16, 64].map((clients) => allocationsPerRun(full, clients))).toEqual([400, 400, 512, 2048]);
    const quick = benchSettings(['--quick'], {});
    expect([1, 4, 16, 64].map((clients) => allocationsPerRun(quick, clients))).toEqual([100, 100, 100, 256]);
  });

  it('lets a BENCH_ variable override either, and refuses what it cannot use', () => {
    expect(benchSettings(['--quick'], { BENCH_SAMPLES: '500' })).toMatchObject({ quick: true, SAMPLES: 500 });
    expect(benchSettings([], { BENCH_ALLOCATIONS: '10000' })).toMatchObject({ ALLOCATIONS: 10_000 });
    expect(() => benchSettings([], { BENCH_SAMPLES: '0' })).toThrow(/BENCH_SAMPLES must be a positive integer/);
    expect(() => benchSettings([], { BENCH_REPETITIONS: '2.5' })).toThrow(/BENCH_REPETITIONS/);
    expect(() => benchSettings(['--fast'], {})).toThrow(/unknown argument --fast/);
  });
});
