// The guide's scenario S12 ("Tutorial: Transfer a BYOIP IPv4 CIDR to IPAM") with the real AWS CLI:
// the guide's commands unchanged but for the endpoint, the ids the service returned and
// `--profile` (each account has its own CLI here). Accounts: the IPAM account is the organisation's
// delegated IPAM administrator (OTHER), the BYOIP owner a member account (MEMBER). Its
// precondition — a range already provisioned through EC2 BYOIP in us-west-2 — is made with
// `aws ec2 provision-byoip-cidr` against the local RDAP fixture.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { rdapIpRecord, type RegistryServers, startRegistryServers } from '../support/registry-servers.ts';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { createSigningIdentity } from '../support/signing-identity.ts';
import { type AwsCli, awsCli } from './support/aws-cli.ts';
import { probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the AWS CLI BYOIP transfer scenario (S12)', probe.reason));

const CIDR = '130.137.249.0/24';
const TIMEOUT_MS = 300_000;
const IMPORT_PERMISSION = 'arn:aws:ram::aws:permission/AWSRAMPermissionIpamPoolByoipCidrImport';
const POOL_PERMISSION = 'arn:aws:ram::aws:permission/AWSRAMDefaultPermissionsIpamPool';

let registry: RegistryServers;
let service: TestService;
let management: AwsCli;
let ipamAccount: AwsCli;
let byoipOwner: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  registry = await startRegistryServers();
  service = await startTestService({ env: { IPAM_BYOIP_RDAP_URL: registry.rdapBaseUrl }, extraAccounts: [MEMBER] });
  [management, ipamAccount, byoipOwner] = await Promise.all([
    awsCli(service.url, ADMIN),
    awsCli(service.url, OTHER),
    awsCli(service.url, MEMBER),
  ]);
  await management.ok(`aws ec2 enable-ipam-organization-admin-account --delegated-admin-account-id ${OTHER.accountId}`);
  await management.ok('aws ram enable-sharing-with-aws-organization');
}, TIMEOUT_MS);
afterAll(async () => {
  await service?.stop();
  await registry?.close();
});

