// The guide's public-space scenarios with the real AWS CLI (issue 21 part A): S14 (sequential
// Elastic IPs, with association and clean-up), S9 (BYOIPv4 with the CLI only) on its main path and
// on its alternative path through a public IPv4 pool, and the CLI parts of S7. The commands are the
// guide's, `--profile` and all, but for the endpoint, the ids the service returned, a signature
// date that has not passed, and the acceptance variants the spec names where the guide is
// defective. Proof of control comes from local DNS and RDAP fixtures; instance i-07459a6fca5b35823
// from the instances file (IPAM_EC2_INSTANCES_FILE).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsTokenRecordNames } from '../../lambdas/domain/byoip-verification.ts';
import { parseCidr } from '../../lambdas/domain/cidr.ts';
import { skipUnless } from '../support/optional-client.ts';
import { rdapIpRecord, type RegistryServers, startRegistryServers } from '../support/registry-servers.ts';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { createSigningIdentity, type SigningIdentity } from '../support/signing-identity.ts';
import { type AwsCli, awsCli, type CliResult, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the public-space AWS CLI scenarios (S7, S9, S14)', probe.reason));

const INSTANCE = 'i-07459a6fca5b35823';
/** Each CLI run starts Python and loads the EC2 model; a scenario makes 40–60 of them, slower on a busy machine. */
const SCENARIO_TIMEOUT_MS = 600_000;
/** The guide's profiles: management-account, ipam-account (the delegated IPAM administrator), member-account. */
const PROFILES = { 'management-account': ADMIN, 'ipam-account': OTHER, 'member-account': MEMBER };

let service: TestService;
let servers: RegistryServers;
let identity: SigningIdentity;
/** Runs the guide's commands; those without --profile run as the management account (S14 is single-account). */
let cli: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  servers = await startRegistryServers();
  identity = createSigningIdentity();
  const dir = await mkdtemp(path.join(tmpdir(), 'ipam-instances-'));
  const instances = path.join(dir, 'instances.json');
  const instance = { InstanceId: INSTANCE, NetworkInterfaceId: 'eni-0a1b2c3d4e5f60718', PrivateIpAddresses: ['10.0.0.12'] };
  await writeFile(
    instances,
    JSON.stringify({
      accounts: {
        [ADMIN.accountId]: { 'us-east-1': [instance] },
        [MEMBER.accountId]: { 'us-west-2': [instance], 'us-east-2': [instance] },
      },
    }),
  );
  service = await startTestService({
    extraAccounts: [MEMBER],
    env: { IPAM_BYOIP_DNS_RESOLVER: servers.dnsResolver, IPAM_BYOIP_RDAP_URL: servers.rdapBaseUrl, IPAM_EC2_INSTANCES_FILE: instances },
  });
  cli = await awsCli(service.url, ADMIN, 'us-east-1', PROFILES);
  // Preconditions of S7/S9: organisation integration, the IPAM account delegated, sharing with the organisation on.
  await cli.ok(`aws ec2 enable-ipam-organization-admin-account --delegated-admin-account-id ${OTHER.accountId}`);
  await cli.ok('aws ram enable-sharing-with-aws-organization');
}, 120_000);
afterAll(async () => {
  await service?.stop();
  await servers?.close();
});

function expectCliError(result: CliResult, code: string, action: string): void {
  expect({ status: result.status, code: result.errorCode, action: result.errorAction }).toEqual({ status: 255, code, action });
}

function pollJson<T>(command: string, read: (json: any) => T, done: (value: T) => boolean, what: string): Promise<T> {
  return poll(async () => read((await cli.ok(command)).json), done, what);
}

const pollPoolsComplete = (region: string, profile: string, count: number) =>
  pollJson(
    `aws ec2 describe-ipam-pools --region ${region} --profile ${profile}`,
    (json) => json.IpamPools.filter((pool: { State: string }) => pool.State === 'create-complete').length,
    (complete) => complete >= count,
    'the pools to be create-complete',
  );

const pollCidrState = (region: string, poolId: string, profile: string, state: string) =>
  pollJson(
    `aws ec2 get-ipam-pool-cidrs --region ${region} --ipam-pool-id ${poolId} --profile ${profile}`,
    (json) => json.IpamPoolCidrs[0]?.State as string,
    (found) => found === state,
    `the CIDR of ${poolId} to be ${state}`,
  );

