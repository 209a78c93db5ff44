// Verification under a registry outage (issue 21): a DNS or RDAP server that cannot answer is no
// verdict on the proof, so the verification workflows (the real ASL on the local engine) retry the
// task with backoff (Retry on RegistryUnavailable) and fail the provisioning only when the outage
// outlasts the retries, with a reason that names the registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsTokenRecordNames } from '../../lambdas/domain/byoip-verification.ts';
import { parseCidr } from '../../lambdas/domain/cidr.ts';
import { rdapIpRecord, type RegistryServers, startRegistryServers, unreachableRegistry } from '../support/registry-servers.ts';
import { createSigningIdentity, type SigningIdentity } from '../support/signing-identity.ts';
import { createUseCaseHarness, taskTracker, type UseCaseHarness } from '../support/use-cases.ts';

const ACCOUNT = '123456789012';
/** One attempt and the ASL's MaxAttempts retries of RegistryUnavailable. */
const ATTEMPTS_BEFORE_GIVING_UP = 1 + 5;

let servers: RegistryServers;
let identity: SigningIdentity;
const tracker = taskTracker();
/** The fixture servers, except that DNS or RDAP may be switched to a port nothing listens on. */
const unreachable = { dns: false, rdap: false };
let harness: UseCaseHarness;
let publicScopeId: string;
let ipamId: string;

beforeAll(async () => {
  servers = await startRegistryServers();
  identity = createSigningIdentity();
  const refused = await unreachableRegistry();
  harness = await createUseCaseHarness({
    wrapTask: tracker.wrapTask,
    registry: {
      txtRecords: (name) => (unreachable.dns ? refused : servers.registry).txtRecords(name),
      rdapCertificates: (kind, resource) => (unreachable.rdap ? refused : servers.registry).rdapCertificates(kind, resource),
    },
  });
  const { Ipam } = await harness.call('CreateIpam', {});
  ipamId = Ipam.IpamId;
  publicScopeId = Ipam.PublicDefaultScopeId;
});
afterAll(async () => {
  await harness?.engine.stop();
  await servers?.close();
});

const message = (resource: string) => `1|aws|${ACCOUNT}|${resource}|20991231|SHA256|RSAPSS`;

async function provisionX509(cidr: string) {
  const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: publicScopeId, AddressFamily: 'ipv4' });
  const text = message(cidr);
  const { IpamPoolCidr } = await harness.call('ProvisionIpamPoolCidr', {
    IpamPoolId: IpamPool.IpamPoolId,
    Cidr: cidr,
    CidrAuthorizationContext: { Message: text, Signature: identity.sign(text) },
  });
  const { IpamPoolCidrs } = await harness.call('GetIpamPoolCidrs', { IpamPoolId: IpamPool.IpamPoolId });
  return {
    poolId: IpamPool.IpamPoolId,
    record: IpamPoolCidrs.find((found: { IpamPoolCidrId: string }) => found.IpamPoolCidrId === IpamPoolCidr.IpamPoolCidrId),
  };
}

const verifications = (poolId: string) =>
  tracker.events.filter((event) => event.task === 'verifyByoipCidr' && event.args?.poolId === poolId).length;

