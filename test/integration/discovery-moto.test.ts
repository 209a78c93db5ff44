// The discovery sweep against moto's EC2 (issue 6): VPCs, subnets and Elastic IPs seeded in two
// accounts and two Regions, read through Ec2Inventory with IAM enforced (a member role that may
// be assumed, one that may not), then judged, imported, released and recorded — read back
// through the API actions a user would call. One moto server and one seeding for the file.
import { DeleteVpcCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ec2Inventory } from '../../lambdas/adapters/ec2-inventory/ec2-inventory.ts';
import type { SweepDependencies } from '../../lambdas/use-cases/kernel/context.ts';
import type { SweepReport } from '../../lambdas/use-cases/sweep/discovery-sweep.ts';
import { createSweepHarness, dyingStore, type SweepHarness } from '../support/discovery-sweep.ts';
import {
  allocateElasticIp,
  createNetworkInterface,
  createSubnet,
  createVpc,
  deleteDefaultVpc,
  ec2As,
  MOTO_DEFAULT_ACCOUNT,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from '../support/moto.ts';

/** The IPAM owner: the harness's account and moto's default one. */
const OWNER = MOTO_DEFAULT_ACCOUNT;
/** A member whose discovery role may be assumed. */
const MEMBER = '111122223333';
/** A member whose discovery role STS refuses. */
const LOCKED = '444455556666';
const HOME = 'us-east-1';
const OTHER = 'eu-west-1';
const ROLE_NAME = 'IpamDiscovery';
/** Lease of a crashed sweep (discovery-sweep.ts): the next sweep waits it out. */
const LEASE_MS = 15 * 60 * 1000;

type SeededType = 'vpc' | 'subnet' | 'eip';

/** One resource CIDR as seeded in moto, and so as discovery must report it. */
interface Seeded {
  name: string;
  type: SeededType;
  owner: string;
  region: string;
  resourceId: string;
  cidr: string;
  vpcId?: string;
}

/** Builds the world in one account and Region, remembering every resource CIDR it creates. */
class Seeder {
  readonly seeded: Seeded[] = [];
  private readonly ec2: EC2Client;
  private readonly owner: string;
  private readonly region: string;

  constructor(ec2: EC2Client, owner: string, region: string) {
    this.ec2 = ec2;
    this.owner = owner;
    this.region = region;
  }

  private remember(record: Omit<Seeded, 'owner' | 'region'>): Seeded {
    const seeded = { ...record, owner: this.owner, region: this.region };
    this.seeded.push(seeded);
    return seeded;
  }

  async vpc(name: string, cidr: string, subnetCidrs: string[] = []): Promise<{ vpc: Seeded; subnets: Seeded[] }> {
    const created = await createVpc(this.ec2, { cidr, tags: [{ Key: 'Name', Value: name }] });
    const vpcId = created.VpcId ?? '';
    const vpc = this.remember({ name, type: 'vpc', resourceId: vpcId, cidr, vpcId });
    const subnets: Seeded[] = [];
    for (const subnetCidr of subnetCidrs) {
      const subnet = await createSubnet(this.ec2, { vpcId, cidr: subnetCidr, availabilityZone: `${this.region}a` });
      subnets.push(
        this.remember({ name: `${name}/${subnetCidr}`, type: 'subnet', resourceId: subnet.SubnetId ?? '', cidr: subnetCidr, vpcId }),
      );
    }
    return { vpc, subnets };
  }

  /** An Elastic IP; with `subnet`, associated with a new network interface there. */
  async eip(name: string, subnet?: Seeded): Promise<Seeded> {
    const networkInterface = subnet && (await createNetworkInterface(this.ec2, { subnetId: subnet.resourceId }));
    const eip = await allocateElasticIp(this.ec2, {
      networkInterfaceId: networkInterface?.NetworkInterfaceId,
      tags: [{ Key: 'Name', Value: name }],
    });
    return this.remember({ name, type: 'eip', resourceId: eip.allocationId, cidr: `${eip.publicIp}/32` });
  }
}

async function seedIn(endpoint: string, owner: string, region: string, build: (seeder: Seeder) => Promise<void>): Promise<Seeded[]> {
  const ec2 = await ec2As(endpoint, owner, region);
  try {
    await deleteDefaultVpc(ec2);
    const seeder = new Seeder(ec2, owner, region);
    await build(seeder);
    return seeder.seeded;
  } finally {
    ec2.destroy();
  }
}

/**
 * The pool is 10.0.0.0/8, /16 to /24, locale us-east-1, with auto-import. Inside it: `doomed`
 * (deleted later), `shared` (two subnets), `tiny` (a /25, smaller than the pool allows) and the
 * member's `member-app` in us-east-1, `west` in eu-west-1. Outside it: `wide` and `narrow`
 * overlapping across accounts, `lonely` overlapping nothing, and Elastic IPs in every part.
 */
async function seedWorld(endpoint: string): Promise<Seeded[]> {
  const parts = await Promise.all([
    seedIn(endpoint, OWNER, HOME, async (seeder) => {
      await seeder.vpc('doomed', '10.1.0.0/16');
      const { subnets } = await seeder.vpc('shared', '10.2.0.0/16', ['10.2.0.0/24', '10.2.1.0/24']);
      await seeder.vpc('tiny', '10.3.0.0/25');
      await seeder.vpc('wide', '172.16.0.0/16');
      await seeder.eip('owner-attached', subnets[0]);
      await seeder.eip('owner-spare');
    }),
    seedIn(endpoint, OWNER, OTHER, async (seeder) => {
      await seeder.vpc('west', '10.4.0.0/16');
      await seeder.eip('owner-west');
    }),
    seedIn(endpoint, MEMBER, HOME, async (seeder) => {
      await seeder.vpc('member-app', '10.5.0.0/16', ['10.5.0.0/24']);
      await seeder.vpc('narrow', '172.16.4.0/24');
      await seeder.eip('member-spare');
    }),
    seedIn(endpoint, MEMBER, OTHER, async (seeder) => {
      await seeder.vpc('lonely', '192.168.0.0/16', ['192.168.1.0/24']);
      await seeder.eip('member-west');
    }),
    // Exists, but the role that would read it cannot be assumed: it must never show up.
    seedIn(endpoint, LOCKED, HOME, async (seeder) => {
      await seeder.vpc('locked', '10.9.0.0/16');
    }),
  ]);
  return parts.flat();
}

// ---- Reading back through the API ----

type ApiRecord = Record<string, any>;

const resourceLine = (record: {
  ResourceOwnerId?: string;
  ResourceType?: string;
  ResourceId?: string;
  ResourceCidr?: string;
  VpcId?: string;
}) => `${record.ResourceOwnerId} ${record.ResourceType} ${record.ResourceId} ${record.ResourceCidr} vpc:${record.VpcId ?? '-'}`;
const seededLine = (seeded: Seeded) =>
  resourceLine({
    ResourceOwnerId: seeded.owner,
    ResourceType: seeded.type,
    ResourceId: seeded.resourceId,
    ResourceCidr: seeded.cidr,
    VpcId: seeded.type === 'eip' ? undefined : seeded.vpcId,
  });
const statesLine = (record: ApiRecord) =>
  `${record.ManagementState ?? '-'}/${record.ComplianceStatus ?? '-'}/${record.OverlapStatus ?? '-'}`;

/** Counts of keys seen more than once. */
function duplicates(keys: string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return Object.fromEntries([...counts].filter(([, count]) => count > 1));
}

/** The IPAM of these tests: operating in both Regions, one auto-importing pool, one manual allocation. */
async function ipamWithPool(sh: SweepHarness) {
  const { Ipam } = await sh.harness.call('CreateIpam', { OperatingRegions: [{ RegionName: HOME }, { RegionName: OTHER }] });
  const { IpamPool } = await sh.harness.call('CreateIpamPool', {
    IpamScopeId: Ipam.PrivateDefaultScopeId,
    AddressFamily: 'ipv4',
    Locale: HOME,
    AutoImport: true,
    AllocationMinNetmaskLength: 16,
    AllocationMaxNetmaskLength: 24,
  });
  await sh.harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.0.0.0/8' });
  const { IpamPoolAllocation } = await sh.harness.call('AllocateIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.200.0.0/16' });
  return { ipam: Ipam as ApiRecord, poolId: IpamPool.IpamPoolId as string, manual: IpamPoolAllocation as ApiRecord };
}

