// Resource discoveries and their associations (spec §10, §11): the default pair that comes and
// goes with an IPAM, creating, modifying (OU exclusions, DN-42), deleting, associating (DN-40,
// the limit of 5), isolation between accounts, filters and pagination, and the readers of what
// discovery saw (§10.7, §18).
import { describe, expect, it } from 'vitest';
import type {
  DiscoveredAccount,
  DiscoveredPublicAddress,
  DiscoveredResourceCidr,
  IpamResourceDiscovery,
} from '../../lambdas/domain/model/discovery.ts';
import type { Write } from '../../lambdas/ports/store.ts';
import { resourceCidrWrites } from '../../lambdas/use-cases/sweep/resource-cidr-records.ts';
import { newResourceDiscovery } from '../../lambdas/use-cases/resource-discovery-records.ts';
import { createUseCaseHarness, restart, send, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const OTHER_ACCOUNT = '111122223333';
const RD_ID = /^ipam-res-disco-0[0-9a-f]{16}$/;
const ASSOCIATION_ID = /^ipam-res-disco-assoc-0[0-9a-f]{16}$/;
const regions = (...names: string[]) => names.map((RegionName) => ({ RegionName }));
const regionNames = (record: { OperatingRegions: { RegionName: string }[] }) => record.OperatingRegions.map((r) => r.RegionName).sort();
const exclusions = (...paths: string[]) => paths.map((OrganizationsEntityPath) => ({ OrganizationsEntityPath }));

async function describeDiscoveries(harness: UseCaseHarness, input: Record<string, unknown> = {}, region?: string) {
  return (await harness.call('DescribeIpamResourceDiscoveries', input, region ? { region } : {}))
    .IpamResourceDiscoveries as IpamResourceDiscovery[];
}

async function describeAssociations(harness: UseCaseHarness, input: Record<string, unknown> = {}) {
  return (await harness.call('DescribeIpamResourceDiscoveryAssociations', input)).IpamResourceDiscoveryAssociations as any[];
}

async function ipamOf(harness: UseCaseHarness, ipamId: string) {
  return (await harness.call('DescribeIpams', { IpamIds: [ipamId] })).Ipams[0];
}

async function createDiscovery(harness: UseCaseHarness, input: Record<string, unknown> = {}, region?: string) {
  return (await harness.call('CreateIpamResourceDiscovery', input, region ? { region } : {})).IpamResourceDiscovery;
}

describe('the default resource discovery', () => {
  it('is created and associated with the IPAM, follows its operating Regions, and goes with it', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: regions('us-west-2') });
    expect(Ipam.DefaultResourceDiscoveryId).toMatch(RD_ID);
    expect(Ipam.DefaultResourceDiscoveryAssociationId).toMatch(ASSOCIATION_ID);
    expect(Ipam.ResourceDiscoveryAssociationCount).toBe(1);

    const [discovery] = await describeDiscoveries(harness);
    expect(discovery).toEqual({
      OwnerId: '123456789012',
      IpamResourceDiscoveryId: Ipam.DefaultResourceDiscoveryId,
      IpamResourceDiscoveryArn: `arn:aws:ec2::123456789012:ipam-resource-discovery/${Ipam.DefaultResourceDiscoveryId}`,
      IpamResourceDiscoveryRegion: 'us-east-1',
      OperatingRegions: expect.arrayContaining(regions('us-east-1', 'us-west-2')),
      IsDefault: true,
      State: 'create-complete',
      Tags: [],
      OrganizationalUnitExclusions: [],
    });
    expect(await describeAssociations(harness)).toEqual([
      {
        OwnerId: '123456789012',
        IpamResourceDiscoveryAssociationId: Ipam.DefaultResourceDiscoveryAssociationId,
        IpamResourceDiscoveryAssociationArn: `arn:aws:ec2::123456789012:ipam-resource-discovery-association/${Ipam.DefaultResourceDiscoveryAssociationId}`,
        IpamResourceDiscoveryId: Ipam.DefaultResourceDiscoveryId,
        IpamId: Ipam.IpamId,
        IpamArn: Ipam.IpamArn,
        IpamRegion: 'us-east-1',
        IsDefault: true,
        ResourceDiscoveryStatus: 'active',
        State: 'associate-complete',
        Tags: [],
      },
    ]);

    await harness.call('ModifyIpam', {
      IpamId: Ipam.IpamId,
      AddOperatingRegions: regions('eu-west-1'),
      RemoveOperatingRegions: regions('us-west-2'),
    });
    expect(regionNames((await describeDiscoveries(harness))[0]!)).toEqual(['eu-west-1', 'us-east-1']);
    // Its Regions are the IPAM's: they change with ModifyIpam only.
    await expectRefusal(
      harness.call('ModifyIpamResourceDiscovery', {
        IpamResourceDiscoveryId: Ipam.DefaultResourceDiscoveryId,
        AddOperatingRegions: regions('ca-central-1'),
      }),
      'InvalidParameterValue',
      'ModifyIpam',
    );
    await expectRefusal(
      harness.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: Ipam.DefaultResourceDiscoveryId }),
      'InvalidParameterValue',
      'default',
    );
    await expectRefusal(
      harness.call('DisassociateIpamResourceDiscovery', { IpamResourceDiscoveryAssociationId: Ipam.DefaultResourceDiscoveryAssociationId }),
      'InvalidParameterValue',
      'default',
    );

    await harness.call('DeleteIpam', { IpamId: Ipam.IpamId });
    expect(await describeDiscoveries(harness)).toEqual([]);
    expect(await describeAssociations(harness)).toEqual([]);
    expect(await harness.store.getResourceDiscovery(Ipam.DefaultResourceDiscoveryId)).toBeUndefined();
  });

  it('takes along, when its IPAM is deleted, what discovery recorded for the IPAM, and frees the discoveries it was associated with', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const rdId = Ipam.DefaultResourceDiscoveryId as string;
    const now = new Date().toISOString();
    await harness.store.writeObservations([
      {
        op: 'put',
        entity: {
          type: 'discovered-resource-cidr',
          value: discoveredCidr(rdId, 'us-east-1', { ResourceId: 'vpc-1', ResourceCidr: '10.0.0.0/16' }),
        },
      },
      { op: 'put', entity: { type: 'discovered-account', value: discoveredAccount(rdId, 'us-east-1', '123456789012') } },
      // A Region it no longer operates in, known from the account it discovered there.
      { op: 'put', entity: { type: 'discovered-account', value: discoveredAccount(rdId, 'eu-west-1', '123456789012') } },
      { op: 'put', entity: { type: 'discovered-public-address', value: publicAddress(rdId, 'eu-west-1', '3.3.3.3', now) } },
    ]);
    const verdict = {
      IpamId: Ipam.IpamId,
      IpamScopeId: Ipam.PrivateDefaultScopeId,
      ResourceRegion: 'us-east-1',
      ResourceOwnerId: '123456789012',
      ResourceId: 'vpc-1',
      ResourceCidr: '10.0.0.0/16',
      ResourceType: 'vpc' as const,
      ResourceTags: [],
      ComplianceStatus: 'unmanaged' as const,
      ManagementState: 'unmanaged' as const,
      OverlapStatus: 'nonoverlapping' as const,
    };
    await harness.store.commit(resourceCidrWrites(undefined, verdict, now));
    await harness.store.commit([
      {
        op: 'create',
        entity: {
          type: 'resource-cidr-override',
          value: {
            ipamId: Ipam.IpamId,
            resourceRegion: 'us-east-1',
            resourceId: 'vpc-1',
            resourceCidr: '10.0.0.0/16',
            ignored: true,
            version: 1,
          },
        },
      },
    ]);
    expect(await harness.store.listAddressHistory(Ipam.PrivateDefaultScopeId, '10.0.0.0/16')).toHaveLength(1);
    const other = await createDiscovery(harness);
    await harness.call('AssociateIpamResourceDiscovery', { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: other.IpamResourceDiscoveryId });
    await expectRefusal(
      harness.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: other.IpamResourceDiscoveryId }),
      'DependencyViolation',
    );

    await harness.call('DeleteIpam', { IpamId: Ipam.IpamId });
    expect(await harness.store.listDiscoveredResourceCidrs(rdId, 'us-east-1')).toEqual([]);
    expect(await harness.store.listDiscoveredAccounts(rdId)).toEqual([]);
    expect(await harness.store.listDiscoveredPublicAddresses(rdId, 'eu-west-1')).toEqual([]);
    expect(await harness.store.listResourceCidrs(Ipam.PrivateDefaultScopeId)).toEqual([]);
    expect(await harness.store.listAddressHistory(Ipam.PrivateDefaultScopeId, '10.0.0.0/16')).toEqual([]);
    expect(await harness.store.listResourceCidrOverrides(Ipam.IpamId)).toEqual([]);
    // The other discovery is free again: no association left to block its deletion.
    expect(await describeAssociations(harness)).toEqual([]);
    const { IpamResourceDiscovery } = await harness.call('DeleteIpamResourceDiscovery', {
      IpamResourceDiscoveryId: other.IpamResourceDiscoveryId,
    });
    expect(IpamResourceDiscovery.State).toBe('delete-in-progress'); // delete-ipam-resource-discovery.rst
    // call() waits for the workflow, as a poller would: the record is gone.
    expect(await describeDiscoveries(harness)).toEqual([]);
  });
});