describe('BYOIP verification while a registry is down', () => {
  it('retries through a short RDAP outage and provisions once RDAP answers again', async () => {
    const cidr = '130.137.250.0/24';
    servers.rdap.set(`ip/${cidr}`, rdapIpRecord(cidr, identity.certificatePem));
    servers.down.rdap = true;
    let attempts = 0;
    tracker.script.verifyByoipCidr = () => {
      attempts += 1;
      if (attempts === 3) servers.down.rdap = false; // the third attempt finds it back
      return undefined;
    };
    try {
      const { poolId, record } = await provisionX509(cidr);
      expect(record).toMatchObject({ Cidr: cidr, State: 'provisioned' });
      expect(verifications(poolId)).toBe(3);
    } finally {
      servers.down.rdap = false;
      delete tracker.script.verifyByoipCidr;
    }
  });

  it('fails the provisioning after the retries when RDAP stays unreachable, saying RDAP', async () => {
    const cidr = '130.137.251.0/24';
    servers.rdap.set(`ip/${cidr}`, rdapIpRecord(cidr, identity.certificatePem));
    unreachable.rdap = true;
    try {
      const { poolId, record } = await provisionX509(cidr);
      expect(record).toMatchObject({ Cidr: cidr, State: 'failed-provision' });
      expect(record.FailureReason.Message).toMatch(
        /^Provisioning failed: RDAP unavailable: GET http:\/\/127\.0\.0\.1:\d+\/ip\/130\.137\.251\.0\/24 failed/,
      );
      expect(verifications(poolId)).toBe(ATTEMPTS_BEFORE_GIVING_UP);
    } finally {
      unreachable.rdap = false;
    }
  });

  it('fails the provisioning after the retries when DNS stays down, saying DNS', async () => {
    const cidr = '130.137.252.0/24';
    const { IpamExternalResourceVerificationToken: token } = await harness.call('CreateIpamExternalResourceVerificationToken', {
      IpamId: ipamId,
    });
    for (const name of dnsTokenRecordNames(parseCidr(cidr), token.TokenName)) servers.txt.set(name, [token.TokenValue]);
    const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: publicScopeId, AddressFamily: 'ipv4' });
    const provision = () =>
      harness.call('ProvisionIpamPoolCidr', {
        IpamPoolId: IpamPool.IpamPoolId,
        Cidr: cidr,
        VerificationMethod: 'dns-token',
        IpamExternalResourceVerificationTokenId: token.IpamExternalResourceVerificationTokenId,
      });
    const settled = async () =>
      (await harness.call('GetIpamPoolCidrs', { IpamPoolId: IpamPool.IpamPoolId })).IpamPoolCidrs.find(
        (record: { Cidr: string }) => record.Cidr === cidr,
      );
    const dnsReason =
      /^Provisioning failed: DNS unavailable: the TXT lookup of \d+\.252\.137\.130\.in-addr\.arpa failed \((ESERVFAIL|ECONNREFUSED)\)$/;
    servers.down.dns = true; // answering SERVFAIL
    try {
      await provision();
    } finally {
      servers.down.dns = false;
    }
    expect(await settled()).toMatchObject({ State: 'failed-provision', FailureReason: { Message: expect.stringMatching(dnsReason) } });
    unreachable.dns = true; // refusing
    try {
      await provision();
    } finally {
      unreachable.dns = false;
    }
    expect(await settled()).toMatchObject({ State: 'failed-provision', FailureReason: { Message: expect.stringMatching(dnsReason) } });
    expect(verifications(IpamPool.IpamPoolId)).toBe(2 * ATTEMPTS_BEFORE_GIVING_UP);
    // And with DNS back, the same proof provisions.
    await provision();
    expect(await settled()).toMatchObject({ State: 'provisioned' });
  });

  it('fails a BYOASN provisioning after the retries when RDAP stays unreachable, saying RDAP', async () => {
    const asn = '12346';
    const text = message(asn);
    unreachable.rdap = true;
    try {
      const { Byoasn } = await harness.call('ProvisionIpamByoasn', {
        IpamId: ipamId,
        Asn: asn,
        AsnAuthorizationContext: { Message: text, Signature: identity.sign(text) },
      });
      expect(Byoasn.State).toBe('pending-provision');
    } finally {
      unreachable.rdap = false;
    }
    const { Byoasns } = await harness.call('DescribeIpamByoasn', {});
    expect(Byoasns.find((record: { Asn: string }) => record.Asn === asn)).toMatchObject({
      State: 'failed-provision',
      StatusMessage: expect.stringMatching(/^Provisioning failed: RDAP unavailable: GET \S+\/autnum\/12346 failed/),
    });
    expect(tracker.events.filter((event) => event.task === 'verifyByoasn' && event.args?.asn === asn)).toHaveLength(
      ATTEMPTS_BEFORE_GIVING_UP,
    );
  });
});