interface ByoipSetup {
  ipamId: string;
  publicScope: string;
  top: string;
  regional: string;
  shareArn: string;
}

/**
 * S9 steps 2–8 (S7 steps 2–5 on the CLI): the IPAM, the top-level pool with the BYOIP CIDR proved
 * by `proof`, the regional pool in `locale`, its CIDR, and the share to member-account.
 */
async function byoipThroughStep8(cidr: string, locale: string, proof: 'remarks-x509' | 'dns-token'): Promise<ByoipSetup> {
  // 2.
  const ipam = (
    await cli.ok(
      `aws ec2 create-ipam --description my-ipam --region us-east-1 --operating-regions RegionName=${locale} --profile ipam-account`,
    )
  ).json.Ipam;
  expect(ipam).toMatchObject({ ScopeCount: 2, Description: 'my-ipam' });
  const publicScope: string = ipam.PublicDefaultScopeId;
  // 3.
  const topPool = (
    await cli.ok(
      `aws ec2 create-ipam-pool --region us-east-1 --ipam-scope-id ${publicScope} --description "top-level-IPv4-pool" --address-family ipv4 --profile ipam-account`,
    )
  ).json.IpamPool;
  expect(topPool).toMatchObject({ IpamScopeType: 'public', Locale: 'None', PoolDepth: 1, AutoImport: false, AddressFamily: 'ipv4' });
  const top: string = topPool.IpamPoolId;
  await pollPoolsComplete('us-east-1', 'ipam-account', 1);
  // 4. Proof of control: a signed message against the RDAP record's certificate, or the token's TXT records.
  if (proof === 'remarks-x509') {
    servers.rdap.set(`ip/${cidr}`, rdapIpRecord(cidr, identity.certificatePem));
    const message = `1|aws|${OTHER.accountId}|${cidr}|20991231|SHA256|RSAPSS`;
    const provisioned = await cli.ok(
      `aws ec2 provision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${top} --cidr ${cidr} --verification-method remarks-x509 --cidr-authorization-context Message="${message}",Signature="${identity.sign(message)}" --profile ipam-account`,
    );
    expect(provisioned.json.IpamPoolCidr).toMatchObject({ Cidr: cidr, State: 'pending-provision' });
  } else {
    const token = (
      await cli.ok(
        `aws ec2 create-ipam-external-resource-verification-token --region us-east-1 --ipam-id ${ipam.IpamId} --profile ipam-account`,
      )
    ).json.IpamExternalResourceVerificationToken;
    for (const name of dnsTokenRecordNames(parseCidr(cidr), token.TokenName)) servers.txt.set(name, [token.TokenValue]);
    const provisioned = await cli.ok(
      `aws ec2 provision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${top} --cidr ${cidr} --verification-method dns-token --ipam-external-resource-verification-token-id ${token.IpamExternalResourceVerificationTokenId} --profile ipam-account`,
    );
    expect(provisioned.json.IpamPoolCidr).toMatchObject({ Cidr: cidr, State: 'pending-provision' });
  }
  await pollCidrState('us-east-1', top, 'ipam-account', 'provisioned');
  // 5.
  const regionalPool = (
    await cli.ok(
      `aws ec2 create-ipam-pool --description "Regional-IPv4-pool" --region us-east-1 --ipam-scope-id ${publicScope} --source-ipam-pool-id ${top} --locale ${locale} --address-family ipv4 --aws-service ec2 --profile ipam-account`,
    )
  ).json.IpamPool;
  expect(regionalPool).toMatchObject({ SourceIpamPoolId: top, IpamScopeType: 'public', Locale: locale, PoolDepth: 2, AwsService: 'ec2' });
  const regional: string = regionalPool.IpamPoolId;
  await pollPoolsComplete('us-east-1', 'ipam-account', 2);
  // 6.
  await cli.ok(`aws ec2 provision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${regional} --cidr ${cidr} --profile ipam-account`);
  await pollCidrState('us-east-1', regional, 'ipam-account', 'provisioned');
  // 8. The share of the regional pool with member-account (S7 step 5's second share; the CLI equivalent of the console procedure).
  const share = (
    await cli.ok(
      `aws ram create-resource-share --region us-east-1 --name regional-pool --resource-arns ${regionalPool.IpamPoolArn} --principals ${MEMBER.accountId} --permission-arns arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool --profile ipam-account`,
    )
  ).json.resourceShare;
  return { ipamId: ipam.IpamId, publicScope, top, regional, shareArn: share.resourceShareArn };
}

