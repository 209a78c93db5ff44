// The soak (run.ts is the entry): the service in its own process on a scratch data directory,
// N clients mixing every space operation, and a loop that kills the service with SIGKILL at
// random moments and starts it again. After each restart the clients are held at their next
// call (the one in flight finishes, retrying until the service answers), workflows are given
// time to settle, and the invariant checker reads the store: its findings are the result.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import { documentClient, dynamoDbClient } from '../../lambdas/hosts/dependencies.ts';
import { CarefulCaller, soakClient } from './careful-client.ts';
import { checkInvariants, type InvariantReport, type Violation } from './invariants.ts';
import { Random } from './random.ts';
import { freePort } from '../../lambdas/adapters/local/free-port.ts';
import { isAlive, SOAK_TABLE, ServiceProcess } from './service-process.ts';
import { createWorld, Ledger, type Operation, SoakClient } from './workload.ts';

export interface SoakOptions {
  durationMs: number;
  /** The clients stop starting operations once this many have been made. */
  maxOperations: number;
  clients: number;
  /** The run also ends once the check after this many kills is done. */
  maxKills?: number;
  /** A kill comes a random time in [min, max] after the service was last (re)started and checked. */
  killIntervalMs: { min: number; max: number };
  seed: number;
  /** How long workflows may take to settle after a restart before what is still open counts. */
  settleMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seed: number;
  clients: number;
  /** From the first client operation to the last check. */
  durationMs: number;
  /** The first start of the service and the shared pools' set-up. */
  setupMs: number;
  operations: number;
  byOperation: Record<string, { ok: number; failed: number }>;
  errors: Record<string, number>;
  /** The first message seen for each code. */
  errorExamples: Record<string, string>;
  /** Calls that met a dead service (connection error, 503) and were retried. */
  interrupted: number;
  kills: number;
  restarts: number;
  restartMs: { mean: number; max: number };
  /** After a restart, until every client had its call in flight answered (and so could be held for the check). */
  clientsHeldMs: { mean: number; max: number };
  checks: number;
  acknowledgedHeld: number;
  uncertain: number;
  lastCheck: { spaces: number; freeBlocks: number; allocations: number };
  violations: Violation[];
  /** Where the data directory was kept (only when something was found). */
  keptDataDir?: string;
}

const mean = (values: number[]) => (values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : 0);

const ACCOUNT = { accessKeyId: 'AKIASOAKADMIN0000001', secretAccessKey: 'soak-admin-secret', accountId: '123456789012' };

/** Holds the clients before their next call while the checker reads. */
class Gate {
  private closed: { promise: Promise<void>; open: () => void } | undefined;
  private parked = 0;

  close(): void {
    if (this.closed) return;
    let open = () => {};
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.closed = { promise, open };
  }

  open(): void {
    this.closed?.open();
    this.closed = undefined;
  }

  /** Clients whose loop has ended: they will never reach the gate again. */
  done = 0;

  async pass(): Promise<void> {
    while (this.closed) {
      this.parked++;
      await this.closed.promise;
      this.parked--;
    }
  }

