// Bring your ASN to IPAM (spec S5) and BYOIP advertising: provisioning an ASN with a signed
// authorization checked against the certificate in the ASN's RDAP record (a local RDAP server),
// associating it with a BYOIP CIDR, advertising with it as origin, and every refusal of the
// tutorial's notes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryLookup } from '../../lambdas/adapters/registry/registry-lookup.ts';
import type { IpamPool } from '../../lambdas/domain/model/pool.ts';
import { createSigningIdentity, type SigningIdentity } from '../support/signing-identity.ts';
import { createUseCaseHarness, poolCidrState, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const BYOIP_CIDR = '130.137.245.0/24';
const ASN = '12345';

let identity: SigningIdentity;
let rdap: Server;
let rdapBaseUrl: string;
/** ASNs whose RDAP autnum record carries the test certificate; any other ASN has no record. */
const publishedAsns = new Set<string>();

beforeAll(async () => {
  identity = createSigningIdentity();
  rdap = createServer((request, response) => {
    const url = decodeURIComponent(request.url ?? '');
    const asn = /^\/autnum\/(\d+)$/.exec(url)?.[1];
    const range = /^\/ip\/(.+)$/.exec(url)?.[1];
    if (!(asn && publishedAsns.has(asn)) && range !== BYOIP_CIDR) return void response.writeHead(404).end();
    // The certificate in the record's remarks, one PEM line per description line as RDAP serves them.
    const record = {
      objectClassName: asn ? 'autnum' : 'ip network',
      remarks: [{ title: 'Public Comments', description: identity.certificatePem.trim().split('\n') }],
    };
    response.writeHead(200, { 'content-type': 'application/rdap+json' }).end(JSON.stringify(record));
  });
  await new Promise<void>((resolve) => rdap.listen(0, '127.0.0.1', resolve));
  rdapBaseUrl = `http://127.0.0.1:${(rdap.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => rdap.close(() => resolve())));

const nextMonth = () => {
  const date = new Date(Date.now() + 40 * 24 * 3600 * 1000);
  return date.toISOString().slice(0, 10).replace(/-/g, '');
};

function authorization(asn: string, overrides: { account?: string; expiry?: string; signWith?: SigningIdentity } = {}) {
  const Message = `1|aws|${overrides.account ?? ACCOUNT}|${asn}|${overrides.expiry ?? nextMonth()}|SHA256|RSAPSS`;
  return { Message, Signature: (overrides.signWith ?? identity).sign(Message) };
}

async function newHarness() {
  return createUseCaseHarness({ registry: createRegistryLookup({ rdapBaseUrl, dnsResolver: undefined }) });
}

/**
 * S9 steps 2–6: an IPAM, a public top-level pool with the BYOIP CIDR proved by a signed message
 * (remarks-x509, the range's RDAP record on the local server), and a regional pool with
 * AwsService ec2 provisioned from it.
 */
async function byoipSetup(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', {});
  const topLevel = (await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PublicDefaultScopeId, AddressFamily: 'ipv4' }))
    .IpamPool as IpamPool;
  const Message = `1|aws|${ACCOUNT}|${BYOIP_CIDR}|${nextMonth()}|SHA256|RSAPSS`;
  const proved = await harness.call('ProvisionIpamPoolCidr', {
    IpamPoolId: topLevel.IpamPoolId,
    Cidr: BYOIP_CIDR,
    VerificationMethod: 'remarks-x509',
    CidrAuthorizationContext: { Message, Signature: identity.sign(Message) },
  });
  expect(await poolCidrState(harness, topLevel.IpamPoolId, proved.IpamPoolCidr.IpamPoolCidrId)).toBe('provisioned');
  const regional = (
    await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      SourceIpamPoolId: topLevel.IpamPoolId,
      Locale: REGION,
      AwsService: 'ec2',
    })
  ).IpamPool as IpamPool;
  const { IpamPoolCidr } = await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: regional.IpamPoolId, Cidr: BYOIP_CIDR });
  expect(await poolCidrState(harness, regional.IpamPoolId, IpamPoolCidr.IpamPoolCidrId)).toBe('provisioned');
  return { ipamId: Ipam.IpamId as string, regionalPoolId: regional.IpamPoolId, regionalCidrId: IpamPoolCidr.IpamPoolCidrId as string };
}

async function provisionAsn(harness: UseCaseHarness, IpamId: string, Asn: string, context = authorization(Asn)) {
  publishedAsns.add(Asn);
  const { Byoasn } = await harness.call('ProvisionIpamByoasn', { IpamId, Asn, AsnAuthorizationContext: context });
  expect(Byoasn).toEqual({ Asn, IpamId, State: 'pending-provision' });
  return describedAsn(harness, Asn);
}

async function describedAsn(harness: UseCaseHarness, asn: string) {
  const { Byoasns } = await harness.call('DescribeIpamByoasn', {});
  return (Byoasns as { Asn: string; State: string; StatusMessage?: string }[]).find((record) => record.Asn === asn);
}

async function byoipCidr(harness: UseCaseHarness) {
  const { ByoipCidrs } = await harness.call('DescribeByoipCidrs', { MaxResults: 10 });
  return (ByoipCidrs as { Cidr: string; State: string; AsnAssociations: unknown[] }[]).find((record) => record.Cidr === BYOIP_CIDR);
}

describe('S5: bring your ASN to IPAM', () => {
  it('provisions, associates, advertises with the ASN, switches back to Amazon and undoes it all in order', async () => {
    const harness = await newHarness();
    const { ipamId, regionalPoolId, regionalCidrId } = await byoipSetup(harness);
    expect(await byoipCidr(harness)).toMatchObject({
      Cidr: BYOIP_CIDR,
      // The guide's BYOIP tutorial (spec S9 A3): "StatusMessage": "Cidr successfully provisioned".
      StatusMessage: 'Cidr successfully provisioned',
      State: 'provisioned',
      NetworkBorderGroup: REGION,
      AsnAssociations: [],
    });

    expect(await provisionAsn(harness, ipamId, ASN)).toEqual({ Asn: ASN, IpamId: ipamId, State: 'provisioned' });

    const { AsnAssociation } = await harness.call('AssociateIpamByoasn', { Asn: ASN, Cidr: BYOIP_CIDR });
    expect(AsnAssociation).toEqual({ Asn: ASN, Cidr: BYOIP_CIDR, State: 'associated' });
    expect((await byoipCidr(harness))?.AsnAssociations).toEqual([{ Asn: ASN, Cidr: BYOIP_CIDR, State: 'associated' }]);

    const advertised = await harness.call('AdvertiseByoipCidr', { Asn: ASN, Cidr: BYOIP_CIDR });
    expect(advertised.ByoipCidr).toMatchObject({ Cidr: BYOIP_CIDR, State: 'advertised' });
    expect((await harness.store.getByoipAdvertisement(ACCOUNT, REGION, BYOIP_CIDR))?.originAsn).toBe(ASN);
    expect(await byoipCidr(harness)).toMatchObject({ State: 'advertised', AsnAssociations: [{ Asn: ASN, State: 'associated' }] });

    // C3/C4 before their time: the ASN and the CIDR are still in use.
    await expectRefusal(harness.call('DeprovisionIpamByoasn', { IpamId: ipamId, Asn: ASN }), 'DependencyViolation', ASN);
    await expectRefusal(
      harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: regionalPoolId, Cidr: BYOIP_CIDR }),
      'IncorrectState',
      BYOIP_CIDR,
      'advertised',
    );

    // C1: keep it advertised under Amazon's ASN, then withdraw.
    expect((await harness.call('AdvertiseByoipCidr', { Asn: 'AWS', Cidr: BYOIP_CIDR })).ByoipCidr.State).toBe('advertised');
    expect((await harness.store.getByoipAdvertisement(ACCOUNT, REGION, BYOIP_CIDR))?.originAsn).toBe('AWS');
    expect((await harness.call('WithdrawByoipCidr', { Cidr: BYOIP_CIDR })).ByoipCidr.State).toBe('provisioned');
    await expectRefusal(
      harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: regionalPoolId, Cidr: BYOIP_CIDR }),
      'DependencyViolation',
      ASN,
    );

    // C2, C3.
    expect((await harness.call('DisassociateIpamByoasn', { Asn: ASN, Cidr: BYOIP_CIDR })).AsnAssociation).toEqual({
      Asn: ASN,
      Cidr: BYOIP_CIDR,
      State: 'disassociated',
    });
    expect((await byoipCidr(harness))?.AsnAssociations).toEqual([]);
    expect((await harness.call('DeprovisionIpamByoasn', { IpamId: ipamId, Asn: ASN })).Byoasn).toEqual({
      Asn: ASN,
      IpamId: ipamId,
      State: 'deprovisioned',
    });

    // C4, C5.
    expect((await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: regionalPoolId, Cidr: BYOIP_CIDR })).IpamPoolCidr.State).toBe(
      'pending-deprovision',
    );
    expect(await poolCidrState(harness, regionalPoolId, regionalCidrId)).toBe('deprovisioned');
    expect(await byoipCidr(harness)).toBeUndefined();

    // The ASN's changes were announced as its owner in the IPAM's home Region.
    const asnEvents = harness.events.published().filter((event) => event['detail-type'].startsWith('IPAM BYOASN'));
    expect(
      asnEvents.map((event) => [
        event['detail-type'],
        (event.detail as { state?: string; change?: string }).state ?? (event.detail as { change?: string }).change,
      ]),
    ).toEqual([
      ['IPAM BYOASN State Change', 'pending-provision'],
      ['IPAM BYOASN State Change', 'provisioned'],
      ['IPAM BYOASN Association Change', 'associated'],
      ['IPAM BYOASN Association Change', 'disassociated'],
      ['IPAM BYOASN State Change', 'deprovisioned'],
    ]);
    expect(asnEvents[2]).toMatchObject({ account: ACCOUNT, region: REGION, detail: { ipamId, asn: ASN, cidr: BYOIP_CIDR } });
  });

  it('lists BYOIP CIDRs only in the pool locale Region', async () => {
    const harness = await newHarness();
    await byoipSetup(harness);
    expect(await byoipCidr(harness)).toBeDefined();
    const elsewhere = await harness.call('DescribeByoipCidrs', { MaxResults: 10 }, { region: 'us-west-2' });
    expect(elsewhere.ByoipCidrs).toEqual([]);
    await expectRefusal(
      harness.call('AdvertiseByoipCidr', { Cidr: BYOIP_CIDR }, { region: 'us-west-2' }),
      'InvalidParameterValue',
      BYOIP_CIDR,
    );
  });
});

describe('BYOASN provisioning verification', () => {
  it('ends in failed-provision with a StatusMessage when the authorization does not prove control', async () => {
    const harness = await newHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const stranger = createSigningIdentity();
    const cases: [string, ReturnType<typeof authorization>, string][] = [
      ['13100', authorization('13100', { signWith: stranger }), 'signature does not verify'],
      ['13101', authorization('13101', { account: '210987654321' }), '210987654321'],
      ['13102', authorization('13102', { expiry: '20250101' }), 'expired'],
      ['13103', authorization('13199'), '13199'],
    ];
    for (const [asn, context, reason] of cases) {
      const record = await provisionAsn(harness, Ipam.IpamId, asn, context);
      expect(record?.State, asn).toBe('failed-provision');
      expect(record?.StatusMessage, asn).toContain(reason);
    }
    // No certificate in the RDAP record (no record at all).
    const { Byoasn } = await harness.call('ProvisionIpamByoasn', {
      IpamId: Ipam.IpamId,
      Asn: '13104',
      AsnAuthorizationContext: authorization('13104'),
    });
    expect(Byoasn.State).toBe('pending-provision');
    expect(await describedAsn(harness, '13104')).toMatchObject({
      State: 'failed-provision',
      StatusMessage: expect.stringContaining('no X.509 certificate'),
    });
  });

  it('records an unreachable registry as failed-provision through the workflow failure branch', async () => {
    const harness = await createUseCaseHarness({
      registry: createRegistryLookup({ rdapBaseUrl: 'http://127.0.0.1:1', dnsResolver: undefined }),
    });
    const { Ipam } = await harness.call('CreateIpam', {});
    const record = await provisionAsn(harness, Ipam.IpamId, '13200');
    expect(record).toMatchObject({ State: 'failed-provision', StatusMessage: expect.stringContaining('Provisioning failed') });
    expect(await harness.store.listOpenExecutions()).toEqual([]);
  });

  it('accepts only public ASNs', async () => {
    const harness = await newHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    for (const asn of ['64512', '65534', '4200000000', '4294967294', '0', '4294967296', 'AS123', '']) {
      await expectRefusal(
        harness.call('ProvisionIpamByoasn', { IpamId: Ipam.IpamId, Asn: asn, AsnAuthorizationContext: authorization(asn) }),
        'InvalidParameterValue',
      );
    }
  });

  it('refuses a sixth ASN in one IPAM, while failed ones hold no place', async () => {
    const harness = await newHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    expect((await provisionAsn(harness, Ipam.IpamId, '13000', authorization('13000', { expiry: '20250101' })))?.State).toBe(
      'failed-provision',
    );
    for (const asn of ['13001', '13002', '13003', '13004', '13005'])
      expect((await provisionAsn(harness, Ipam.IpamId, asn))?.State).toBe('provisioned');
    publishedAsns.add('13006');
    await expectRefusal(
      harness.call('ProvisionIpamByoasn', { IpamId: Ipam.IpamId, Asn: '13006', AsnAuthorizationContext: authorization('13006') }),
      'ResourceLimitExceeded',
      '5',
    );
    await expectRefusal(
      harness.call('ProvisionIpamByoasn', { IpamId: Ipam.IpamId, Asn: '13001', AsnAuthorizationContext: authorization('13001') }),
      'IncorrectState',
      '13001',
    );
  });
});

describe('BYOASN clean-up and events', () => {
  it('purges failed and deprovisioned ASNs after 7 days (the guide), and announces every state change', async () => {
    const harness = await newHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    expect((await provisionAsn(harness, Ipam.IpamId, '13300', authorization('13300', { expiry: '20250101' })))?.State).toBe(
      'failed-provision',
    );
    expect((await provisionAsn(harness, Ipam.IpamId, '13301'))?.State).toBe('provisioned');
    await harness.call('DeprovisionIpamByoasn', { IpamId: Ipam.IpamId, Asn: '13301' });
    expect((await provisionAsn(harness, Ipam.IpamId, '13302'))?.State).toBe('provisioned');

    const states = (asn: string) =>
      harness.events
        .published()
        .filter((event) => event['detail-type'] === 'IPAM BYOASN State Change' && (event.detail as { asn: string }).asn === asn)
        .map((event) => [(event.detail as { previousState?: string }).previousState, (event.detail as { state: string }).state]);
    expect(states('13300')).toEqual([
      [undefined, 'pending-provision'],
      ['pending-provision', 'failed-provision'],
    ]);
    expect(states('13301')).toEqual([
      [undefined, 'pending-provision'],
      ['pending-provision', 'provisioned'],
      ['provisioned', 'deprovisioned'],
    ]);
    const failed = harness.events.published().find((event) => (event.detail as { state?: string }).state === 'failed-provision');
    expect(failed).toMatchObject({
      account: ACCOUNT,
      region: REGION,
      detail: { ipamId: Ipam.IpamId, statusMessage: expect.stringContaining('expired') },
    });

    const listed = async () =>
      ((await harness.call('DescribeIpamByoasn', {})).Byoasns as { Asn: string }[]).map((record) => record.Asn).sort();
    const realNow = harness.deps.now;
    const later = (ms: number) => {
      harness.deps.now = () => new Date(realNow().getTime() + ms);
    };
    try {
      later(7 * 24 * 3600 * 1000 - 60_000);
      expect(await listed()).toEqual(['13300', '13301', '13302']);
      later(7 * 24 * 3600 * 1000 + 60_000);
      expect(await listed()).toEqual(['13302']);
      await expectRefusal(harness.call('DeprovisionIpamByoasn', { IpamId: Ipam.IpamId, Asn: '13301' }), 'InvalidParameterValue', '13301');
      // A purged ASN can be brought again, as a new one.
      expect((await provisionAsn(harness, Ipam.IpamId, '13300'))?.State).toBe('provisioned');
      expect(states('13300').slice(-2)).toEqual([
        [undefined, 'pending-provision'],
        ['pending-provision', 'provisioned'],
      ]);
    } finally {
      harness.deps.now = realNow;
    }
  });
});

describe('advertising a BYOIP CIDR with a custom ASN', () => {
  it('refuses an ASN that is not associated with the CIDR', async () => {
    const harness = await newHarness();
    const { ipamId } = await byoipSetup(harness);
    await provisionAsn(harness, ipamId, ASN);
    await expectRefusal(harness.call('AdvertiseByoipCidr', { Asn: ASN, Cidr: BYOIP_CIDR }), 'InvalidParameterValue', ASN, 'not associated');
    await expectRefusal(harness.call('AssociateIpamByoasn', { Asn: '13999', Cidr: BYOIP_CIDR }), 'InvalidParameterValue');
    expect((await byoipCidr(harness))?.State).toBe('provisioned');
  });

  it('switches from Amazon to a custom ASN at most once an hour, and back to Amazon at any time', async () => {
    const harness = await newHarness();
    const start = Date.now();
    const at = (minutes: number, seconds = 0) => new Date(start + (minutes * 60 + seconds) * 1000);
    let now = at(0);
    harness.deps.now = () => now;
    const { ipamId } = await byoipSetup(harness);
    await provisionAsn(harness, ipamId, ASN);
    await harness.call('AssociateIpamByoasn', { Asn: ASN, Cidr: BYOIP_CIDR });

    await harness.call('AdvertiseByoipCidr', { Cidr: BYOIP_CIDR });
    await harness.call('AdvertiseByoipCidr', { Asn: ASN, Cidr: BYOIP_CIDR });
    now = at(10);
    await harness.call('AdvertiseByoipCidr', { Asn: 'AWS', Cidr: BYOIP_CIDR });
    now = at(59, 59);
    await expectRefusal(harness.call('AdvertiseByoipCidr', { Asn: ASN, Cidr: BYOIP_CIDR }), 'IncorrectState', 'one hour');
    expect((await harness.store.getByoipAdvertisement(ACCOUNT, REGION, BYOIP_CIDR))?.originAsn).toBe('AWS');
    now = at(60);
    expect((await harness.call('AdvertiseByoipCidr', { Asn: ASN, Cidr: BYOIP_CIDR })).ByoipCidr.State).toBe('advertised');
    expect((await harness.store.getByoipAdvertisement(ACCOUNT, REGION, BYOIP_CIDR))?.originAsn).toBe(ASN);
    await expectRefusal(harness.call('DisassociateIpamByoasn', { Asn: ASN, Cidr: BYOIP_CIDR }), 'IncorrectState', 'origin');
  });
});