/** S9 C4–C10 (S7 C4–C6): allocations gone, regional CIDR deprovisioned, share deleted, pools and IPAM deleted. */
async function cleanUpFromC4(setup: ByoipSetup, cidr: string, locale: string): Promise<void> {
  // C4.
  await pollJson(
    `aws ec2 get-ipam-pool-allocations --region ${locale} --ipam-pool-id ${setup.regional} --profile ipam-account`,
    (json) => json.IpamPoolAllocations.length as number,
    (count) => count === 0,
    'the regional pool to have no allocations',
  );
  // C5.
  const deprovisioning = await cli.ok(
    `aws ec2 deprovision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${setup.regional} --cidr ${cidr} --profile ipam-account`,
  );
  expect(deprovisioning.json.IpamPoolCidr).toMatchObject({ Cidr: cidr });
  await pollCidrState('us-east-1', setup.regional, 'ipam-account', 'deprovisioned');
  // C6.
  await cli.ok(`aws ram delete-resource-share --region us-east-1 --resource-share-arn ${setup.shareArn} --profile ipam-account`);
  // C7.
  const deleted = await cli.ok(`aws ec2 delete-ipam-pool --region us-east-1 --ipam-pool-id ${setup.regional} --profile ipam-account`);
  expect(deleted.json.IpamPool).toMatchObject({ State: 'delete-in-progress', Locale: locale, PoolDepth: 2 });
  // C8.
  await cli.ok(`aws ec2 deprovision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${setup.top} --cidr ${cidr} --profile ipam-account`);
  await pollCidrState('us-east-1', setup.top, 'ipam-account', 'deprovisioned');
  // C9.
  const topDeleted = await cli.ok(`aws ec2 delete-ipam-pool --region us-east-1 --ipam-pool-id ${setup.top} --profile ipam-account`);
  expect(topDeleted.json.IpamPool).toMatchObject({ State: 'delete-in-progress', Locale: 'None', PoolDepth: 1 });
  // C10 (once the pools are gone).
  await poll(
    async () => cli.run(`aws ec2 delete-ipam --region us-east-1 --ipam-id ${setup.ipamId} --profile ipam-account`),
    (result) => result.status === 0,
    'the IPAM to be deleted',
  );
  // Deleting is asynchronous and a deleting IPAM still counts toward the account's one IPAM: the
  // next scenario's create-ipam waits until it is gone.
  await pollJson(
    'aws ec2 describe-ipams --region us-east-1 --profile ipam-account',
    (json) => json.Ipams.some((ipam: { IpamId: string }) => ipam.IpamId === setup.ipamId),
    (present) => !present,
    'the IPAM to be gone',
  );
}