describe('creating resource discoveries', () => {
  it('adds the current Region once, tags the discovery, and allows one per account and Region besides the IPAM default', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const created = await createDiscovery(harness, {
      Description: 'secondary org',
      OperatingRegions: regions('us-west-2', 'us-east-1', 'us-west-2'),
      TagSpecifications: [{ ResourceType: 'ipam-resource-discovery', Tags: [{ Key: 'Name', Value: 'rd' }] }],
    });
    expect(created).toMatchObject({
      OwnerId: '123456789012',
      IpamResourceDiscoveryRegion: 'us-east-1',
      Description: 'secondary org',
      IsDefault: false,
      State: 'create-in-progress', // create-ipam-resource-discovery.rst
      Tags: [{ Key: 'Name', Value: 'rd' }],
      OrganizationalUnitExclusions: [],
    });
    // call() waits for the workflow, as a poller would (IpamResourceDiscovery.State in the EC2
    // model: "create-complete - Resource discovery creation is complete").
    expect((await describeDiscoveries(harness, { IpamResourceDiscoveryIds: [created.IpamResourceDiscoveryId] }))[0]!.State).toBe(
      'create-complete',
    );
    expect(created.IpamResourceDiscoveryId).toMatch(RD_ID);
    expect(created.IpamResourceDiscoveryId).not.toBe(Ipam.DefaultResourceDiscoveryId);
    expect(regionNames(created)).toEqual(['us-east-1', 'us-west-2']);
    expect(Object.keys(created).filter((name) => /^[a-z]/.test(name))).toEqual([]);

    await expectRefusal(createDiscovery(harness), 'ResourceLimitExceeded', 'resource discoveries');
    // Another Region, or another account, is another slot; deleting frees the slot.
    expect((await createDiscovery(harness, {}, 'us-west-2')).IpamResourceDiscoveryRegion).toBe('us-west-2');
    await harness.call('CreateIpamResourceDiscovery', {}, { accountId: OTHER_ACCOUNT });
    await harness.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: created.IpamResourceDiscoveryId });
    expect((await createDiscovery(harness)).IpamResourceDiscoveryId).not.toBe(created.IpamResourceDiscoveryId);

    await expectRefusal(
      createDiscovery(harness, { OperatingRegions: regions('mars-north-1') }, 'eu-west-1'),
      'InvalidParameterValue',
      'mars-north-1',
    );
    const tooMany = Array.from({ length: 51 }, () => ({ RegionName: 'us-east-2' }));
    await expectRefusal(createDiscovery(harness, { OperatingRegions: tooMany }, 'eu-west-1'), 'InvalidParameterValue', '50');
    await expectRefusal(
      createDiscovery(harness, { TagSpecifications: [{ ResourceType: 'ipam', Tags: [{ Key: 'a', Value: 'b' }] }] }, 'eu-west-1'),
      'InvalidParameterValue',
      'ipam-resource-discovery',
    );
    expect(await describeDiscoveries(harness, {}, 'eu-west-1')).toEqual([]);
  });

  it('returns the first result again for a repeated ClientToken', async () => {
    const harness = await createUseCaseHarness();
    const first = (await harness.call('CreateIpamResourceDiscovery', { ClientToken: 'token-1', Description: 'once' }))
      .IpamResourceDiscovery;
    const again = (await harness.call('CreateIpamResourceDiscovery', { ClientToken: 'token-1', Description: 'once' }))
      .IpamResourceDiscovery;
    expect(again.IpamResourceDiscoveryId).toBe(first.IpamResourceDiscoveryId);
    await expectRefusal(
      harness.call('CreateIpamResourceDiscovery', { ClientToken: 'token-1', Description: 'other' }),
      'IdempotentParameterMismatch',
    );
  });
});

