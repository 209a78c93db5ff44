// What the soak's clients do: each owns a regional pool under one shared top-level pool and, in
// a seeded random mix, creates and deletes child pools with netmask rules, provisions and
// deprovisions their CIDRs, allocates by netmask and by CIDR, releases, previews, modifies,
// describes, creates and deletes VPCs from its pool, and takes and gives back Elastic IPs from a
// shared Amazon-provided pool. Every 200 answer that holds space goes into the ledger, and every
// 200 answer that gives it back takes it out; a give-back whose answer was lost leaves the
// allocation "uncertain" (the checker then does not expect it).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AllocateAddressCommand,
  AllocateIpamPoolCidrCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  CreateVpcCommand,
  DeleteIpamPoolCommand,
  DeleteVpcCommand,
  DeprovisionIpamPoolCidrCommand,
  DescribeIpamPoolsCommand,
  GetIpamPoolAllocationsCommand,
  GetIpamPoolCidrsCommand,
  ModifyIpamPoolCommand,
  ProvisionIpamPoolCidrCommand,
  ReleaseAddressCommand,
  ReleaseIpamPoolAllocationCommand,
} from '@aws-sdk/client-ec2';
import type { AcknowledgedAllocation } from './invariants.ts';
import type { CarefulCaller, Outcome } from './careful-client.ts';
import type { Random } from './random.ts';

export const OPERATIONS = [
  'create-pool',
  'delete-pool',
  'provision-cidr',
  'deprovision-cidr',
  'allocate-by-netmask',
  'allocate-by-cidr',
  'release',
  'preview-next-cidr',
  'describe',
  'modify-pool',
  'create-vpc',
  'delete-vpc',
  'allocate-eip',
  'release-eip',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Relative weights of the mix: allocation and release dominate, as in real use. */
const WEIGHTS: Record<Operation, number> = {
  'create-pool': 3,
  'delete-pool': 2,
  'provision-cidr': 4,
  'deprovision-cidr': 2,
  'allocate-by-netmask': 20,
  'allocate-by-cidr': 6,
  release: 16,
  'preview-next-cidr': 5,
  describe: 10,
  'modify-pool': 3,
  'create-vpc': 6,
  'delete-vpc': 4,
  'allocate-eip': 3,
  'release-eip': 3,
};

export interface World {
  accountId: string;
  privateScopeId: string;
  topPoolId: string;
  publicPoolId: string;
}

/** What every client answered, and the space the answers say is held. */
export class Ledger {
  readonly operations = new Map<Operation, { ok: number; failed: number }>();
  readonly errors = new Map<string, number>();
  /** One message for each error code, to tell expected refusals from surprises. */
  readonly examples = new Map<string, string>();
  readonly acknowledged = new Map<string, AcknowledgedAllocation>();
  /** Releases (or deletes) whose answer was lost: the space may or may not have been given back. */
  uncertain = 0;
  readonly pools = new Set<string>();
  total = 0;

  count(operation: Operation, outcome: Outcome<unknown>): void {
    this.total++;
    const row = this.operations.get(operation) ?? { ok: 0, failed: 0 };
    if (outcome.ok) row.ok++;
    else {
      row.failed++;
      this.errors.set(outcome.code, (this.errors.get(outcome.code) ?? 0) + 1);
      if (!this.examples.has(outcome.code)) this.examples.set(outcome.code, `${operation}: ${outcome.message}`);
    }
    this.operations.set(operation, row);
  }

  hold(key: string, allocation: AcknowledgedAllocation): void {
    this.acknowledged.set(key, allocation);
  }

  /** A give-back: acknowledged drops the allocation; an error after an interruption makes it uncertain. */
  giveBack(keys: readonly string[], outcome: Outcome<unknown>): void {
    if (!outcome.ok && !outcome.interrupted) return;
    for (const key of keys) if (this.acknowledged.delete(key) && !outcome.ok) this.uncertain++;
  }
}

interface OwnedPool {
  id: string;
  cidrs: string[];
}

/** The members of the answers the clients read; the SDK's own types say they may all be absent. */
interface Output {
  Ipam: { PrivateDefaultScopeId: string; PublicDefaultScopeId: string };
  IpamPool: { IpamPoolId: string };
  IpamPools: { State: string }[];
  IpamPoolCidrs: { Cidr?: string; State: string }[];
  IpamPoolAllocation: { IpamPoolAllocationId: string; Cidr: string };
  Vpc: { VpcId: string; CidrBlock: string };
  AllocationId: string;
  PublicIp: string;
}

/** Sets up what every client shares: an IPAM, a 10.0.0.0/8 top-level pool, and a public pool of Amazon-provided addresses. */
export async function createWorld(caller: CarefulCaller, accountId: string): Promise<World> {
  const must = async (command: unknown): Promise<Output> => {
    const outcome = await caller.send<Output>(command);
    if (!outcome.ok) throw new Error(`soak set-up failed: ${outcome.code}`);
    return outcome.output;
  };
  const { Ipam } = await must(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }], ClientToken: randomUUID() }));
  const top = await must(
    new CreateIpamPoolCommand({ IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', ClientToken: randomUUID() }),
  );
  const publicPool = await must(
    new CreateIpamPoolCommand({
      IpamScopeId: Ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      Locale: 'us-east-1',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
      ClientToken: randomUUID(),
    }),
  );
  for (const [poolId, request] of [
    [top.IpamPool.IpamPoolId, { Cidr: '10.0.0.0/8' }],
    [publicPool.IpamPool.IpamPoolId, { NetmaskLength: 29 }],
  ] as const) {
    await waitUntil(caller, poolId, (pool) => pool.State === 'create-complete');
    await must(new ProvisionIpamPoolCidrCommand({ IpamPoolId: poolId, ...request, ClientToken: randomUUID() }));
    await waitForCidrs(caller, poolId);
  }
  return {
    accountId,
    privateScopeId: Ipam.PrivateDefaultScopeId,
    topPoolId: top.IpamPool.IpamPoolId,
    publicPoolId: publicPool.IpamPool.IpamPoolId,
  };
}

async function waitUntil(caller: CarefulCaller, IpamPoolId: string, done: (pool: Output['IpamPools'][number]) => boolean): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    const outcome = await caller.send<Output>(new DescribeIpamPoolsCommand({ IpamPoolIds: [IpamPoolId] }));
    if (outcome.ok && done(outcome.output.IpamPools[0])) return;
    await sleep(100);
  }
  throw new Error(`pool ${IpamPoolId} did not settle`);
}

