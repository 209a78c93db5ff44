// The public-space actions through the real HTTP service with the JS SDK: the EC2 Query codec
// carries verification tokens, BYOASN and BYOIP calls, and bad input gets EC2's error codes.
import {
  CreateIpamCommand,
  CreateIpamExternalResourceVerificationTokenCommand,
  CreateIpamPoolCommand,
  DeleteIpamExternalResourceVerificationTokenCommand,
  DescribeByoipCidrsCommand,
  DescribeIpamByoasnCommand,
  DescribeIpamExternalResourceVerificationTokensCommand,
  DescribeIpamsCommand,
  type EC2Client,
  ProvisionIpamByoasnCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';
import { poll } from './support/poll.ts';
import { rejection } from './support/rejection.ts';

let service: TestService;
let ec2: EC2Client;

beforeAll(async () => {
  service = await startTestService();
  ec2 = service.ec2();
});
afterAll(async () => service?.stop());

describe('public space with the JS SDK', () => {
  it('creates, lists and deletes a verification token, and refuses bad BYOIP and BYOASN input', async () => {
    const { Ipam } = await ec2.send(new CreateIpamCommand({}));
    // Its pool below needs the IPAM created (IncorrectState while its workflow still runs).
    await poll(
      async () => (await ec2.send(new DescribeIpamsCommand({ IpamIds: [Ipam!.IpamId!] }))).Ipams?.[0]?.State,
      (state) => state === 'create-complete',
      'create-complete',
    );
    const { IpamExternalResourceVerificationToken: token } = await ec2.send(
      new CreateIpamExternalResourceVerificationTokenCommand({ IpamId: Ipam!.IpamId }),
    );
    expect(token?.TokenValue).toMatch(/^[0-9a-f-]{36}$/);
    expect(token?.Status).toBe('valid');
    // The timestamp crosses the wire as a date, not a string.
    expect(token?.NotAfter).toBeInstanceOf(Date);
    expect(token!.NotAfter!.getTime() - Date.now()).toBeGreaterThan(71 * 3600_000);

    const listed = await ec2.send(
      new DescribeIpamExternalResourceVerificationTokensCommand({
        IpamExternalResourceVerificationTokenIds: [token!.IpamExternalResourceVerificationTokenId!],
      }),
    );
    expect(listed.IpamExternalResourceVerificationTokens?.map((t) => t.TokenName)).toEqual([token!.TokenName]);

    const { IpamPool } = await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: Ipam!.PublicDefaultScopeId, AddressFamily: 'ipv4' }));
    // A /25 is more specific than BYOIP allows.
    const tooSmall = await rejection(
      ec2.send(
        new ProvisionIpamPoolCidrCommand({
          IpamPoolId: IpamPool!.IpamPoolId,
          Cidr: '203.0.113.0/25',
          VerificationMethod: 'dns-token',
          IpamExternalResourceVerificationTokenId: token!.IpamExternalResourceVerificationTokenId,
        }),
      ),
    );
    expect(tooSmall.name).toBe('InvalidParameterValue');
    // A private ASN cannot be brought.
    const privateAsn = await rejection(
      ec2.send(
        new ProvisionIpamByoasnCommand({ IpamId: Ipam!.IpamId, Asn: '64512', AsnAuthorizationContext: { Message: 'm', Signature: 's' } }),
      ),
    );
    expect(privateAsn.name).toBe('InvalidParameterValue');
    expect((await ec2.send(new DescribeIpamByoasnCommand({}))).Byoasns ?? []).toEqual([]);
    expect((await ec2.send(new DescribeByoipCidrsCommand({ MaxResults: 10 }))).ByoipCidrs ?? []).toEqual([]);

    await ec2.send(
      new DeleteIpamExternalResourceVerificationTokenCommand({
        IpamExternalResourceVerificationTokenId: token!.IpamExternalResourceVerificationTokenId,
      }),
    );
    const gone = await rejection(
      ec2.send(
        new DescribeIpamExternalResourceVerificationTokensCommand({
          IpamExternalResourceVerificationTokenIds: [token!.IpamExternalResourceVerificationTokenId!],
        }),
      ),
    );
    expect(gone.name).toBe('InvalidIpamExternalResourceVerificationTokenId.NotFound');
  });
});
