// Sharing pools and resource discoveries (spec §5.9, §1.4; scenarios S2, S3): RAM requests sent
// through the RAM protocol object, EC2 requests through the use cases, one store.
import { describe, expect, it } from 'vitest';
import { cidrsOverlap, parseCidr } from '../../lambdas/domain/cidr.ts';
import { defaultOrganization } from '../../lambdas/domain/organization.ts';
import {
  ADMIN,
  MANAGEMENT,
  MEMBER_A,
  MEMBER_B,
  MEMBER_C,
  MEMBER_D,
  moveAccount,
  OUTSIDER,
  ownerPool,
  ram,
  sharingOrganization,
  useOrganizations,
} from '../support/sharing.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const POOL_PERMISSION = 'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool';

async function organisationWithPool() {
  const harness = await createUseCaseHarness();
  const { org, appsOu, appsOuId } = sharingOrganization();
  const directory = useOrganizations(harness, [org]);
  const { ipam, pool } = await ownerPool(harness, ADMIN, '10.0.0.0/16');
  return { harness, org, appsOu, appsOuId, directory, ipam, pool };
}

async function enableOrganisationSharing(harness: UseCaseHarness) {
  const answer = await ram(harness, MANAGEMENT, { path: '/enablesharingwithawsorganization' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

async function share(harness: UseCaseHarness, resourceArns: string[], principals: string[], extra: Record<string, unknown> = {}) {
  const answer = await ram(harness, ADMIN, { path: '/createresourceshare', body: { name: 'pools', resourceArns, principals, ...extra } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.resourceShare as { resourceShareArn: string; status: string; creationTime: number };
}

const allocateAs = (harness: UseCaseHarness, accountId: string, IpamPoolId: string, extra: Record<string, unknown> = {}) =>
  harness.call('AllocateIpamPoolCidr', { IpamPoolId, NetmaskLength: 24, ...extra }, { accountId });

describe('what can be shared, where and with whom', () => {
  it('refuses a pool of a single-account IPAM, and a share made outside the IPAM home Region', async () => {
    const { harness, pool } = await organisationWithPool();
    // The management account is not the delegated administrator: its IPAM is a single-account one.
    const single = await ownerPool(harness, MANAGEMENT, '10.1.0.0/16');
    const refused = await ram(harness, MANAGEMENT, {
      path: '/createresourceshare',
      body: { name: 'x', resourceArns: [single.pool.IpamPoolArn], principals: [MEMBER_A] },
    });
    expect(refused).toMatchObject({ status: 400, errorType: 'OperationNotPermittedException' });
    expect(refused.body.message).toContain('single-account IPAM');

    const wrongRegion = await ram(harness, ADMIN, {
      path: '/createresourceshare',
      region: 'eu-west-1',
      body: { name: 'x', resourceArns: [pool.IpamPoolArn], principals: [MEMBER_A] },
    });
    expect(wrongRegion).toMatchObject({ status: 400, errorType: 'InvalidParameterException' });
    expect(wrongRegion.body.message).toContain('us-east-1');

    // Someone else's pool is unknown; a malformed ARN is malformed.
    const foreign = await ram(harness, MEMBER_A, {
      path: '/createresourceshare',
      body: { name: 'x', resourceArns: [pool.IpamPoolArn] },
    });
    expect(foreign.errorType).toBe('UnknownResourceException');
    const malformed = await ram(harness, ADMIN, { path: '/createresourceshare', body: { name: 'x', resourceArns: ['pool-1'] } });
    expect(malformed.errorType).toBe('MalformedArnException');
  });

  it('needs EnableSharingWithAwsOrganization, by the management account, before an OU or the organisation is a principal', async () => {
    const { harness, org, appsOu, pool } = await organisationWithPool();
    const early = await ram(harness, ADMIN, {
      path: '/createresourceshare',
      body: { name: 'x', resourceArns: [pool.IpamPoolArn], principals: [appsOu] },
    });
    expect(early.errorType).toBe('OperationNotPermittedException');
    expect((await ram(harness, ADMIN, { path: '/enablesharingwithawsorganization' })).errorType).toBe('OperationNotPermittedException');
    await enableOrganisationSharing(harness);
    const created = await share(harness, [pool.IpamPoolArn], [appsOu, org.Arn]);
    expect(created.status).toBe('ACTIVE');
    expect(typeof created.creationTime).toBe('number');
  });

  it('puts several pools in one share and lists them, their principals and the permission', async () => {
    const { harness, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    const { IpamPool: second } = await harness.call(
      'CreateIpamPool',
      {
        IpamScopeId: (await harness.call('DescribeIpams', {}, { accountId: ADMIN })).Ipams[0].PrivateDefaultScopeId,
        AddressFamily: 'ipv4',
      },
      { accountId: ADMIN },
    );
    const created = await share(harness, [pool.IpamPoolArn, second.IpamPoolArn], [MEMBER_A]);
    const resources = await ram(harness, ADMIN, { path: '/listresources', body: { resourceOwner: 'SELF' } });
    expect(resources.body.resources.map((r: { arn: string }) => r.arn).sort()).toEqual([pool.IpamPoolArn, second.IpamPoolArn].sort());
    expect(resources.body.resources[0]).toMatchObject({ type: 'ec2:IpamPool', resourceShareArn: created.resourceShareArn });
    const principals = await ram(harness, ADMIN, { path: '/listprincipals', body: { resourceOwner: 'SELF' } });
    expect(principals.body.principals).toEqual([expect.objectContaining({ id: MEMBER_A, external: false })]);
    const permissions = await ram(harness, ADMIN, {
      path: '/listresourcesharepermissions',
      body: { resourceShareArn: created.resourceShareArn },
    });
    expect(permissions.body.permissions).toEqual([expect.objectContaining({ arn: POOL_PERMISSION, status: 'ASSOCIATED' })]);
    // The member sees the share from its side.
    const theirs = await ram(harness, MEMBER_A, { path: '/getresourceshares', body: { resourceOwner: 'OTHER-ACCOUNTS' } });
    expect(theirs.body.resourceShares.map((s: { resourceShareArn: string }) => s.resourceShareArn)).toEqual([created.resourceShareArn]);
    const listed = await ram(harness, MEMBER_A, { path: '/listresources', body: { resourceOwner: 'OTHER-ACCOUNTS' } });
    expect(listed.body.resources).toHaveLength(2);
  });
});

describe('what a principal sees of a share', () => {
  it('only the principals that cover it, and only while they do', async () => {
    const { harness, appsOu, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    const created = await share(harness, [pool.IpamPoolArn], [MEMBER_B, MEMBER_C, appsOu]);
    const seenBy = async (account: string) =>
      (await ram(harness, account, { path: '/listprincipals', body: { resourceOwner: 'OTHER-ACCOUNTS' } })).body.principals
        .map((p: { id: string }) => p.id)
        .sort();
    // B is named and sits in the OU; C is named only; D is neither.
    expect(await seenBy(MEMBER_B)).toEqual([MEMBER_B, appsOu].sort());
    expect(await seenBy(MEMBER_C)).toEqual([MEMBER_C]);
    expect(await seenBy(MEMBER_D)).toEqual([]);
    const permissions = (account: string) =>
      ram(harness, account, { path: '/listresourcesharepermissions', body: { resourceShareArn: created.resourceShareArn } });
    expect((await permissions(MEMBER_C)).status).toBe(200);
    expect((await permissions(MEMBER_D)).errorType).toBe('UnknownResourceException');
  });
});

describe('a principal of a shared pool', () => {
  it('sees the pool without its Name tag, reads it, allocates as itself and releases only its own allocations', async () => {
    const { harness, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    await share(harness, [pool.IpamPoolArn], [MEMBER_A, MEMBER_B]);

    const { IpamPools } = await harness.call('DescribeIpamPools', {}, { accountId: MEMBER_A });
    expect(IpamPools.map((p: { IpamPoolId: string }) => p.IpamPoolId)).toEqual([pool.IpamPoolId]);
    expect(IpamPools[0].OwnerId).toBe(ADMIN);
    expect(IpamPools[0].Tags).toEqual([{ Key: 'team', Value: 'network' }]);
    const { IpamPoolCidrs } = await harness.call('GetIpamPoolCidrs', { IpamPoolId: pool.IpamPoolId }, { accountId: MEMBER_A });
    expect(IpamPoolCidrs.map((c: { Cidr: string }) => c.Cidr)).toEqual(['10.0.0.0/16']);

    const mine = (await allocateAs(harness, MEMBER_A, pool.IpamPoolId)).IpamPoolAllocation;
    expect(mine.ResourceOwner).toBe(MEMBER_A);
    const theirs = (await allocateAs(harness, MEMBER_B, pool.IpamPoolId)).IpamPoolAllocation;
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId }, { accountId: MEMBER_A });
    expect(IpamPoolAllocations).toHaveLength(2);

    await expectRefusal(
      harness.call(
        'ReleaseIpamPoolAllocation',
        { IpamPoolId: pool.IpamPoolId, IpamPoolAllocationId: theirs.IpamPoolAllocationId, Cidr: theirs.Cidr },
        { accountId: MEMBER_A },
      ),
      'UnauthorizedOperation',
    );
    const released = await harness.call(
      'ReleaseIpamPoolAllocation',
      { IpamPoolId: pool.IpamPoolId, IpamPoolAllocationId: mine.IpamPoolAllocationId, Cidr: mine.Cidr },
      { accountId: MEMBER_A },
    );
    expect(released.Success).toBe(true);
  });

  it('gets UnauthorizedOperation for owner-only changes, and a non-principal gets NotFound for everything', async () => {
    const { harness, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    await share(harness, [pool.IpamPoolArn], [MEMBER_A]);
    const as = { accountId: MEMBER_A };
    await expectRefusal(
      harness.call('ModifyIpamPool', { IpamPoolId: pool.IpamPoolId, Description: 'mine now' }, as),
      'UnauthorizedOperation',
    );
    await expectRefusal(harness.call('DeleteIpamPool', { IpamPoolId: pool.IpamPoolId }, as), 'UnauthorizedOperation');
    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.9.0.0/16' }, as),
      'UnauthorizedOperation',
    );
    await expectRefusal(
      harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' }, as),
      'UnauthorizedOperation',
    );

    const stranger = { accountId: MEMBER_C };
    expect((await harness.call('DescribeIpamPools', {}, stranger)).IpamPools).toEqual([]);
    await expectRefusal(allocateAs(harness, MEMBER_C, pool.IpamPoolId), 'InvalidIpamPoolId.NotFound');
    // A DryRun asks who may call too: the principal would succeed, the stranger would not.
    await expectRefusal(allocateAs(harness, MEMBER_A, pool.IpamPoolId, { DryRun: true }), 'DryRunOperation');
    await expectRefusal(allocateAs(harness, MEMBER_C, pool.IpamPoolId, { DryRun: true }), 'InvalidIpamPoolId.NotFound');
    await expectRefusal(harness.call('GetIpamPoolCidrs', { IpamPoolId: pool.IpamPoolId }, stranger), 'InvalidIpamPoolId.NotFound');
    await expectRefusal(harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId }, stranger), 'InvalidIpamPoolId.NotFound');
    await expectRefusal(
      harness.call('ModifyIpamPool', { IpamPoolId: pool.IpamPoolId, Description: 'x' }, stranger),
      'InvalidIpamPoolId.NotFound',
    );
  });

  it('loses access when the share goes; its allocations stay, owned by it and visible to the pool owner', async () => {
    const { harness, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    const created = await share(harness, [pool.IpamPoolArn], [MEMBER_A]);
    const mine = (await allocateAs(harness, MEMBER_A, pool.IpamPoolId)).IpamPoolAllocation;
    const deleted = await ram(harness, ADMIN, {
      method: 'DELETE',
      path: '/deleteresourceshare',
      query: `resourceShareArn=${encodeURIComponent(created.resourceShareArn)}&clientToken=delete-1`,
    });
    expect(deleted.body).toEqual({ returnValue: true, clientToken: 'delete-1' });
    await expectRefusal(allocateAs(harness, MEMBER_A, pool.IpamPoolId), 'InvalidIpamPoolId.NotFound');
    expect((await harness.call('DescribeIpamPools', {}, { accountId: MEMBER_A })).IpamPools).toEqual([]);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId }, { accountId: ADMIN });
    expect(IpamPoolAllocations).toEqual([
      expect.objectContaining({ IpamPoolAllocationId: mine.IpamPoolAllocationId, ResourceOwner: MEMBER_A }),
    ]);
    const shares = await ram(harness, ADMIN, { path: '/getresourceshares', body: { resourceOwner: 'SELF' } });
    expect(shares.body.resourceShares[0].status).toBe('DELETED');
    const associations = await ram(harness, ADMIN, { path: '/getresourceshareassociations', body: { associationType: 'PRINCIPAL' } });
    expect(associations.body.resourceShareAssociations[0].status).toBe('DISASSOCIATED');
  });

  it('retrying an allocation with its ClientToken after access was revoked is refused', async () => {
    const { harness, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    const created = await share(harness, [pool.IpamPoolArn], [MEMBER_A]);
    const first = await allocateAs(harness, MEMBER_A, pool.IpamPoolId, { ClientToken: 'alloc-1' });
    // While the share holds, the retry gets the first answer.
    expect(await allocateAs(harness, MEMBER_A, pool.IpamPoolId, { ClientToken: 'alloc-1' })).toEqual(first);
    const removed = await ram(harness, ADMIN, {
      path: '/disassociateresourceshare',
      body: { resourceShareArn: created.resourceShareArn, principals: [MEMBER_A] },
    });
    expect(removed.body.resourceShareAssociations[0].status).toBe('DISASSOCIATED');
    await expectRefusal(allocateAs(harness, MEMBER_A, pool.IpamPoolId, { ClientToken: 'alloc-1' }), 'InvalidIpamPoolId.NotFound');
  });

  it('16 concurrent allocations by 4 member accounts never overlap', async () => {
    const { harness, appsOu, directory, org, appsOuId, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    await moveAccount(directory, org, MEMBER_C, appsOuId);
    await share(harness, [pool.IpamPoolArn], [appsOu, MEMBER_D]);
    const members = [MEMBER_A, MEMBER_B, MEMBER_C, MEMBER_D];
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, n) => allocateAs(harness, members[n % 4]!, pool.IpamPoolId, { NetmaskLength: 20 + (n % 4) })),
    );
    const allocations = results.map((result) => result.IpamPoolAllocation as { Cidr: string; ResourceOwner: string });
    for (const [n, allocation] of allocations.entries()) expect(allocation.ResourceOwner).toBe(members[n % 4]);
    for (let i = 0; i < allocations.length; i++) {
      for (let j = i + 1; j < allocations.length; j++) {
        expect(
          cidrsOverlap(parseCidr(allocations[i]!.Cidr), parseCidr(allocations[j]!.Cidr)),
          `${allocations[i]!.Cidr} ${allocations[j]!.Cidr}`,
        ).toBe(false);
      }
    }
  });
});

describe('Elastic IPs from a shared public pool', () => {
  it('a principal allocates an address as its own; a non-principal gets NotFound', async () => {
    const { harness, ipam } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    const as = { accountId: ADMIN };
    const { IpamPool } = await harness.call(
      'CreateIpamPool',
      { IpamScopeId: ipam.PublicDefaultScopeId, AddressFamily: 'ipv4', AwsService: 'ec2', PublicIpSource: 'amazon', Locale: 'us-east-1' },
      as,
    );
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, NetmaskLength: 29 }, as);
    await share(harness, [IpamPool.IpamPoolArn], [MEMBER_A]);
    const address = await harness.call('AllocateAddress', { IpamPoolId: IpamPool.IpamPoolId }, { accountId: MEMBER_A });
    expect((await harness.call('DescribeAddresses', {}, { accountId: MEMBER_A })).Addresses).toEqual([
      expect.objectContaining({ AllocationId: address.AllocationId }),
    ]);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: IpamPool.IpamPoolId }, as);
    expect(IpamPoolAllocations).toEqual([expect.objectContaining({ ResourceType: 'eip', ResourceOwner: MEMBER_A })]);
    await expectRefusal(
      harness.call('AllocateAddress', { IpamPoolId: IpamPool.IpamPoolId }, { accountId: MEMBER_C }),
      'InvalidIpamPoolId.NotFound',
    );
    expect((await harness.call('ReleaseAddress', { AllocationId: address.AllocationId }, { accountId: MEMBER_A })).Return).toBe(true);
  });
});