async function waitForCidrs(caller: CarefulCaller, IpamPoolId: string): Promise<void> {
  for (let tries = 0; tries < 300; tries++) {
    const outcome = await caller.send<Output>(new GetIpamPoolCidrsCommand({ IpamPoolId }));
    if (outcome.ok && outcome.output.IpamPoolCidrs.every((record) => !record.State.startsWith('pending-'))) return;
    await sleep(100);
  }
  throw new Error(`the CIDRs of pool ${IpamPoolId} did not settle`);
}

/** Aligned /prefix blocks of a CIDR (IPv4), one picked at random. */
function randomBlockOf(random: Random, cidr: string, prefix: number): string | undefined {
  const [address, length] = cidr.split('/');
  const bits = Number(length);
  if (prefix < bits) return undefined;
  const start = address!.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const offset = random.int(2 ** (prefix - bits)) * 2 ** (32 - prefix);
  const value = start + offset;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')}/${prefix}`;
}

/** One client: its own regional pool, its children, and what it holds. */
export class SoakClient {
  private own: OwnedPool | undefined;
  private readonly children: OwnedPool[] = [];
  /** Ledger keys of this client's holdings, by kind. */
  private readonly allocations: { key: string; poolId: string; id: string; cidr: string }[] = [];
  private readonly vpcs: { key: string; id: string }[] = [];
  private readonly eips: { key: string; id: string }[] = [];

  readonly index: number;
  private readonly caller: CarefulCaller;
  private readonly world: World;
  private readonly ledger: Ledger;
  private readonly random: Random;

  constructor(index: number, caller: CarefulCaller, world: World, ledger: Ledger, random: Random) {
    this.index = index;
    this.caller = caller;
    this.world = world;
    this.ledger = ledger;
    this.random = random;
  }

  /** The call in flight, for a report when a client is slow to answer. */
  inFlight: { name: string; since: number } | undefined;

  private async call<T = Output>(operation: Operation, command: unknown): Promise<Outcome<T>> {
    this.inFlight = { name: (command as object).constructor.name, since: Date.now() };
    const outcome = await this.caller.send<T>(command);
    this.inFlight = undefined;
    this.ledger.count(operation, outcome);
    return outcome;
  }

