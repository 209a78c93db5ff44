// EC2's own BYOIP outside IPAM (issue 21): ProvisionByoipCidr proved by the signed message against
// the range's RDAP certificate (local fixture), DescribeByoipCidrs beside IPAM's CIDRs, advertising,
// DeprovisionByoipCidr, the IPv6 pools BYOIPv6 ranges create, and MoveByoipCidrToIpam (S12) into the
// caller's own pool or another account's pool shared with AWSRAMPermissionIpamPoolByoipCidrImport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rdapIpRecord, type RegistryServers, startRegistryServers } from '../support/registry-servers.ts';
import { ADMIN, MANAGEMENT, MEMBER_A, MEMBER_B, ram, sharingOrganization, useOrganizations } from '../support/sharing.ts';
import { createSigningIdentity, type SigningIdentity } from '../support/signing-identity.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const REGION = 'us-west-2';
const DAY = 24 * 3600 * 1000;
const IMPORT_PERMISSION = 'arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport';
const POOL_PERMISSION = 'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool';

let servers: RegistryServers;
let identity: SigningIdentity;
let harness: UseCaseHarness;

beforeAll(async () => {
  servers = await startRegistryServers();
  identity = createSigningIdentity();
  harness = await createUseCaseHarness({ registry: servers.registry });
  useOrganizations(harness, [sharingOrganization().org]);
});
afterAll(async () => {
  await harness?.engine.stop();
  await servers?.close();
});

interface Answer {
  Cidr: string;
  State: string;
  StatusMessage?: string;
  Description?: string;
  NetworkBorderGroup?: string;
}

const as = (accountId: string, region = REGION) => ({ accountId, region });

/** The signed-message context for `cidr`, published in the RDAP fixture unless `publish` is false. */
function authorization(cidr: string, account: string, { publish = true, signer = identity } = {}) {
  if (publish) servers.rdap.set(`ip/${cidr}`, rdapIpRecord(cidr, identity.certificatePem));
  const Message = `1|aws|${account}|${cidr}|20991231|SHA256|RSAPSS`;
  return { Message, Signature: signer.sign(Message) };
}

async function describeRange(cidr: string, account = ADMIN, region = REGION): Promise<Answer | undefined> {
  const { ByoipCidrs } = await harness.call('DescribeByoipCidrs', { MaxResults: 100 }, as(account, region));
  return ByoipCidrs.find((range: Answer) => range.Cidr === cidr);
}

async function provisionRange(cidr: string, account = ADMIN, extra: Record<string, unknown> = {}): Promise<Answer> {
  const { ByoipCidr } = await harness.call(
    'ProvisionByoipCidr',
    { Cidr: cidr, CidrAuthorizationContext: authorization(cidr, account), ...extra },
    as(account),
  );
  expect(ByoipCidr).toEqual({ Cidr: cidr, State: 'pending-provision', NetworkBorderGroup: REGION, AsnAssociations: [], ...pick(extra) });
  return (await describeRange(cidr, account))!;
}

const pick = (extra: Record<string, unknown>) => (extra.Description ? { Description: extra.Description } : {});

/** A top-level public IPv4 pool of `owner`'s IPAM (home us-east-1) for EC2 in us-west-2: S12 step 3. */
async function transferPool(owner: string, extra: Record<string, unknown> = {}) {
  const { Ipams } = await harness.call('DescribeIpams', {}, as(owner, 'us-east-1'));
  const ipam = Ipams[0] ?? (await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }] }, as(owner, 'us-east-1'))).Ipam;
  const { IpamPool } = await harness.call(
    'CreateIpamPool',
    {
      IpamScopeId: ipam.PublicDefaultScopeId,
      Description: 'top-level-pool',
      Locale: REGION,
      AwsService: 'ec2',
      AddressFamily: 'ipv4',
      ...extra,
    },
    as(owner, 'us-east-1'),
  );
  return IpamPool as { IpamPoolId: string; IpamPoolArn: string; OwnerId: string };
}

const move = (cidr: string, pool: { IpamPoolId: string }, owner: string, caller: string) =>
  harness.call('MoveByoipCidrToIpam', { Cidr: cidr, IpamPoolId: pool.IpamPoolId, IpamPoolOwner: owner }, as(caller));

