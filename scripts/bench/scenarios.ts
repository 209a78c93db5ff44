// The measures of issue 8. Each scenario returns plain numbers; run.ts turns them into ratios.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  AllocateIpamPoolCidrCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeIpamPoolsCommand,
  type EC2Client,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { allAllocations } from '../store-reads.ts';
import { type BenchContext, overlaps, provision } from './bench-context.ts';
import { type CapacityTotals, CapacityMeter } from './capacity.ts';
import { type Latency, latency, round, runConcurrently, timed } from './stats.ts';
import type { ConcurrencyResult } from './targets.ts';

type Account = Awaited<ReturnType<BenchContext['newAccount']>>;
interface Allocated {
  IpamPoolAllocation: { IpamPoolAllocationId: string; Cidr: string };
}

async function allocate(bench: BenchContext, account: Account, poolId: string, netmask: number, clientToken?: string): Promise<Allocated> {
  const input = { IpamPoolId: poolId, NetmaskLength: netmask, ...(clientToken ? { ClientToken: clientToken } : {}) };
  return (await bench.call('AllocateIpamPoolCidr', input, account.accountId)) as unknown as Allocated;
}

/**
 * Latency, requests and consumed capacity of one kind of operation, measured one at a time. What
 * an operation leaves to the background is waited for after its latency is taken, and counted in
 * its requests: the next sample starts on a quiet store.
 */
class Probe {
  readonly samples: number[] = [];
  private used: CapacityTotals;
  private readonly meter: CapacityMeter;
  private readonly settle: () => Promise<void>;

  constructor(meter: CapacityMeter, settle: () => Promise<void> = async () => {}) {
    this.meter = meter;
    this.settle = settle;
    this.used = { requests: 0, capacityUnits: 0, byOperation: {}, writeItems: 0 };
  }

  async measure<T>(run: () => Promise<T>): Promise<T> {
    const before = this.meter.snapshot();
    const start = performance.now();
    const result = await run();
    this.samples.push(performance.now() - start);
    await this.settle();
    const after = this.meter.snapshot();
    this.used.requests += after.requests - before.requests;
    this.used.capacityUnits += after.capacityUnits - before.capacityUnits;
    this.used.writeItems += after.writeItems - before.writeItems;
    for (const [name, count] of Object.entries(after.byOperation)) {
      const delta = count - (before.byOperation[name] ?? 0);
      if (delta) this.used.byOperation[name] = (this.used.byOperation[name] ?? 0) + delta;
    }
    return result;
  }

  summary() {
    const per = CapacityMeter.per({ requests: 0, capacityUnits: 0, byOperation: {}, writeItems: 0 }, this.used, this.samples.length);
    return {
      ...latency(this.samples),
      capacityUnits: round(per.capacityUnits),
      requests: round(per.requests),
      writeItems: round(per.writeItems),
      byOperation: per.byOperation,
    };
  }
}

type ProbeSummary = ReturnType<Probe['summary']>;

/**
 * A raw TransactWriteItems with 3 conditional items, shaped like an allocation: delete a block
 * that must exist, create the allocation and a split-off block that must not.
 */
function floorTransaction(bench: BenchContext, partition: string) {
  const key = (name: string) => ({ PK: partition, SK: name });
  let current = 0;
  return {
    async prepare() {
      await bench.doc.send(
        new TransactWriteCommand({ TransactItems: [{ Put: { TableName: bench.tableName, Item: { ...key('block#0') } } }] }),
      );
    },
    async run() {
      const next = current + 1;
      await bench.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: bench.tableName, Key: key(`block#${current}`), ConditionExpression: 'attribute_exists(PK)' } },
            {
              Put: {
                TableName: bench.tableName,
                Item: { ...key(`allocation#${current}`), cidr: '10.0.0.0/28' },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: bench.tableName,
                Item: { ...key(`block#${next}`), cidr: '10.0.0.16/28' },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
      current = next;
    },
  };
}

interface SeededPool {
  family: 'ipv4' | 'ipv6';
  account: Account;
  poolId: string;
  netmask: number;
  allocations: number;
  seconds: number;
  perSecond: number;
  conflicts: number;
  failures: number;
}

