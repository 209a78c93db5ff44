// `npm run soak`, bounded tightly: a few clients mix every space operation against `npm start`
// in its own process, which is killed with SIGKILL twice and restarted; after each restart and at
// the end the invariant checker (scripts/soak/invariants.ts, whose own test shows it can fail)
// finds nothing. The real run, 16 clients for minutes, is `npm run soak`; its figures are in the README.
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../scripts/soak/soak.ts';

describe('npm run soak, short', () => {
  it('survives two kill -9 with every pool tiled exactly and every acknowledged allocation kept', { timeout: 300_000 }, async () => {
    const report = await runSoak({
      // Two kills, each after 4–8 s of load; the time bound is a backstop.
      maxKills: 2,
      durationMs: 240_000,
      maxOperations: 5_000,
      clients: 4,
      killIntervalMs: { min: 4_000, max: 8_000 },
      seed: 18,
    });
    expect(report.violations).toEqual([]);
    expect(report.kills).toBe(2);
    expect(report.checks).toBe(report.kills + 1);
    // The clients did make and give back space, across the kills.
    expect(report.byOperation['allocate-by-netmask']?.ok).toBeGreaterThan(0);
    expect(report.byOperation.release?.ok).toBeGreaterThan(0);
    expect(report.interrupted).toBeGreaterThan(0);
  });
});