describeCli('S14 sequential Elastic IPs with the AWS CLI', () => {
  it('allocates EIPs in address order, associates one with the instance, tracks them and cleans up', {
    timeout: SCENARIO_TIMEOUT_MS,
  }, async () => {
    // 1–3.
    const ipam = (await cli.ok('aws ec2 create-ipam --region us-east-1')).json.Ipam;
    const pool = (
      await cli.ok(
        `aws ec2 create-ipam-pool --region us-east-1 --ipam-scope-id ${ipam.PublicDefaultScopeId} --address-family ipv4 --locale us-east-1 --aws-service ec2 --public-ip-source amazon`,
      )
    ).json.IpamPool;
    expect(pool).toMatchObject({ IpamScopeType: 'public', Locale: 'us-east-1', AwsService: 'ec2', PublicIpSource: 'amazon' });
    const poolId: string = pool.IpamPoolId;
    await pollJson(
      `aws ec2 describe-ipam-pools --region us-east-1 --ipam-pool-ids ${poolId}`,
      (json) => json.IpamPools[0].State as string,
      (state) => state === 'create-complete',
      'the pool to be create-complete',
    );
    // 4–5.
    const pending = (await cli.ok(`aws ec2 provision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${poolId} --netmask-length 29`)).json
      .IpamPoolCidr;
    expect(pending).toMatchObject({ State: 'pending-provision', NetmaskLength: 29 });
    await pollCidrState('us-east-1', poolId, 'management-account', 'provisioned');
    const blockText: string = (await cli.ok(`aws ec2 get-ipam-pool-cidrs --region us-east-1 --ipam-pool-id ${poolId}`)).json
      .IpamPoolCidrs[0].Cidr;
    const block = parseCidr(blockText);
    const nth = (n: number) => {
      const value = block.start + BigInt(n);
      return [24n, 16n, 8n, 0n].map((shift) => (value >> shift) & 255n).join('.');
    };
    // 6. Sequential, then a specific address; a taken one and another Region are refused.
    const first = (await cli.ok(`aws ec2 allocate-address --region us-east-1 --ipam-pool-id ${poolId}`)).json;
    expect(first).toEqual({
      PublicIp: nth(0),
      AllocationId: expect.stringMatching(/^eipalloc-0[0-9a-f]{16}$/),
      PublicIpv4Pool: poolId,
      NetworkBorderGroup: 'us-east-1',
      Domain: 'vpc',
    });
    const second = (await cli.ok(`aws ec2 allocate-address --region us-east-1 --ipam-pool-id ${poolId}`)).json;
    expect(second.PublicIp).toBe(nth(1));
    expectCliError(
      await cli.run(`aws ec2 allocate-address --region us-east-1 --ipam-pool-id ${poolId} --address ${nth(1)}`),
      'InvalidIPAddress.InUse',
      'AllocateAddress',
    );
    const chosen = (await cli.ok(`aws ec2 allocate-address --region us-east-1 --ipam-pool-id ${poolId} --address ${nth(5)}`)).json;
    expect(chosen.PublicIp).toBe(nth(5));
    expectCliError(
      await cli.run(`aws ec2 allocate-address --region us-west-2 --ipam-pool-id ${poolId}`),
      'InvalidParameterValue',
      'AllocateAddress',
    );
    // 7.
    const association = (
      await cli.ok(`aws ec2 associate-address --region us-east-1 --instance-id ${INSTANCE} --public-ip ${second.PublicIp}`)
    ).json;
    expect(association).toEqual({ AssociationId: expect.stringMatching(/^eipassoc-0[0-9a-f]{16}$/) });
    const described = (await cli.ok(`aws ec2 describe-addresses --region us-east-1 --public-ips ${second.PublicIp}`)).json.Addresses[0];
    expect(described).toMatchObject({ AssociationId: association.AssociationId, InstanceId: INSTANCE, PrivateIpAddress: '10.0.0.12' });
    // 8. One eip allocation per EIP.
    const allocations = (await cli.ok(`aws ec2 get-ipam-pool-allocations --region us-east-1 --ipam-pool-id ${poolId}`)).json
      .IpamPoolAllocations;
    expect(allocations.map((allocation: { Cidr: string }) => allocation.Cidr).sort()).toEqual([
      `${nth(0)}/32`,
      `${nth(1)}/32`,
      `${nth(5)}/32`,
    ]);
    for (const allocation of allocations) {
      expect(allocation).toMatchObject({ ResourceType: 'eip', ResourceRegion: 'us-east-1', ResourceOwner: ADMIN.accountId });
    }
    // Clean-up: an associated EIP cannot be released (DN-303); C1 disassociate, C2 release, C3–C5.
    expectCliError(
      await cli.run(`aws ec2 release-address --region us-east-1 --allocation-id ${second.AllocationId}`),
      'InvalidIPAddress.InUse',
      'ReleaseAddress',
    );
    await cli.ok(`aws ec2 disassociate-address --region us-east-1 --association-id ${association.AssociationId}`);
    for (const eip of [first, second, chosen])
      await cli.ok(`aws ec2 release-address --region us-east-1 --allocation-id ${eip.AllocationId}`);
    expect(
      (await cli.ok(`aws ec2 get-ipam-pool-allocations --region us-east-1 --ipam-pool-id ${poolId}`)).json.IpamPoolAllocations,
    ).toEqual([]);
    await cli.ok(`aws ec2 deprovision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${poolId} --cidr ${blockText}`);
    await pollCidrState('us-east-1', poolId, 'management-account', 'deprovisioned');
    await cli.ok(`aws ec2 delete-ipam-pool --region us-east-1 --ipam-pool-id ${poolId}`);
    await poll(
      async () => cli.run(`aws ec2 delete-ipam --region us-east-1 --ipam-id ${ipam.IpamId}`),
      (result) => result.status === 0,
      'the IPAM to be deleted',
    );
  });
});