/** A pool holding `count` allocations, filled through the real use case by `clients` concurrent callers. */
export async function seedLargePool(bench: BenchContext, family: 'ipv4' | 'ipv6', count: number, clients: number): Promise<SeededPool> {
  const account = await bench.newAccount();
  const cidr = family === 'ipv4' ? '10.0.0.0/8' : 'fd12:3456::/32';
  const netmask = family === 'ipv4' ? 28 : 64;
  const poolId = await bench.newPool(account, cidr);
  const conflictsBefore = bench.conflicts();
  let failures = 0;
  let done = 0;
  const started = performance.now();
  await runConcurrently(count, clients, async () => {
    try {
      await allocate(bench, account, poolId, netmask);
    } catch {
      failures++;
    }
    if (++done % 10_000 === 0) process.stderr.write(`  seeded ${done}/${count} ${family}\n`);
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    family,
    account,
    poolId,
    netmask,
    allocations: count - failures,
    seconds: round(seconds, 1),
    perSecond: round(count / seconds, 0),
    conflicts: bench.conflicts() - conflictsBefore,
    failures,
  };
}

interface LatencyResults {
  floor: ProbeSummary;
  allocateEmptyIpv4: ProbeSummary;
  allocateFullIpv4: ProbeSummary;
  allocateEmptyIpv6: ProbeSummary;
  allocateFullIpv6: ProbeSummary;
  allocateWithClientToken: ProbeSummary;
  release: ProbeSummary;
}

/**
 * Measures (1), (2) and (7) one operation at a time, interleaved so that drift of the machine or
 * of DynamoDB Local hits every kind alike: the raw floor transaction, allocations in an empty and
 * in a full pool of each family, allocations with a ClientToken, then the releases, each beside
 * a floor transaction of its own.
 */
export async function measureLatencies(
  bench: BenchContext,
  seeded: { ipv4: SeededPool; ipv6: SeededPool },
  samples: number,
): Promise<LatencyResults> {
  const probe = () => new Probe(bench.meter, bench.settle);
  // Its own keys each time: the latencies are measured more than once in a run.
  const floor = floorTransaction(bench, `BENCH#floor#${randomUUID()}`);
  await floor.prepare();
  const emptyAccount = await bench.newAccount();
  const emptyIpv4 = await bench.newPool(emptyAccount, '10.0.0.0/8');
  const emptyIpv6 = await bench.newPool(emptyAccount, 'fd12:3456::/32');
  const tokenAccount = await bench.newAccount();
  const tokenPool = await bench.newPool(tokenAccount, '10.0.0.0/8');
  const probes = {
    floor: probe(),
    allocateEmptyIpv4: probe(),
    allocateFullIpv4: probe(),
    allocateEmptyIpv6: probe(),
    allocateFullIpv6: probe(),
    allocateWithClientToken: probe(),
    release: probe(),
  };
  const toRelease: Allocated['IpamPoolAllocation'][] = [];
  for (let index = 0; index < samples; index++) {
    await probes.floor.measure(() => floor.run());
    const taken = await probes.allocateEmptyIpv4.measure(() => allocate(bench, emptyAccount, emptyIpv4, 28));
    toRelease.push(taken.IpamPoolAllocation);
    await probes.allocateFullIpv4.measure(() => allocate(bench, seeded.ipv4.account, seeded.ipv4.poolId, 28));
    await probes.allocateEmptyIpv6.measure(() => allocate(bench, emptyAccount, emptyIpv6, 64));
    await probes.allocateFullIpv6.measure(() => allocate(bench, seeded.ipv6.account, seeded.ipv6.poolId, 64));
    await probes.allocateWithClientToken.measure(() => allocate(bench, tokenAccount, tokenPool, 28, randomUUID()));
  }
  for (const allocation of toRelease) {
    // The floor is sampled beside the releases too, so drift between the two loops hits both alike.
    await probes.floor.measure(() => floor.run());
    await probes.release.measure(() =>
      bench.call(
        'ReleaseIpamPoolAllocation',
        { IpamPoolId: emptyIpv4, IpamPoolAllocationId: allocation.IpamPoolAllocationId, Cidr: allocation.Cidr },
        emptyAccount.accountId,
      ),
    );
  }
  return Object.fromEntries(Object.entries(probes).map(([name, each]) => [name, each.summary()])) as unknown as LatencyResults;
}

/** A concurrency run as measured here; the bench adds the raw rate measured beside it. */
type ConcurrencyRun = Omit<ConcurrencyResult, 'rawPerSecond'>;

/** (3): allocations per second with `clients` callers spread over `poolCount` pools, then the overlap check. */
export async function measureConcurrency(bench: BenchContext, clients: number, poolCount: number, total: number): Promise<ConcurrencyRun> {
  const account = await bench.newAccount();
  const pools: string[] = [];
  for (let index = 0; index < poolCount; index++) pools.push(await bench.newPool(account, `10.${index}.0.0/16`));
  const conflictsBefore = bench.conflicts();
  let failures = 0;
  const seconds =
    (await timed(async () => {
      await runConcurrently(total, clients, async (job) => {
        try {
          await allocate(bench, account, pools[job % poolCount], 28);
        } catch {
          failures++;
        }
      });
      // The outbox deletes left to the background are part of the run's work.
      await bench.settle();
    })) / 1000;
  const conflicts = bench.conflicts() - conflictsBefore;
  const allocations = (await Promise.all(pools.map((poolId) => allAllocations(bench.store, poolId)))).flat();
  if (allocations.length !== total - failures) throw new Error(`expected ${total - failures} allocations, found ${allocations.length}`);
  return {
    clients,
    pools: poolCount,
    allocations: allocations.length,
    perSecond: round(allocations.length / seconds, 0),
    conflicts,
    failures,
    overlaps: overlaps(allocations).length,
  };
}

/**
 * The floor's transaction by `clients` concurrent callers, `total` in all: the store's own rate
 * at that concurrency, beside which an allocation run's rate is judged. Each caller works on its
 * own keys, so the transactions never conflict.
 */
export async function measureRawRate(bench: BenchContext, clients: number, total: number): Promise<{ clients: number; perSecond: number }> {
  const run = randomUUID();
  const callers = Array.from({ length: Math.min(clients, total) }, (_, worker) => floorTransaction(bench, `BENCH#raw#${run}#${worker}`));
  for (const caller of callers) await caller.prepare();
  const seconds = (await timed(() => runConcurrently(total, clients, (_, worker) => callers[worker].run()))) / 1000;
  return { clients, perSecond: round(total / seconds, 0) };
}

/** (5): from ProvisionIpamPoolCidr to the pool CIDR being `provisioned`, on the local workflow engine. */
export async function measureProvisioning(bench: BenchContext, count: number): Promise<Latency> {
  const account = await bench.newAccount();
  const pools: string[] = [];
  for (let index = 0; index < count; index++) {
    const { IpamPool } = (await bench.call(
      'CreateIpamPool',
      { IpamScopeId: account.scopeId, AddressFamily: 'ipv4' },
      account.accountId,
    )) as { IpamPool: { IpamPoolId: string } };
    pools.push(IpamPool.IpamPoolId);
  }
  await bench.engine.drain();
  const samples: number[] = [];
  for (const [index, poolId] of pools.entries()) {
    samples.push(await timed(() => provision(bench.call, bench.engine, account.accountId, poolId, `10.${index}.0.0/16`)));
  }
  return latency(samples);
}

interface ProtocolResults {
  createPoolHttp: Latency;
  createPoolInProcess: Latency;
  allocateHttp: Latency;
  allocateInProcess: Latency;
}

/**
 * (4): the same calls through HTTP (SigV4, EC2 Query codec, the Lambda handler) and straight to
 * the use case, interleaved. The SDK always sends a ClientToken for these two actions, so the
 * in-process calls carry one too: the ratio is the protocol alone.
 */
export async function measureProtocol(bench: BenchContext, ec2: EC2Client, samples: number): Promise<ProtocolResults> {
  const { Ipam } = await ec2.send(new CreateIpamCommand({}));
  const httpScope = Ipam!.PrivateDefaultScopeId!;
  const account = await bench.newAccount();
  // A scope holds at most 50 pools.
  const poolSamples = Math.min(samples, 45);
  const createHttp: number[] = [];
  const createLocal: number[] = [];
  for (let index = 0; index < poolSamples; index++) {
    createHttp.push(await timed(() => ec2.send(new CreateIpamPoolCommand({ IpamScopeId: httpScope, AddressFamily: 'ipv4' }))));
    createLocal.push(
      await timed(() =>
        bench.call('CreateIpamPool', { IpamScopeId: account.scopeId, AddressFamily: 'ipv4', ClientToken: randomUUID() }, account.accountId),
      ),
    );
  }
  await bench.engine.drain();
  const { IpamPool } = await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: httpScope, AddressFamily: 'ipv4' }));
  const httpPool = IpamPool!.IpamPoolId!;
  await waitForPool(ec2, httpPool);
  const { IpamPoolCidr } = await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: httpPool, Cidr: '10.0.0.0/8' }));
  await waitForPoolCidr(ec2, httpPool, IpamPoolCidr!.IpamPoolCidrId!);
  const localAccount = await bench.newAccount();
  const localPool = await bench.newPool(localAccount, '10.0.0.0/8');
  const allocateHttp: number[] = [];
  const allocateLocal: number[] = [];
  for (let index = 0; index < samples; index++) {
    allocateHttp.push(await timed(() => ec2.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: httpPool, NetmaskLength: 28 }))));
    allocateLocal.push(await timed(() => allocate(bench, localAccount, localPool, 28, randomUUID())));
  }
  return {
    createPoolHttp: latency(createHttp),
    createPoolInProcess: latency(createLocal),
    allocateHttp: latency(allocateHttp),
    allocateInProcess: latency(allocateLocal),
  };
}