describe('OU principals follow the organisation as it is now', () => {
  it('covers an account moved into the OU later, and drops one moved out at once', async () => {
    const { harness, org, directory, appsOu, appsOuId, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    await share(harness, [pool.IpamPoolArn], [appsOu]);
    await allocateAs(harness, MEMBER_A, pool.IpamPoolId);
    await expectRefusal(allocateAs(harness, MEMBER_C, pool.IpamPoolId), 'InvalidIpamPoolId.NotFound');

    await moveAccount(directory, org, MEMBER_C, appsOuId);
    expect((await allocateAs(harness, MEMBER_C, pool.IpamPoolId)).IpamPoolAllocation.ResourceOwner).toBe(MEMBER_C);

    await moveAccount(directory, org, MEMBER_A, org.RootId);
    await expectRefusal(allocateAs(harness, MEMBER_A, pool.IpamPoolId), 'InvalidIpamPoolId.NotFound');
    expect((await harness.call('DescribeIpamPools', {}, { accountId: MEMBER_A })).IpamPools).toEqual([]);
    // A's allocation stays, and the owner still sees it.
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId }, { accountId: ADMIN });
    expect(IpamPoolAllocations.map((a: { ResourceOwner: string }) => a.ResourceOwner).sort()).toEqual([MEMBER_A, MEMBER_C].sort());
  });
});