describe('modifying resource discoveries', () => {
  it('changes the description and operating Regions, never its own Region', async () => {
    const harness = await createUseCaseHarness();
    const created = await createDiscovery(harness, { OperatingRegions: regions('us-west-2') });
    const id = created.IpamResourceDiscoveryId;
    const { IpamResourceDiscovery } = await harness.call('ModifyIpamResourceDiscovery', {
      IpamResourceDiscoveryId: id,
      Description: 'changed',
      AddOperatingRegions: regions('eu-west-1'),
      RemoveOperatingRegions: regions('us-west-2'),
    });
    expect(IpamResourceDiscovery).toMatchObject({ Description: 'changed', State: 'modify-in-progress' }); // modify-ipam-resource-discovery.rst
    // The EC2 model: "modify-complete - Resource discovery modification is complete".
    expect((await describeDiscoveries(harness, { IpamResourceDiscoveryIds: [id] }))[0]!.State).toBe('modify-complete');
    expect(regionNames(IpamResourceDiscovery)).toEqual(['eu-west-1', 'us-east-1']);
    await expectRefusal(
      harness.call('ModifyIpamResourceDiscovery', { IpamResourceDiscoveryId: id, RemoveOperatingRegions: regions('us-east-1') }),
      'InvalidParameterValue',
      'us-east-1',
    );
    expect(regionNames((await describeDiscoveries(harness))[0]!)).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('adds and removes OU exclusions, refusing the whole change when the result would be invalid (DN-42)', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const id = Ipam.DefaultResourceDiscoveryId;
    const childOu = 'o-a1b2c3d4e5/r-f6g7h8i9j0example/ou-ghi0-awsccecc/ou-jkl0-awsddddd/';
    const subtree = 'o-a1b2c3d4e5/r-f6g7h8i9j0example/ou-ghi0-awsccecc/*';
    const modify = (input: Record<string, unknown>) =>
      harness.call('ModifyIpamResourceDiscovery', { IpamResourceDiscoveryId: id, ...input });
    const current = async () => (await describeDiscoveries(harness, { IpamResourceDiscoveryIds: [id] }))[0]!.OrganizationalUnitExclusions;

    // OU exclusions are edited on the default resource discovery (UG L1783).
    const added = await modify({ AddOrganizationalUnitExclusions: exclusions(childOu, 'o-1/r-1/ou-1/') });
    expect(added.IpamResourceDiscovery.OrganizationalUnitExclusions).toEqual(exclusions(childOu, 'o-1/r-1/ou-1/'));
    // Nested but not overlapping (UG L1866–1881).
    await modify({ AddOrganizationalUnitExclusions: exclusions('o-1/r-1/ou-1/ou-2/') });

    const refused: [Record<string, unknown>, string][] = [
      [{ AddOrganizationalUnitExclusions: exclusions('o-1/r-1/ou-3/', 'o-1/r-1/ou-3/') }, 'more than once'],
      [{ RemoveOrganizationalUnitExclusions: exclusions('o-1/r-1/ou-9/') }, 'o-1/r-1/ou-9/'],
      [{ AddOrganizationalUnitExclusions: exclusions(subtree) }, 'overlap'],
      [{ AddOrganizationalUnitExclusions: exclusions('o-1/r-1/ou-1/*') }, 'overlap'],
      [{ AddOrganizationalUnitExclusions: exclusions('ou-1/') }, 'ou-1/'],
      // A valid part does not go through when another part is refused.
      [{ Description: 'not applied', AddOrganizationalUnitExclusions: exclusions('o-1/r-1/ou-4/', 'o-1/r-1/ou-4/') }, 'more than once'],
      [
        { AddOrganizationalUnitExclusions: Array.from({ length: 8 }, (_, i) => ({ OrganizationsEntityPath: `o-2/r-2/ou-${i}/` })) },
        'at most 10',
      ],
    ];
    for (const [input, mention] of refused) await expectRefusal(modify(input), 'InvalidParameterValue', mention);
    expect(await current()).toEqual(exclusions(childOu, 'o-1/r-1/ou-1/', 'o-1/r-1/ou-1/ou-2/'));
    expect((await describeDiscoveries(harness, { IpamResourceDiscoveryIds: [id] }))[0]!.Description).toBeUndefined();

    // Replacing the child OU by its whole subtree in one request is fine.
    await modify({ AddOrganizationalUnitExclusions: exclusions(subtree), RemoveOrganizationalUnitExclusions: exclusions(childOu) });
    expect(await current()).toEqual(exclusions('o-1/r-1/ou-1/', 'o-1/r-1/ou-1/ou-2/', subtree));
  });
});

describe('associating resource discoveries', () => {
  it('associates a discovery of the IPAM home Region, counts it, and disassociates it', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const rd = await createDiscovery(harness);
    const { IpamResourceDiscoveryAssociation: association } = await harness.call('AssociateIpamResourceDiscovery', {
      IpamId: Ipam.IpamId,
      IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId,
      TagSpecifications: [{ ResourceType: 'ipam-resource-discovery-association', Tags: [{ Key: 'team', Value: 'net' }] }],
    });
    expect(association).toMatchObject({
      IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId,
      IpamId: Ipam.IpamId,
      IpamArn: Ipam.IpamArn,
      IpamRegion: 'us-east-1',
      IsDefault: false,
      ResourceDiscoveryStatus: 'active',
      State: 'associate-in-progress', // associate-ipam-resource-discovery.rst
      Tags: [{ Key: 'team', Value: 'net' }],
    });
    expect(association.IpamResourceDiscoveryAssociationId).toMatch(ASSOCIATION_ID);
    // The EC2 model: "associate-complete - Resource discovery association is complete".
    const settled = await describeAssociations(harness, {
      IpamResourceDiscoveryAssociationIds: [association.IpamResourceDiscoveryAssociationId],
    });
    expect(settled[0].State).toBe('associate-complete');
    expect((await ipamOf(harness, Ipam.IpamId)).ResourceDiscoveryAssociationCount).toBe(2);
    expect(await describeAssociations(harness)).toHaveLength(2);

    await expectRefusal(
      harness.call('AssociateIpamResourceDiscovery', { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId }),
      'InvalidParameterValue',
      'already associated',
    );
    await expectRefusal(
      harness.call('AssociateIpamResourceDiscovery', { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: Ipam.DefaultResourceDiscoveryId }),
      'InvalidParameterValue',
      'already associated',
    );
    // The discovery's Region must be the IPAM's home Region (DN-40).
    const west = await createDiscovery(harness, {}, 'us-west-2');
    await expectRefusal(
      harness.call('AssociateIpamResourceDiscovery', { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: west.IpamResourceDiscoveryId }),
      'InvalidParameterValue',
      'us-west-2',
    );
    await expectRefusal(
      harness.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId }),
      'DependencyViolation',
      '1 IPAM',
    );
    // The free tier has only the default association (DN-10).
    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' }),
      'IncorrectState',
      association.IpamResourceDiscoveryAssociationId,
    );

    const { IpamResourceDiscoveryAssociation: gone } = await harness.call('DisassociateIpamResourceDiscovery', {
      IpamResourceDiscoveryAssociationId: association.IpamResourceDiscoveryAssociationId,
    });
    expect(gone).toMatchObject({
      IpamResourceDiscoveryAssociationId: association.IpamResourceDiscoveryAssociationId,
      State: 'disassociate-in-progress', // disassociate-ipam-resource-discovery.rst
    });
    // The same example answers without "Tags", as EC2 answers every change (the association has one here).
    expect(gone).not.toHaveProperty('Tags');
    // Settled (call() waits for the workflow): the association is gone and no longer counted.
    expect((await ipamOf(harness, Ipam.IpamId)).ResourceDiscoveryAssociationCount).toBe(1);
    expect(await describeAssociations(harness)).toHaveLength(1);
    await expectRefusal(
      harness.call('DisassociateIpamResourceDiscovery', {
        IpamResourceDiscoveryAssociationId: association.IpamResourceDiscoveryAssociationId,
      }),
      'InvalidIpamResourceDiscoveryAssociationId.NotFound',
    );
    await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' });
    await expectRefusal(
      harness.call('AssociateIpamResourceDiscovery', { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId }),
      'InvalidParameterValue',
      'free tier',
    );
    await harness.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId });
  });

  it('keeps the association tags it is given, filters on them, and takes the tag type of AWS CLI example', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const rd = await createDiscovery(harness);
    const tagged = (ResourceType: string) =>
      harness.call('AssociateIpamResourceDiscovery', {
        IpamId: Ipam.IpamId,
        IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId,
        TagSpecifications: [{ ResourceType, Tags: [{ Key: 'cost-center', Value: 'cc123' }] }],
      });
    // EC2's model: AssociateIpamResourceDiscovery's TagSpecifications, the association's Tags.
    const { IpamResourceDiscoveryAssociation: association } = await tagged('ipam-resource-discovery-association');
    expect(association.Tags).toEqual([{ Key: 'cost-center', Value: 'cc123' }]);
    const id = association.IpamResourceDiscoveryAssociationId;
    const ids = (records: any[]) => records.map((record) => record.IpamResourceDiscoveryAssociationId);
    expect(ids(await describeAssociations(harness, { Filters: [{ Name: 'tag:cost-center', Values: ['cc*'] }] }))).toEqual([id]);
    await harness.call('CreateTags', { Resources: [id], Tags: [{ Key: 'team', Value: 'net' }] });
    await harness.call('DeleteTags', { Resources: [id], Tags: [{ Key: 'cost-center' }] });
    expect(await describeAssociations(harness, { Filters: [{ Name: 'tag-key', Values: ['cost-center'] }] })).toEqual([]);
    expect((await describeAssociations(harness, { IpamResourceDiscoveryAssociationIds: [id] }))[0].Tags).toEqual([
      { Key: 'team', Value: 'net' },
    ]);
    await harness.call('DisassociateIpamResourceDiscovery', { IpamResourceDiscoveryAssociationId: id });

    // examples/ec2/associate-ipam-resource-discovery.rst: `--tag-specifications
    // 'ResourceType=ipam-resource-discovery,Tags=[{Key=cost-center,Value=cc123}]'` answers "Tags": [].
    const { IpamResourceDiscoveryAssociation: asInExample } = await tagged('ipam-resource-discovery');
    expect(asInExample.Tags).toEqual([]);
    await expectRefusal(tagged('ipam'), 'InvalidParameterValue', "'ipam' is not a valid taggable resource type");
  });

  it('allows five associations per IPAM, the default one included', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    // One account creates one discovery per Region; the others an IPAM would get shared are
    // written straight to the store until sharing exists.
    const discoveries = Array.from({ length: 5 }, () => ({
      ...newResourceDiscovery(harness.context, ['us-east-1'], { IsDefault: false, Tags: [] }),
      State: 'create-complete' as const,
    }));
    await harness.store.commit(discoveries.map((value): Write => ({ op: 'create', entity: { type: 'resource-discovery', value } })));
    for (const rd of discoveries.slice(0, 4)) {
      await harness.call('AssociateIpamResourceDiscovery', { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId });
    }
    expect((await ipamOf(harness, Ipam.IpamId)).ResourceDiscoveryAssociationCount).toBe(5);
    await expectRefusal(
      harness.call('AssociateIpamResourceDiscovery', {
        IpamId: Ipam.IpamId,
        IpamResourceDiscoveryId: discoveries[4]!.IpamResourceDiscoveryId,
      }),
      'ResourceLimitExceeded',
      'resource discovery associations',
    );
    for (const rd of discoveries.slice(0, 4))
      expect((await harness.store.getResourceDiscovery(rd.IpamResourceDiscoveryId))?.associationCount).toBe(1);
  });

  it('tags discoveries and associations with CreateTags and DeleteTags', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    await harness.call('CreateTags', {
      Resources: [Ipam.DefaultResourceDiscoveryId, Ipam.DefaultResourceDiscoveryAssociationId],
      Tags: [{ Key: 'env', Value: 'prod' }],
    });
    expect((await describeDiscoveries(harness))[0]!.Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
    expect((await describeAssociations(harness))[0]!.Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
    await harness.call('DeleteTags', { Resources: [Ipam.DefaultResourceDiscoveryAssociationId] });
    expect((await describeAssociations(harness))[0]!.Tags).toEqual([]);
    await expectRefusal(
      harness.call(
        'CreateTags',
        { Resources: [Ipam.DefaultResourceDiscoveryId], Tags: [{ Key: 'a', Value: 'b' }] },
        { accountId: OTHER_ACCOUNT },
      ),
      'InvalidIpamResourceDiscoveryId.NotFound',
    );
  });
});