  /** One operation of the mix (the first ones set up the client's own pool). */
  async step(): Promise<void> {
    if (!this.own) return this.createOwnPool();
    if (this.own.cidrs.length === 0) return this.provision(this.own, { Cidr: `10.${this.index + 1}.0.0/16` });
    const operation = this.random.weighted(WEIGHTS);
    switch (operation) {
      case 'create-pool':
        return this.children.length < 3 ? this.createChild() : this.describe();
      case 'delete-pool':
        return this.deleteChild();
      case 'provision-cidr': {
        const child = this.random.pick(this.children);
        if (child) return this.provision(child, { NetmaskLength: 21 + this.random.int(3) });
        return this.own.cidrs.length < 3 ? this.provision(this.own, { NetmaskLength: 18 }) : this.describe();
      }
      case 'deprovision-cidr':
        return this.deprovision();
      case 'allocate-by-netmask':
        return this.allocate({ NetmaskLength: 24 + this.random.int(5) });
      case 'allocate-by-cidr':
        return this.allocate(undefined);
      case 'release':
        return this.release();
      case 'preview-next-cidr':
        return this.preview();
      case 'describe':
        return this.describe();
      case 'modify-pool':
        return this.modify();
      case 'create-vpc':
        return this.createVpc();
      case 'delete-vpc':
        return this.deleteVpc();
      case 'allocate-eip':
        return this.allocateEip();
      case 'release-eip':
        return this.releaseEip();
    }
  }

  private somePool(): OwnedPool {
    return this.random.int(3) === 0 || this.children.length === 0 ? this.own! : this.random.pick(this.children)!;
  }

  private async createOwnPool(): Promise<void> {
    const outcome = await this.call('create-pool', this.createPoolCommand(this.world.topPoolId, {}));
    if (outcome.ok) this.own = this.adopt(outcome.output);
  }

  private async createChild(): Promise<void> {
    const rules = { AllocationMinNetmaskLength: 22, AllocationMaxNetmaskLength: 28, AllocationDefaultNetmaskLength: 26 };
    const outcome = await this.call('create-pool', this.createPoolCommand(this.own!.id, rules));
    if (outcome.ok) this.children.push(this.adopt(outcome.output));
  }

  private createPoolCommand(SourceIpamPoolId: string, rules: Record<string, number>) {
    return new CreateIpamPoolCommand({
      IpamScopeId: this.world.privateScopeId,
      SourceIpamPoolId,
      Locale: 'us-east-1',
      AddressFamily: 'ipv4',
      Description: `soak client ${this.index}`,
      ClientToken: randomUUID(),
      ...rules,
    });
  }

  private adopt(output: Output): OwnedPool {
    const id = output.IpamPool.IpamPoolId as string;
    this.ledger.pools.add(id);
    return { id, cidrs: [] };
  }

  private async deleteChild(): Promise<void> {
    const child = this.random.pick(this.children);
    if (!child) return this.describe();
    const Cascade = this.random.int(4) !== 0;
    const outcome = await this.call('delete-pool', new DeleteIpamPoolCommand({ IpamPoolId: child.id, Cascade }));
    const held = this.allocations.filter((allocation) => allocation.poolId === child.id);
    this.ledger.giveBack(
      held.map((allocation) => allocation.key),
      outcome,
    );
    if (outcome.ok || outcome.interrupted) {
      this.children.splice(this.children.indexOf(child), 1);
      for (const allocation of held) this.allocations.splice(this.allocations.indexOf(allocation), 1);
    }
  }

  private async provision(pool: OwnedPool, request: { Cidr?: string; NetmaskLength?: number }): Promise<void> {
    const outcome = await this.call<Output>(
      'provision-cidr',
      new ProvisionIpamPoolCidrCommand({ IpamPoolId: pool.id, ...request, ClientToken: randomUUID() }),
    );
    if (outcome.ok) await this.refreshCidrs(pool);
  }

  private async refreshCidrs(pool: OwnedPool): Promise<void> {
    const outcome = await this.call<Output>('describe', new GetIpamPoolCidrsCommand({ IpamPoolId: pool.id }));
    if (outcome.ok)
      pool.cidrs = outcome.output.IpamPoolCidrs.filter(
        (record) => record.Cidr && record.State !== 'deprovisioned' && record.State !== 'failed-provision',
      ).map((record) => record.Cidr as string);
  }

  private async deprovision(): Promise<void> {
    const child = this.random.pick(this.children.filter((pool) => pool.cidrs.length > 0));
    if (!child) return this.describe();
    const Cidr = this.random.pick(child.cidrs)!;
    const outcome = await this.call('deprovision-cidr', new DeprovisionIpamPoolCidrCommand({ IpamPoolId: child.id, Cidr }));
    if (outcome.ok) await this.refreshCidrs(child);
  }