async function resourceCidrs(sh: SweepHarness, scopeId: string): Promise<ApiRecord[]> {
  return (await sh.harness.call('GetIpamResourceCidrs', { IpamScopeId: scopeId })).IpamResourceCidrs;
}

async function allocations(sh: SweepHarness, poolId: string): Promise<ApiRecord[]> {
  return (await sh.harness.call('GetIpamPoolAllocations', { IpamPoolId: poolId })).IpamPoolAllocations;
}

const allocationLine = (allocation: ApiRecord) =>
  `${allocation.ResourceType} ${allocation.ResourceId ?? '-'} ${allocation.Cidr} ${allocation.ResourceOwner ?? '-'} ${allocation.ResourceRegion ?? '-'}`;

/** The history of one CIDR over all time, oldest first. */
async function history(sh: SweepHarness, scopeId: string, cidr: string): Promise<ApiRecord[]> {
  const { HistoryRecords } = await sh.harness.call('GetIpamAddressHistory', {
    IpamScopeId: scopeId,
    Cidr: cidr,
    StartTime: new Date(0),
    EndTime: new Date(Date.now() + 86_400_000),
  });
  return (HistoryRecords as ApiRecord[]).reverse();
}

describe.skipIf(motoMissing())('discovery sweeps against moto, IAM enforced', () => {
  let moto: MotoServer;
  let world: Seeded[];
  let inventory: Ec2Inventory;
  const harnesses: SweepHarness[] = [];

  const find = (name: string) => {
    const seeded = world.find((candidate) => candidate.name === name);
    if (!seeded) throw new Error(`nothing seeded as ${name}`);
    return seeded;
  };

  /** A sweep harness whose sweeps read moto through the discovery user and role. */
  async function motoSweepHarness(): Promise<{ sh: SweepHarness; deps: SweepDependencies }> {
    const sh = await createSweepHarness({ memberAccounts: [MEMBER, LOCKED] });
    harnesses.push(sh);
    return { sh, deps: { ...sh.deps, inventory } };
  }

  beforeAll(async () => {
    moto = await startMotoServer();
    world = await seedWorld(moto.endpoint);
    // LOCKED is left out: AssumeRole of its role is refused for real from now on.
    const credentials = await moto.enforceIam({ roleName: ROLE_NAME, memberAccounts: [MEMBER] });
    inventory = new Ec2Inventory({ roleName: ROLE_NAME, credentials, ec2Endpoint: moto.endpoint, stsEndpoint: moto.endpoint });
  });

  afterAll(async () => {
    await Promise.all(harnesses.map((sh) => sh.close()));
    await moto?.stop();
  });

  describe('one sweep over the seeded world, then another after a VPC is deleted', () => {
    let sh: SweepHarness;
    let deps: SweepDependencies;
    let ipam: ApiRecord;
    let poolId: string;
    let manual: ApiRecord;
    let firstReport: SweepReport;
    let firstSample: string;

    beforeAll(async () => {
      ({ sh, deps } = await motoSweepHarness());
      ({ ipam, poolId, manual } = await ipamWithPool(sh));
      firstReport = await sh.sweep(deps);
      firstSample = sh.clock.now.toISOString();
    });

    const discovered = async (region: string): Promise<ApiRecord[]> =>
      (
        await sh.harness.call('GetIpamDiscoveredResourceCidrs', {
          IpamResourceDiscoveryId: ipam.DefaultResourceDiscoveryId,
          ResourceRegion: region,
        })
      ).IpamDiscoveredResourceCidrs;
    const privateRecord = async (name: string) => {
      const { resourceId, cidr } = find(name);
      return (await resourceCidrs(sh, ipam.PrivateDefaultScopeId)).find(
        (record) => record.ResourceId === resourceId && record.ResourceCidr === cidr,
      );
    };

    it('reads both readable accounts in both Regions and fails the one whose role cannot be assumed', () => {
      expect(firstReport).toEqual({
        resourceDiscoveries: 1,
        accountsRead: 4,
        accountsFailed: 2,
        ipamsEvaluated: 1,
        imported: 5,
        released: 0,
      });
    });

    it('discovers exactly what was seeded in the readable accounts, per Region, sampled at the sweep', async () => {
      for (const region of [HOME, OTHER]) {
        const expected = world
          .filter((seeded) => seeded.region === region && seeded.owner !== LOCKED)
          .map(seededLine)
          .sort();
        const records = await discovered(region);
        expect(records.map(resourceLine).sort()).toEqual(expected);
        expect(new Set(records.map((record) => record.SampleTime))).toEqual(new Set([firstSample]));
      }
    });

    it('reports usage, names, sources and attachment as EC2 shows them', async () => {
      const records = await discovered(HOME);
      const byName = (name: string) => records.find((record) => record.ResourceId === find(name).resourceId);
      // Two /24 subnets in a /16.
      expect(byName('shared')).toMatchObject({
        ResourceType: 'vpc',
        IpSource: 'none',
        IpUsage: 2 / 256,
        ResourceTags: [{ Key: 'Name', Value: 'shared' }],
      });
      expect(byName('doomed')).toMatchObject({ IpUsage: 0 });
      // 256 addresses less the 5 AWS keeps less the interface holding the Elastic IP.
      expect(byName('shared/10.2.0.0/24')).toMatchObject({
        ResourceType: 'subnet',
        SubnetId: find('shared/10.2.0.0/24').resourceId,
        IpUsage: 1 / 256,
      });
      expect(byName('shared/10.2.0.0/24')?.AvailabilityZoneId).toMatch(/^use1-az\d$/);
      expect(byName('owner-attached')).toMatchObject({
        ResourceType: 'eip',
        IpSource: 'amazon',
        NetworkInterfaceAttachmentStatus: 'in-use',
      });
      expect(byName('owner-spare')).toMatchObject({
        ResourceType: 'eip',
        IpSource: 'amazon',
        NetworkInterfaceAttachmentStatus: 'available',
      });
    });

    it('lists both readable accounts as read in both Regions, and the locked one as an assume-role failure', async () => {
      for (const region of [HOME, OTHER]) {
        const { IpamDiscoveredAccounts } = await sh.harness.call('GetIpamDiscoveredAccounts', {
          IpamResourceDiscoveryId: ipam.DefaultResourceDiscoveryId,
          DiscoveryRegion: region,
        });
        const byAccount = (a: ApiRecord, b: ApiRecord) => a.AccountId.localeCompare(b.AccountId);
        expect((IpamDiscoveredAccounts as ApiRecord[]).sort(byAccount)).toEqual(
          [
            {
              AccountId: OWNER,
              DiscoveryRegion: region,
              LastAttemptedDiscoveryTime: firstSample,
              LastSuccessfulDiscoveryTime: firstSample,
            },
            {
              AccountId: MEMBER,
              DiscoveryRegion: region,
              LastAttemptedDiscoveryTime: firstSample,
              LastSuccessfulDiscoveryTime: firstSample,
            },
            {
              AccountId: LOCKED,
              DiscoveryRegion: region,
              LastAttemptedDiscoveryTime: firstSample,
              FailureReason: { Code: 'assume-role-failure', Message: expect.stringContaining(`arn:aws:iam::${LOCKED}:role/${ROLE_NAME}`) },
            },
          ].sort(byAccount),
        );
      }
    });

    it('imports the VPC CIDRs inside the pool, whatever the rules, from both accounts and Regions', async () => {
      const line = (name: string) => {
        const { resourceId, cidr, owner, region } = find(name);
        return `vpc ${resourceId} ${cidr} ${owner} ${region}`;
      };
      // A reservation (custom) answers no ResourceRegion, as in AWS's allocate-ipam-pool-cidr.rst.
      expect((await allocations(sh, poolId)).map(allocationLine).sort()).toEqual(
        [`custom - 10.200.0.0/16 ${OWNER} -`, line('doomed'), line('shared'), line('tiny'), line('member-app'), line('west')].sort(),
      );
      const imports = sh.harness.events
        .published()
        .filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change' && (event.detail as ApiRecord).cause === 'auto-import');
      expect(imports.map((event) => (event.detail as ApiRecord).resourceId).sort()).toEqual(
        ['doomed', 'shared', 'tiny', 'member-app', 'west'].map((name) => find(name).resourceId).sort(),
      );
    });

    it('judges imported CIDRs against the pool: netmask and locale breaches are managed but noncompliant', async () => {
      expect(await privateRecord('doomed')).toMatchObject({
        IpamPoolId: poolId,
        ManagementState: 'managed',
        ComplianceStatus: 'compliant',
        OverlapStatus: 'nonoverlapping',
      });
      expect(await privateRecord('shared')).toMatchObject({
        IpamPoolId: poolId,
        ResourceName: 'shared',
        IpUsage: 2 / 256,
        ManagementState: 'managed',
        ComplianceStatus: 'compliant',
      });
      expect(await privateRecord('member-app')).toMatchObject({
        IpamPoolId: poolId,
        ResourceOwnerId: MEMBER,
        ManagementState: 'managed',
        ComplianceStatus: 'compliant',
      });
      // A /25 where the pool allows /16 to /24 (§5.5: import ignores the rules; §5.4, DN-22: flagged).
      expect(await privateRecord('tiny')).toMatchObject({
        IpamPoolId: poolId,
        ManagementState: 'managed',
        ComplianceStatus: 'noncompliant',
      });
      // Outside the pool's locale (DN-23: imported regardless of Region, flagged).
      expect(await privateRecord('west')).toMatchObject({
        IpamPoolId: poolId,
        ResourceRegion: OTHER,
        ManagementState: 'managed',
        ComplianceStatus: 'noncompliant',
      });
    });

    it('finds overlaps within the scope across accounts, and none for a lone CIDR', async () => {
      for (const name of ['wide', 'narrow']) expect(statesLine((await privateRecord(name))!)).toBe('unmanaged/unmanaged/overlapping');
      expect(statesLine((await privateRecord('lonely'))!)).toBe('unmanaged/unmanaged/nonoverlapping');
    });

    it('keeps Elastic IPs in the public scope and subnets without states in the private scope', async () => {
      const publicRecords = await resourceCidrs(sh, ipam.PublicDefaultScopeId);
      const eips = world.filter((seeded) => seeded.type === 'eip' && seeded.owner !== LOCKED);
      expect(publicRecords.map((record) => `${resourceLine(record)} ${record.ResourceRegion} ${statesLine(record)}`).sort()).toEqual(
        eips.map((seeded) => `${seededLine(seeded)} ${seeded.region} unmanaged/unmanaged/nonoverlapping`).sort(),
      );
      const privateRecords = await resourceCidrs(sh, ipam.PrivateDefaultScopeId);
      const subnets = world.filter((seeded) => seeded.type === 'subnet');
      expect(
        privateRecords
          .filter((record) => record.ResourceType === 'subnet')
          .map((record) => `${resourceLine(record)} ${statesLine(record)}`)
          .sort(),
      ).toEqual(subnets.map((seeded) => `${seededLine(seeded)} -/-/-`).sort());
      expect(
        privateRecords
          .filter((record) => record.ResourceType === 'vpc')
          .map(resourceLine)
          .sort(),
      ).toEqual(
        world
          .filter((seeded) => seeded.type === 'vpc' && seeded.owner !== LOCKED)
          .map(seededLine)
          .sort(),
      );
    });

    it('opens one history record for the imported VPC CIDR', async () => {
      const { resourceId, cidr } = find('doomed');
      expect(await history(sh, ipam.PrivateDefaultScopeId, cidr)).toEqual([
        {
          ResourceOwnerId: OWNER,
          ResourceRegion: HOME,
          ResourceType: 'vpc',
          ResourceId: resourceId,
          ResourceName: 'doomed',
          ResourceCidr: cidr,
          ResourceComplianceStatus: 'compliant',
          ResourceOverlapStatus: 'nonoverlapping',
          VpcId: resourceId,
          SampledStartTime: new Date(firstSample),
          SampledEndTime: undefined,
        },
      ]);
    });

    describe('after the imported VPC is deleted', () => {
      let secondReport: SweepReport;
      let secondSample: string;
      let eventsBefore: number;

      beforeAll(async () => {
        const doomed = find('doomed');
        // The discovery user may only describe: the account's own admin deletes the VPC.
        await moto.withIamPaused(async () => {
          const ec2 = await ec2As(moto.endpoint, OWNER, HOME);
          try {
            await ec2.send(new DeleteVpcCommand({ VpcId: doomed.resourceId }));
          } finally {
            ec2.destroy();
          }
        });
        eventsBefore = sh.harness.events.published().length;
        secondReport = await sh.sweep(deps);
        secondSample = sh.clock.now.toISOString();
      });

      it('releases its allocation and announces the auto-release, but keeps the manual allocation', async () => {
        expect(secondReport).toMatchObject({ accountsRead: 4, accountsFailed: 2, imported: 0, released: 1 });
        const remaining = (await allocations(sh, poolId)).map((allocation) => allocation.ResourceId ?? allocation.IpamPoolAllocationId);
        expect(remaining).not.toContain(find('doomed').resourceId);
        expect(remaining).toContain(manual.IpamPoolAllocationId);
        expect(remaining).toHaveLength(5);
        const changes = sh.harness.events
          .published()
          .slice(eventsBefore)
          .filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change')
          .map((event) => event.detail as ApiRecord);
        expect(changes).toEqual([
          expect.objectContaining({
            change: 'released',
            cause: 'auto-release',
            resourceType: 'vpc',
            resourceId: find('doomed').resourceId,
            cidr: '10.1.0.0/16',
            ipamPoolId: poolId,
          }),
        ]);
      });

      it('closes its history record and drops its resource CIDR', async () => {
        const { resourceId, cidr } = find('doomed');
        expect(
          (await history(sh, ipam.PrivateDefaultScopeId, cidr)).map((record) => [
            record.ResourceId,
            record.SampledStartTime,
            record.SampledEndTime,
          ]),
        ).toEqual([[resourceId, new Date(firstSample), new Date(secondSample)]]);
        expect(await privateRecord('doomed')).toBeUndefined();
        expect((await discovered(HOME)).map((record) => record.ResourceId)).not.toContain(resourceId);
        // Everything else is still there, still managed.
        expect(await privateRecord('shared')).toMatchObject({ ManagementState: 'managed', ComplianceStatus: 'compliant' });
      });

      it('keeps the locked account failed and its attempt time moving', async () => {
        const { IpamDiscoveredAccounts } = await sh.harness.call('GetIpamDiscoveredAccounts', {
          IpamResourceDiscoveryId: ipam.DefaultResourceDiscoveryId,
          DiscoveryRegion: HOME,
        });
        expect(IpamDiscoveredAccounts.find((account: ApiRecord) => account.AccountId === LOCKED)).toEqual({
          AccountId: LOCKED,
          DiscoveryRegion: HOME,
          LastAttemptedDiscoveryTime: secondSample,
          FailureReason: expect.objectContaining({ Code: 'assume-role-failure' }),
        });
      });

      describe('a sweep that crashes halfway, on a fresh IPAM over the same accounts', () => {
        /** What a sweep writes that must never be doubled: resource allocations, resource CIDRs of both scopes, their history. */
        async function written(harness: SweepHarness, scopes: ApiRecord, pool: string) {
          const records = [
            ...(await resourceCidrs(harness, scopes.PrivateDefaultScopeId)),
            ...(await resourceCidrs(harness, scopes.PublicDefaultScopeId)),
          ];
          const searches = [...new Set(records.map((record) => `${record.IpamScopeId} ${record.ResourceCidr}`))].map((search) =>
            search.split(' '),
          );
          const history = (
            await Promise.all(searches.map(([scopeId, cidr]) => harness.harness.store.listAddressHistory(scopeId, cidr)))
          ).flat();
          return {
            allocations: (await allocations(harness, pool)).filter((allocation) => allocation.ResourceType === 'vpc'),
            resourceCidrs: records,
            history,
          };
        }

        /** Comparable across IPAMs: allocations and verdicts without their ids. */
        async function outcome(harness: SweepHarness, scopes: ApiRecord, pool: string) {
          const { allocations: resourceAllocations, resourceCidrs: records } = await written(harness, scopes, pool);
          return {
            allocations: resourceAllocations.map(allocationLine).sort(),
            resourceCidrs: records.map((record) => `${resourceLine(record)} ${record.ResourceRegion} ${statesLine(record)}`).sort(),
          };
        }

        it('is finished by the next sweep without duplicate allocations, resource CIDRs or history records', async () => {
          const { sh: crashed, deps: crashedDeps } = await motoSweepHarness();
          const { ipam: crashedIpam, poolId: crashedPoolId } = await ipamWithPool(crashed);
          // The lease, two of the four imports, then the process dies.
          const dying = { ...crashedDeps, store: dyingStore(crashed.harness.store, 3) };
          await expect(crashed.sweep(dying)).rejects.toThrow('simulated crash');
          const halfway = await written(crashed, crashedIpam, crashedPoolId);
          expect(halfway.allocations).toHaveLength(2);
          expect(halfway.resourceCidrs).toEqual([]);

          // The dead sweep's lease runs out; the next one dies again, among the resource-CIDR writes.
          crashed.clock.now = new Date(crashed.clock.now.getTime() + LEASE_MS);
          await expect(crashed.sweep({ ...crashedDeps, store: dyingStore(crashed.harness.store, 6) })).rejects.toThrow('simulated crash');
          const later = await written(crashed, crashedIpam, crashedPoolId);
          expect(later.allocations).toHaveLength(4);
          expect(later.resourceCidrs).toHaveLength(3);

          crashed.clock.now = new Date(crashed.clock.now.getTime() + LEASE_MS);
          expect(await crashed.sweep(crashedDeps)).toMatchObject({ ipamsEvaluated: 1, released: 0 });
          const final = await written(crashed, crashedIpam, crashedPoolId);
          expect(
            duplicates(final.allocations.map((allocation) => `${allocation.ResourceRegion} ${allocation.ResourceId} ${allocation.Cidr}`)),
          ).toEqual({});
          expect(
            duplicates(
              final.resourceCidrs.map(
                (record) => `${record.IpamScopeId} ${record.ResourceRegion} ${record.ResourceId} ${record.ResourceCidr}`,
              ),
            ),
          ).toEqual({});
          expect(
            duplicates(
              final.history.map(
                (record) =>
                  `${record.ipamScopeId} ${record.ResourceRegion} ${record.ResourceId} ${record.ResourceCidr} ${record.SampledStartTime}`,
              ),
            ),
          ).toEqual({});
          // One open record per resource CIDR: nothing closed and reopened by the repeat.
          expect(final.history.filter((record) => record.SampledEndTime === undefined)).toHaveLength(final.resourceCidrs.length);
          expect(final.history).toHaveLength(final.resourceCidrs.length);

          // The same outcome as the uninterrupted sweeps above, and no import announced twice.
          expect(await outcome(crashed, crashedIpam, crashedPoolId)).toEqual(await outcome(sh, ipam, poolId));
          const imports = crashed.harness.events
            .published()
            .filter(
              (event) => event['detail-type'] === 'IPAM Pool Allocation Change' && (event.detail as ApiRecord).cause === 'auto-import',
            )
            .map((event) => (event.detail as ApiRecord).resourceId as string);
          expect(duplicates(imports)).toEqual({});
        });
      });
    });
  });
});