describe('ProvisionByoipCidr and DeprovisionByoipCidr outside IPAM', () => {
  it('provisions a proved range with its address pool, advertises and withdraws it, and deprovisions it', async () => {
    const cidr = '130.137.240.0/24';
    const provisioned = await provisionRange(cidr, ADMIN, { Description: 'office range' });
    expect(provisioned).toMatchObject({ Cidr: cidr, State: 'provisioned', Description: 'office range', NetworkBorderGroup: REGION });
    expect(provisioned.StatusMessage).toMatch(/^ipv4pool-ec2-0[0-9a-f]{16}$/);
    // Listed in its Region only, and to its owner only.
    expect(await describeRange(cidr, ADMIN, 'us-east-1')).toBeUndefined();
    expect(await describeRange(cidr, MEMBER_B)).toBeUndefined();

    // EC2 answers the state the range had when the request was accepted (AWS CLI examples); describe shows the change.
    const advertised = await harness.call('AdvertiseByoipCidr', { Cidr: cidr }, as(ADMIN));
    expect(advertised.ByoipCidr).toMatchObject({ State: 'provisioned', StatusMessage: provisioned.StatusMessage });
    expect((await describeRange(cidr))?.State).toBe('advertised');
    await expectRefusal(
      harness.call('AdvertiseByoipCidr', { Cidr: cidr, Asn: '12345' }, as(ADMIN)),
      'InvalidParameterValue',
      'not associated',
    );
    await expectRefusal(harness.call('DeprovisionByoipCidr', { Cidr: cidr }, as(ADMIN)), 'IncorrectState', 'withdraw');
    const withdrawn = await harness.call('WithdrawByoipCidr', { Cidr: cidr }, as(ADMIN));
    expect(withdrawn.ByoipCidr).toMatchObject({ State: 'advertised', StatusMessage: provisioned.StatusMessage });
    expect((await describeRange(cidr))?.State).toBe('provisioned');
    await expectRefusal(harness.call('WithdrawByoipCidr', { Cidr: cidr }, as(ADMIN)), 'IncorrectState', 'not advertised');

    const deprovisioned = await harness.call('DeprovisionByoipCidr', { Cidr: cidr }, as(ADMIN));
    expect(deprovisioned.ByoipCidr).toMatchObject({ Cidr: cidr, State: 'pending-deprovision' });
    expect((await describeRange(cidr))?.State).toBe('deprovisioned');
    await expectRefusal(harness.call('DeprovisionByoipCidr', { Cidr: cidr }, as(ADMIN)), 'InvalidParameterValue', cidr);
    // Finished ranges go after a day, like finished pool CIDRs; the range can be brought again.
    const realNow = harness.deps.now;
    harness.deps.now = () => new Date(realNow().getTime() + DAY + 1000);
    try {
      expect(await describeRange(cidr)).toBeUndefined();
    } finally {
      harness.deps.now = realNow;
    }
    expect((await provisionRange(cidr)).State).toBe('provisioned');

    const events = harness.events.published().filter((event) => event['detail-type'] === 'BYOIP CIDR State Change');
    const states = events
      .filter((event) => (event.detail as { cidr: string }).cidr === cidr)
      .map((event) => (event.detail as { state: string }).state);
    expect(states).toEqual([
      'pending-provision',
      'provisioned',
      'advertised',
      'provisioned',
      'deprovisioned',
      'pending-provision',
      'provisioned',
    ]);
    expect(events[0]).toMatchObject({ account: ADMIN, region: REGION });
  });

  it('ends failed-provision with the reason in StatusMessage when the proof does not hold', async () => {
    const cidr = '130.137.241.0/24';
    const stranger = createSigningIdentity();
    await harness.call(
      'ProvisionByoipCidr',
      { Cidr: cidr, CidrAuthorizationContext: authorization(cidr, ADMIN, { signer: stranger }) },
      as(ADMIN),
    );
    expect(await describeRange(cidr)).toMatchObject({
      State: 'failed-provision',
      StatusMessage: expect.stringContaining('signature does not verify'),
    });
    const other = '130.137.242.0/24';
    await harness.call('ProvisionByoipCidr', { Cidr: other, CidrAuthorizationContext: authorization(other, MEMBER_B) }, as(ADMIN));
    expect(await describeRange(other)).toMatchObject({ State: 'failed-provision', StatusMessage: expect.stringContaining(MEMBER_B) });
    // A failed range takes nothing: the proved one provisions.
    expect((await provisionRange(cidr)).State).toBe('provisioned');
  });

  it('refuses what cannot be right at once', async () => {
    const provision = (input: Record<string, unknown>) => harness.call('ProvisionByoipCidr', input, as(ADMIN));
    const context = (cidr: string) => ({ CidrAuthorizationContext: authorization(cidr, ADMIN, { publish: false }) });
    await expectRefusal(provision({ Cidr: '130.137.243.0/25', ...context('130.137.243.0/25') }), 'InvalidParameterValue', '/24');
    await expectRefusal(provision({ Cidr: '2605:9cc0:500::/49', ...context('2605:9cc0:500::/49') }), 'InvalidParameterValue', '/48');
    await expectRefusal(
      provision({ Cidr: '2605:9cc0:500::/61', PubliclyAdvertisable: false, ...context('2605:9cc0:500::/61') }),
      'InvalidParameterValue',
      '/60',
    );
    await expectRefusal(
      provision({ Cidr: '130.137.243.0/24', PubliclyAdvertisable: false, ...context('130.137.243.0/24') }),
      'InvalidParameterCombination',
      'IPv6',
    );
    await expectRefusal(provision({ Cidr: '130.137.243.0/24' }), 'InvalidParameterCombination', 'CIDR Auth');
    await expectRefusal(
      provision({ Cidr: '130.137.243.0/24', CidrAuthorizationContext: { Message: 'not a message', Signature: 'x' } }),
      'InvalidParameterValue',
      'authorization message',
    );
    await expectRefusal(
      provision({ Cidr: '130.137.243.0/24', MultiRegion: true, ...context('130.137.243.0/24') }),
      'InvalidParameterValue',
      'MultiRegion',
    );
    await expectRefusal(
      provision({ Cidr: '130.137.243.0/24', NetworkBorderGroup: 'eu-west-1', ...context('130.137.243.0/24') }),
      'InvalidParameterValue',
      'eu-west-1',
    );
    // Overlapping a range held in the Region, or the same range again.
    await expectRefusal(provision({ Cidr: '130.137.240.0/23', ...context('130.137.240.0/23') }), 'InvalidParameterValue', 'overlaps');
    await expectRefusal(
      provision({ Cidr: '130.137.241.0/24', ...context('130.137.241.0/24') }),
      'InvalidParameterValue',
      'already provisioned',
    );
    // A Local Zone network border group of the Region is the range's.
    const local = await provision({ Cidr: '130.137.243.0/24', NetworkBorderGroup: 'us-west-2-lax-1', ...context('130.137.243.0/24') });
    expect(local.ByoipCidr.NetworkBorderGroup).toBe('us-west-2-lax-1');
  });
});