  private async allocate(request: { NetmaskLength: number } | undefined): Promise<void> {
    const pool = this.somePool();
    let Cidr: string | undefined;
    if (!request) {
      const within = this.random.pick(pool.cidrs);
      Cidr = within && randomBlockOf(this.random, within, 26);
      if (!Cidr) return this.preview();
    }
    const operation = request ? 'allocate-by-netmask' : 'allocate-by-cidr';
    const outcome = await this.call<Output>(
      operation,
      new AllocateIpamPoolCidrCommand({
        IpamPoolId: pool.id,
        ...request,
        Cidr,
        Description: `client ${this.index}`,
        ClientToken: randomUUID(),
      }),
    );
    if (!outcome.ok) return;
    const { IpamPoolAllocationId: id, Cidr: cidr } = outcome.output.IpamPoolAllocation;
    const key = `allocation ${id}`;
    this.ledger.hold(key, { poolId: pool.id, cidr, allocationId: id });
    this.allocations.push({ key, poolId: pool.id, id, cidr });
  }

  private async release(): Promise<void> {
    const allocation = this.random.pick(this.allocations);
    if (!allocation) return this.allocate({ NetmaskLength: 26 });
    const outcome = await this.call(
      'release',
      new ReleaseIpamPoolAllocationCommand({ IpamPoolId: allocation.poolId, IpamPoolAllocationId: allocation.id, Cidr: allocation.cidr }),
    );
    this.ledger.giveBack([allocation.key], outcome);
    if (outcome.ok || outcome.interrupted) this.allocations.splice(this.allocations.indexOf(allocation), 1);
  }

  private async preview(): Promise<void> {
    const pool = this.somePool();
    await this.call(
      'preview-next-cidr',
      new AllocateIpamPoolCidrCommand({ IpamPoolId: pool.id, NetmaskLength: 24 + this.random.int(5), PreviewNextCidr: true }),
    );
  }

  private async describe(): Promise<void> {
    const pool = this.somePool();
    const commands = [
      () => new DescribeIpamPoolsCommand({ IpamPoolIds: [pool.id] }),
      () => new GetIpamPoolAllocationsCommand({ IpamPoolId: pool.id, MaxResults: 100 }),
      () => new GetIpamPoolCidrsCommand({ IpamPoolId: pool.id }),
    ];
    if (this.random.int(3) === 0) return this.refreshCidrs(pool);
    await this.call('describe', this.random.pick(commands)!());
  }

  private async modify(): Promise<void> {
    const child = this.random.pick(this.children);
    if (!child) return this.describe();
    await this.call(
      'modify-pool',
      new ModifyIpamPoolCommand({
        IpamPoolId: child.id,
        Description: `soak client ${this.index}, modified`,
        AllocationDefaultNetmaskLength: 24 + this.random.int(5),
      }),
    );
  }

  private async createVpc(): Promise<void> {
    const outcome = await this.call<Output>('create-vpc', new CreateVpcCommand({ Ipv4IpamPoolId: this.own!.id, Ipv4NetmaskLength: 24 }));
    if (!outcome.ok) return;
    const { VpcId, CidrBlock } = outcome.output.Vpc;
    const key = `vpc ${VpcId}`;
    this.ledger.hold(key, { poolId: this.own!.id, cidr: CidrBlock, resourceId: VpcId });
    this.vpcs.push({ key, id: VpcId });
  }

  private async deleteVpc(): Promise<void> {
    const vpc = this.random.pick(this.vpcs);
    if (!vpc) return this.createVpc();
    const outcome = await this.call('delete-vpc', new DeleteVpcCommand({ VpcId: vpc.id }));
    this.ledger.giveBack([vpc.key], outcome);
    if (outcome.ok || outcome.interrupted) this.vpcs.splice(this.vpcs.indexOf(vpc), 1);
  }

  private async allocateEip(): Promise<void> {
    const outcome = await this.call<Output>('allocate-eip', new AllocateAddressCommand({ IpamPoolId: this.world.publicPoolId }));
    if (!outcome.ok) return;
    const { AllocationId, PublicIp } = outcome.output;
    const key = `eip ${AllocationId}`;
    this.ledger.hold(key, { poolId: this.world.publicPoolId, cidr: `${PublicIp}/32`, resourceId: AllocationId });
    this.eips.push({ key, id: AllocationId });
  }

  private async releaseEip(): Promise<void> {
    const eip = this.random.pick(this.eips);
    if (!eip) return this.allocateEip();
    const outcome = await this.call('release-eip', new ReleaseAddressCommand({ AllocationId: eip.id }));
    this.ledger.giveBack([eip.key], outcome);
    if (outcome.ok || outcome.interrupted) this.eips.splice(this.eips.indexOf(eip), 1);
  }
}