describe('isolation', () => {
  it('shows discoveries and associations to their owner only, in their own Region', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const theirs = (await harness.call('CreateIpamResourceDiscovery', {}, { accountId: OTHER_ACCOUNT })).IpamResourceDiscovery;
    const asOther = { accountId: OTHER_ACCOUNT };
    const rdId = Ipam.DefaultResourceDiscoveryId;

    expect(
      (await harness.call('DescribeIpamResourceDiscoveries', {}, asOther)).IpamResourceDiscoveries.map(
        (rd: any) => rd.IpamResourceDiscoveryId,
      ),
    ).toEqual([theirs.IpamResourceDiscoveryId]);
    expect((await harness.call('DescribeIpamResourceDiscoveryAssociations', {}, asOther)).IpamResourceDiscoveryAssociations).toEqual([]);
    expect(await describeDiscoveries(harness, {}, 'us-west-2')).toEqual([]);
    const notFound = 'InvalidIpamResourceDiscoveryId.NotFound';
    await expectRefusal(harness.call('DescribeIpamResourceDiscoveries', { IpamResourceDiscoveryIds: [rdId] }, asOther), notFound, rdId);
    await expectRefusal(
      harness.call('DescribeIpamResourceDiscoveries', { IpamResourceDiscoveryIds: [rdId] }, { region: 'us-west-2' }),
      notFound,
    );
    await expectRefusal(
      harness.call('ModifyIpamResourceDiscovery', { IpamResourceDiscoveryId: rdId, Description: 'x' }, asOther),
      notFound,
    );
    await expectRefusal(harness.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: theirs.IpamResourceDiscoveryId }), notFound);
    await expectRefusal(
      harness.call('GetIpamDiscoveredResourceCidrs', { IpamResourceDiscoveryId: rdId, ResourceRegion: 'us-east-1' }, asOther),
      notFound,
    );
    await expectRefusal(
      harness.call('GetIpamDiscoveredAccounts', { IpamResourceDiscoveryId: rdId, DiscoveryRegion: 'us-east-1' }, asOther),
      notFound,
    );
    await expectRefusal(
      harness.call('GetIpamDiscoveredPublicAddresses', { IpamResourceDiscoveryId: rdId, AddressRegion: 'us-east-1' }, asOther),
      notFound,
    );
    // Not shared: another account's discovery cannot be associated, and another account's IPAM cannot take one.
    await expectRefusal(
      harness.call('AssociateIpamResourceDiscovery', { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: theirs.IpamResourceDiscoveryId }),
      notFound,
    );
    await expectRefusal(
      harness.call(
        'AssociateIpamResourceDiscovery',
        { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: theirs.IpamResourceDiscoveryId },
        asOther,
      ),
      'InvalidIpamId.NotFound',
    );
    await expectRefusal(
      harness.call(
        'DisassociateIpamResourceDiscovery',
        { IpamResourceDiscoveryAssociationId: Ipam.DefaultResourceDiscoveryAssociationId },
        asOther,
      ),
      'InvalidIpamResourceDiscoveryAssociationId.NotFound',
    );
  });
});