describe('IPv6 pools of BYOIPv6 ranges', () => {
  it('lists each provisioned range as an ipv6pool-ec2 pool with its tags; no CIDR of it is associated', async () => {
    const cidr = '2605:9cc0:600::/56';
    const range = await provisionRange(cidr, ADMIN, {
      PubliclyAdvertisable: false,
      Description: 'lab v6',
      PoolTagSpecifications: [{ ResourceType: 'ipv6pool-ec2', Tags: [{ Key: 'team', Value: 'net' }] }],
    });
    expect(range).toMatchObject({
      State: 'provisioned-not-publicly-advertisable',
      StatusMessage: expect.stringMatching(/^ipv6pool-ec2-0[0-9a-f]{16}$/),
    });
    await expectRefusal(harness.call('AdvertiseByoipCidr', { Cidr: cidr }, as(ADMIN)), 'IncorrectState', 'not publicly advertisable');
    const poolId = range.StatusMessage!;
    const { Ipv6Pools } = await harness.call('DescribeIpv6Pools', {}, as(ADMIN));
    expect(Ipv6Pools).toEqual([
      { PoolId: poolId, Description: 'lab v6', PoolCidrBlocks: [{ Cidr: cidr }], Tags: [{ Key: 'team', Value: 'net' }] },
    ]);
    expect(
      (await harness.call('DescribeIpv6Pools', { Filters: [{ Name: 'tag:team', Values: ['net'] }] }, as(ADMIN))).Ipv6Pools,
    ).toHaveLength(1);
    expect((await harness.call('DescribeIpv6Pools', { Filters: [{ Name: 'tag:team', Values: ['ops'] }] }, as(ADMIN))).Ipv6Pools).toEqual(
      [],
    );
    expect((await harness.call('DescribeIpv6Pools', { PoolIds: [poolId] }, as(ADMIN))).Ipv6Pools).toHaveLength(1);
    expect((await harness.call('DescribeIpv6Pools', {}, as(MEMBER_B))).Ipv6Pools).toEqual([]);
    expect((await harness.call('DescribeIpv6Pools', {}, as(ADMIN, 'us-east-1'))).Ipv6Pools).toEqual([]);
    await expectRefusal(
      harness.call('DescribeIpv6Pools', { PoolIds: ['ipv6pool-ec2-0123456789abcdef0'] }, as(ADMIN)),
      'InvalidPoolID.NotFound',
    );
    expect(await harness.call('GetAssociatedIpv6PoolCidrs', { PoolId: poolId }, as(ADMIN))).toEqual({ Ipv6CidrAssociations: [] });
    await expectRefusal(harness.call('GetAssociatedIpv6PoolCidrs', { PoolId: poolId }, as(MEMBER_B)), 'InvalidPoolID.NotFound');
    await expectRefusal(
      harness.call(
        'ProvisionByoipCidr',
        {
          Cidr: '2605:9cc0:700::/48',
          CidrAuthorizationContext: authorization('2605:9cc0:700::/48', ADMIN, { publish: false }),
          PoolTagSpecifications: [{ ResourceType: 'ipv4pool-ec2', Tags: [{ Key: 'a', Value: 'b' }] }],
        },
        as(ADMIN),
      ),
      'InvalidParameterValue',
      'ipv6pool-ec2',
    );
  });
});