describe('invitations', () => {
  it('an account outside the organisation accepts an invitation before it gains access', async () => {
    const { harness, pool } = await organisationWithPool();
    const created = await share(harness, [pool.IpamPoolArn], [OUTSIDER]);
    const pending = await ram(harness, ADMIN, { path: '/getresourceshareassociations', body: { associationType: 'PRINCIPAL' } });
    expect(pending.body.resourceShareAssociations[0]).toMatchObject({ associatedEntity: OUTSIDER, status: 'ASSOCIATING', external: true });
    await expectRefusal(allocateAs(harness, OUTSIDER, pool.IpamPoolId), 'InvalidIpamPoolId.NotFound');

    const invitations = await ram(harness, OUTSIDER, { path: '/getresourceshareinvitations', body: {} });
    expect(invitations.body.resourceShareInvitations).toEqual([
      expect.objectContaining({
        resourceShareArn: created.resourceShareArn,
        senderAccountId: ADMIN,
        receiverAccountId: OUTSIDER,
        status: 'PENDING',
      }),
    ]);
    const arn = invitations.body.resourceShareInvitations[0].resourceShareInvitationArn;
    // Only its receiver can answer it.
    expect(
      (await ram(harness, MEMBER_A, { path: '/acceptresourceshareinvitation', body: { resourceShareInvitationArn: arn } })).errorType,
    ).toBe('ResourceShareInvitationArnNotFoundException');
    const accepted = await ram(harness, OUTSIDER, { path: '/acceptresourceshareinvitation', body: { resourceShareInvitationArn: arn } });
    expect(accepted.body.resourceShareInvitation.status).toBe('ACCEPTED');
    expect((await allocateAs(harness, OUTSIDER, pool.IpamPoolId)).IpamPoolAllocation.ResourceOwner).toBe(OUTSIDER);
    expect(
      (await ram(harness, OUTSIDER, { path: '/acceptresourceshareinvitation', body: { resourceShareInvitationArn: arn } })).errorType,
    ).toBe('ResourceShareInvitationAlreadyAcceptedException');
  });

  it('a share that does not allow external principals refuses an outside account', async () => {
    const { harness, pool } = await organisationWithPool();
    const refused = await ram(harness, ADMIN, {
      path: '/createresourceshare',
      body: { name: 'inside', resourceArns: [pool.IpamPoolArn], principals: [OUTSIDER], allowExternalPrincipals: false },
    });
    expect(refused.errorType).toBe('OperationNotPermittedException');
  });
});