describe('filters and pagination', () => {
  it('filter discoveries and associations by their fields and tags, and page through them', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: regions('us-west-2') });
    const own = await createDiscovery(harness, {
      TagSpecifications: [{ ResourceType: 'ipam-resource-discovery', Tags: [{ Key: 'env', Value: 'prod' }] }],
    });
    const { IpamResourceDiscoveryAssociation: association } = await harness.call('AssociateIpamResourceDiscovery', {
      IpamId: Ipam.IpamId,
      IpamResourceDiscoveryId: own.IpamResourceDiscoveryId,
    });
    const ids = async (Filters: { Name: string; Values: string[] }[]) =>
      (await describeDiscoveries(harness, { Filters })).map((rd) => rd.IpamResourceDiscoveryId);

    expect(await ids([{ Name: 'is-default', Values: ['true'] }])).toEqual([Ipam.DefaultResourceDiscoveryId]);
    expect(await ids([{ Name: 'is-default', Values: ['false'] }])).toEqual([own.IpamResourceDiscoveryId]);
    expect(await ids([{ Name: 'operating-region', Values: ['us-west-2'] }])).toEqual([Ipam.DefaultResourceDiscoveryId]);
    expect(await ids([{ Name: 'tag:env', Values: ['prod'] }])).toEqual([own.IpamResourceDiscoveryId]);
    expect(
      await ids([
        { Name: 'owner-id', Values: ['123456789012'] },
        { Name: 'ipam-resource-discovery-region', Values: ['us-east-1'] },
      ]),
    ).toHaveLength(2);
    expect(
      await ids([
        { Name: 'state', Values: ['create-complete'] },
        { Name: 'ipam-resource-discovery-id', Values: [own.IpamResourceDiscoveryId] },
      ]),
    ).toEqual([own.IpamResourceDiscoveryId]);
    await expectRefusal(
      describeDiscoveries(harness, { Filters: [{ Name: 'IsDefault', Values: ['true'] }] }),
      'InvalidParameterValue',
      'IsDefault',
    );

    const associationIds = async (Filters: { Name: string; Values: string[] }[]) =>
      (await describeAssociations(harness, { Filters })).map((a) => a.IpamResourceDiscoveryAssociationId);
    expect(await associationIds([{ Name: 'is-default', Values: ['false'] }])).toEqual([association.IpamResourceDiscoveryAssociationId]);
    expect(await associationIds([{ Name: 'ipam-resource-discovery-id', Values: [Ipam.DefaultResourceDiscoveryId] }])).toEqual([
      Ipam.DefaultResourceDiscoveryAssociationId,
    ]);
    expect(
      await associationIds([
        { Name: 'ipam-id', Values: [Ipam.IpamId] },
        { Name: 'resource-discovery-status', Values: ['active'] },
      ]),
    ).toHaveLength(2);
    expect(await associationIds([{ Name: 'state', Values: ['disassociate-complete'] }])).toEqual([]);

    const first = await harness.call('DescribeIpamResourceDiscoveryAssociations', { MaxResults: 1 });
    expect(first.IpamResourceDiscoveryAssociations).toHaveLength(1);
    const second = await harness.call('DescribeIpamResourceDiscoveryAssociations', { MaxResults: 1, NextToken: first.NextToken });
    expect(second.NextToken).toBeUndefined();
    expect(
      [...first.IpamResourceDiscoveryAssociations, ...second.IpamResourceDiscoveryAssociations]
        .map((a: any) => a.IpamResourceDiscoveryAssociationId)
        .sort(),
    ).toEqual([Ipam.DefaultResourceDiscoveryAssociationId, association.IpamResourceDiscoveryAssociationId].sort());
    const page = await harness.call('DescribeIpamResourceDiscoveries', { MaxResults: 1 });
    expect(page.NextToken).toBeDefined();
    await expectRefusal(
      harness.call('DescribeIpamResourceDiscoveries', { MaxResults: 1, NextToken: first.NextToken }),
      'InvalidPaginationToken',
    );
  });
});