describeCli('S12 transfer a BYOIP IPv4 CIDR to IPAM with the AWS CLI', () => {
  it('moves the owner account range into the shared top-level pool, shows it as an ec2-public-ipv4-pool allocation, and cleans up (C1–C7)', {
    timeout: TIMEOUT_MS,
  }, async () => {
    // Precondition: the owner's range, provisioned through EC2 BYOIP (signed message, RDAP certificate).
    const identity = createSigningIdentity();
    registry.rdap.set(`ip/${CIDR}`, rdapIpRecord(CIDR, identity.certificatePem));
    const message = `1|aws|${MEMBER.accountId}|${CIDR}|20991231|SHA256|RSAPSS`;
    const accepted = (
      await byoipOwner.ok(
        `aws ec2 provision-byoip-cidr --region us-west-2 --cidr ${CIDR} --cidr-authorization-context Message="${message}",Signature="${identity.sign(message)}"`,
      )
    ).json.ByoipCidr;
    expect(accepted).toMatchObject({ Cidr: CIDR, State: 'pending-provision' });
    const range = await poll(
      async () =>
        (await byoipOwner.ok('aws ec2 describe-byoip-cidrs --region us-west-2 --max-results 10')).json.ByoipCidrs.find(
          (listed: { Cidr: string }) => listed.Cidr === CIDR,
        ),
      (listed) => listed?.State === 'provisioned',
      `${CIDR} provisioned`,
    );
    const publicPoolId: string = range.StatusMessage;
    expect(publicPoolId).toMatch(/^ipv4pool-ec2-0[0-9a-f]{16}$/);
    // The range's address pool is a public IPv4 pool (as in EC2), holding the whole range.
    expect((await byoipOwner.ok('aws ec2 describe-public-ipv4-pools --region us-west-2')).json.PublicIpv4Pools).toEqual([
      expect.objectContaining({
        PoolId: publicPoolId,
        NetworkBorderGroup: 'us-west-2',
        TotalAddressCount: 256,
        TotalAvailableAddressCount: 256,
      }),
    ]);

    // 2. The IPAM (home us-east-1, operating in us-west-2) and its public default scope.
    await ipamAccount.ok('aws ec2 create-ipam --region us-east-1 --operating-regions RegionName=us-west-2');
    const [ipam] = (await ipamAccount.ok('aws ec2 describe-ipams --region us-east-1')).json.Ipams;
    // 3. A top-level pool with the range's Region as locale, for EC2.
    const created = (
      await ipamAccount.ok(
        `aws ec2 create-ipam-pool --region us-east-1 --ipam-scope-id ${ipam.PublicDefaultScopeId} --description "top-level-pool" --locale us-west-2 --aws-service ec2 --address-family ipv4`,
      )
    ).json.IpamPool;
    expect(created).toMatchObject({ IpamScopeType: 'public', Locale: 'us-west-2', PoolDepth: 1, AwsService: 'ec2' });
    const poolId: string = created.IpamPoolId;
    const pool = await poll(
      async () =>
        (await ipamAccount.ok('aws ec2 describe-ipam-pools --region us-east-1')).json.IpamPools.find(
          (listed: { IpamPoolId: string }) => listed.IpamPoolId === poolId,
        ),
      (listed) => listed?.State === 'create-complete',
      `${poolId} create-complete`,
    );
    expect(pool.OwnerId).toBe(OTHER.accountId);

    // Before any share, the pool is unknown to the owner account.
    const unshared = await byoipOwner.run(
      `aws ec2 move-byoip-cidr-to-ipam --region us-west-2 --ipam-pool-id ${poolId} --ipam-pool-owner ${OTHER.accountId} --cidr ${CIDR}`,
    );
    expect({ status: unshared.status, code: unshared.errorCode }).toEqual({ status: 255, code: 'InvalidIpamPoolId.NotFound' });

    // 4. The pool permissions, and the share for import (and the optional one to allocate).
    const permissions = (await ipamAccount.ok('aws ram list-permissions --region us-east-1 --resource-type ec2:IpamPool')).json.permissions;
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ arn: POOL_PERMISSION, isResourceTypeDefault: true, status: 'ATTACHABLE' }),
        expect.objectContaining({ arn: IMPORT_PERMISSION, isResourceTypeDefault: false, status: 'ATTACHABLE' }),
      ]),
    );
    const poolShare2 = (
      await ipamAccount.ok(
        `aws ram create-resource-share --region us-east-1 --name PoolShare2 --resource-arns ${pool.IpamPoolArn} --principals ${MEMBER.accountId} --permission-arns ${IMPORT_PERMISSION}`,
      )
    ).json.resourceShare;
    expect(poolShare2).toMatchObject({ name: 'PoolShare2', owningAccountId: OTHER.accountId, status: 'ACTIVE' });
    await ipamAccount.ok(
      `aws ram create-resource-share --region us-east-1 --name PoolShare1 --resource-arns ${pool.IpamPoolArn} --principals ${MEMBER.accountId} --permission-arns ${POOL_PERMISSION}`,
    );

    // 5. The owner moves the range, then runs the same command until complete-transfer.
    const move = `aws ec2 move-byoip-cidr-to-ipam --region us-west-2 --ipam-pool-id ${poolId} --ipam-pool-owner ${OTHER.accountId} --cidr ${CIDR}`;
    expect((await byoipOwner.ok(move)).json).toEqual({ ByoipCidr: { Cidr: CIDR, State: 'pending-transfer' } });
    const moved = await poll(
      async () => (await byoipOwner.ok(move)).json.ByoipCidr,
      (answer) => answer.State === 'complete-transfer',
      'complete-transfer',
    );
    expect(moved).toEqual({ Cidr: CIDR, State: 'complete-transfer' });

    // 6. The IPAM account sees the range as an allocation of the owner's public IPv4 pool, and the pool CIDR provisioned.
    const allocations = (await ipamAccount.ok(`aws ec2 get-ipam-pool-allocations --region us-west-2 --ipam-pool-id ${poolId}`)).json
      .IpamPoolAllocations;
    expect(allocations).toEqual([
      expect.objectContaining({
        Cidr: CIDR,
        IpamPoolAllocationId: expect.stringMatching(/^ipam-pool-alloc-0[0-9a-f]{32}$/),
        ResourceId: publicPoolId,
        ResourceType: 'ec2-public-ipv4-pool',
        ResourceOwner: MEMBER.accountId,
      }),
    ]);
    const poolCidrs = (await ipamAccount.ok(`aws ec2 get-ipam-pool-cidrs --region us-east-1 --ipam-pool-id ${poolId}`)).json.IpamPoolCidrs;
    expect(poolCidrs).toEqual([expect.objectContaining({ Cidr: CIDR, State: 'provisioned' })]);

    // Cleanup C1–C3: the shares go.
    for (const name of ['PoolShare1', 'PoolShare2']) {
      const [share] = (await ipamAccount.ok(`aws ram get-resource-shares --region us-east-1 --name ${name} --resource-owner SELF`)).json
        .resourceShares;
      expect(share).toMatchObject({ name, featureSet: 'STANDARD' });
      expect(
        (await ipamAccount.ok(`aws ram delete-resource-share --region us-east-1 --resource-share-arn ${share.resourceShareArn}`)).json,
      ).toEqual({ returnValue: true });
    }
    // C4: the allocation stays until its public IPv4 pool lets it go.
    expect(
      (await ipamAccount.ok(`aws ec2 get-ipam-pool-allocations --region us-west-2 --ipam-pool-id ${poolId}`)).json.IpamPoolAllocations,
    ).toHaveLength(1);
    // C5: the owner gives the range's block back to the IPAM pool from its public IPv4 pool (the
    // guide's us-east-1: public IPv4 pool ids resolve in any Region).
    expect(
      (await byoipOwner.ok(`aws ec2 deprovision-public-ipv4-pool-cidr --region us-east-1 --pool-id ${publicPoolId} --cidr ${CIDR}`)).json,
    ).toEqual({ PoolId: publicPoolId, DeprovisionedAddresses: [CIDR] });
    // C6, acceptance variant: the pool's Region (us-east-1 lists that Region's pools only); the allocation is gone.
    expect((await byoipOwner.ok('aws ec2 describe-public-ipv4-pools --region us-west-2')).json.PublicIpv4Pools).toEqual([
      expect.objectContaining({
        PoolId: publicPoolId,
        NetworkBorderGroup: 'us-west-2',
        PoolAddressRanges: [],
        TotalAddressCount: 0,
        TotalAvailableAddressCount: 0,
      }),
    ]);
    expect(
      (await ipamAccount.ok(`aws ec2 get-ipam-pool-allocations --region us-west-2 --ipam-pool-id ${poolId}`)).json.IpamPoolAllocations,
    ).toEqual([]);
    // C7 without deprovisioning the CIDR first is refused, as the guide's own rule says.
    const early = await ipamAccount.run(`aws ec2 delete-ipam-pool --region us-east-1 --ipam-pool-id ${poolId}`);
    expect({ status: early.status, code: early.errorCode }).toEqual({ status: 255, code: 'DependencyViolation' });
    // Acceptance inserts the pool CIDR's deprovision (polled to deprovisioned) before C7.
    expect(
      (await ipamAccount.ok(`aws ec2 deprovision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${poolId} --cidr ${CIDR}`)).json
        .IpamPoolCidr,
    ).toMatchObject({ Cidr: CIDR, State: 'pending-deprovision' });
    await poll(
      async () => (await ipamAccount.ok(`aws ec2 get-ipam-pool-cidrs --region us-east-1 --ipam-pool-id ${poolId}`)).json.IpamPoolCidrs,
      (cidrs) => cidrs.length === 1 && cidrs[0].State === 'deprovisioned',
      `${CIDR} deprovisioned from ${poolId}`,
    );
    // C7: the pool goes (Locale and PoolDepth as created, not the guide's sample).
    expect((await ipamAccount.ok(`aws ec2 delete-ipam-pool --region us-east-1 --ipam-pool-id ${poolId}`)).json.IpamPool).toMatchObject({
      IpamPoolId: poolId,
      State: 'delete-in-progress',
      AwsService: 'ec2',
      Locale: 'us-west-2',
      PoolDepth: 1,
    });
  });
});