describe('resource discoveries shared from another organisation (spec §1.4)', () => {
  it('the receiving IPAM account associates the shared discovery once it accepted, and loses it when unshared', async () => {
    const harness = await createUseCaseHarness();
    const { org } = sharingOrganization();
    // A second organisation whose administrator shares its discovery with the first's IPAM account.
    const SECOND_MANAGEMENT = '555555555555';
    const SECOND_ADMIN = '666666666666';
    const second = defaultOrganization(SECOND_MANAGEMENT, [SECOND_ADMIN]);
    useOrganizations(harness, [org, second]);
    const { Ipam } = await harness.call('CreateIpam', {}, { accountId: ADMIN });
    const { IpamResourceDiscovery } = await harness.call('CreateIpamResourceDiscovery', {}, { accountId: SECOND_ADMIN });
    const created = await ram(harness, SECOND_ADMIN, {
      path: '/createresourceshare',
      body: { name: 'discovery', resourceArns: [IpamResourceDiscovery.IpamResourceDiscoveryArn], principals: [ADMIN] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const associate = () =>
      harness.call(
        'AssociateIpamResourceDiscovery',
        { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: IpamResourceDiscovery.IpamResourceDiscoveryId },
        { accountId: ADMIN },
      );
    await expectRefusal(associate(), 'InvalidIpamResourceDiscoveryId.NotFound');
    const invitations = await ram(harness, ADMIN, { path: '/getresourceshareinvitations', body: {} });
    await ram(harness, ADMIN, {
      path: '/acceptresourceshareinvitation',
      body: { resourceShareInvitationArn: invitations.body.resourceShareInvitations[0].resourceShareInvitationArn },
    });
    const { IpamResourceDiscoveries } = await harness.call('DescribeIpamResourceDiscoveries', {}, { accountId: ADMIN });
    expect(IpamResourceDiscoveries.map((d: { OwnerId: string }) => d.OwnerId).sort()).toEqual([ADMIN, SECOND_ADMIN].sort());
    const { IpamResourceDiscoveryAssociation } = await associate();
    expect(IpamResourceDiscoveryAssociation).toMatchObject({ IpamId: Ipam.IpamId, OwnerId: ADMIN });
    // The sharee reads what the discovery found, but cannot change it.
    await harness.call(
      'GetIpamDiscoveredAccounts',
      { IpamResourceDiscoveryId: IpamResourceDiscovery.IpamResourceDiscoveryId, DiscoveryRegion: 'us-east-1' },
      { accountId: ADMIN },
    );
    await expectRefusal(
      harness.call(
        'ModifyIpamResourceDiscovery',
        { IpamResourceDiscoveryId: IpamResourceDiscovery.IpamResourceDiscoveryId, Description: 'x' },
        { accountId: ADMIN },
      ),
      'UnauthorizedOperation',
    );
    // Unshared: the discovery is the sharee's no more.
    const deleted = await ram(harness, SECOND_ADMIN, {
      method: 'DELETE',
      path: '/deleteresourceshare',
      query: `resourceShareArn=${encodeURIComponent(created.body.resourceShare.resourceShareArn)}`,
    });
    expect(deleted.status).toBe(200);
    const after = await harness.call('DescribeIpamResourceDiscoveries', {}, { accountId: ADMIN });
    expect(after.IpamResourceDiscoveries.map((d: { OwnerId: string }) => d.OwnerId)).toEqual([ADMIN]);
    await expectRefusal(
      harness.call(
        'GetIpamDiscoveredAccounts',
        { IpamResourceDiscoveryId: IpamResourceDiscovery.IpamResourceDiscoveryId, DiscoveryRegion: 'us-east-1' },
        { accountId: ADMIN },
      ),
      'InvalidIpamResourceDiscoveryId.NotFound',
    );
  });
});

describe('the RAM wire protocol', () => {
  it('answers unknown paths, missing members and mismatched clientTokens in RAM shapes', async () => {
    const { harness, pool } = await organisationWithPool();
    expect(await ram(harness, ADMIN, { path: '/createbananas' })).toMatchObject({ status: 400, errorType: 'UnknownOperationException' });
    const missing = await ram(harness, ADMIN, { path: '/createresourceshare', body: {} });
    expect(missing).toMatchObject({ status: 400, errorType: 'MissingRequiredParameterException' });
    expect(missing.body.message).toContain('name');
    const wrongType = await ram(harness, ADMIN, { path: '/createresourceshare', body: { name: 1 } });
    expect(wrongType.errorType).toBe('InvalidParameterException');

    const body = { name: 'once', resourceArns: [pool.IpamPoolArn], principals: [MEMBER_A], clientToken: 'token-1' };
    const first = await ram(harness, ADMIN, { path: '/createresourceshare', body });
    const again = await ram(harness, ADMIN, { path: '/createresourceshare', body });
    expect(again.body).toEqual(first.body);
    expect(first.body.clientToken).toBe('token-1');
    const mismatch = await ram(harness, ADMIN, { path: '/createresourceshare', body: { ...body, name: 'twice' } });
    expect(mismatch).toMatchObject({ status: 400, errorType: 'IdempotentParameterMismatchException' });
    const shares = await ram(harness, ADMIN, { path: '/getresourceshares', body: { resourceOwner: 'SELF' } });
    expect(shares.body.resourceShares).toHaveLength(1);
  });

  it('lists the managed permissions and reads one', async () => {
    const { harness } = await organisationWithPool();
    const listed = await ram(harness, MEMBER_A, { path: '/listpermissions', body: { resourceType: 'ec2:IpamPool' } });
    expect(listed.body.permissions.map((p: { name: string }) => p.name).sort()).toEqual([
      'AWSRAMDefaultPermissionsIpamPool',
      'AWSRAMPermissionIpamPoolByoipCidrImport',
    ]);
    const read = await ram(harness, MEMBER_A, { path: '/getpermission', body: { permissionArn: POOL_PERMISSION } });
    expect(JSON.parse(read.body.permission.permission).Action).toContain('ec2:AllocateIpamPoolCidr');
    const unknown = await ram(harness, MEMBER_A, { path: '/getpermission', body: { permissionArn: 'arn:aws:ram::aws:permission/Nope' } });
    expect(unknown.errorType).toBe('UnknownResourceException');
  });

  it('tags shares, changes their permission, and announces share changes on the event bus', async () => {
    const { harness, pool } = await organisationWithPool();
    await enableOrganisationSharing(harness);
    const created = await share(harness, [pool.IpamPoolArn], [MEMBER_A]);
    await ram(harness, ADMIN, {
      path: '/tagresource',
      body: { resourceShareArn: created.resourceShareArn, tags: [{ key: 'env', value: 'prod' }] },
    });
    const tagged = await ram(harness, ADMIN, {
      path: '/getresourceshares',
      body: { resourceOwner: 'SELF', tagFilters: [{ tagKey: 'env', tagValues: ['prod'] }] },
    });
    expect(tagged.body.resourceShares[0].tags).toEqual([{ key: 'env', value: 'prod' }]);
    await ram(harness, ADMIN, { path: '/untagresource', body: { resourceShareArn: created.resourceShareArn, tagKeys: ['env'] } });

    const importOnly = 'arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport';
    const noReplace = await ram(harness, ADMIN, {
      path: '/associateresourcesharepermission',
      body: { resourceShareArn: created.resourceShareArn, permissionArn: importOnly },
    });
    expect(noReplace.errorType).toBe('InvalidParameterException');
    await ram(harness, ADMIN, {
      path: '/associateresourcesharepermission',
      body: { resourceShareArn: created.resourceShareArn, permissionArn: importOnly, replace: true },
    });
    // The import permission lets the principal see the pool, not allocate from it.
    await expectRefusal(allocateAs(harness, MEMBER_A, pool.IpamPoolId), 'UnauthorizedOperation');

    const changes = harness.events.published().filter((event) => event['detail-type'] === 'RAM Resource Share Change');
    expect(changes.map((event) => (event.detail as { change: string }).change)).toEqual(['created', 'permission-associated']);
    expect(changes[0]).toMatchObject({ account: ADMIN, region: 'us-east-1' });
  });
});
