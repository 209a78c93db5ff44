// `npm run soak`: N clients mix every space operation against `npm start` on loopback while it is
// killed with SIGKILL at random moments and restarted; after each restart the invariant checker
// reads the store. Bounded in time and in operations. Exits 1 if anything was violated.
// Flags (or SOAK_* variables): --duration-s (300), --max-operations (1000000), --max-kills, --clients (16),
// --kill-min-s (5), --kill-max-s (30), --seed (random; printed), --json (the report as JSON).
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

// The service's request log would bury the summary; the loggers read the level when they load.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const { runSoak } = await import('./soak.ts');

const HELP = `Usage: npm run soak -- [--duration-s N] [--max-operations N] [--max-kills N] [--clients N] [--kill-min-s N] [--kill-max-s N] [--seed N] [--json]

Runs the IPAM (npm start, on 127.0.0.1 with a scratch data directory) under N clients that mix
every space operation, kills it with SIGKILL at random intervals and restarts it; after each
restart checks that every pool's CIDRs are tiled exactly by its free blocks, allocations and child
pools, and that every acknowledged allocation exists. Exits 1 if any check failed.

  --duration-s      how long the clients run (SOAK_DURATION_S, default 300)
  --max-operations  stop after this many operations (SOAK_MAX_OPERATIONS, default 1000000)
  --max-kills       stop after the check that follows this many kills (SOAK_MAX_KILLS, default no limit)
  --clients         concurrent clients (SOAK_CLIENTS, default 16)
  --kill-min-s      shortest time between a restart and the next kill (SOAK_KILL_MIN_S, default 5)
  --kill-max-s      longest (SOAK_KILL_MAX_S, default 30)
  --seed            the random seed (SOAK_SEED, default random; printed so a run can be repeated)
  --json            print the report as JSON instead of a table`;

const { values } = parseArgs({
  options: {
    'duration-s': { type: 'string' },
    'max-operations': { type: 'string' },
    'max-kills': { type: 'string' },
    clients: { type: 'string' },
    'kill-min-s': { type: 'string' },
    'kill-max-s': { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function setting(flag: keyof typeof values, variable: string, fallback: number, min = 0): number {
  const text = (values[flag] as string | undefined) ?? process.env[variable];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) {
    console.error(`--${flag} (${variable}) must be a number of at least ${min}; got '${text}'\n\n${HELP}`);
    process.exit(2);
  }
  return value;
}

const killMin = setting('kill-min-s', 'SOAK_KILL_MIN_S', 5, 0.5);
const options = {
  durationMs: setting('duration-s', 'SOAK_DURATION_S', 300, 1) * 1000,
  maxOperations: setting('max-operations', 'SOAK_MAX_OPERATIONS', 1_000_000, 1),
  clients: setting('clients', 'SOAK_CLIENTS', 16, 1),
  maxKills: setting('max-kills', 'SOAK_MAX_KILLS', Number.POSITIVE_INFINITY, 1),
  killIntervalMs: { min: killMin * 1000, max: setting('kill-max-s', 'SOAK_KILL_MAX_S', 30, killMin) * 1000 },
  seed: setting('seed', 'SOAK_SEED', randomInt(2 ** 31)),
  log: (line: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`),
};
options.log(
  `seed ${options.seed}; ${options.clients} clients for ${options.durationMs / 1000} s, kills every ${killMin}–${options.killIntervalMs.max / 1000} s`,
);
const report = await runSoak(options);

if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const rows: [string, string][] = [
    ['seed', String(report.seed)],
    ['duration', `${(report.durationMs / 1000).toFixed(0)} s, ${report.clients} clients`],
    ['operations', `${report.operations} (${(report.operations / (report.durationMs / 1000)).toFixed(0)}/s)`],
    ...Object.entries(report.byOperation).map(([name, row]): [string, string] => [`  ${name}`, `${row.ok} ok, ${row.failed} refused`]),
    [
      'errors by code',
      Object.entries(report.errors)
        .map(([code, count]) => `${code} ${count}`)
        .join(', ') || 'none',
    ],
    ['calls retried across a kill', String(report.interrupted)],
    ['kills (SIGKILL)', String(report.kills)],
    ['restarts', `${report.restarts} (to healthy: mean ${report.restartMs.mean} ms, max ${report.restartMs.max} ms)`],
    [
      'calls in flight answered after',
      `mean ${report.clientsHeldMs.mean} ms, max ${report.clientsHeldMs.max} ms (then the clients wait for the check)`,
    ],
    ['invariant checks', String(report.checks)],
    [
      'last check',
      `${report.lastCheck.spaces} spaces, ${report.lastCheck.allocations} allocations, ${report.lastCheck.freeBlocks} free blocks`,
    ],
    ['acknowledged allocations held', `${report.acknowledgedHeld} (all found); give-backs with a lost answer: ${report.uncertain}`],
    ['violations', String(report.violations.length)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
  for (const [code, example] of Object.entries(report.errorExamples)) console.log(`  e.g. ${code} — ${example}`);
  for (const violation of report.violations) console.log(`  ${violation.kind} ${violation.where}: ${violation.detail}`);
  if (report.keptDataDir) console.log(`data directory kept for inspection: ${report.keptDataDir}`);
}
process.exit(report.violations.length > 0 ? 1 : 0);