describe('MoveByoipCidrToIpam (S12)', () => {
  it("moves the caller's range into its own top-level pool: pending-transfer, then complete-transfer", async () => {
    const cidr = '130.137.244.0/24';
    const range = await provisionRange(cidr);
    const pool = await transferPool(ADMIN);
    expect((await move(cidr, pool, ADMIN, ADMIN)).ByoipCidr).toEqual({ Cidr: cidr, State: 'pending-transfer' });
    // The guide polls the same command until complete-transfer.
    expect((await move(cidr, pool, ADMIN, ADMIN)).ByoipCidr).toEqual({ Cidr: cidr, State: 'complete-transfer' });
    const { IpamPoolCidrs } = await harness.call('GetIpamPoolCidrs', { IpamPoolId: pool.IpamPoolId }, as(ADMIN, 'us-east-1'));
    expect(IpamPoolCidrs).toMatchObject([{ Cidr: cidr, State: 'provisioned' }]);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId }, as(ADMIN));
    expect(IpamPoolAllocations).toMatchObject([
      { Cidr: cidr, ResourceId: range.StatusMessage, ResourceType: 'ec2-public-ipv4-pool', ResourceOwner: ADMIN, ResourceRegion: REGION },
    ]);
    // Now IPAM's BYOIP CIDR (its pool is for EC2 in the Region), listed once.
    expect(
      (await harness.call('DescribeByoipCidrs', { MaxResults: 100 }, as(ADMIN))).ByoipCidrs.filter(
        (listed: Answer) => listed.Cidr === cidr,
      ),
    ).toEqual([expect.objectContaining({ State: 'provisioned', StatusMessage: 'Cidr successfully provisioned' })]);
    await expectRefusal(harness.call('DeprovisionByoipCidr', { Cidr: cidr }, as(ADMIN)), 'InvalidParameterValue');
    await expectRefusal(
      harness.call('ProvisionByoipCidr', { Cidr: cidr, CidrAuthorizationContext: authorization(cidr, ADMIN) }, as(ADMIN)),
      'InvalidParameterValue',
      `moved to IPAM pool ${pool.IpamPoolId}`,
    );
    const changes = harness.events.published().filter((event) => event['detail-type'] === 'IPAM Pool CIDR State Change');
    expect(
      changes.filter((event) => (event.detail as { cidr: string }).cidr === cidr).map((event) => (event.detail as { state: string }).state),
    ).toEqual(['pending-import', 'provisioned']);
  });

  it("moves a member account's range into the IPAM account's pool shared with the import permission only", async () => {
    const cidr = '130.137.249.0/24';
    await provisionRange(cidr, MEMBER_A);
    const pool = await transferPool(ADMIN);
    // Not shared: the pool is unknown to the member.
    await expectRefusal(move(cidr, pool, ADMIN, MEMBER_A), 'InvalidIpamPoolId.NotFound');
    expect((await ram(harness, MANAGEMENT, { path: '/enablesharingwithawsorganization', region: 'us-east-1' })).status).toBe(200);
    const share = (name: string, permission: string) =>
      ram(harness, ADMIN, {
        path: '/createresourceshare',
        region: 'us-east-1',
        body: { name, resourceArns: [pool.IpamPoolArn], principals: [MEMBER_A], permissionArns: [permission] },
      });
    // Shared to allocate from, not to import into.
    expect((await share('PoolShare1', POOL_PERMISSION)).status).toBe(200);
    await expectRefusal(move(cidr, pool, ADMIN, MEMBER_A), 'UnauthorizedOperation');
    // The pool owner must be named right.
    expect((await share('PoolShare2', IMPORT_PERMISSION)).status).toBe(200);
    await expectRefusal(move(cidr, pool, MEMBER_B, MEMBER_A), 'InvalidIpamPoolId.NotFound');
    expect((await move(cidr, pool, ADMIN, MEMBER_A)).ByoipCidr.State).toBe('pending-transfer');
    expect((await move(cidr, pool, ADMIN, MEMBER_A)).ByoipCidr.State).toBe('complete-transfer');
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId }, as(ADMIN));
    expect(IpamPoolAllocations).toMatchObject([{ Cidr: cidr, ResourceType: 'ec2-public-ipv4-pool', ResourceOwner: MEMBER_A }]);
    // The member no longer holds the range outside IPAM; the IPAM account lists it.
    expect(await describeRange(cidr, MEMBER_A)).toBeUndefined();
    expect(await describeRange(cidr, ADMIN)).toMatchObject({ State: 'provisioned' });
  });

  it('refuses IPv6, an advertised range, and pools that are not top-level BYOIPv4 for EC2 in the Region', async () => {
    const cidr = '130.137.238.0/24';
    await provisionRange(cidr);
    const good = await transferPool(ADMIN);
    await expectRefusal(
      harness.call('MoveByoipCidrToIpam', { Cidr: '2605:9cc0:600::/56', IpamPoolId: good.IpamPoolId, IpamPoolOwner: ADMIN }, as(ADMIN)),
      'InvalidParameterValue',
      'IPv6',
    );
    await expectRefusal(move(cidr, await transferPool(ADMIN, { Locale: 'us-east-1' }), ADMIN, ADMIN), 'InvalidParameterValue', 'locale');
    await expectRefusal(
      move(cidr, await transferPool(ADMIN, { AwsService: undefined }), ADMIN, ADMIN),
      'InvalidParameterValue',
      'AwsService',
    );
    const child = await transferPool(ADMIN, { SourceIpamPoolId: good.IpamPoolId });
    await expectRefusal(move(cidr, child, ADMIN, ADMIN), 'InvalidParameterValue', 'top-level');
    await expectRefusal(move('130.137.237.0/24', good, ADMIN, ADMIN), 'InvalidParameterValue', 'not a BYOIP range');
    await harness.call('AdvertiseByoipCidr', { Cidr: cidr }, as(ADMIN));
    await expectRefusal(move(cidr, good, ADMIN, ADMIN), 'IncorrectState', 'withdraw');
    await harness.call('WithdrawByoipCidr', { Cidr: cidr }, as(ADMIN));
    expect((await move(cidr, good, ADMIN, ADMIN)).ByoipCidr.State).toBe('pending-transfer');
  });

  it('ends failed-import and failed-transfer when the scope already holds the CIDR; the range stays provisioned', async () => {
    const cidr = '130.137.236.0/24';
    await provisionRange(cidr);
    const first = await transferPool(ADMIN);
    const second = await transferPool(ADMIN);
    // The IPAM's public scope already has the CIDR in another pool, proved the IPAM way.
    const Message = `1|aws|${ADMIN}|${cidr}|20991231|SHA256|RSAPSS`;
    await harness.call(
      'ProvisionIpamPoolCidr',
      { IpamPoolId: second.IpamPoolId, Cidr: cidr, CidrAuthorizationContext: { Message, Signature: identity.sign(Message) } },
      as(ADMIN, 'us-east-1'),
    );
    expect((await move(cidr, first, ADMIN, ADMIN)).ByoipCidr.State).toBe('pending-transfer');
    expect((await move(cidr, first, ADMIN, ADMIN)).ByoipCidr).toMatchObject({
      State: 'failed-transfer',
      StatusMessage: expect.stringContaining('not available'),
    });
    const { IpamPoolCidrs } = await harness.call('GetIpamPoolCidrs', { IpamPoolId: first.IpamPoolId }, as(ADMIN, 'us-east-1'));
    expect(IpamPoolCidrs).toMatchObject([{ Cidr: cidr, State: 'failed-import', FailureReason: { Code: 'cidr-not-available' } }]);
    expect(await describeRange(cidr)).toMatchObject({ State: 'provisioned' });
    // Asked again, the move starts anew (and here fails the same way).
    expect((await move(cidr, first, ADMIN, ADMIN)).ByoipCidr.State).toBe('pending-transfer');
  });
});