  async allParked(count: number, waiting: () => void): Promise<void> {
    for (let round = 1; this.parked + this.done < count; round++) {
      await sleep(20);
      if (round % 500 === 0) waiting();
    }
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const random = new Random(options.seed);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-soak-'));
  const service = new ServiceProcess({
    dataDir,
    port: await freePort('127.0.0.1'),
    dynamoDbPort: await freePort('127.0.0.1'),
    admin: ACCOUNT,
  });
  const began = Date.now();
  const violations: Violation[] = [];
  const ledger = new Ledger();
  const restartTimes: number[] = [];
  /** How long the clients took to finish their calls in flight after each restart. */
  const holdTimes: number[] = [];
  let kills = 0;
  let checks = 0;
  let lastCheck: InvariantReport | undefined;
  log(`data in ${dataDir}; starting the service`);
  await service.start();
  const dynamoDb = dynamoDbClient(service.dynamoDbEndpoint);
  const store = new DynamoDbStore(documentClient(dynamoDb), SOAK_TABLE);
  const callers = Array.from({ length: options.clients + 1 }, () => new CarefulCaller(soakClient(service.url, ACCOUNT)));
  const world = await createWorld(callers[options.clients]!, ACCOUNT.accountId).catch(async (error) => {
    for (const caller of callers) caller.destroy();
    dynamoDb.destroy();
    await service.stop();
    throw error;
  });
  const gate = new Gate();
  // The clients' time starts once the service is up and the shared pools exist.
  const loadBegan = Date.now();
  const deadline = loadBegan + options.durationMs;
  let enoughKills = false;
  const finished = () => enoughKills || Date.now() >= deadline || ledger.total >= options.maxOperations;

  const check = async (when: string) => {
    const settleBy = Date.now() + (options.settleMs ?? 60_000);
    for (;;) {
      const report = await checkInvariants({
        store,
        accounts: [ACCOUNT.accountId],
        acknowledged: [...ledger.acknowledged.values()],
        everCreatedPools: [...ledger.pools].map((poolId) => ({ poolId, family: 'ipv4' as const })),
      });
      const settling = report.violations.every((v) => v.kind === 'unsettled' || v.kind === 'open-execution');
      if (report.violations.length > 0 && settling && Date.now() < settleBy) {
        await sleep(250);
        continue;
      }
      checks++;
      lastCheck = report;
      violations.push(...report.violations.map((v) => ({ ...v, detail: `${when}: ${v.detail}` })));
      log(
        `check ${checks} (${when}): ${report.spaces} spaces, ${report.allocations} allocations, ${report.freeBlocks} free blocks, ` +
          `${ledger.acknowledged.size} acknowledged held — ${report.violations.length} violation(s)`,
      );
      for (const violation of report.violations.slice(0, 20)) log(`  ${violation.kind} ${violation.where}: ${violation.detail}`);
      return;
    }
  };

  const clients = Array.from(
    { length: options.clients },
    (_, index) => new SoakClient(index, callers[index]!, world, ledger, random.fork()),
  );
  const clientRuns = clients.map(async (client) => {
    while (!finished()) {
      await gate.pass();
      if (finished()) break;
      await client.step();
    }
    gate.done++;
  });
  const allClients = Promise.all(clientRuns);

  try {
    while (!finished()) {
      const wait = random.between(options.killIntervalMs.min, options.killIntervalMs.max);
      const killAt = Date.now() + wait;
      while (Date.now() < killAt && !finished()) await sleep(50);
      if (finished()) break;
      const jvm = await service.kill();
      kills++;
      const killedAt = Date.now();
      log(`kill -9 #${kills} after ${Math.round(wait)} ms (${ledger.total} operations so far)`);
      await service.start();
      restartTimes.push(Date.now() - killedAt);
      log(`restarted, healthy after ${Date.now() - killedAt} ms`);
      if (jvm !== undefined && isAlive(jvm))
        violations.push({
          kind: 'leftover',
          where: `pid ${jvm}`,
          detail: `the killed service's DynamoDB Local still runs after the restart`,
        });
      gate.close();
      const holdFrom = Date.now();
      const stillWaiting = () =>
        log(
          `waiting for: ${clients
            .filter((client) => client.inFlight)
            .map((client) => `client ${client.index} ${client.inFlight!.name} for ${Date.now() - client.inFlight!.since} ms`)
            .join(', ')}`,
        );
      await gate.allParked(options.clients, stillWaiting);
      holdTimes.push(Date.now() - holdFrom);
      log(`clients held after ${Date.now() - holdFrom} ms`);
      await check(`after restart ${kills}`);
      enoughKills = kills >= (options.maxKills ?? Number.POSITIVE_INFINITY);
      gate.open();
    }
    await allClients;
    await check('at the end');
  } finally {
    gate.open();
    await allClients.catch(() => {});
    for (const caller of callers) caller.destroy();
    dynamoDb.destroy();
    await service.stop();
  }
  const keep = violations.length > 0;
  if (!keep) await rm(dataDir, { recursive: true, force: true });
  const interrupted = callers.reduce((sum, caller) => sum + caller.interrupted, 0);
  return {
    seed: options.seed,
    clients: options.clients,
    durationMs: Date.now() - loadBegan,
    setupMs: loadBegan - began,
    operations: ledger.total,
    byOperation: Object.fromEntries([...ledger.operations].sort(([a], [b]) => a.localeCompare(b))) as Record<
      Operation,
      { ok: number; failed: number }
    >,
    errors: Object.fromEntries([...ledger.errors].sort(([, a], [, b]) => b - a)),
    errorExamples: Object.fromEntries(ledger.examples),
    interrupted,
    kills,
    restarts: restartTimes.length,
    restartMs: {
      mean: mean(restartTimes),
      max: Math.max(0, ...restartTimes),
    },
    clientsHeldMs: { mean: mean(holdTimes), max: Math.max(0, ...holdTimes) },
    checks,
    acknowledgedHeld: ledger.acknowledged.size,
    uncertain: ledger.uncertain,
    lastCheck: { spaces: lastCheck?.spaces ?? 0, freeBlocks: lastCheck?.freeBlocks ?? 0, allocations: lastCheck?.allocations ?? 0 },
    violations,
    keptDataDir: keep ? dataDir : undefined,
  };
}