describe('what a resource discovery saw', () => {
  it('is read per Region by the owner, with filters and pages', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: regions('us-west-2') });
    const rdId = Ipam.DefaultResourceDiscoveryId as string;
    await harness.store.writeObservations([
      ...['vpc-1', 'vpc-2', 'vpc-3'].map((ResourceId, i) => ({
        op: 'put' as const,
        entity: {
          type: 'discovered-resource-cidr' as const,
          value: discoveredCidr(rdId, 'us-east-1', { ResourceId, ResourceCidr: `10.${i}.0.0/16`, VpcId: ResourceId }),
        },
      })),
      {
        op: 'put',
        entity: {
          type: 'discovered-resource-cidr',
          value: discoveredCidr(rdId, 'us-east-1', {
            ResourceId: 'subnet-1',
            ResourceType: 'subnet',
            ResourceCidr: '10.0.1.0/24',
            VpcId: 'vpc-1',
            SubnetId: 'subnet-1',
            ResourceOwnerId: OTHER_ACCOUNT,
            ResourceTags: [{ Key: 'Name', Value: 'web' }],
          }),
        },
      },
      {
        op: 'put',
        entity: {
          type: 'discovered-resource-cidr',
          value: discoveredCidr(rdId, 'us-west-2', { ResourceId: 'vpc-9', ResourceCidr: '10.9.0.0/16' }),
        },
      },
      { op: 'put', entity: { type: 'discovered-account', value: discoveredAccount(rdId, 'us-east-1', '123456789012') } },
      {
        op: 'put',
        entity: {
          type: 'discovered-account',
          value: {
            ...discoveredAccount(rdId, 'us-east-1', OTHER_ACCOUNT),
            FailureReason: { Code: 'assume-role-failure', Message: 'AccessDenied' },
          },
        },
      },
      { op: 'put', entity: { type: 'discovered-account', value: discoveredAccount(rdId, 'us-west-2', '123456789012') } },
      {
        op: 'put',
        entity: { type: 'discovered-public-address', value: publicAddress(rdId, 'us-east-1', '3.3.3.3', '2025-01-01T10:05:00.000Z') },
      },
      {
        op: 'put',
        entity: {
          type: 'discovered-public-address',
          value: {
            ...publicAddress(rdId, 'us-east-1', '3.3.3.4', '2025-01-01T10:00:00.000Z'),
            AssociationStatus: 'disassociated',
            Tags: { EipTags: [{ Key: 'team', Value: 'edge' }] },
          },
        },
      },
    ]);
    const cidrs = async (input: Record<string, unknown>) =>
      (await harness.call('GetIpamDiscoveredResourceCidrs', { IpamResourceDiscoveryId: rdId, ResourceRegion: 'us-east-1', ...input }))
        .IpamDiscoveredResourceCidrs as any[];

    const all = await cidrs({});
    // In owner, then resource order.
    expect(all.map((r) => r.ResourceId)).toEqual(['subnet-1', 'vpc-1', 'vpc-2', 'vpc-3']);
    expect(all[1]).toEqual(discoveredCidr(rdId, 'us-east-1', { ResourceId: 'vpc-1', ResourceCidr: '10.0.0.0/16', VpcId: 'vpc-1' }, false));
    expect((await cidrs({ ResourceRegion: 'us-west-2' })).map((r) => r.ResourceId)).toEqual(['vpc-9']);
    expect((await cidrs({ Filters: [{ Name: 'resource-type', Values: ['subnet'] }] })).map((r) => r.ResourceId)).toEqual(['subnet-1']);
    expect((await cidrs({ Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] })).map((r) => r.ResourceId)).toEqual(['subnet-1', 'vpc-1']);
    expect((await cidrs({ Filters: [{ Name: 'resource-owner-id', Values: [OTHER_ACCOUNT] }] })).map((r) => r.ResourceId)).toEqual([
      'subnet-1',
    ]);
    expect((await cidrs({ Filters: [{ Name: 'tag:Name', Values: ['web'] }] })).map((r) => r.ResourceId)).toEqual(['subnet-1']);
    expect((await cidrs({ Filters: [{ Name: 'resource-cidr', Values: ['10.2.*'] }] })).map((r) => r.ResourceId)).toEqual(['vpc-3']);

    const pageOne = await harness.call('GetIpamDiscoveredResourceCidrs', {
      IpamResourceDiscoveryId: rdId,
      ResourceRegion: 'us-east-1',
      MaxResults: 3,
    });
    const pageTwo = await harness.call('GetIpamDiscoveredResourceCidrs', {
      IpamResourceDiscoveryId: rdId,
      ResourceRegion: 'us-east-1',
      MaxResults: 3,
      NextToken: pageOne.NextToken,
    });
    expect([...pageOne.IpamDiscoveredResourceCidrs, ...pageTwo.IpamDiscoveredResourceCidrs].map((r: any) => r.ResourceId)).toEqual(
      all.map((r) => r.ResourceId),
    );
    expect(pageTwo.NextToken).toBeUndefined();
    await expectRefusal(
      harness.call('GetIpamDiscoveredResourceCidrs', {
        IpamResourceDiscoveryId: rdId,
        ResourceRegion: 'us-west-2',
        NextToken: pageOne.NextToken,
      }),
      'InvalidPaginationToken',
    );
    await expectRefusal(cidrs({ ResourceRegion: 'moon-1' }), 'InvalidParameterValue', 'moon-1');

    const accounts = async (input: Record<string, unknown>) =>
      (await harness.call('GetIpamDiscoveredAccounts', { IpamResourceDiscoveryId: rdId, DiscoveryRegion: 'us-east-1', ...input }))
        .IpamDiscoveredAccounts as any[];
    expect((await accounts({})).map((a) => a.AccountId)).toEqual([OTHER_ACCOUNT, '123456789012'].sort());
    expect((await accounts({ DiscoveryRegion: 'us-west-2' })).map((a) => a.AccountId)).toEqual(['123456789012']);
    expect(await accounts({ Filters: [{ Name: 'discovery-failure-reason-code', Values: ['assume-role-failure'] }] })).toEqual([
      {
        ...discoveredAccount(rdId, 'us-east-1', OTHER_ACCOUNT, false),
        FailureReason: { Code: 'assume-role-failure', Message: 'AccessDenied' },
      },
    ]);

    const addresses = await harness.call('GetIpamDiscoveredPublicAddresses', { IpamResourceDiscoveryId: rdId, AddressRegion: 'us-east-1' });
    expect(addresses.IpamDiscoveredPublicAddresses.map((a: any) => a.Address)).toEqual(['3.3.3.3', '3.3.3.4']);
    expect(addresses.OldestSampleTime).toBe('2025-01-01T10:00:00.000Z');
    const unassociated = await harness.call('GetIpamDiscoveredPublicAddresses', {
      IpamResourceDiscoveryId: rdId,
      AddressRegion: 'us-east-1',
      Filters: [
        { Name: 'tag:team', Values: ['edge'] },
        { Name: 'association-status', Values: ['disassociated'] },
      ],
    });
    expect(unassociated.IpamDiscoveredPublicAddresses.map((a: any) => a.Address)).toEqual(['3.3.3.4']);
    const none = await harness.call('GetIpamDiscoveredPublicAddresses', { IpamResourceDiscoveryId: rdId, AddressRegion: 'us-west-2' });
    expect(none).toEqual({ IpamDiscoveredPublicAddresses: [], OldestSampleTime: undefined, NextToken: undefined });
  });
});

