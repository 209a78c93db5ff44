// The bench itself (run.ts is the entry): starts DynamoDB Local, measures the allocator against
// the store's physical limit, prints a table and writes bench-results/<timestamp>/{report.json,chart.svg}.
// Settings (scripts/bench/settings.ts): `--quick` or BENCH_QUICK=1 for small counts, and
// BENCH_ALLOCATIONS, BENCH_SAMPLES, BENCH_REPETITIONS, BENCH_SEED_CLIENTS,
// BENCH_CONCURRENCY_ALLOCATIONS, BENCH_ALLOCATIONS_PER_CALLER, BENCH_PROVISIONS (`--help`).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EC2Client } from '@aws-sdk/client-ec2';
import { startDynamoDbLocal } from '../../lambdas/adapters/local/dynamodb-local.ts';
import { startLocalService } from '../../lambdas/hosts/local/service.ts';
import { loadConfig } from '../../lambdas/config.ts';
import { allAllocations } from '../store-reads.ts';
import { createBenchContext, overlaps } from './bench-context.ts';
import { coldStartMeasures, measureColdStart } from './cold-start.ts';
import { measureConsolePoolPage } from './console-page.ts';
import { type Measure, table, writeResults } from './report.ts';
import {
  measureConcurrency,
  measureCreateVpc,
  measureLatencies,
  measureProtocol,
  measureProvisioning,
  measureRawRate,
  residentMiB,
  seedLargePool,
} from './scenarios.ts';
import { allocationsPerRun, benchSettings } from './settings.ts';
import { round } from './stats.ts';
import { type ConcurrencyResult, concurrencyMeasures, issue19Measures } from './targets.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const ms = (value: number) => `${value.toFixed(1)} ms`;
const step = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const duration = (seconds: number) =>
  seconds < 60 ? `${round(seconds, 0)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;

/** Wall time of each part of the run, in seconds, to see what each costs. */
class Phases {
  readonly seconds: Record<string, number> = {};
  private readonly started = performance.now();

  async time<T>(name: string, run: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await run();
    } finally {
      this.seconds[name] = round((performance.now() - start) / 1000, 1);
    }
  }

  total(): number {
    return (performance.now() - this.started) / 1000;
  }

  summary(): string {
    return Object.entries(this.seconds)
      .map(([name, seconds]) => `${name} ${duration(seconds)}`)
      .join(', ');
  }
}

async function main(args: readonly string[]): Promise<void> {
  const settings = benchSettings(args, process.env);
  const { ALLOCATIONS, SAMPLES, REPETITIONS, SEED_CLIENTS, PROVISIONS } = settings;
  const phases = new Phases();
  if (settings.quick) step('quick run: small counts, verdicts only indicative');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ipam-bench-'));
  step('starting DynamoDB Local (in memory)');
  const dynamoDb = await startDynamoDbLocal({});
  const config = loadConfig({});
  const bench = await createBenchContext(dynamoDb.endpoint, config, path.join(dataDir, 'events.jsonl'));
  const admin = { accessKeyId: 'AKIABENCHADMIN000001', secretAccessKey: 'bench-admin-secret' };
  const service = await startLocalService(
    loadConfig({
      PORT: '0',
      IPAM_DISCOVERY_INTERVAL_S: '0',
      IPAM_DATA_DIR: path.join(dataDir, 'service'),
      IPAM_TABLE_NAME: `bench-http-${Date.now()}`,
      IPAM_DYNAMODB_ENDPOINT: dynamoDb.endpoint,
      IPAM_ACCESS_KEY_ID: admin.accessKeyId,
      IPAM_SECRET_ACCESS_KEY: admin.secretAccessKey,
      IPAM_ACCOUNT_ID: '123456789012',
    }),
    // Its table is its own, as the in-process side's is: both keep the warm free-space view.
    { soleWriterOfExternalStore: true },
  );
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: service.url, credentials: admin, maxAttempts: 1 });
  try {
    step(`seeding an IPv4 and an IPv6 pool with ${ALLOCATIONS} allocations each (${SEED_CLIENTS} concurrent callers)`);
    const [ipv4, ipv6] = await phases.time('seeding', async () => [
      await seedLargePool(bench, 'ipv4', ALLOCATIONS, SEED_CLIENTS),
      await seedLargePool(bench, 'ipv6', ALLOCATIONS, SEED_CLIENTS),
    ]);
    const memory = { serviceMiB: round(process.memoryUsage().rss / 2 ** 20, 0), dynamoDbLocalMiB: await residentMiB(dynamoDb.pid) };

    // Issue 19 wants the spread of the floor ratios across runs: the sequential latencies are
    // repeated; rows 1, 2 and 7 show the first repetition, row 19.3 all of them.
    const repetitions = await phases.time('latencies', async () => {
      const all = [];
      for (let repetition = 1; repetition <= REPETITIONS; repetition++) {
        step(`sequential latencies, ${SAMPLES} samples each, repetition ${repetition}/${REPETITIONS}`);
        all.push(await measureLatencies(bench, { ipv4, ipv6 }, SAMPLES));
        const { floor, allocateEmptyIpv4, release } = all.at(-1)!;
        step(`  allocate ${round(allocateEmptyIpv4.p50 / floor.p50)}×, release ${round(release.p50 / floor.p50)}× the floor p50`);
      }
      return all;
    });
    const latencies = repetitions[0];

    // Each allocation run right after a raw-rate run by as many callers, so that drift of the
    // machine hits both sides of their ratio alike.
    const concurrency = await phases.time('concurrency', async () => {
      step('concurrency: raw transactions, then as many allocations, by as many callers');
      const runs: ConcurrencyResult[] = [];
      for (const pools of [1, 16]) {
        for (const clients of [1, 4, 16, 64]) {
          const total = allocationsPerRun(settings, clients);
          const raw = await measureRawRate(bench, clients, total);
          const run = await measureConcurrency(bench, clients, pools, total);
          runs.push({ ...run, rawPerSecond: raw.perSecond });
          step(
            `  ${clients} clients on ${pools} pool(s), ${total} allocations: ${run.perSecond}/s, raw ${raw.perSecond}/s, ${run.conflicts} conflict retries`,
          );
        }
      }
      return runs;
    });

    step('HTTP vs in-process');
    const protocol = await phases.time('protocol', () => measureProtocol(bench, ec2, SAMPLES));
    step('provisioning');
    const provisioning = await phases.time('provisioning', () => measureProvisioning(bench, PROVISIONS));
    step(`CreateVpc through a pool vs AllocateIpamPoolCidr, ${SAMPLES} samples each`);
    const vpcs = await phases.time('CreateVpc', () => measureCreateVpc(bench, SAMPLES));

    step('api Lambda cold start: bundled as the CDK bundles it, fresh plain node processes');
    const coldStart = await phases.time('cold start', () => measureColdStart({ dynamoDbEndpoint: dynamoDb.endpoint }));

    step('console: the pool page of a pool of 10,000 allocations, in chromium');
    const consolePage = await phases.time('console', () =>
      measureConsolePoolPage(bench, {
        dynamoDbEndpoint: dynamoDb.endpoint,
        dataDir,
        allocations: settings.quick ? 1_000 : 10_000,
        clients: SEED_CLIENTS,
      }),
    );

    step('overlap check of the full pools');
    const seededOverlaps = await phases.time(
      'overlap check',
      async () =>
        overlaps(await allAllocations(bench.store, ipv4.poolId)).length + overlaps(await allAllocations(bench.store, ipv6.poolId)).length,
    );

    const floor = latencies.floor;
    const measures: Measure[] = [
      { item: '1', name: 'floor: TransactWriteItems, 3 conditional items', value: `p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}` },
      {
        item: '1',
        name: 'allocate by netmask p50 / floor p50',
        value: ms(latencies.allocateEmptyIpv4.p50),
        ratio: latencies.allocateEmptyIpv4.p50 / floor.p50,
        target: 2,
      },
      { item: '1', name: 'release p50 / floor p50', value: ms(latencies.release.p50), ratio: latencies.release.p50 / floor.p50, target: 2 },
      {
        item: '1',
        name: 'allocate with ClientToken p50 / floor p50',
        value: ms(latencies.allocateWithClientToken.p50),
        ratio: latencies.allocateWithClientToken.p50 / floor.p50,
      },
      {
        item: '2',
        name: `IPv4 /28 allocate p50: ${ALLOCATIONS} vs 0 allocations`,
        value: `${ms(latencies.allocateFullIpv4.p50)} vs ${ms(latencies.allocateEmptyIpv4.p50)}`,
        ratio: latencies.allocateFullIpv4.p50 / latencies.allocateEmptyIpv4.p50,
        target: 1.2,
      },
      {
        item: '2',
        name: `IPv6 /64 allocate p50: ${ALLOCATIONS} vs 0 allocations`,
        value: `${ms(latencies.allocateFullIpv6.p50)} vs ${ms(latencies.allocateEmptyIpv6.p50)}`,
        ratio: latencies.allocateFullIpv6.p50 / latencies.allocateEmptyIpv6.p50,
        target: 1.2,
      },
      ...concurrencyMeasures(concurrency),
      { item: '3', name: 'overlaps in the full pools', value: String(seededOverlaps), ok: seededOverlaps === 0 },
      ...issue19Measures(
        concurrency,
        repetitions.map((repetition) => ({
          floor: repetition.floor.p50,
          allocate: repetition.allocateEmptyIpv4.p50,
          release: repetition.release.p50,
        })),
      ),
      {
        item: '4',
        name: 'CreateIpamPool p50: HTTP / in-process',
        value: `${ms(protocol.createPoolHttp.p50)} vs ${ms(protocol.createPoolInProcess.p50)}`,
        ratio: protocol.createPoolHttp.p50 / protocol.createPoolInProcess.p50,
        target: 1.5,
      },
      {
        item: '4',
        name: 'AllocateIpamPoolCidr p50: HTTP / in-process',
        value: `${ms(protocol.allocateHttp.p50)} vs ${ms(protocol.allocateInProcess.p50)}`,
        ratio: protocol.allocateHttp.p50 / protocol.allocateInProcess.p50,
        target: 1.5,
      },
      {
        // Issue 16: "at most one allocation plus one write more than allocate": CreateVpc's p50
        // within AllocateIpamPoolCidr's p50 plus one raw conditional single-item write's p50 …
        item: '16',
        name: 'CreateVpc p50 / (allocate p50 + one write p50)',
        value: `${ms(vpcs.createVpc.p50)} vs ${ms(vpcs.allocate.p50)} + ${ms(vpcs.singleWrite.p50)}`,
        ratio: vpcs.createVpc.p50 / (vpcs.allocate.p50 + vpcs.singleWrite.p50),
        target: 1,
      },
      {
        // … and no more than one item written beyond the allocation's commit.
        item: '16',
        name: 'items written per call: CreateVpc vs allocate (+1 allowed)',
        value: `${vpcs.createVpc.writeItems} vs ${vpcs.allocate.writeItems}; requests ${vpcs.createVpc.requests} vs ${vpcs.allocate.requests}`,
        ok: vpcs.createVpc.writeItems <= vpcs.allocate.writeItems + 1,
      },
      { item: '16', name: 'capacity per CreateVpc', value: capacityText(vpcs.createVpc) },
      {
        item: '16',
        name: 'discovery refresh after each CreateVpc (background)',
        value: `p50 ${ms(vpcs.refresh.p50)}, ${vpcs.refresh.requests} requests, ${vpcs.refresh.writeItems} items written`,
      },
      { item: '5', name: 'ProvisionIpamPoolCidr → provisioned', value: `p50 ${ms(provisioning.p50)}, p99 ${ms(provisioning.p99)}` },
      {
        item: '6',
        name: `RSS after seeding ${2 * ALLOCATIONS} allocations`,
        value: `service ${memory.serviceMiB} MiB, DynamoDB Local ${memory.dynamoDbLocalMiB ?? '?'} MiB`,
      },
      { item: '7', name: 'capacity per allocation', value: capacityText(latencies.allocateEmptyIpv4) },
      { item: '7', name: 'capacity per allocation with ClientToken', value: capacityText(latencies.allocateWithClientToken) },
      { item: '7', name: 'capacity per release', value: capacityText(latencies.release) },
      { item: '7', name: 'capacity per floor transaction', value: capacityText(floor) },
      ...coldStartMeasures(coldStart),
      {
        item: '20',
        name: `console pool page, ${consolePage?.allocations ?? 10_000} allocations: first map / whole map`,
        value: consolePage ? `${consolePage.firstDrawMs} ms / ${consolePage.completeMs} ms` : 'skipped: no chromium',
      },
      { item: 'seed', name: `fill ${ALLOCATIONS} IPv4 /28 (${SEED_CLIENTS} callers)`, value: seedText(ipv4) },
      { item: 'seed', name: `fill ${ALLOCATIONS} IPv6 /64 (${SEED_CLIENTS} callers)`, value: seedText(ipv6) },
    ];
    const machine = {
      cpus: os.availableParallelism(),
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    };
    const folder = await writeResults(projectRoot, measures, {
      machine,
      settings,
      phaseSeconds: phases.seconds,
      // The latencies of every repetition; rows 1, 2 and 7 show the first.
      latencies: repetitions,
      seeded: { ipv4: seedSummary(ipv4), ipv6: seedSummary(ipv6) },
      concurrency,
      protocol,
      provisioning,
      vpcs,
      memory,
      coldStart,
      consolePage,
    });
    console.log(table(measures));
    console.log(
      `\nmachine: ${machine.cpus} CPUs, ${machine.memoryGiB} GiB, Node ${machine.node}; report: ${path.relative(projectRoot, folder)}/`,
    );
  } finally {
    ec2.destroy();
    await service.stop();
    bench.stop();
    await dynamoDb.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  console.log(`total run time${settings.quick ? ' (--quick)' : ''}: ${duration(phases.total())} (${phases.summary()})`);
}

type Probed = { capacityUnits: number; requests: number; byOperation: Record<string, number> };
const capacityText = (probe: Probed) =>
  `${probe.capacityUnits} CU, ${probe.requests} requests (${Object.entries(probe.byOperation)
    .map(([name, count]) => `${name} ${round(count)}`)
    .join(', ')})`;
const seedText = (seed: { seconds: number; perSecond: number; conflicts: number; failures: number }) =>
  `${seed.seconds} s (${seed.perSecond}/s), ${seed.conflicts} conflict retries, ${seed.failures} failed`;
const seedSummary = ({ account, ...rest }: Awaited<ReturnType<typeof seedLargePool>>) => rest;

export const runBench = main;