describeCli('S9 bring your own public IPv4 CIDR to IPAM with the AWS CLI only', () => {
  const cidr = '130.137.245.0/24';

  it('main path: a member allocates an EIP from the shared regional pool, associates it, and everything is undone', {
    timeout: SCENARIO_TIMEOUT_MS,
  }, async () => {
    const setup = await byoipThroughStep8(cidr, 'us-west-2', 'remarks-x509');
    // 7. Advertise in the locale Region.
    expect(
      (await cli.ok(`aws ec2 advertise-byoip-cidr --region us-west-2 --cidr ${cidr} --profile ipam-account`)).json.ByoipCidr,
    ).toMatchObject({
      Cidr: cidr,
      State: 'advertised',
    });
    // 9. Acceptance variant (the guide's sample is S14's): the locale Region and the regional pool; us-east-1 is refused.
    expectCliError(
      await cli.run(`aws ec2 allocate-address --region us-east-1 --ipam-pool-id ${setup.regional} --profile member-account`),
      'InvalidParameterValue',
      'AllocateAddress',
    );
    const eip = (await cli.ok(`aws ec2 allocate-address --region us-west-2 --ipam-pool-id ${setup.regional} --profile member-account`))
      .json;
    expect(eip).toMatchObject({
      PublicIp: '130.137.245.0',
      PublicIpv4Pool: setup.regional,
      NetworkBorderGroup: 'us-west-2',
      Domain: 'vpc',
    });
    // 10.
    const { AssociationId } = (
      await cli.ok(
        `aws ec2 associate-address --region us-west-2 --instance-id ${INSTANCE} --public-ip ${eip.PublicIp} --profile member-account`,
      )
    ).json;
    expect(AssociationId).toMatch(/^eipassoc-0[0-9a-f]{16}$/);
    // C1: on the main path the allocation is the EIP's.
    const allocations = (
      await cli.ok(`aws ec2 get-ipam-pool-allocations --region us-west-2 --ipam-pool-id ${setup.regional} --profile ipam-account`)
    ).json.IpamPoolAllocations;
    expect(allocations).toEqual([
      expect.objectContaining({
        Cidr: `${eip.PublicIp}/32`,
        ResourceType: 'eip',
        ResourceId: eip.AllocationId,
        ResourceOwner: MEMBER.accountId,
      }),
    ]);
    // C2.
    expect(
      (await cli.ok(`aws ec2 withdraw-byoip-cidr --region us-west-2 --cidr ${cidr} --profile ipam-account`)).json.ByoipCidr,
    ).toMatchObject({
      Cidr: cidr,
      State: 'provisioned',
    });
    // C3 ("Disassociate first if associated").
    expectCliError(
      await cli.run(`aws ec2 release-address --region us-west-2 --allocation-id ${eip.AllocationId} --profile member-account`),
      'InvalidIPAddress.InUse',
      'ReleaseAddress',
    );
    await cli.ok(`aws ec2 disassociate-address --region us-west-2 --association-id ${AssociationId} --profile member-account`);
    const released = await cli.ok(
      `aws ec2 release-address --region us-west-2 --allocation-id ${eip.AllocationId} --profile member-account`,
    );
    expect(released.stdout.trim()).toBe('');
    await cleanUpFromC4(setup, cidr, 'us-west-2');
  });

  it('alternative to step 9: the member moves the block into its public IPv4 pool and allocates from there', {
    timeout: SCENARIO_TIMEOUT_MS,
  }, async () => {
    const setup = await byoipThroughStep8(cidr, 'us-west-2', 'dns-token');
    // A1.
    const { PoolId } = (await cli.ok('aws ec2 create-public-ipv4-pool --region us-west-2 --profile member-account')).json;
    expect(PoolId).toMatch(/^ipv4pool-ec2-0[0-9a-f]{16}$/);
    // A2.
    const provisioned = (
      await cli.ok(
        `aws ec2 provision-public-ipv4-pool-cidr --region us-west-2 --ipam-pool-id ${setup.regional} --pool-id ${PoolId} --netmask-length 24 --profile member-account`,
      )
    ).json;
    expect(provisioned).toEqual({
      PoolId,
      PoolAddressRange: { FirstAddress: '130.137.245.0', LastAddress: '130.137.245.255', AddressCount: 256, AvailableAddressCount: 256 },
    });
    // A3.
    expect(
      (await cli.ok('aws ec2 describe-byoip-cidrs --region us-west-2 --max-results 10 --profile member-account')).json.ByoipCidrs,
    ).toEqual([expect.objectContaining({ Cidr: cidr, StatusMessage: 'Cidr successfully provisioned', State: 'provisioned' })]);
    // A4 (the guide's sample NetworkBorderGroup us-east-1 is a slip: the pool's Region).
    const eip = (await cli.ok(`aws ec2 allocate-address --region us-west-2 --public-ipv4-pool ${PoolId} --profile member-account`)).json;
    expect(eip).toEqual({
      PublicIp: '130.137.245.0',
      AllocationId: expect.stringMatching(/^eipalloc-0[0-9a-f]{16}$/),
      PublicIpv4Pool: PoolId,
      NetworkBorderGroup: 'us-west-2',
      Domain: 'vpc',
    });
    // A5. The EIP itself is not an IPAM allocation on this path.
    expect(
      (await cli.ok(`aws ec2 get-ipam-pool-allocations --region us-west-2 --ipam-pool-id ${setup.regional} --profile ipam-account`)).json
        .IpamPoolAllocations,
    ).toEqual([
      expect.objectContaining({ Cidr: cidr, ResourceId: PoolId, ResourceType: 'ec2-public-ipv4-pool', ResourceOwner: MEMBER.accountId }),
    ]);
    // 10.
    const { AssociationId } = (
      await cli.ok(
        `aws ec2 associate-address --region us-west-2 --instance-id ${INSTANCE} --public-ip ${eip.PublicIp} --profile member-account`,
      )
    ).json;
    // C3, with the disassociation first.
    await cli.ok(`aws ec2 disassociate-address --region us-west-2 --association-id ${AssociationId} --profile member-account`);
    await cli.ok(`aws ec2 release-address --region us-west-2 --allocation-id ${eip.AllocationId} --profile member-account`);
    // AC1.
    const pools = (await cli.ok('aws ec2 describe-public-ipv4-pools --region us-west-2 --profile member-account')).json.PublicIpv4Pools;
    expect(pools).toEqual([expect.objectContaining({ PoolId, TotalAddressCount: 256, TotalAvailableAddressCount: 256 })]);
    // AC2 as written: from us-east-1 (public IPv4 pool ids resolve in any Region).
    const deprovisioned = (
      await cli.ok(
        `aws ec2 deprovision-public-ipv4-pool-cidr --region us-east-1 --pool-id ${PoolId} --cidr ${cidr} --profile member-account`,
      )
    ).json;
    expect(deprovisioned).toEqual({ PoolId, DeprovisionedAddresses: [cidr] });
    // AC3, acceptance variant: the pool's Region.
    expect((await cli.ok('aws ec2 describe-public-ipv4-pools --region us-west-2 --profile member-account')).json.PublicIpv4Pools).toEqual([
      expect.objectContaining({
        PoolId,
        PoolAddressRanges: [],
        TotalAddressCount: 0,
        TotalAvailableAddressCount: 0,
        NetworkBorderGroup: 'us-west-2',
      }),
    ]);
    // S7 AC4.
    expect((await cli.ok(`aws ec2 delete-public-ipv4-pool --region us-west-2 --pool-id ${PoolId} --profile member-account`)).json).toEqual({
      ReturnValue: true,
    });
    await cleanUpFromC4(setup, cidr, 'us-west-2');
  });
});