function discoveredCidr(
  rdId: string,
  region: string,
  fields: Partial<DiscoveredResourceCidr>,
  withInternal = true,
): DiscoveredResourceCidr {
  return {
    IpamResourceDiscoveryId: rdId,
    ResourceRegion: region,
    ResourceId: 'vpc-1',
    ResourceOwnerId: '123456789012',
    ResourceCidr: '10.0.0.0/16',
    IpSource: 'none',
    ResourceType: 'vpc',
    ResourceTags: [],
    IpUsage: 0.25,
    SampleTime: '2025-01-01T10:00:00.000Z',
    ...(withInternal ? { resourceName: 'internal name' } : {}),
    ...fields,
  };
}

function discoveredAccount(rdId: string, region: string, accountId: string, withInternal = true): DiscoveredAccount {
  return {
    AccountId: accountId,
    DiscoveryRegion: region,
    LastAttemptedDiscoveryTime: '2025-01-01T10:00:00.000Z',
    LastSuccessfulDiscoveryTime: '2025-01-01T10:00:00.000Z',
    ...(withInternal ? { resourceDiscoveryId: rdId } : {}),
  } as DiscoveredAccount;
}

function publicAddress(rdId: string, region: string, address: string, sampleTime: string): DiscoveredPublicAddress {
  return {
    IpamResourceDiscoveryId: rdId,
    AddressRegion: region,
    Address: address,
    AddressOwnerId: '123456789012',
    AddressAllocationId: `eipalloc-${address.replaceAll('.', '')}`,
    AssociationStatus: 'associated',
    AddressType: 'amazon-owned-eip',
    Service: 'other',
    Tags: {},
    NetworkBorderGroup: region,
    SampleTime: sampleTime,
  };
}