// ProvisionByoipCidr of an IPv4 range makes a public IPv4 pool, the same object CreatePublicIpv4Pool
// makes: listed, allocated from, and (after MoveByoipCidrToIpam) given back to the IPAM pool like one.
describe('the public IPv4 pool of a BYOIPv4 range outside IPAM', () => {
  const pools = async (input: Record<string, unknown> = {}) =>
    (await harness.call('DescribePublicIpv4Pools', input, as(ADMIN))).PublicIpv4Pools as Record<string, unknown>[];
  const allocate = (PublicIpv4Pool: string) => harness.call('AllocateAddress', { Domain: 'vpc', PublicIpv4Pool }, as(ADMIN));
  const release = (eip: { AllocationId: string }) => harness.call('ReleaseAddress', { AllocationId: eip.AllocationId }, as(ADMIN));
  const range = (available: number) => ({
    FirstAddress: '130.137.230.0',
    LastAddress: '130.137.230.255',
    AddressCount: 256,
    AvailableAddressCount: available,
  });

  it('is listed with its range, counts, border group and pool tags; Elastic IPs come from it and block DeprovisionByoipCidr', async () => {
    const cidr = '130.137.230.0/24';
    const tags = [{ Key: 'team', Value: 'edge' }];
    const provisioned = await provisionRange(cidr, ADMIN, {
      Description: 'edge range',
      PoolTagSpecifications: [{ ResourceType: 'ipv4pool-ec2', Tags: tags }],
    });
    const PoolId = provisioned.StatusMessage!;
    expect(await pools({ PoolIds: [PoolId] })).toEqual([
      {
        PoolId,
        Description: 'edge range',
        NetworkBorderGroup: REGION,
        Tags: tags,
        PoolAddressRanges: [range(256)],
        TotalAddressCount: 256,
        TotalAvailableAddressCount: 256,
      },
    ]);
    expect((await pools()).map((pool) => pool.PoolId)).toContain(PoolId);
    // Listed once in DescribeByoipCidrs: as the range outside IPAM, not again as a pool range.
    const listed = (await harness.call('DescribeByoipCidrs', { MaxResults: 100 }, as(ADMIN))).ByoipCidrs;
    expect(listed.filter((answer: Answer) => answer.Cidr === cidr)).toEqual([expect.objectContaining({ StatusMessage: PoolId })]);

    const eip = await allocate(PoolId);
    expect(eip).toMatchObject({ PublicIp: '130.137.230.0', PublicIpv4Pool: PoolId, NetworkBorderGroup: REGION, Domain: 'vpc' });
    expect((await pools({ PoolIds: [PoolId] }))[0]).toMatchObject({ PoolAddressRanges: [range(255)], TotalAvailableAddressCount: 255 });
    // The range is EC2's until moved: DeprovisionByoipCidr is its way out, not DeprovisionPublicIpv4PoolCidr or DeletePublicIpv4Pool.
    await expectRefusal(
      harness.call('DeprovisionPublicIpv4PoolCidr', { PoolId, Cidr: cidr }, as(ADMIN)),
      'InvalidParameterValue',
      'DeprovisionByoipCidr',
    );
    await expectRefusal(harness.call('DeletePublicIpv4Pool', { PoolId }, as(ADMIN)), 'DependencyViolation', PoolId);
    await expectRefusal(
      harness.call('DeprovisionByoipCidr', { Cidr: cidr }, as(ADMIN)),
      'IncorrectState',
      'IP addresses allocated from its address range',
    );
    await release(eip);
    expect((await harness.call('DeprovisionByoipCidr', { Cidr: cidr }, as(ADMIN))).ByoipCidr.State).toBe('pending-deprovision');
    // EC2 "deletes the corresponding address pool".
    await expectRefusal(pools({ PoolIds: [PoolId] }), 'InvalidPublicIpv4PoolID.NotFound', PoolId);
    const changes = harness.events
      .published()
      .filter((event) => event['detail-type'] === 'Public IPv4 Pool Change' && (event.detail as { poolId: string }).poolId === PoolId)
      .map((event) => (event.detail as { change: string }).change);
    expect(changes).toEqual(['created', 'deleted']);
  });

  it('makes no public IPv4 pool for an IPv6 range or a range that failed', async () => {
    const before = (await pools()).length;
    expect((await provisionRange('2605:9cc0:700::/48')).State).toBe('provisioned');
    const failed = '130.137.231.0/24';
    await harness.call(
      'ProvisionByoipCidr',
      { Cidr: failed, CidrAuthorizationContext: authorization(failed, ADMIN, { signer: createSigningIdentity() }) },
      as(ADMIN),
    );
    expect(await describeRange(failed)).toMatchObject({ State: 'failed-provision' });
    expect(await pools()).toHaveLength(before);
  });

  it('after MoveByoipCidrToIpam holds the IPAM allocation, keeps its Elastic IPs, and gives the block back (S12 C5/C6)', async () => {
    const cidr = '130.137.230.0/24';
    const PoolId = (await provisionRange(cidr)).StatusMessage!;
    const eip = await allocate(PoolId);
    const ipamPool = await transferPool(ADMIN);
    await move(cidr, ipamPool, ADMIN, ADMIN);
    expect((await move(cidr, ipamPool, ADMIN, ADMIN)).ByoipCidr.State).toBe('complete-transfer');
    const allocations = async () =>
      (await harness.call('GetIpamPoolAllocations', { IpamPoolId: ipamPool.IpamPoolId }, as(ADMIN))).IpamPoolAllocations;
    expect(await allocations()).toMatchObject([{ Cidr: cidr, ResourceId: PoolId, ResourceType: 'ec2-public-ipv4-pool' }]);
    // The EIP is unaffected; the range moved, so DeprovisionByoipCidr no longer applies.
    expect((await pools({ PoolIds: [PoolId] }))[0]).toMatchObject({ PoolAddressRanges: [range(255)] });
    await expectRefusal(harness.call('DeprovisionByoipCidr', { Cidr: cidr }, as(ADMIN)), 'InvalidParameterValue');
    await expectRefusal(harness.call('DeprovisionPublicIpv4PoolCidr', { PoolId, Cidr: cidr }, as(ADMIN)), 'DependencyViolation', cidr);
    await release(eip);
    // C5 (in the IPAM's Region, as the guide writes it), C6.
    expect(await harness.call('DeprovisionPublicIpv4PoolCidr', { PoolId, Cidr: cidr }, as(ADMIN, 'us-east-1'))).toEqual({
      PoolId,
      DeprovisionedAddresses: [cidr],
    });
    expect((await pools({ PoolIds: [PoolId] }))[0]).toMatchObject({
      PoolAddressRanges: [],
      TotalAddressCount: 0,
      TotalAvailableAddressCount: 0,
    });
    expect(await allocations()).toEqual([]);
    // The IPAM pool CIDR can go now, and the pool with it.
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: ipamPool.IpamPoolId, Cidr: cidr }, as(ADMIN, 'us-east-1'));
    const { IpamPoolCidrs } = await harness.call('GetIpamPoolCidrs', { IpamPoolId: ipamPool.IpamPoolId }, as(ADMIN, 'us-east-1'));
    expect(IpamPoolCidrs).toMatchObject([{ Cidr: cidr, State: 'deprovisioned' }]);
    expect((await harness.call('DeleteIpamPool', { IpamPoolId: ipamPool.IpamPoolId }, as(ADMIN, 'us-east-1'))).IpamPool).toMatchObject({
      State: 'delete-in-progress',
    });
  });
});