describeCli('S7 bring your own IPv4 CIDR: the CLI parts', () => {
  it('steps 6–7 and the public IPv4 pool alternative (A1–A4, AC1–AC4) in us-east-2', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
    const cidr = '130.137.246.0/24';
    const setup = await byoipThroughStep8(cidr, 'us-east-2', 'remarks-x509');
    // 6. Acceptance variant (the guide's sample is S14's): us-east-2 and the regional pool; us-east-1 is refused.
    expectCliError(
      await cli.run(`aws ec2 allocate-address --region us-east-1 --ipam-pool-id ${setup.regional} --profile member-account`),
      'InvalidParameterValue',
      'AllocateAddress',
    );
    const eip = (await cli.ok(`aws ec2 allocate-address --region us-east-2 --ipam-pool-id ${setup.regional} --profile member-account`))
      .json;
    expect(eip).toMatchObject({ PublicIp: '130.137.246.0', NetworkBorderGroup: 'us-east-2' });
    // 7.
    const { AssociationId } = (
      await cli.ok(
        `aws ec2 associate-address --region us-east-2 --instance-id ${INSTANCE} --public-ip ${eip.PublicIp} --profile member-account`,
      )
    ).json;
    expect(AssociationId).toMatch(/^eipassoc-0[0-9a-f]{16}$/);
    // C2–C3.
    await cli.ok(`aws ec2 disassociate-address --region us-east-2 --association-id ${AssociationId} --profile member-account`);
    await cli.ok(`aws ec2 release-address --region us-east-2 --allocation-id ${eip.AllocationId} --profile member-account`);

    // A1–A4.
    const { PoolId } = (await cli.ok('aws ec2 create-public-ipv4-pool --region us-east-2 --profile member-account')).json;
    await cli.ok(
      `aws ec2 provision-public-ipv4-pool-cidr --region us-east-2 --ipam-pool-id ${setup.regional} --pool-id ${PoolId} --netmask-length 24 --profile member-account`,
    );
    const [pool] = (await cli.ok('aws ec2 describe-public-ipv4-pools --region us-east-2 --max-results 10 --profile member-account')).json
      .PublicIpv4Pools;
    expect(pool).toEqual({
      PoolId,
      Description: '',
      PoolAddressRanges: [{ FirstAddress: '130.137.246.0', LastAddress: '130.137.246.255', AddressCount: 256, AvailableAddressCount: 256 }],
      TotalAddressCount: 256,
      TotalAvailableAddressCount: 256,
      NetworkBorderGroup: 'us-east-2',
      Tags: [],
    });
    const fromPool = (await cli.ok(`aws ec2 allocate-address --region us-east-2 --public-ipv4-pool ${PoolId} --profile member-account`))
      .json;
    expect(fromPool).toMatchObject({ PublicIp: '130.137.246.0', PublicIpv4Pool: PoolId, NetworkBorderGroup: 'us-east-2' });
    // The guide's A3 defect: after one EIP, 255 available.
    expect(
      (await cli.ok('aws ec2 describe-public-ipv4-pools --region us-east-2 --profile member-account')).json.PublicIpv4Pools[0]
        .TotalAvailableAddressCount,
    ).toBe(255);
    // Deprovisioning while an EIP holds an address is refused; then C3 and AC1–AC4.
    expectCliError(
      await cli.run(
        `aws ec2 deprovision-public-ipv4-pool-cidr --region us-east-2 --pool-id ${PoolId} --cidr ${cidr} --profile member-account`,
      ),
      'DependencyViolation',
      'DeprovisionPublicIpv4PoolCidr',
    );
    await cli.ok(`aws ec2 release-address --region us-east-2 --allocation-id ${fromPool.AllocationId} --profile member-account`);
    expect(
      (await cli.ok('aws ec2 describe-public-ipv4-pools --region us-east-2 --profile member-account')).json.PublicIpv4Pools[0]
        .PoolAddressRanges,
    ).toEqual([expect.objectContaining({ AddressCount: 256, AvailableAddressCount: 256 })]);
    await cli.ok(
      `aws ec2 deprovision-public-ipv4-pool-cidr --region us-east-2 --pool-id ${PoolId} --cidr ${cidr} --profile member-account`,
    );
    expect(
      (await cli.ok('aws ec2 describe-public-ipv4-pools --region us-east-2 --profile member-account')).json.PublicIpv4Pools[0],
    ).toMatchObject({
      PoolAddressRanges: [],
      TotalAddressCount: 0,
      TotalAvailableAddressCount: 0,
      NetworkBorderGroup: 'us-east-2',
    });
    expect((await cli.ok(`aws ec2 delete-public-ipv4-pool --region us-east-2 --pool-id ${PoolId} --profile member-account`)).json).toEqual({
      ReturnValue: true,
    });
    await cleanUpFromC4(setup, cidr, 'us-east-2');
  });
});