async function waitForPool(ec2: EC2Client, poolId: string): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const { IpamPools } = await ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [poolId] }));
    if (IpamPools?.[0]?.State === 'create-complete') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`pool ${poolId} never became create-complete`);
}

async function waitForPoolCidr(ec2: EC2Client, poolId: string, poolCidrId: string): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const { IpamPoolCidrs } = await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId }));
    const state = IpamPoolCidrs?.find((record) => record.IpamPoolCidrId === poolCidrId)?.State;
    if (state === 'provisioned') return;
    if (state?.startsWith('failed')) throw new Error(`provisioning ended in ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`pool CIDR ${poolCidrId} was never provisioned`);
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export async function residentMiB(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kib) ? round(kib / 1024, 0) : undefined;
  } catch {
    return undefined;
  }
}

interface CreateVpcResults {
  allocate: ProbeSummary;
  createVpc: ProbeSummary;
  /** A raw conditional PutItem of one new item: what "one write more" costs on this store. */
  singleWrite: ProbeSummary;
  /** The discovery refresh each CreateVpc schedules (issue 16), run after the call has answered. */
  refresh: ProbeSummary;
}

/**
 * Issue 16's performance bullet: CreateVpc through a pool against AllocateIpamPoolCidr, one call
 * at a time from two like pools (locale us-east-1, the Region of the calls), interleaved, with a
 * raw single-item write as the price of "one write". Each CreateVpc's background discovery
 * refresh is awaited outside its measure and measured on its own.
 */
export async function measureCreateVpc(bench: BenchContext, samples: number): Promise<CreateVpcResults> {
  const probe = () => new Probe(bench.meter, bench.settle);
  const account = await bench.newAccount();
  // Two pools of one size in one IPAM, so both calls split blocks alike.
  const pool = async (cidr: string) => {
    const { IpamPool } = (await bench.call(
      'CreateIpamPool',
      { IpamScopeId: account.scopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' },
      account.accountId,
    )) as { IpamPool: { IpamPoolId: string } };
    await bench.engine.drain();
    await provision(bench.call, bench.engine, account.accountId, IpamPool.IpamPoolId, cidr);
    return IpamPool.IpamPoolId;
  };
  const allocatePool = await pool('10.0.0.0/9');
  const vpcPool = await pool('10.128.0.0/9');
  const probes = { allocate: probe(), createVpc: probe(), singleWrite: probe(), refresh: probe() };
  for (let index = 0; index < samples; index++) {
    await probes.singleWrite.measure(() =>
      bench.doc.send(
        new PutCommand({
          TableName: bench.tableName,
          Item: { PK: 'BENCH#single-write', SK: String(index) },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    );
    await probes.allocate.measure(() => allocate(bench, account, allocatePool, 28));
    await probes.createVpc.measure(() => bench.call('CreateVpc', { Ipv4IpamPoolId: vpcPool, Ipv4NetmaskLength: 28 }, account.accountId));
    await probes.refresh.measure(async () => bench.deps.discoveryChanges?.settled());
  }
  return Object.fromEntries(Object.entries(probes).map(([name, each]) => [name, each.summary()])) as unknown as CreateVpcResults;
}
