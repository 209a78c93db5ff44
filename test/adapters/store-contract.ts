// The store contract (lambdas/ports/store.ts), one suite for every adapter: each adapter's test
// file calls describeStoreContract with a factory for a fresh, empty store. What a test here
// asserts, every adapter must do; what only one adapter does (DynamoDB's TTL attribute) is tested
// beside that adapter.
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCidr } from '../../lambdas/domain/cidr.ts';
import type {
  DiscoveredAccount,
  DiscoveredPublicAddress,
  DiscoveredResourceCidr,
  IpamResourceDiscovery,
  IpamResourceDiscoveryAssociation,
} from '../../lambdas/domain/model/discovery.ts';
import type { OutboxEntry, RecentEvent } from '../../lambdas/domain/model/events.ts';
import type { ClientTokenRecord, WorkflowExecution } from '../../lambdas/domain/model/execution.ts';
import type { Ipam, IpamRegionSlot, IpamScope } from '../../lambdas/domain/model/ipam.ts';
import type { IpamPolicy } from '../../lambdas/domain/model/ipam-policy.ts';
import type { IpamPrefixListResolver, PrefixListResolverVersion } from '../../lambdas/domain/model/prefix-list-resolver.ts';
import type { AddressHistoryRecord, IpamResourceCidr, ResourceCidrOverride } from '../../lambdas/domain/model/monitoring.ts';
import type { FreeBlock, IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../../lambdas/domain/model/pool.ts';
import type {
  Byoasn,
  ByoipCidrAdvertisement,
  AddressCooldown,
  ElasticIp,
  PublicIpv4Pool,
  IpamExternalResourceVerificationToken,
} from '../../lambdas/domain/model/public-space.ts';
import type { ResourceShare, ResourceShareAssociation, ResourceShareInvitation } from '../../lambdas/domain/model/sharing.ts';
import type { Subnet, Vpc } from '../../lambdas/domain/model/vpc.ts';
import type { IpamPrefixListResolverTarget, ManagedPrefixList } from '../../lambdas/domain/model/prefix-list.ts';
import { type Entity, type ObservationWrite, type Store, StoreConflict, type Write } from '../../lambdas/ports/store.ts';

const OWNER = '123456789012';
const OTHER = '111122223333';

// Records carry only what the store looks at (keys, version) and a field or two to tell them apart.
const ipam = (IpamId: string, OwnerId = OWNER) => ({ IpamId, OwnerId, version: 1 }) as Ipam;
const scope = (IpamScopeId: string, OwnerId = OWNER) => ({ IpamScopeId, OwnerId, version: 1 }) as IpamScope;
const pool = (IpamPoolId: string, OwnerId = OWNER) => ({ IpamPoolId, OwnerId, version: 1 }) as IpamPool;
const poolCidr = (ipamPoolId: string, IpamPoolCidrId: string, extra: Partial<IpamPoolCidr> = {}): IpamPoolCidr => ({
  IpamPoolCidrId,
  State: 'provisioned',
  NetmaskLength: 16,
  ipamPoolId,
  sourceSpaceId: 'scope-1',
  version: 1,
  ...extra,
});
const allocationId = (n: number) => `ipam-pool-alloc-${String(n).padStart(32, '0')}`;
const allocation = (ipamPoolId: string, n: number): IpamPoolAllocation => ({
  IpamPoolAllocationId: allocationId(n),
  Cidr: `10.0.${n}.0/24`,
  ResourceType: 'custom',
  ResourceOwner: OWNER,
  Tags: [],
  ipamPoolId,
  within: '10.0.0.0/16',
  createdAt: '2030-01-01T00:00:00.000Z',
});
const block = (spaceId: string, cidr: string, within = cidr): FreeBlock => ({ spaceId, cidr, within });
const slot = (region = 'us-east-1'): IpamRegionSlot => ({ accountId: OWNER, region, ipamId: 'ipam-1' });
const execution = (executionId: string, startedAt: string, status: WorkflowExecution['status'] = 'open'): WorkflowExecution => ({
  executionId,
  workflow: 'provision-pool-cidr',
  args: { poolId: 'pool-1', nested: { list: [1, 2] } },
  status,
  startedAt,
  version: 1,
});
const resourceDiscovery = (id: string, OwnerId = OWNER) =>
  ({ IpamResourceDiscoveryId: id, OwnerId, associationCount: 0, version: 1 }) as IpamResourceDiscovery;
const association = (id: string, OwnerId = OWNER) =>
  ({ IpamResourceDiscoveryAssociationId: id, OwnerId, version: 1 }) as IpamResourceDiscoveryAssociation;
const token = (id: string, ownerId = OWNER) =>
  ({ IpamExternalResourceVerificationTokenId: id, ownerId, version: 1 }) as IpamExternalResourceVerificationToken;

/** An outbox entry; the id's first digit picks its partition, so `digit` spreads entries over them. */
const outboxEntry = (digit: string, n: number, createdAt: string): OutboxEntry => ({
  outboxId: `${digit}0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  createdAt,
  events: [
    {
      eventId: `e${digit}000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      accountId: OWNER,
      region: 'us-east-1',
      time: createdAt,
      event: {
        'detail-type': 'IPAM Organization Admin Account Change',
        detail: { organizationId: 'o-1', delegatedAdminAccountId: OTHER, change: 'enabled' },
      },
    },
  ],
});
const recentEvent = (entry: OutboxEntry, overrides: Partial<RecentEvent> = {}): RecentEvent => ({
  ...entry.events[0],
  retainedUntil: '2030-01-08T00:00:00.000Z',
  ...overrides,
});
const at = (second: number) => `2030-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;

const create = (entity: Entity): Write => ({ op: 'create', entity });
const createFree = (spaceId: string, cidr: string, within = cidr) => create({ type: 'free-block', value: block(spaceId, cidr, within) });

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} keeps the store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });

    describe('conditional writes', () => {
      it('creates what does not exist, and refuses to create it again', async () => {
        await store.commit([create({ type: 'ipam', value: ipam('ipam-1') })]);
        expect(await store.getIpam('ipam-1')).toEqual(ipam('ipam-1'));
        await expect(store.commit([create({ type: 'ipam', value: { ...ipam('ipam-1'), Description: 'second' } })])).rejects.toBeInstanceOf(
          StoreConflict,
        );
        expect(await store.getIpam('ipam-1')).toEqual(ipam('ipam-1'));
      });

      it('updates only the version it read, and stores the next version', async () => {
        const read = poolCidr('pool-v', 'ipam-pool-cidr-1');
        await store.commit([create({ type: 'pool-cidr', value: read })]);
        await store.commit([{ op: 'update', entity: { type: 'pool-cidr', value: { ...read, State: 'deprovisioned' } } }]);
        expect(await store.getPoolCidr('pool-v', 'ipam-pool-cidr-1')).toEqual({ ...read, State: 'deprovisioned', version: 2 });
        await expect(
          store.commit([{ op: 'update', entity: { type: 'pool-cidr', value: { ...read, State: 'failed-provision' } } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.getPoolCidr('pool-v', 'ipam-pool-cidr-1')).toMatchObject({ State: 'deprovisioned', version: 2 });
      });

      it('refuses to update a record that is not there', async () => {
        await expect(store.commit([{ op: 'update', entity: { type: 'pool', value: pool('pool-missing') } }])).rejects.toBeInstanceOf(
          StoreConflict,
        );
        expect(await store.getPool('pool-missing')).toBeUndefined();
      });

      it('updates a record stored without a version only while it exists and still has none (a held allocation)', async () => {
        const read = allocation('pool-hold', 1);
        // A custom allocation has no version: its update (the release cool-down's hold) is written with none.
        const hold = { ...read, heldUntil: '2030-01-01T00:00:00.000Z' } as IpamPoolAllocation & { version: number };
        await expect(store.commit([{ op: 'update', entity: { type: 'allocation', value: hold } }])).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.getAllocation('pool-hold', read.IpamPoolAllocationId)).toBeUndefined();
        await store.commit([create({ type: 'allocation', value: read })]);
        await store.commit([{ op: 'update', entity: { type: 'allocation', value: hold } }]);
        expect(await store.getAllocation('pool-hold', read.IpamPoolAllocationId)).toEqual({ ...hold, version: 1 });
        await expect(store.commit([{ op: 'update', entity: { type: 'allocation', value: hold } }])).rejects.toBeInstanceOf(StoreConflict);
        // Given back at the version read, once.
        const held = { ...hold, version: 1 };
        await store.commit([{ op: 'delete', entity: { type: 'allocation', value: held } }]);
        await expect(store.commit([{ op: 'delete', entity: { type: 'allocation', value: held } }])).rejects.toBeInstanceOf(StoreConflict);
      });

      it('deletes a versioned record only at the version read', async () => {
        await store.commit([create({ type: 'pool', value: pool('pool-d') })]);
        await expect(
          store.commit([{ op: 'delete', entity: { type: 'pool', value: { ...pool('pool-d'), version: 7 } } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.getPool('pool-d')).toEqual(pool('pool-d'));
        await store.commit([{ op: 'delete', entity: { type: 'pool', value: pool('pool-d') } }]);
        expect(await store.getPool('pool-d')).toBeUndefined();
        await expect(store.commit([{ op: 'delete', entity: { type: 'pool', value: pool('pool-d') } }])).rejects.toBeInstanceOf(
          StoreConflict,
        );
      });

      it('deletes an unversioned record only while it exists: of two takers of one free block, one wins', async () => {
        await store.commit([createFree('space-race', '10.0.0.0/24')]);
        const take: Write = { op: 'delete', entity: { type: 'free-block', value: block('space-race', '10.0.0.0/24') } };
        const results = await Promise.allSettled([store.commit([take]), store.commit([take])]);
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        expect(results.find((result) => result.status === 'rejected')?.reason).toBeInstanceOf(StoreConflict);
        expect(await store.getFreeBlock('space-race', parseCidr('10.0.0.0/24'))).toBeUndefined();
      });

      it('checks a version without writing, and fails the commit when it moved on or the record is gone', async () => {
        await store.commit([create({ type: 'scope', value: scope('scope-c') })]);
        await store.commit([{ op: 'check', entity: { type: 'scope', value: scope('scope-c') } }, createFree('space-check', '10.0.0.0/8')]);
        expect(await store.getScope('scope-c')).toEqual(scope('scope-c'));
        expect(await store.getFreeBlock('space-check', parseCidr('10.0.0.0/8'))).toEqual(block('space-check', '10.0.0.0/8'));
        await expect(
          store.commit([{ op: 'check', entity: { type: 'scope', value: { ...scope('scope-c'), version: 2 } } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
        await expect(store.commit([{ op: 'check', entity: { type: 'scope', value: scope('scope-missing') } }])).rejects.toBeInstanceOf(
          StoreConflict,
        );
      });

      it('checks that a record is still absent, without creating it', async () => {
        const absent = (cidr: string): Write => ({ op: 'absent', entity: { type: 'free-block', value: block('space-absent', cidr) } });
        await store.commit([createFree('space-absent', '10.0.0.0/28')]);
        await store.commit([absent('10.0.0.16/28'), createFree('space-absent', '10.0.0.64/26')]);
        expect(await store.getFreeBlock('space-absent', parseCidr('10.0.0.16/28'))).toBeUndefined();
        expect(await store.getFreeBlock('space-absent', parseCidr('10.0.0.64/26'))).toBeDefined();
        await expect(store.commit([absent('10.0.0.0/28')])).rejects.toBeInstanceOf(StoreConflict);
      });
    });

    describe('atomic commits', () => {
      it('applies none of the writes when the last condition fails', async () => {
        await store.commit([
          create({ type: 'pool', value: pool('pool-a') }),
          createFree('space-atomic', '10.0.0.0/24'),
          create({ type: 'ipam-region-slot', value: slot() }),
        ]);
        await expect(
          store.commit([
            createFree('space-atomic', '10.1.0.0/16'),
            { op: 'update', entity: { type: 'pool', value: { ...pool('pool-a'), Description: 'changed' } } },
            { op: 'delete', entity: { type: 'free-block', value: block('space-atomic', '10.0.0.0/24') } },
            create({ type: 'ipam-region-slot', value: slot() }),
          ]),
        ).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.getFreeBlock('space-atomic', parseCidr('10.1.0.0/16'))).toBeUndefined();
        expect(await store.getPool('pool-a')).toEqual(pool('pool-a'));
        expect(await store.getFreeBlock('space-atomic', parseCidr('10.0.0.0/24'))).toEqual(block('space-atomic', '10.0.0.0/24'));
      });

      it('commits nothing for an empty list, and refuses (not as a conflict) more than 100 writes', async () => {
        await store.commit([]);
        const tooMany = Array.from({ length: 101 }, (_, n) => createFree('space-limit', `10.0.${n}.0/24`));
        const refused = await store.commit(tooMany).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(Error);
        expect(refused).not.toBeInstanceOf(StoreConflict);
        expect(await store.listFreeBlocks('space-limit', 'ipv4')).toEqual([]);
      });

      // Many commits at once, some racing, some sharing an item (a space's epoch), some that together
      // exceed one transaction: each lands or fails on its own.
      it('keeps concurrent commits independent: each lands or fails alone, whatever they share', async () => {
        await store.commit([createFree('space-race-2', '10.0.0.0/24'), create({ type: 'pool', value: pool('pool-moved') })]);
        await store.commit([{ op: 'update', entity: { type: 'pool', value: { ...pool('pool-moved'), Description: 'moved on' } } }]);
        const take = { op: 'delete', entity: { type: 'free-block', value: block('space-race-2', '10.0.0.0/24') } } as const;
        const commits: Write[][] = [
          // Independent: 30 spaces, each growing (so each advances its own epoch as well).
          ...Array.from({ length: 30 }, (_, n) => [
            createFree(`space-many-${n}`, `10.${n}.0.0/16`),
            createFree(`space-many-${n}`, `10.${n}.1.0/24`),
          ]),
          // Two takers of one free block: one wins.
          [take, createFree('space-race-2', '10.0.0.0/25', '10.0.0.0/24')],
          [take, createFree('space-race-2', '10.0.0.128/25', '10.0.0.0/24')],
          // A check of a version that moved on: fails, and writes nothing.
          [{ op: 'check', entity: { type: 'pool', value: pool('pool-moved') } }, createFree('space-stale', '10.9.0.0/16')],
          // Commits that grow one space write its epoch item each: both land.
          [createFree('space-shared', '10.8.0.0/24')],
          [createFree('space-shared', '10.8.1.0/24')],
          // Together more than one transaction holds.
          ...Array.from({ length: 3 }, (_, n) => Array.from({ length: 45 }, (_, m) => createFree(`space-big-${n}`, `10.${n}.${m}.0/24`))),
        ];
        const results = await Promise.allSettled(commits.map((writes) => store.commit(writes)));
        const rejected = results.map((result) => result.status === 'rejected');
        expect(rejected.filter(Boolean)).toHaveLength(2);
        expect(rejected[30]).not.toBe(rejected[31]);
        expect(rejected[32]).toBe(true);
        for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(StoreConflict);
        for (let n = 0; n < 30; n++) expect(await store.listFreeBlocks(`space-many-${n}`, 'ipv4')).toHaveLength(2);
        expect(await store.listFreeBlocks('space-race-2', 'ipv4')).toHaveLength(1);
        expect(await store.listFreeBlocks('space-stale', 'ipv4')).toEqual([]);
        expect(await store.listFreeBlocks('space-shared', 'ipv4')).toHaveLength(2);
        for (let n = 0; n < 3; n++) expect(await store.listFreeBlocks(`space-big-${n}`, 'ipv4')).toHaveLength(45);
      });

      // DynamoDB refuses such a transaction with a ValidationException whatever its conditions. A
      // write plan that does it is a bug, so it fails as one (a plain Error), never as a conflict
      // that a retry loop would spin on.
      it('refuses a commit that names one item twice as a bug, not a conflict, and applies none of it', async () => {
        const refusal = (writes: Write[]) =>
          store.commit(writes).then(
            () => undefined,
            (error: unknown) => error,
          );
        const twice = await refusal([createFree('space-twice', '10.0.0.0/24'), createFree('space-twice', '10.0.0.0/24')]);
        expect(twice).toBeInstanceOf(Error);
        expect(twice).not.toBeInstanceOf(StoreConflict);
        expect((twice as Error).message).toMatch(/same item/);

        // Every condition would hold taken in order (delete, then create again): still refused.
        await store.commit([createFree('space-twice', '10.1.0.0/24')]);
        const replace = [
          { op: 'delete', entity: { type: 'free-block', value: block('space-twice', '10.1.0.0/24') } } as const,
          createFree('space-twice', '10.1.0.0/24', '10.0.0.0/8'),
        ];
        const replaced = await refusal(replace);
        expect(replaced).toBeInstanceOf(Error);
        expect(replaced).not.toBeInstanceOf(StoreConflict);

        // A check beside an update of the same record counts too.
        await store.commit([create({ type: 'pool', value: pool('pool-twice') })]);
        const checked = await refusal([
          { op: 'check', entity: { type: 'pool', value: pool('pool-twice') } },
          { op: 'update', entity: { type: 'pool', value: { ...pool('pool-twice'), Description: 'changed' } } },
        ]);
        expect(checked).toBeInstanceOf(Error);
        expect(checked).not.toBeInstanceOf(StoreConflict);
        expect(await store.listFreeBlocks('space-twice', 'ipv4')).toEqual([block('space-twice', '10.1.0.0/24')]);
        expect(await store.getPool('pool-twice')).toEqual(pool('pool-twice'));
      });
    });

    describe('values', () => {
      it('stores a copy: changing what was committed, or what was read, changes nothing stored', async () => {
        const value = execution('exec-copy', '2030-01-01T00:00:00.000Z');
        await store.commit([create({ type: 'execution', value })]);
        (value.args.nested as { list: number[] }).list.push(3);
        const read = (await store.getExecution('exec-copy'))!;
        expect(read.args).toEqual({ poolId: 'pool-1', nested: { list: [1, 2] } });
        (read.args.nested as { list: number[] }).list.push(4);
        read.status = 'failed';
        expect(await store.getExecution('exec-copy')).toEqual(execution('exec-copy', '2030-01-01T00:00:00.000Z'));
      });

      it('drops members that are undefined, as DynamoDB stores them', async () => {
        await store.commit([
          create({ type: 'pool-cidr', value: poolCidr('pool-u', 'ipam-pool-cidr-u', { Cidr: undefined, FailureReason: undefined }) }),
        ]);
        const read = await store.getPoolCidr('pool-u', 'ipam-pool-cidr-u');
        expect(Object.keys(read!).sort()).toEqual(['IpamPoolCidrId', 'NetmaskLength', 'State', 'ipamPoolId', 'sourceSpaceId', 'version']);
      });
    });

    describe('free blocks', () => {
      it('lists free blocks in best-fit order: smallest that fits first, lowest address among equals', async () => {
        await store.commit(
          ['10.2.0.0/16', '10.1.0.0/24', '10.0.0.0/24', '10.3.0.0/28', '10.4.0.0/25'].map((cidr) => createFree('space-order', cidr)),
        );
        const order = (await collect(store.freeBlocksForPrefix('space-order', 'ipv4', 26))).map((found) => found.cidr);
        expect(order).toEqual(['10.4.0.0/25', '10.0.0.0/24', '10.1.0.0/24', '10.2.0.0/16']);
        expect(await collect(store.freeBlocksForPrefix('space-order', 'ipv6', 64))).toEqual([]);
        expect(await collect(store.freeBlocksForPrefix('space-other', 'ipv4', 26))).toEqual([]);
        expect((await store.listFreeBlocks('space-order', 'ipv4')).map((found) => found.cidr)).toEqual([
          '10.3.0.0/28',
          '10.4.0.0/25',
          '10.0.0.0/24',
          '10.1.0.0/24',
          '10.2.0.0/16',
        ]);
      });

      it('keeps best-fit order past the first page of candidates', async () => {
        const cidrs = Array.from({ length: 30 }, (_, n) => `10.${n}.0.0/${n % 2 === 0 ? 24 : 20}`);
        await store.commit(cidrs.map((cidr) => createFree('space-many', cidr)));
        const order = (await collect(store.freeBlocksForPrefix('space-many', 'ipv4', 24))).map((found) => found.cidr);
        const expected = [...cidrs.filter((_, n) => n % 2 === 0), ...cidrs.filter((_, n) => n % 2 === 1)];
        expect(order).toEqual(expected);
        expect((await collect(store.freeBlocksForPrefix('space-many', 'ipv4', 22))).map((found) => found.cidr)).toEqual(
          cidrs.filter((_, n) => n % 2 === 1),
        );
      });

      it('finds the free block containing a CIDR, for IPv4 and for an IPv6 /128 (more ancestors than one batch)', async () => {
        await store.commit([createFree('space-contain', '10.2.0.0/16'), createFree('space-contain', '2001:db8::/32')]);
        expect((await store.freeBlockContaining('space-contain', parseCidr('10.2.5.0/24')))?.cidr).toBe('10.2.0.0/16');
        expect((await store.freeBlockContaining('space-contain', parseCidr('10.2.0.0/16')))?.cidr).toBe('10.2.0.0/16');
        expect(await store.freeBlockContaining('space-contain', parseCidr('10.3.0.0/24'))).toBeUndefined();
        expect(await store.freeBlockContaining('space-contain', parseCidr('10.0.0.0/8'))).toBeUndefined();
        expect((await store.freeBlockContaining('space-contain', parseCidr('2001:db8:1:2::7/128')))?.cidr).toBe('2001:db8::/32');
        expect(await store.freeBlockContaining('space-other', parseCidr('10.2.5.0/24'))).toBeUndefined();
      });

      it('lists free blocks largest first, only those that can hold the size asked, past the first page', async () => {
        const cidrs = Array.from({ length: 30 }, (_, n) => `10.${n}.0.0/${[24, 20, 28][n % 3]}`);
        await store.commit(cidrs.map((cidr) => createFree('space-largest', cidr)));
        const largestFirst = async (prefixLength: number) =>
          (await collect(store.freeBlocksLargestFirst('space-largest', 'ipv4', prefixLength))).map((found) => found.cidr);
        const sized = (size: number) => cidrs.filter((cidr) => cidr.endsWith(`/${size}`));
        // Largest first; among equals the order is not promised (an existence check does not need one).
        const order = await largestFirst(24);
        expect(order.slice(0, 10).sort()).toEqual(sized(20).sort());
        expect(order.slice(10).sort()).toEqual(sized(24).sort());
        expect((await largestFirst(32)).length).toBe(30);
        expect(await largestFirst(16)).toEqual([]);
        expect(await collect(store.freeBlocksLargestFirst('space-largest', 'ipv6', 64))).toEqual([]);
      });

      it('changes a free space epoch with every commit that grows the space, and with no other', async () => {
        const epoch = () => store.freeSpaceEpoch('space-epoch', 'ipv4');
        const take = (cidr: string, within = '10.0.0.0/16'): Write => ({
          op: 'delete',
          entity: { type: 'free-block', value: block('space-epoch', cidr, within) },
        });
        const epochs: (string | undefined)[] = [await epoch()];
        // Provisioned space arrives: grows.
        await store.commit([createFree('space-epoch', '10.0.0.0/16')]);
        epochs.push(await epoch());
        // A split (an allocation's carve: a block out, only pieces of it in) and a take leave it.
        await store.commit([take('10.0.0.0/16'), createFree('space-epoch', '10.0.128.0/17', '10.0.0.0/16')]);
        await store.commit([
          take('10.0.128.0/17'),
          createFree('space-epoch', '10.0.192.0/18', '10.0.0.0/16'),
          createFree('space-epoch', '10.0.128.0/18', '10.0.0.0/16'),
        ]);
        await store.commit([take('10.0.128.0/18')]);
        expect(await epoch()).toBe(epochs[1]);
        // Another space, or the other family of this one, is another epoch.
        await store.commit([createFree('space-epoch', 'fd00::/8'), createFree('space-epoch-2', '10.0.0.0/8')]);
        expect(await epoch()).toBe(epochs[1]);
        // A release (space back) and a merge (buddies out, their parent in) grow it.
        await store.commit([createFree('space-epoch', '10.0.128.0/18', '10.0.0.0/16')]);
        epochs.push(await epoch());
        await store.commit([take('10.0.128.0/18'), take('10.0.192.0/18'), createFree('space-epoch', '10.0.128.0/17', '10.0.0.0/16')]);
        epochs.push(await epoch());
        expect(epochs[1]).toBeDefined();
        expect(new Set(epochs).size).toBe(epochs.length);
        // A refused commit changes nothing.
        await expect(store.commit([createFree('space-epoch', '10.0.128.0/17', '10.0.0.0/16')])).rejects.toThrow(StoreConflict);
        expect(await epoch()).toBe(epochs.at(-1));
      });

      it('answers "no free block contains this CIDR" for an IPv6 /128 (more ancestors than one batch) as well as it finds one', async () => {
        await store.commit([createFree('space-deep', '2001:db8::/120'), createFree('space-deep', '2001:db8:1::/48')]);
        expect((await store.freeBlockContaining('space-deep', parseCidr('2001:db8::7/128')))?.cidr).toBe('2001:db8::/120');
        expect((await store.freeBlockContaining('space-deep', parseCidr('2001:db8:1:2::7/128')))?.cidr).toBe('2001:db8:1::/48');
        expect(await store.freeBlockContaining('space-deep', parseCidr('2001:db8::100/128'))).toBeUndefined();
        expect(await store.freeBlockContaining('space-deep', parseCidr('2001:db8::/32'))).toBeUndefined();
      });

      it('reads free blocks by exact CIDR, one or several at once', async () => {
        await store.commit([
          createFree('space-exact', '10.0.0.0/28', '10.0.0.0/24'),
          createFree('space-exact', '10.0.0.64/26', '10.0.0.0/24'),
        ]);
        expect(await store.getFreeBlock('space-exact', parseCidr('10.0.0.0/28'))).toEqual(
          block('space-exact', '10.0.0.0/28', '10.0.0.0/24'),
        );
        expect(await store.getFreeBlock('space-exact', parseCidr('10.0.0.0/27'))).toBeUndefined();
        const found = await store.getFreeBlocks('space-exact', ['10.0.0.0/28', '10.0.0.16/28', '10.0.0.64/26'].map(parseCidr));
        expect(found.map((free) => free.cidr).sort()).toEqual(['10.0.0.0/28', '10.0.0.64/26']);
        expect(await store.getFreeBlocks('space-exact', [])).toEqual([]);
      });

      it('refuses to read the same CIDR twice in one batch, as BatchGetItem does', async () => {
        await expect(store.getFreeBlocks('space-twice', ['10.0.0.0/28', '10.0.0.0/28'].map(parseCidr))).rejects.toThrow();
      });

      it('reads what a release needs in one go: the pool, the allocation and the free buddies', async () => {
        const taken = allocation('pool-release', 1);
        await store.commit([
          create({ type: 'pool', value: pool('pool-release') }),
          create({ type: 'allocation', value: taken }),
          createFree('pool-release', '10.0.0.0/24', '10.0.0.0/16'),
        ]);
        const view = await store.getReleaseView('pool-release', taken.IpamPoolAllocationId, ['10.0.0.0/24', '10.0.2.0/23'].map(parseCidr));
        expect(view).toEqual({
          pool: pool('pool-release'),
          allocation: taken,
          freeBuddies: [block('pool-release', '10.0.0.0/24', '10.0.0.0/16')],
        });
        expect(await store.getReleaseView('pool-missing', allocationId(9), [])).toEqual({
          pool: undefined,
          allocation: undefined,
          freeBuddies: [],
        });
      });
    });

    describe('pages of allocations', () => {
      async function allPages(poolId: string, limit: number) {
        const pages: string[][] = [];
        let after: string | undefined;
        do {
          const page = await store.listAllocations(poolId, { limit, after });
          pages.push(page.items.map((item) => item.IpamPoolAllocationId));
          after = page.next;
        } while (after);
        return pages;
      }

      it('pages through allocations in id order, without losing or repeating any, and only the pool’s allocations', async () => {
        await store.commit([
          create({ type: 'pool', value: pool('pool-pages') }),
          create({ type: 'pool-cidr', value: poolCidr('pool-pages', 'ipam-pool-cidr-1') }),
          create({ type: 'allocation', value: allocation('pool-neighbour', 99) }),
        ]);
        await store.commit(Array.from({ length: 25 }, (_, n) => create({ type: 'allocation', value: allocation('pool-pages', 24 - n) })));
        const pages = await allPages('pool-pages', 10);
        expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
        expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, n) => allocationId(n)));
        expect((await store.listAllocations('pool-pages', { limit: 100 })).next).toBeUndefined();
      });

      it('names a next page when a page is full, even if it turns out empty', async () => {
        await store.commit(Array.from({ length: 20 }, (_, n) => create({ type: 'allocation', value: allocation('pool-even', n) })));
        expect((await allPages('pool-even', 10)).map((page) => page.length)).toEqual([10, 10, 0]);
        expect(await store.listAllocations('pool-empty', { limit: 10 })).toEqual({ items: [] });
      });

      it('continues after the position even when that allocation was released meanwhile', async () => {
        await store.commit(Array.from({ length: 6 }, (_, n) => create({ type: 'allocation', value: allocation('pool-moving', n) })));
        const first = await store.listAllocations('pool-moving', { limit: 3 });
        await store.commit([{ op: 'delete', entity: { type: 'allocation', value: allocation('pool-moving', 2) } }]);
        const second = await store.listAllocations('pool-moving', { limit: 3, after: first.next });
        expect(second.items.map((item) => item.IpamPoolAllocationId)).toEqual([3, 4, 5].map(allocationId));
      });
    });

    describe('records of one pool, owner or index', () => {
      it('lists IPAMs, scopes and pools of one owner, in id order', async () => {
        await store.commit([
          create({ type: 'ipam', value: ipam('ipam-b') }),
          create({ type: 'ipam', value: ipam('ipam-a') }),
          create({ type: 'ipam', value: ipam('ipam-c', OTHER) }),
          create({ type: 'scope', value: scope('scope-b') }),
          create({ type: 'scope', value: scope('scope-a') }),
          create({ type: 'pool', value: pool('pool-b') }),
          create({ type: 'pool', value: pool('pool-a', OTHER) }),
        ]);
        expect((await store.listIpams(OWNER)).map((found) => found.IpamId)).toEqual(['ipam-a', 'ipam-b']);
        expect((await store.listIpams(OTHER)).map((found) => found.IpamId)).toEqual(['ipam-c']);
        expect((await store.listScopes(OWNER)).map((found) => found.IpamScopeId)).toEqual(['scope-a', 'scope-b']);
        expect((await store.listPools(OWNER)).map((found) => found.IpamPoolId)).toEqual(['pool-b']);
        expect(await store.listScopes(OTHER)).toEqual([]);
        await store.commit([{ op: 'delete', entity: { type: 'ipam', value: ipam('ipam-a') } }]);
        expect((await store.listIpams(OWNER)).map((found) => found.IpamId)).toEqual(['ipam-b']);
      });

      it("lists a pool's CIDRs, apart from its allocations", async () => {
        await store.commit([
          create({ type: 'pool', value: pool('pool-c') }),
          create({ type: 'pool-cidr', value: poolCidr('pool-c', 'ipam-pool-cidr-b') }),
          create({ type: 'pool-cidr', value: poolCidr('pool-c', 'ipam-pool-cidr-a') }),
          create({ type: 'pool-cidr', value: poolCidr('pool-c2', 'ipam-pool-cidr-c') }),
          create({ type: 'allocation', value: allocation('pool-c', 1) }),
        ]);
        expect((await store.listPoolCidrs('pool-c')).map((found) => found.IpamPoolCidrId)).toEqual([
          'ipam-pool-cidr-a',
          'ipam-pool-cidr-b',
        ]);
        expect(await store.getAllocation('pool-c', allocationId(1))).toEqual(allocation('pool-c', 1));
        expect(await store.getAllocation('pool-c2', allocationId(1))).toBeUndefined();
      });

      it('lists resource discoveries, associations and verification tokens of one owner, or of every owner by owner then id', async () => {
        await store.commit([
          create({ type: 'resource-discovery', value: resourceDiscovery('ipam-res-disco-b') }),
          create({ type: 'resource-discovery', value: resourceDiscovery('ipam-res-disco-a', OTHER) }),
          create({ type: 'resource-discovery', value: resourceDiscovery('ipam-res-disco-c') }),
          create({ type: 'resource-discovery-association', value: association('ipam-res-disco-assoc-b') }),
          create({ type: 'resource-discovery-association', value: association('ipam-res-disco-assoc-a', OTHER) }),
          create({ type: 'verification-token', value: token('ipam-ext-res-ver-token-b') }),
          create({ type: 'verification-token', value: token('ipam-ext-res-ver-token-a') }),
          create({ type: 'verification-token', value: token('ipam-ext-res-ver-token-c', OTHER) }),
        ]);
        const ids = (records: IpamResourceDiscovery[]) => records.map((record) => record.IpamResourceDiscoveryId);
        expect(ids(await store.listResourceDiscoveries(OWNER))).toEqual(['ipam-res-disco-b', 'ipam-res-disco-c']);
        expect(ids(await store.listResourceDiscoveries())).toEqual(['ipam-res-disco-a', 'ipam-res-disco-b', 'ipam-res-disco-c']);
        expect(await store.getResourceDiscovery('ipam-res-disco-a')).toEqual(resourceDiscovery('ipam-res-disco-a', OTHER));
        const associationIds = (records: IpamResourceDiscoveryAssociation[]) =>
          records.map((record) => record.IpamResourceDiscoveryAssociationId);
        expect(associationIds(await store.listResourceDiscoveryAssociations(OTHER))).toEqual(['ipam-res-disco-assoc-a']);
        expect(associationIds(await store.listResourceDiscoveryAssociations())).toEqual([
          'ipam-res-disco-assoc-a',
          'ipam-res-disco-assoc-b',
        ]);
        expect(await store.getResourceDiscoveryAssociation('ipam-res-disco-assoc-b')).toEqual(association('ipam-res-disco-assoc-b'));
        expect((await store.listVerificationTokens(OWNER)).map((found) => found.IpamExternalResourceVerificationTokenId)).toEqual([
          'ipam-ext-res-ver-token-a',
          'ipam-ext-res-ver-token-b',
        ]);
        expect(await store.getVerificationToken('ipam-ext-res-ver-token-c')).toEqual(token('ipam-ext-res-ver-token-c', OTHER));
      });

      it('keeps prefix list resolvers by id, listed by owner, and their versions in numeric order', async () => {
        const resolver = (id: string, OwnerId = OWNER) =>
          ({ IpamPrefixListResolverId: id, OwnerId, rules: [], latestVersion: 0, version: 1 }) as unknown as IpamPrefixListResolver;
        const version = (Version: number, cidrs: string[] = []): PrefixListResolverVersion => ({
          resolverId: 'ipam-prefix-list-resolver-a',
          Version,
          cidrs,
          createdAt: '2030-01-01T00:00:00.000Z',
        });
        await store.commit([
          create({ type: 'prefix-list-resolver', value: resolver('ipam-prefix-list-resolver-b') }),
          create({ type: 'prefix-list-resolver', value: resolver('ipam-prefix-list-resolver-a') }),
          create({ type: 'prefix-list-resolver', value: resolver('ipam-prefix-list-resolver-c', OTHER) }),
        ]);
        expect((await store.listPrefixListResolvers(OWNER)).map((found) => found.IpamPrefixListResolverId)).toEqual([
          'ipam-prefix-list-resolver-a',
          'ipam-prefix-list-resolver-b',
        ]);
        // Version 10 after 9 (numeric, not text, order); the resolver's own item is not a version.
        const versions = [9, 10, 2, 1].map((n) => version(n, [`10.${n}.0.0/16`]));
        await store.commit([
          {
            op: 'update',
            entity: { type: 'prefix-list-resolver', value: { ...resolver('ipam-prefix-list-resolver-a'), latestVersion: 10 } },
          },
          ...versions.map((value) => create({ type: 'prefix-list-resolver-version', value })),
        ]);
        expect((await store.listPrefixListResolverVersions('ipam-prefix-list-resolver-a')).map((v) => v.Version)).toEqual([1, 2, 9, 10]);
        expect(await store.getPrefixListResolverVersion('ipam-prefix-list-resolver-a', 10)).toEqual(version(10, ['10.10.0.0/16']));
        expect(await store.getPrefixListResolverVersion('ipam-prefix-list-resolver-a', 3)).toBeUndefined();
        expect(await store.getPrefixListResolver('ipam-prefix-list-resolver-a')).toMatchObject({ latestVersion: 10, version: 2 });
        // A version number is written once: two evaluations racing for it, one loses.
        await expect(store.commit([create({ type: 'prefix-list-resolver-version', value: version(10) })])).rejects.toThrow(StoreConflict);
        await expect(
          store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver', value: resolver('ipam-prefix-list-resolver-a') } }]),
        ).rejects.toThrow(StoreConflict);
        // Retention marks and unmarks a version (created at 0) conditionally: a second change from the same read loses.
        const kept = { ...version(11, ['10.11.0.0/16']), version: 0 };
        await store.commit([create({ type: 'prefix-list-resolver-version', value: kept })]);
        const marked = { ...kept, retainedUntil: '2030-01-08T00:00:00.000Z' };
        await store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver-version', value: marked } }]);
        expect(await store.getPrefixListResolverVersion('ipam-prefix-list-resolver-a', 11)).toEqual({ ...marked, version: 1 });
        await expect(store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver-version', value: kept } }])).rejects.toThrow(
          StoreConflict,
        );
        await store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver-version', value: { ...kept, version: 1 } } }]);
        expect(await store.getPrefixListResolverVersion('ipam-prefix-list-resolver-a', 11)).toEqual({ ...kept, version: 2 });
        await store.commit([{ op: 'delete', entity: { type: 'prefix-list-resolver-version', value: { ...kept, version: 2 } } }]);
        expect(await store.getPrefixListResolverVersion('ipam-prefix-list-resolver-a', 11)).toBeUndefined();
      });

      it('keeps IPAM policies by id, listed by owner in id order, versioned', async () => {
        const policy = (id: string, OwnerId = OWNER) =>
          ({ IpamPolicyId: id, OwnerId, targets: [], documents: [], version: 1 }) as unknown as IpamPolicy;
        await store.commit([
          create({ type: 'ipam-policy', value: policy('ipam-policy-b') }),
          create({ type: 'ipam-policy', value: policy('ipam-policy-a') }),
          create({ type: 'ipam-policy', value: policy('ipam-policy-c', OTHER) }),
        ]);
        expect((await store.listIpamPolicies(OWNER)).map((found) => found.IpamPolicyId)).toEqual(['ipam-policy-a', 'ipam-policy-b']);
        expect(await store.getIpamPolicy('ipam-policy-c')).toEqual(policy('ipam-policy-c', OTHER));
        await store.commit([{ op: 'update', entity: { type: 'ipam-policy', value: { ...policy('ipam-policy-a'), targets: [OWNER] } } }]);
        expect(await store.getIpamPolicy('ipam-policy-a')).toMatchObject({ targets: [OWNER], version: 2 });
        // A stale version loses: enabling and deleting race on it.
        await expect(store.commit([{ op: 'delete', entity: { type: 'ipam-policy', value: policy('ipam-policy-a') } }])).rejects.toThrow(
          StoreConflict,
        );
        expect(await store.getIpamPolicy('ipam-policy-a')).toBeDefined();
      });

      it('lists open executions oldest first; a closed one leaves the list but stays readable', async () => {
        await store.commit([
          create({ type: 'execution', value: execution('exec-b', '2030-01-01T00:00:02.000Z') }),
          create({ type: 'execution', value: execution('exec-a', '2030-01-01T00:00:03.000Z') }),
          create({ type: 'execution', value: execution('exec-c', '2030-01-01T00:00:01.000Z') }),
          create({ type: 'execution', value: execution('exec-done', '2030-01-01T00:00:00.000Z', 'succeeded') }),
        ]);
        expect((await store.listOpenExecutions()).map((found) => found.executionId)).toEqual(['exec-c', 'exec-b', 'exec-a']);
        const closed = {
          ...execution('exec-b', '2030-01-01T00:00:02.000Z'),
          status: 'succeeded' as const,
          finishedAt: '2030-01-01T00:01:00.000Z',
        };
        await store.commit([{ op: 'update', entity: { type: 'execution', value: closed } }]);
        expect((await store.listOpenExecutions()).map((found) => found.executionId)).toEqual(['exec-c', 'exec-a']);
        expect(await store.getExecution('exec-b')).toEqual({ ...closed, version: 2 });
      });

      it('lists BYOASNs of an account, BYOIP advertisements and Elastic IPs of an account in one Region', async () => {
        const byoasn = (Asn: string, ownerId = OWNER) => ({ Asn, ownerId, version: 1 }) as Byoasn;
        const advertisement = (cidr: string, region = 'us-east-1', ownerId = OWNER) =>
          ({ cidr, region, ownerId, associatedAsns: [], version: 1 }) as unknown as ByoipCidrAdvertisement;
        const eip = (AllocationId: string, region = 'us-east-1', ownerId = OWNER) =>
          ({ AllocationId, region, ownerId, Tags: [] }) as unknown as ElasticIp;
        await store.commit([
          create({ type: 'byoasn', value: byoasn('65002') }),
          create({ type: 'byoasn', value: byoasn('65001') }),
          create({ type: 'byoasn', value: byoasn('65003', OTHER) }),
          create({ type: 'byoip-advertisement', value: advertisement('198.51.100.0/24') }),
          create({ type: 'byoip-advertisement', value: advertisement('192.0.2.0/24') }),
          create({ type: 'byoip-advertisement', value: advertisement('203.0.113.0/24', 'eu-west-1') }),
          create({ type: 'elastic-ip', value: eip('eipalloc-2') }),
          create({ type: 'elastic-ip', value: eip('eipalloc-1') }),
          create({ type: 'elastic-ip', value: eip('eipalloc-3', 'us-east-1', OTHER) }),
        ]);
        expect((await store.listByoasns(OWNER)).map((found) => found.Asn)).toEqual(['65001', '65002']);
        expect(await store.getByoasn(OTHER, '65003')).toEqual(byoasn('65003', OTHER));
        expect(await store.getByoasn(OWNER, '65003')).toBeUndefined();
        expect((await store.listByoipAdvertisements(OWNER, 'us-east-1')).map((found) => found.cidr)).toEqual([
          '192.0.2.0/24',
          '198.51.100.0/24',
        ]);
        expect(await store.getByoipAdvertisement(OWNER, 'eu-west-1', '203.0.113.0/24')).toEqual(
          advertisement('203.0.113.0/24', 'eu-west-1'),
        );
        expect((await store.listElasticIps(OWNER, 'us-east-1')).map((found) => found.AllocationId)).toEqual(['eipalloc-1', 'eipalloc-2']);
        expect(await store.getElasticIp(OTHER, 'us-east-1', 'eipalloc-3')).toEqual(eip('eipalloc-3', 'us-east-1', OTHER));
        expect(await store.listElasticIps(OWNER, 'eu-west-1')).toEqual([]);
      });

      it('finds public IPv4 pools by owner and id in any Region, lists them per owner, and updates them only at the version read', async () => {
        const pool = (PoolId: string, region = 'us-east-1', ownerId = OWNER) =>
          ({ PoolId, region, ownerId, NetworkBorderGroup: region, Tags: [], ranges: [], allocated: [], version: 0 }) as PublicIpv4Pool;
        await store.commit([
          create({ type: 'public-ipv4-pool', value: pool('ipv4pool-ec2-2') }),
          create({ type: 'public-ipv4-pool', value: pool('ipv4pool-ec2-1', 'us-west-2') }),
          create({ type: 'public-ipv4-pool', value: pool('ipv4pool-ec2-3', 'us-east-1', OTHER) }),
        ]);
        expect((await store.listPublicIpv4Pools(OWNER)).map((found) => found.PoolId)).toEqual(['ipv4pool-ec2-1', 'ipv4pool-ec2-2']);
        expect(await store.getPublicIpv4Pool(OWNER, 'ipv4pool-ec2-1')).toEqual(pool('ipv4pool-ec2-1', 'us-west-2'));
        expect(await store.getPublicIpv4Pool(OWNER, 'ipv4pool-ec2-3')).toBeUndefined();
        const taken = { ...pool('ipv4pool-ec2-2'), allocated: ['192.0.2.1'] };
        await store.commit([{ op: 'update', entity: { type: 'public-ipv4-pool', value: taken } }]);
        expect((await store.getPublicIpv4Pool(OWNER, 'ipv4pool-ec2-2'))?.allocated).toEqual(['192.0.2.1']);
        // A second address taken at the version first read loses: no address goes out twice.
        await expect(
          store.commit([{ op: 'update', entity: { type: 'public-ipv4-pool', value: { ...taken, allocated: ['192.0.2.2'] } } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
      });

      it('keeps one cool-down record per pool and address', async () => {
        const cooldown = (poolId: string, address: string) =>
          ({ poolId, address, until: '2030-01-01T00:00:00.000Z', version: 0 }) as AddressCooldown;
        await store.commit([
          create({ type: 'address-cooldown', value: cooldown('ipam-pool-a', '192.0.2.2') }),
          create({ type: 'address-cooldown', value: cooldown('ipam-pool-a', '192.0.2.1') }),
          create({ type: 'address-cooldown', value: cooldown('ipam-pool-b', '192.0.2.1') }),
        ]);
        expect((await store.listAddressCooldowns('ipam-pool-a')).map((found) => found.address)).toEqual(['192.0.2.1', '192.0.2.2']);
        await expect(
          store.commit([create({ type: 'address-cooldown', value: cooldown('ipam-pool-b', '192.0.2.1') })]),
        ).rejects.toBeInstanceOf(StoreConflict);
      });

      // CreateTags and DeleteTags (use-cases/tags.ts) change any of these in one conditional commit.
      it('updates Elastic IPs, VPCs, subnets and verification tokens together, only at the versions read', async () => {
        const where = { ownerId: OWNER, OwnerId: OWNER, region: 'us-east-1', Tags: [], version: 0 };
        const eip = { ...where, AllocationId: 'eipalloc-v' } as unknown as ElasticIp;
        const vpc = { ...where, VpcId: 'vpc-v' } as unknown as Vpc;
        const subnet = { ...where, VpcId: 'vpc-v', SubnetId: 'subnet-v' } as unknown as Subnet;
        const token = { ...where, IpamExternalResourceVerificationTokenId: 'token-v' } as unknown as IpamExternalResourceVerificationToken;
        const read = [
          { type: 'elastic-ip', value: eip },
          { type: 'vpc', value: vpc },
          { type: 'subnet', value: subnet },
          { type: 'verification-token', value: token },
        ] as (Entity & { value: { version: number } })[];
        await store.commit(read.map(create));
        const tagged = (entity: Entity & { value: { version: number } }) =>
          ({ op: 'update', entity: { ...entity, value: { ...entity.value, Tags: [{ Key: 'a', Value: '1' }] } } }) as Write;
        await store.commit(read.map(tagged));
        const stored = await Promise.all([
          store.getElasticIp(OWNER, 'us-east-1', 'eipalloc-v'),
          store.getVpc(OWNER, 'us-east-1', 'vpc-v'),
          (await store.listSubnets(OWNER, 'us-east-1', 'vpc-v'))[0],
          store.getVerificationToken('token-v'),
        ]);
        expect(stored.map((record) => [record?.version, record?.Tags])).toEqual(Array(4).fill([1, [{ Key: 'a', Value: '1' }]]));
        // Each is at version 1 now: a second change at the version first read loses, whichever it is.
        for (const entity of read) await expect(store.commit([tagged(entity)])).rejects.toBeInstanceOf(StoreConflict);
      });

      it('lists VPCs of an account in one Region by id, and deletes one only at the version read', async () => {
        const vpc = (VpcId: string, region = 'us-east-1', OwnerId = OWNER) =>
          ({ VpcId, region, OwnerId, CidrBlock: '10.0.0.0/16', Tags: [], version: 1 }) as unknown as Vpc;
        await store.commit([
          create({ type: 'vpc', value: vpc('vpc-2') }),
          create({ type: 'vpc', value: vpc('vpc-1') }),
          create({ type: 'vpc', value: vpc('vpc-3', 'eu-west-1') }),
          create({ type: 'vpc', value: vpc('vpc-4', 'us-east-1', OTHER) }),
        ]);
        expect((await store.listVpcs(OWNER, 'us-east-1')).map((found) => found.VpcId)).toEqual(['vpc-1', 'vpc-2']);
        expect(await store.getVpc(OTHER, 'us-east-1', 'vpc-4')).toEqual(vpc('vpc-4', 'us-east-1', OTHER));
        expect(await store.getVpc(OWNER, 'us-east-1', 'vpc-4')).toBeUndefined();
        await expect(store.commit([create({ type: 'vpc', value: vpc('vpc-1') })])).rejects.toBeInstanceOf(StoreConflict);
        await expect(
          store.commit([{ op: 'delete', entity: { type: 'vpc', value: { ...vpc('vpc-1'), version: 2 } } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
        await store.commit([{ op: 'delete', entity: { type: 'vpc', value: vpc('vpc-1') } }]);
        expect((await store.listVpcs(OWNER, 'us-east-1')).map((found) => found.VpcId)).toEqual(['vpc-2']);
        await expect(store.commit([{ op: 'delete', entity: { type: 'vpc', value: vpc('vpc-1') } }])).rejects.toBeInstanceOf(StoreConflict);
      });

      it('lists prefix lists of an account in one Region by id, and keeps each version once', async () => {
        const list = (PrefixListId: string, region = 'us-east-1', OwnerId = OWNER) =>
          ({ PrefixListId, region, OwnerId, Version: 1, entries: [], Tags: [], version: 1 }) as unknown as ManagedPrefixList;
        const version = (prefixListId: string, n: number) => ({ prefixListId, version: n, entries: [{ Cidr: `10.${n}.0.0/16` }] });
        await store.commit([
          create({ type: 'managed-prefix-list', value: list('pl-2') }),
          create({ type: 'managed-prefix-list', value: list('pl-1') }),
          create({ type: 'managed-prefix-list', value: list('pl-3', 'eu-west-1') }),
          create({ type: 'managed-prefix-list', value: list('pl-4', 'us-east-1', OTHER) }),
          create({ type: 'prefix-list-version', value: version('pl-1', 1) }),
          create({ type: 'prefix-list-version', value: version('pl-1', 10) }),
        ]);
        expect((await store.listManagedPrefixLists(OWNER, 'us-east-1')).map((found) => found.PrefixListId)).toEqual(['pl-1', 'pl-2']);
        expect(await store.getManagedPrefixList(OWNER, 'us-east-1', 'pl-4')).toBeUndefined();
        expect(await store.getPrefixListVersion('pl-1', 10)).toEqual(version('pl-1', 10));
        expect(await store.getPrefixListVersion('pl-1', 2)).toBeUndefined();
        // Every version of one list, in numeric order (10 after 1, not another list's).
        expect(await store.listPrefixListVersions('pl-1')).toEqual([version('pl-1', 1), version('pl-1', 10)]);
        expect(await store.listPrefixListVersions('pl-2')).toEqual([]);
        // A version is made once: a second commit making it loses, and so does an edit of a list at a stale version.
        await expect(store.commit([create({ type: 'prefix-list-version', value: version('pl-1', 10) })])).rejects.toBeInstanceOf(
          StoreConflict,
        );
        await store.commit([{ op: 'update', entity: { type: 'managed-prefix-list', value: { ...list('pl-1'), Version: 2 } } }]);
        await expect(
          store.commit([{ op: 'update', entity: { type: 'managed-prefix-list', value: { ...list('pl-1'), Version: 3 } } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.getManagedPrefixList(OWNER, 'us-east-1', 'pl-1')).toMatchObject({ Version: 2, version: 2 });
      });

      it("finds a resolver target by id and lists a resolver's targets by id", async () => {
        const target = (IpamPrefixListResolverTargetId: string, IpamPrefixListResolverId = 'plr-a') =>
          ({
            IpamPrefixListResolverTargetId,
            IpamPrefixListResolverId,
            OwnerId: OWNER,
            Tags: [],
            version: 1,
          }) as unknown as IpamPrefixListResolverTarget;
        await store.commit([
          create({ type: 'prefix-list-resolver-target', value: target('t-2') }),
          create({ type: 'prefix-list-resolver-target', value: target('t-1') }),
          create({ type: 'prefix-list-resolver-target', value: target('t-3', 'plr-b') }),
        ]);
        expect((await store.listPrefixListResolverTargets('plr-a')).map((found) => found.IpamPrefixListResolverTargetId)).toEqual([
          't-1',
          't-2',
        ]);
        expect(await store.getPrefixListResolverTarget('t-3')).toEqual(target('t-3', 'plr-b'));
        await store.commit([{ op: 'delete', entity: { type: 'prefix-list-resolver-target', value: target('t-1') } }]);
        expect(await store.getPrefixListResolverTarget('t-1')).toBeUndefined();
        await expect(
          store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver-target', value: target('t-1') } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
      });

      it('lists subnets of an account in one Region, or of one VPC, by VPC then id', async () => {
        const subnet = (VpcId: string, SubnetId: string, OwnerId = OWNER) =>
          ({ VpcId, SubnetId, OwnerId, region: 'us-east-1', CidrBlock: '10.0.0.0/24', Tags: [] }) as unknown as Subnet;
        await store.commit([
          create({ type: 'subnet', value: subnet('vpc-2', 'subnet-1') }),
          create({ type: 'subnet', value: subnet('vpc-1', 'subnet-3') }),
          create({ type: 'subnet', value: subnet('vpc-1', 'subnet-2') }),
          create({ type: 'subnet', value: subnet('vpc-1', 'subnet-4', OTHER) }),
        ]);
        expect((await store.listSubnets(OWNER, 'us-east-1')).map((found) => found.SubnetId)).toEqual(['subnet-2', 'subnet-3', 'subnet-1']);
        expect((await store.listSubnets(OWNER, 'us-east-1', 'vpc-1')).map((found) => found.SubnetId)).toEqual(['subnet-2', 'subnet-3']);
        expect(await store.listSubnets(OWNER, 'eu-west-1')).toEqual([]);
        await store.commit([{ op: 'delete', entity: { type: 'subnet', value: subnet('vpc-1', 'subnet-2') } }]);
        await expect(
          store.commit([{ op: 'delete', entity: { type: 'subnet', value: subnet('vpc-1', 'subnet-2') } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.listSubnets(OTHER, 'us-east-1', 'vpc-1')).toEqual([subnet('vpc-1', 'subnet-4', OTHER)]);
      });

      it('keeps resource CIDRs per scope, overrides per IPAM, and the history of one CIDR oldest first', async () => {
        const resourceCidr = (IpamScopeId: string, ResourceId: string, ResourceCidr: string) =>
          ({ IpamScopeId, ResourceRegion: 'us-east-1', ResourceId, ResourceCidr, version: 1 }) as IpamResourceCidr;
        const override = (ipamId: string, resourceId: string): ResourceCidrOverride => ({
          ipamId,
          resourceRegion: 'us-east-1',
          resourceId,
          resourceCidr: '10.0.0.0/16',
          ignored: true,
          version: 1,
        });
        const history = (SampledStartTime: string, ResourceId: string) =>
          ({ ipamScopeId: 'scope-h', ResourceCidr: '10.0.0.0/16', SampledStartTime, ResourceId, version: 1 }) as AddressHistoryRecord;
        await store.commit([
          create({ type: 'resource-cidr', value: resourceCidr('scope-r', 'vpc-2', '10.0.0.0/16') }),
          create({ type: 'resource-cidr', value: resourceCidr('scope-r', 'vpc-1', '10.1.0.0/16') }),
          create({ type: 'resource-cidr', value: resourceCidr('scope-s', 'vpc-3', '10.2.0.0/16') }),
          create({ type: 'resource-cidr-override', value: override('ipam-o', 'vpc-1') }),
          create({ type: 'resource-cidr-override', value: override('ipam-p', 'vpc-2') }),
          create({ type: 'address-history', value: history('2030-01-02T00:00:00.000Z', 'vpc-2') }),
          create({ type: 'address-history', value: history('2030-01-01T00:00:00.000Z', 'vpc-1') }),
        ]);
        expect((await store.listResourceCidrs('scope-r')).map((found) => found.ResourceId)).toEqual(['vpc-1', 'vpc-2']);
        expect(await store.getResourceCidr('scope-s', 'us-east-1', 'vpc-3', '10.2.0.0/16')).toEqual(
          resourceCidr('scope-s', 'vpc-3', '10.2.0.0/16'),
        );
        expect(await store.getResourceCidr('scope-r', 'us-east-1', 'vpc-3', '10.2.0.0/16')).toBeUndefined();
        expect(await store.listResourceCidrOverrides('ipam-o')).toEqual([override('ipam-o', 'vpc-1')]);
        expect(await store.getResourceCidrOverride('ipam-p', 'us-east-1', 'vpc-2', '10.0.0.0/16')).toEqual(override('ipam-p', 'vpc-2'));
        expect((await store.listAddressHistory('scope-h', '10.0.0.0/16')).map((found) => found.ResourceId)).toEqual(['vpc-1', 'vpc-2']);
        expect(await store.listAddressHistory('scope-h', '10.0.0.0/8')).toEqual([]);
      });

      it('keeps singletons: the client token, the IPAM region slot, a pool monitor state and the sweep lease', async () => {
        const clientToken: ClientTokenRecord = {
          accountId: OWNER,
          action: 'CreateIpam',
          clientToken: 'token-1',
          requestHash: 'h',
          startedAt: '2030-01-01T00:00:00.000Z',
          version: 1,
        };
        await store.commit([
          create({ type: 'client-token', value: clientToken }),
          create({ type: 'pool-monitor-state', value: { ipamPoolId: 'pool-m', thresholdReached: 80, version: 1 } }),
          create({ type: 'sweep-lease', value: { holder: 'sweep-1', leaseUntil: '2030-01-01T00:05:00.000Z', version: 1 } }),
        ]);
        expect(await store.getClientToken(OWNER, 'CreateIpam', 'token-1')).toEqual(clientToken);
        expect(await store.getClientToken(OWNER, 'DeleteIpam', 'token-1')).toBeUndefined();
        expect(await store.getPoolMonitorState('pool-m')).toEqual({ ipamPoolId: 'pool-m', thresholdReached: 80, version: 1 });
        expect(await store.getSweepLease()).toEqual({ holder: 'sweep-1', leaseUntil: '2030-01-01T00:05:00.000Z', version: 1 });
        await expect(
          store.commit([create({ type: 'sweep-lease', value: { holder: 'sweep-2', leaseUntil: '2030-01-01T00:06:00.000Z', version: 1 } })]),
        ).rejects.toBeInstanceOf(StoreConflict);
        await expect(
          store.commit([
            create({ type: 'ipam-region-slot', value: slot('eu-west-1') }),
            create({ type: 'ipam-region-slot', value: slot('us-east-1') }),
          ]),
        ).resolves.toBeUndefined();
        await expect(
          store.commit([create({ type: 'ipam-region-slot', value: { ...slot('eu-west-1'), ipamId: 'ipam-2' } })]),
        ).rejects.toBeInstanceOf(StoreConflict);
      });
    });

    describe('resource shares', () => {
      const SHARE_A = 'arn:aws:ram:us-east-1:123456789012:resource-share/00000000-0000-4000-8000-00000000000a';
      const SHARE_B = 'arn:aws:ram:us-east-1:123456789012:resource-share/00000000-0000-4000-8000-00000000000b';
      const POOL_ARN = 'arn:aws:ec2::123456789012:ipam-pool/ipam-pool-01';
      const share = (resourceShareArn: string, owningAccountId = OWNER) =>
        ({
          resourceShareArn,
          owningAccountId,
          name: 'n',
          status: 'ACTIVE',
          tags: [],
          permissions: {},
          version: 1,
        }) as unknown as ResourceShare;
      const shareAssociation = (
        resourceShareArn: string,
        associationType: 'RESOURCE' | 'PRINCIPAL',
        associatedEntity: string,
      ): ResourceShareAssociation =>
        ({
          resourceShareArn,
          associationType,
          associatedEntity,
          status: 'ASSOCIATED',
          external: false,
          ownerId: OWNER,
          version: 1,
        }) as ResourceShareAssociation;
      const invitation = (n: string, receiverAccountId: string): ResourceShareInvitation =>
        ({
          resourceShareInvitationArn: `arn:aws:ram:us-east-1:123456789012:resource-share-invitation/00000000-0000-4000-8000-00000000000${n}`,
          resourceShareArn: SHARE_A,
          receiverAccountId,
          status: 'PENDING',
          version: 1,
        }) as ResourceShareInvitation;

      it('reads a share with every association in one view, and finds the shares naming a resource or principal', async () => {
        await store.commit([
          create({ type: 'resource-share', value: share(SHARE_A) }),
          create({ type: 'resource-share', value: share(SHARE_B) }),
          create({ type: 'resource-share', value: share('arn:aws:ram:us-east-1:111122223333:resource-share/x', OTHER) }),
          create({ type: 'resource-share-association', value: shareAssociation(SHARE_A, 'RESOURCE', POOL_ARN) }),
          create({ type: 'resource-share-association', value: shareAssociation(SHARE_A, 'PRINCIPAL', OTHER) }),
          create({ type: 'resource-share-association', value: shareAssociation(SHARE_B, 'RESOURCE', POOL_ARN) }),
        ]);
        const view = await store.getShareView(SHARE_A);
        expect(view?.share).toEqual(share(SHARE_A));
        expect(view?.associations.map((a) => a.associatedEntity).sort()).toEqual([OTHER, POOL_ARN].sort());
        expect((await store.getShareView(SHARE_B))?.associations).toHaveLength(1);
        expect(await store.getShareView('arn:aws:ram:us-east-1:123456789012:resource-share/none')).toBeUndefined();
        expect((await store.listResourceShares(OWNER)).map((found) => found.resourceShareArn)).toEqual([SHARE_A, SHARE_B]);
        expect((await store.listAssociationsOfEntity(POOL_ARN)).map((a) => a.resourceShareArn)).toEqual([SHARE_A, SHARE_B]);
        expect((await store.listAssociationsOfEntity(OTHER)).map((a) => a.resourceShareArn)).toEqual([SHARE_A]);
      });

      it('keeps one association per share and entity, and answers an invitation once', async () => {
        await store.commit([create({ type: 'resource-share-association', value: shareAssociation(SHARE_A, 'PRINCIPAL', OTHER) })]);
        await expect(
          store.commit([create({ type: 'resource-share-association', value: shareAssociation(SHARE_A, 'PRINCIPAL', OTHER) })]),
        ).rejects.toBeInstanceOf(StoreConflict);
        await store.commit([create({ type: 'resource-share-invitation', value: invitation('1', OTHER) })]);
        await store.commit([create({ type: 'resource-share-invitation', value: invitation('2', OWNER) })]);
        const received = await store.listResourceShareInvitations(OTHER);
        expect(received).toEqual([invitation('1', OTHER)]);
        const accepted = { ...received[0]!, status: 'ACCEPTED' as const };
        await store.commit([{ op: 'update', entity: { type: 'resource-share-invitation', value: accepted } }]);
        await expect(
          store.commit([{ op: 'update', entity: { type: 'resource-share-invitation', value: accepted } }]),
        ).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.getResourceShareInvitation(accepted.resourceShareInvitationArn)).toEqual({ ...accepted, version: 2 });
      });
    });

    describe('observations', () => {
      const RD = 'ipam-res-disco-1';
      const cidr = (ResourceOwnerId: string, ResourceId: string, region = 'us-east-1', IpUsage = 0.5) =>
        ({
          IpamResourceDiscoveryId: RD,
          ResourceRegion: region,
          ResourceOwnerId,
          ResourceId,
          ResourceCidr: '10.0.0.0/16',
          IpUsage,
        }) as DiscoveredResourceCidr;
      const address = (AddressOwnerId: string, Address: string) =>
        ({ IpamResourceDiscoveryId: RD, AddressRegion: 'us-east-1', AddressOwnerId, Address }) as DiscoveredPublicAddress;
      const account = (AccountId: string, DiscoveryRegion: string) =>
        ({
          resourceDiscoveryId: RD,
          AccountId,
          DiscoveryRegion,
          LastAttemptedDiscoveryTime: '2030-01-01T00:00:00.000Z',
        }) as DiscoveredAccount;
      const put = (entity: ObservationWrite['entity']): ObservationWrite => ({ op: 'put', entity });

      it('writes observations without conditions: the last put wins, deleting a missing one is no error', async () => {
        await store.writeObservations([put({ type: 'discovered-resource-cidr', value: cidr(OWNER, 'vpc-1', 'us-east-1', 0.5) })]);
        await store.writeObservations([
          put({ type: 'discovered-resource-cidr', value: cidr(OWNER, 'vpc-1', 'us-east-1', 0.9) }),
          { op: 'delete', entity: { type: 'discovered-resource-cidr', value: cidr(OWNER, 'vpc-gone') } },
        ]);
        expect(await store.listDiscoveredResourceCidrs(RD, 'us-east-1')).toEqual([cidr(OWNER, 'vpc-1', 'us-east-1', 0.9)]);
        await store.writeObservations([{ op: 'delete', entity: { type: 'discovered-resource-cidr', value: cidr(OWNER, 'vpc-1') } }]);
        expect(await store.listDiscoveredResourceCidrs(RD, 'us-east-1')).toEqual([]);
        await store.writeObservations([]);
      });

      it('lists what a discovery saw per Region, optionally per account, in account then resource order', async () => {
        await store.writeObservations([
          put({ type: 'discovered-resource-cidr', value: cidr(OTHER, 'vpc-9') }),
          put({ type: 'discovered-resource-cidr', value: cidr(OWNER, 'vpc-2') }),
          put({ type: 'discovered-resource-cidr', value: cidr(OWNER, 'vpc-1') }),
          put({ type: 'discovered-resource-cidr', value: cidr(OWNER, 'vpc-3', 'eu-west-1') }),
          put({ type: 'discovered-public-address', value: address(OWNER, '198.51.100.2') }),
          put({ type: 'discovered-public-address', value: address(OTHER, '198.51.100.1') }),
          put({ type: 'discovered-account', value: account(OWNER, 'us-east-1') }),
          put({ type: 'discovered-account', value: account(OTHER, 'us-east-1') }),
          put({ type: 'discovered-account', value: account(OWNER, 'eu-west-1') }),
        ]);
        expect((await store.listDiscoveredResourceCidrs(RD, 'us-east-1')).map((found) => found.ResourceId)).toEqual([
          'vpc-9',
          'vpc-1',
          'vpc-2',
        ]);
        expect((await store.listDiscoveredResourceCidrs(RD, 'us-east-1', OWNER)).map((found) => found.ResourceId)).toEqual([
          'vpc-1',
          'vpc-2',
        ]);
        expect((await store.listDiscoveredResourceCidrs(RD, 'eu-west-1')).map((found) => found.ResourceId)).toEqual(['vpc-3']);
        expect((await store.listDiscoveredPublicAddresses(RD, 'us-east-1')).map((found) => found.Address)).toEqual([
          '198.51.100.1',
          '198.51.100.2',
        ]);
        expect((await store.listDiscoveredPublicAddresses(RD, 'us-east-1', OWNER)).map((found) => found.Address)).toEqual(['198.51.100.2']);
        const accounts = (found: DiscoveredAccount[]) => found.map((one) => `${one.DiscoveryRegion}/${one.AccountId}`);
        expect(accounts(await store.listDiscoveredAccounts(RD))).toEqual([
          `eu-west-1/${OWNER}`,
          `us-east-1/${OTHER}`,
          `us-east-1/${OWNER}`,
        ]);
        expect(accounts(await store.listDiscoveredAccounts(RD, 'eu-west-1'))).toEqual([`eu-west-1/${OWNER}`]);
        expect(await store.listDiscoveredAccounts('ipam-res-disco-2')).toEqual([]);
      });

      it('refuses a batch that names one observation twice, as BatchWriteItem does', async () => {
        const twice = [
          put({ type: 'discovered-account', value: account(OWNER, 'us-east-1') }),
          put({ type: 'discovered-account', value: account(OWNER, 'us-east-1') }),
        ];
        await expect(store.writeObservations(twice)).rejects.toThrow();
        expect(await store.listDiscoveredAccounts(RD)).toEqual([]);
      });

      it('writes any number of observations (more than one batch)', async () => {
        const many = Array.from({ length: 60 }, (_, n) =>
          put({ type: 'discovered-resource-cidr', value: cidr(OWNER, `vpc-${String(n).padStart(2, '0')}`) }),
        );
        await store.writeObservations(many);
        expect(await store.listDiscoveredResourceCidrs(RD, 'us-east-1')).toHaveLength(60);
        await store.writeObservations(many.map((write) => ({ ...write, op: 'delete' })));
        expect(await store.listDiscoveredResourceCidrs(RD, 'us-east-1')).toEqual([]);
      });
    });

    describe('outbox', () => {
      it('lists undelivered entries oldest first across its partitions, from a time on, at most as many as asked', async () => {
        const entries = [
          outboxEntry('f', 1, at(1)),
          outboxEntry('0', 2, at(2)),
          outboxEntry('a', 3, at(3)),
          outboxEntry('0', 4, at(4)),
          outboxEntry('3', 5, at(5)),
        ];
        // Committed with whatever change they report: here, an IPAM.
        await store.commit([
          create({ type: 'ipam', value: ipam('ipam-1') }),
          ...entries.reverse().map((entry) => create({ type: 'outbox-entry', value: entry })),
        ]);
        const ids = (found: OutboxEntry[]) => found.map((entry) => entry.outboxId[0]);
        expect(ids(await store.listOutboxEntries(at(0), 10))).toEqual(['f', '0', 'a', '0', '3']);
        expect(ids(await store.listOutboxEntries(at(0), 2))).toEqual(['f', '0']);
        expect(await store.listOutboxEntries(at(3), 2)).toEqual([outboxEntry('a', 3, at(3)), outboxEntry('0', 4, at(4))]);
        expect(await store.listOutboxEntries(at(6), 10)).toEqual([]);
      });

      it('commits an entry only with its change: a failed commit leaves no entry', async () => {
        await store.commit([create({ type: 'ipam', value: ipam('ipam-1') })]);
        await expect(
          store.commit([
            create({ type: 'outbox-entry', value: outboxEntry('1', 1, at(1)) }),
            create({ type: 'ipam', value: ipam('ipam-1') }),
          ]),
        ).rejects.toBeInstanceOf(StoreConflict);
        expect(await store.listOutboxEntries(at(0), 10)).toEqual([]);
      });

      it('forgets delivered entries without conditions: one already gone, or named again, is no error', async () => {
        const kept = outboxEntry('2', 1, at(1));
        const many = Array.from({ length: 30 }, (_, n) => outboxEntry('0123456789abcdef'[n % 16], n + 2, at(2)));
        for (let i = 0; i < many.length; i += 10) {
          await store.commit(many.slice(i, i + 10).map((entry) => create({ type: 'outbox-entry', value: entry })));
        }
        await store.commit([create({ type: 'outbox-entry', value: kept })]);
        await store.deleteOutboxEntries(many);
        await store.deleteOutboxEntries(many.slice(0, 3));
        expect(await store.listOutboxEntries(at(0), 100)).toEqual([kept]);
      });
    });

    describe('recent events', () => {
      it('are put with the delete of their delivered entries, and listed per account and Region newest first, page by page', async () => {
        const entries = Array.from({ length: 30 }, (_, n) => outboxEntry('0123456789abcdef'[n % 16], n + 1, at(n + 1)));
        for (let i = 0; i < entries.length; i += 10) {
          await store.commit(entries.slice(i, i + 10).map((entry) => create({ type: 'outbox-entry', value: entry })));
        }
        const elsewhere = recentEvent(outboxEntry('1', 99, at(40)), { region: 'eu-west-1' });
        const otherAccount = recentEvent(outboxEntry('2', 98, at(41)), { accountId: OTHER });
        // 32 puts and 30 deletes: more than one batch.
        await store.deleteOutboxEntries(entries, [...entries.map((entry) => recentEvent(entry)), elsewhere, otherAccount]);
        expect(await store.listOutboxEntries(at(0), 100)).toEqual([]);

        const newestFirst = entries.map((entry) => recentEvent(entry)).reverse();
        const seen: RecentEvent[] = [];
        let after: string | undefined;
        do {
          const page = await store.listRecentEvents(OWNER, 'us-east-1', { limit: 7, after });
          expect(page.items.length).toBeLessThanOrEqual(7);
          seen.push(...page.items);
          after = page.next;
        } while (after);
        expect(seen).toEqual(newestFirst);
        expect((await store.listRecentEvents(OWNER, 'us-east-1', { limit: 30 })).items).toEqual(newestFirst);
        expect(await store.listRecentEvents(OWNER, 'eu-west-1', { limit: 10 })).toEqual({ items: [elsewhere] });
        expect(await store.listRecentEvents(OTHER, 'us-east-1', { limit: 10 })).toEqual({ items: [otherAccount] });
        expect(await store.listRecentEvents(OTHER, 'eu-west-1', { limit: 10 })).toEqual({ items: [] });
      });

      it('are the same record when an event is kept twice (a redelivery), and stay listed past their retention', async () => {
        const entry = outboxEntry('3', 1, at(1));
        const expired = recentEvent(entry, { retainedUntil: '2000-01-01T00:00:00.000Z' });
        await store.deleteOutboxEntries([entry], [expired]);
        await store.deleteOutboxEntries([entry], [expired]);
        expect(await store.listRecentEvents(OWNER, 'us-east-1', { limit: 10 })).toEqual({ items: [expired] });
      });
    });

    describe('expiry', () => {
      it('keeps returning records past their expiry: hiding them is the reader’s rule, as deletion by TTL is late or never', async () => {
        const forgotten = poolCidr('pool-old', 'ipam-pool-cidr-old', { State: 'deprovisioned', retainedUntil: '2000-01-01T00:00:00.000Z' });
        const oldToken: ClientTokenRecord = {
          accountId: OWNER,
          action: 'CreateIpam',
          clientToken: 'old',
          requestHash: 'h',
          startedAt: '2000-01-01T00:00:00.000Z',
          version: 1,
        };
        await store.commit([create({ type: 'pool-cidr', value: forgotten }), create({ type: 'client-token', value: oldToken })]);
        expect(await store.getPoolCidr('pool-old', 'ipam-pool-cidr-old')).toEqual(forgotten);
        expect(await store.listPoolCidrs('pool-old')).toEqual([forgotten]);
        expect(await store.getClientToken(OWNER, 'CreateIpam', 'old')).toEqual(oldToken);
        // Conditions see it too: an expired record still occupies its key until it is deleted.
        await expect(store.commit([create({ type: 'pool-cidr', value: forgotten })])).rejects.toBeInstanceOf(StoreConflict);
      });
    });
  });
}