describe('while a workflow settles a change', () => {
  it('a discovery being deleted is described delete-in-progress, refuses changes and associations, and goes when resumed', async () => {
    const crashed = await createUseCaseHarness({ pauseBeforeTask: 'settleState' });
    const { Ipam } = await crashed.call('CreateIpam', {});
    const rd = await createDiscovery(crashed);
    const id = rd.IpamResourceDiscoveryId;
    expect((await send(crashed, 'DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: id })).IpamResourceDiscovery.State).toBe(
      'delete-in-progress',
    );
    const described = await send(crashed, 'DescribeIpamResourceDiscoveries', { IpamResourceDiscoveryIds: [id] });
    expect(described.IpamResourceDiscoveries[0].State).toBe('delete-in-progress');
    await expectRefusal(send(crashed, 'DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: id }), 'IncorrectState', 'being deleted');
    await expectRefusal(
      send(crashed, 'ModifyIpamResourceDiscovery', { IpamResourceDiscoveryId: id, Description: 'x' }),
      'IncorrectState',
      id,
    );
    await expectRefusal(
      send(crashed, 'AssociateIpamResourceDiscovery', { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: id }),
      'IncorrectState',
      id,
    );
    // Its slot is held until it is gone.
    await expectRefusal(send(crashed, 'CreateIpamResourceDiscovery', {}), 'ResourceLimitExceeded');

    const { harness, resumed, tasks } = await restart(crashed);
    expect(resumed).toBe(1);
    expect(tasks).toEqual(['settleState', 'finishExecution']);
    expect(await describeDiscoveries(harness, { Filters: [{ Name: 'is-default', Values: ['false'] }] })).toEqual([]);
    expect(await harness.store.getResourceDiscovery(id)).toBeUndefined();
    expect((await createDiscovery(harness)).State).toBe('create-in-progress');
  });

  it('an association being disassociated is described disassociate-in-progress and still counted until it is gone', async () => {
    const crashed = await createUseCaseHarness({ pauseBeforeTask: 'settleState' });
    const { Ipam } = await crashed.call('CreateIpam', {});
    const rd = await createDiscovery(crashed);
    const { IpamResourceDiscoveryAssociation: association } = await send(crashed, 'AssociateIpamResourceDiscovery', {
      IpamId: Ipam.IpamId,
      IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId,
    });
    const associationId = association.IpamResourceDiscoveryAssociationId;
    const states = async () =>
      (await send(crashed, 'DescribeIpamResourceDiscoveryAssociations', { IpamResourceDiscoveryAssociationIds: [associationId] }))
        .IpamResourceDiscoveryAssociations[0].State;
    expect(await states()).toBe('associate-in-progress');
    // Lenient where AWS names no refusal: an association still settling can be disassociated.
    const { IpamResourceDiscoveryAssociation: gone } = await send(crashed, 'DisassociateIpamResourceDiscovery', {
      IpamResourceDiscoveryAssociationId: associationId,
    });
    expect(gone.State).toBe('disassociate-in-progress');
    expect(await states()).toBe('disassociate-in-progress');
    expect((await send(crashed, 'DescribeIpams', { IpamIds: [Ipam.IpamId] })).Ipams[0].ResourceDiscoveryAssociationCount).toBe(2);
    await expectRefusal(
      send(crashed, 'DisassociateIpamResourceDiscovery', { IpamResourceDiscoveryAssociationId: associationId }),
      'IncorrectState',
      'being disassociated',
    );
    await expectRefusal(
      send(crashed, 'DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId }),
      'DependencyViolation',
    );

    // The associate workflow finds the association elsewhere and leaves it; the disassociate one removes it.
    const { harness, resumed } = await restart(crashed);
    expect(resumed).toBe(2);
    expect(await describeAssociations(harness)).toHaveLength(1);
    expect((await ipamOf(harness, Ipam.IpamId)).ResourceDiscoveryAssociationCount).toBe(1);
    await harness.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: rd.IpamResourceDiscoveryId });
    expect(await harness.store.getResourceDiscovery(rd.IpamResourceDiscoveryId)).toBeUndefined();
  });
});
