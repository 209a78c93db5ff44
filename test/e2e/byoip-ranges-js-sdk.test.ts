// EC2's own BYOIP over the wire with the JS SDK: a BYOIPv6 range provisioned against the local
// RDAP fixture, listed by DescribeByoipCidrs and as an IPv6 pool (the codec's ipv6PoolSet,
// poolCidrBlockSet and tagSet), and EC2's error code for an unknown pool.
import {
  DescribeByoipCidrsCommand,
  DescribeIpv6PoolsCommand,
  type EC2Client,
  GetAssociatedIpv6PoolCidrsCommand,
  ProvisionByoipCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rdapIpRecord, type RegistryServers, startRegistryServers } from '../support/registry-servers.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { createSigningIdentity } from '../support/signing-identity.ts';
import { poll } from './support/poll.ts';
import { rejection } from './support/rejection.ts';

const CIDR = '2605:9cc0:800::/48';

let registry: RegistryServers;
let service: TestService;
let ec2: EC2Client;

beforeAll(async () => {
  registry = await startRegistryServers();
  service = await startTestService({ env: { IPAM_BYOIP_RDAP_URL: registry.rdapBaseUrl } });
  ec2 = service.ec2({ region: 'us-west-2' });
});
afterAll(async () => {
  await service?.stop();
  await registry?.close();
});

describe('BYOIP outside IPAM with the JS SDK', () => {
  it('provisions a BYOIPv6 range and lists its IPv6 pool', async () => {
    const identity = createSigningIdentity();
    registry.rdap.set(`ip/${CIDR}`, rdapIpRecord(CIDR, identity.certificatePem));
    const Message = `1|aws|${ADMIN.accountId}|${CIDR}|20991231|SHA256|RSAPSS`;
    const { ByoipCidr } = await ec2.send(
      new ProvisionByoipCidrCommand({
        Cidr: CIDR,
        Description: 'v6 range',
        CidrAuthorizationContext: { Message, Signature: identity.sign(Message) },
        PoolTagSpecifications: [{ ResourceType: 'ipv6pool-ec2', Tags: [{ Key: 'team', Value: 'net' }] }],
      }),
    );
    expect(ByoipCidr).toMatchObject({ Cidr: CIDR, State: 'pending-provision', Description: 'v6 range', NetworkBorderGroup: 'us-west-2' });
    const provisioned = await poll(
      async () => (await ec2.send(new DescribeByoipCidrsCommand({ MaxResults: 10 }))).ByoipCidrs?.find((range) => range.Cidr === CIDR),
      (range) => range?.State === 'provisioned',
      `${CIDR} provisioned`,
    );
    const poolId = provisioned!.StatusMessage!;
    expect(poolId).toMatch(/^ipv6pool-ec2-0[0-9a-f]{16}$/);

    const { Ipv6Pools } = await ec2.send(new DescribeIpv6PoolsCommand({ PoolIds: [poolId] }));
    expect(Ipv6Pools).toEqual([
      { PoolId: poolId, Description: 'v6 range', PoolCidrBlocks: [{ Cidr: CIDR }], Tags: [{ Key: 'team', Value: 'net' }] },
    ]);
    expect((await ec2.send(new GetAssociatedIpv6PoolCidrsCommand({ PoolId: poolId }))).Ipv6CidrAssociations ?? []).toEqual([]);
    const unknown = await rejection(ec2.send(new GetAssociatedIpv6PoolCidrsCommand({ PoolId: 'ipv6pool-ec2-0123456789abcdef0' })));
    expect(unknown.name).toBe('InvalidPoolID.NotFound');
  });
});
