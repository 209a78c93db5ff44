// Amazon-provided public space (spec §6.2 DN-28/29, 30-eips-iam-quotas §1 DN-306/308): public
// pools with PublicIpSource amazon get IPv6 /40–/52 or contiguous IPv4 /29–/30 blocks by netmask,
// drawn from the simulated Amazon space of config.publicSpace, within their quotas; and ULA by
// netmask for private IPv6 pools (DN-30).
import { describe, expect, it } from 'vitest';
import { type Cidr, cidrsOverlap, containsCidr, formatCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { loadConfig } from '../../lambdas/config.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const { amazonIpv6Space, amazonIpv4Space } = loadConfig().publicSpace;

interface PoolCidr {
  IpamPoolCidrId: string;
  Cidr?: string;
  State: string;
  NetmaskLength: number;
  FailureReason?: { Code: string; Message: string };
}

async function newIpam(harness: UseCaseHarness, regions: string[] = []) {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: regions.map((RegionName) => ({ RegionName })) });
  return Ipam as { IpamId: string; PrivateDefaultScopeId: string; PublicDefaultScopeId: string };
}

async function amazonPool(harness: UseCaseHarness, scopeId: string, input: Record<string, unknown>) {
  const { IpamPool } = await harness.call('CreateIpamPool', {
    IpamScopeId: scopeId,
    AwsService: 'ec2',
    PublicIpSource: 'amazon',
    Locale: 'us-east-1',
    ...input,
  });
  return IpamPool as { IpamPoolId: string; PubliclyAdvertisable?: boolean };
}

/** Provisions by netmask and returns the record the workflow settled; the answer has no Cidr yet (UG L9217). */
async function provision(harness: UseCaseHarness, IpamPoolId: string, NetmaskLength: number): Promise<PoolCidr> {
  const accepted = (await harness.call('ProvisionIpamPoolCidr', { IpamPoolId, NetmaskLength })).IpamPoolCidr as PoolCidr;
  expect(accepted).toMatchObject({ State: 'pending-provision', NetmaskLength });
  expect(accepted.Cidr).toBeUndefined();
  const { IpamPoolCidrs } = await harness.call('GetIpamPoolCidrs', { IpamPoolId });
  return (IpamPoolCidrs as PoolCidr[]).find((record) => record.IpamPoolCidrId === accepted.IpamPoolCidrId)!;
}

function expectBlockIn(record: PoolCidr, space: string, netmask: number): Cidr {
  expect(record.State, record.FailureReason?.Message).toBe('provisioned');
  const cidr = parseCidr(record.Cidr!);
  expect(cidr.prefixLength).toBe(netmask);
  expect(containsCidr(parseCidr(space), cidr)).toBe(true);
  return cidr;
}

describe('Amazon-provided IPv6', () => {
  it('provisions one /40–/52 block per Regional pool from the Amazon space', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await amazonPool(harness, ipam.PublicDefaultScopeId, { AddressFamily: 'ipv6' });
    // EC2 model, CreateIpamPool: "The request can only contain PubliclyAdvertisable if AddressFamily
    // is ipv6 and PublicIpSource is byoip"; nor does the answer hold one (Terraform reads false).
    expect(pool.PubliclyAdvertisable).toBeUndefined();

    const first = expectBlockIn(await provision(harness, pool.IpamPoolId, 52), amazonIpv6Space, 52);
    const second = await provision(harness, pool.IpamPoolId, 52);
    expect(second.State).toBe('failed-provision');
    expect(second.FailureReason).toMatchObject({ Code: 'limit-exceeded' });

    // Another Regional pool gets its own block, never overlapping the first.
    const other = await amazonPool(harness, ipam.PublicDefaultScopeId, { AddressFamily: 'ipv6' });
    const block = expectBlockIn(await provision(harness, other.IpamPoolId, 40), amazonIpv6Space, 40);
    expect(cidrsOverlap(first, block)).toBe(false);
  });

  it('refuses sizes outside /40–/52, a Cidr, and a pool without a locale', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await amazonPool(harness, ipam.PublicDefaultScopeId, { AddressFamily: 'ipv6' });
    await expectRefusal(provision(harness, pool.IpamPoolId, 39), 'InvalidParameterValue', '/39');
    await expectRefusal(provision(harness, pool.IpamPoolId, 53), 'InvalidParameterValue', '/53');
    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '2001:db8::/48' }),
      'InvalidParameterValue',
      'NetmaskLength',
    );
    const noLocale = await amazonPool(harness, ipam.PublicDefaultScopeId, { AddressFamily: 'ipv6', Locale: undefined });
    await expectRefusal(provision(harness, noLocale.IpamPoolId, 52), 'InvalidParameterCombination', 'locale');
    expect((await harness.call('GetIpamPoolCidrs', { IpamPoolId: pool.IpamPoolId })).IpamPoolCidrs).toEqual([]);
  });
});

describe('Amazon-owned contiguous IPv4', () => {
  it('provisions /29 and /30 blocks from the Amazon space, at most two per account and locale', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await amazonPool(harness, ipam.PublicDefaultScopeId, { AddressFamily: 'ipv4' });

    const tooLarge = await provision(harness, pool.IpamPoolId, 28);
    expect(tooLarge.FailureReason).toMatchObject({ Code: 'limit-exceeded', Message: expect.stringContaining('/28 in locale us-east-1') });
    const block29 = expectBlockIn(await provision(harness, pool.IpamPoolId, 29), amazonIpv4Space, 29);
    const block30 = expectBlockIn(await provision(harness, pool.IpamPoolId, 30), amazonIpv4Space, 30);
    expect(cidrsOverlap(block29, block30)).toBe(false);

    const third = await provision(harness, pool.IpamPoolId, 30);
    expect(third).toMatchObject({ State: 'failed-provision', FailureReason: { Code: 'limit-exceeded' } });
    // The quota is the account's in the locale, not the pool's.
    const sibling = await amazonPool(harness, ipam.PublicDefaultScopeId, { AddressFamily: 'ipv4' });
    expect((await provision(harness, sibling.IpamPoolId, 30)).FailureReason).toMatchObject({ Code: 'limit-exceeded' });
    // A deprovisioned block goes back to the Amazon space and frees its place in the quota.
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: formatCidr(block30) });
    expectBlockIn(await provision(harness, sibling.IpamPoolId, 30), amazonIpv4Space, 30);
  });

  it('hands out addresses of a block one after another', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await amazonPool(harness, ipam.PublicDefaultScopeId, { AddressFamily: 'ipv4' });
    const block = expectBlockIn(await provision(harness, pool.IpamPoolId, 29), amazonIpv4Space, 29);
    const addresses = [];
    for (let n = 0; n < 3; n++) {
      addresses.push(
        (await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 32 })).IpamPoolAllocation.Cidr,
      );
    }
    expect(addresses).toEqual([0n, 1n, 2n].map((n) => formatCidr({ ...block, start: block.start + n, prefixLength: 32 })));
  });

  it('needs AwsService ec2', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const pool = await amazonPool(harness, ipam.PublicDefaultScopeId, { AddressFamily: 'ipv4', AwsService: undefined });
    await expectRefusal(provision(harness, pool.IpamPoolId, 29), 'InvalidParameterCombination', 'AwsService ec2');
  });
});

describe('public pool rules', () => {
  it('lets a child pool hold only what its source holds, and PubliclyAdvertisable only on BYOIPv6', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const scope = ipam.PublicDefaultScopeId;
    const top = await amazonPool(harness, scope, { AddressFamily: 'ipv6' });
    const { IpamPool: child } = await harness.call('CreateIpamPool', {
      IpamScopeId: scope,
      AddressFamily: 'ipv6',
      SourceIpamPoolId: top.IpamPoolId,
    });
    expect(child.PublicIpSource).toBe('amazon');
    await expectRefusal(
      harness.call('CreateIpamPool', {
        IpamScopeId: scope,
        AddressFamily: 'ipv6',
        SourceIpamPoolId: top.IpamPoolId,
        PublicIpSource: 'byoip',
      }),
      'InvalidParameterCombination',
      'PublicIpSource byoip',
    );
    await expectRefusal(
      amazonPool(harness, scope, { AddressFamily: 'ipv6', PubliclyAdvertisable: false }),
      'InvalidParameterCombination',
      'PubliclyAdvertisable',
    );
    await expectRefusal(
      harness.call('CreateIpamPool', { IpamScopeId: scope, AddressFamily: 'ipv4', PubliclyAdvertisable: true }),
      'InvalidParameterCombination',
      'PubliclyAdvertisable',
    );
    await expectRefusal(
      amazonPool(harness, scope, { AddressFamily: 'ipv4', AwsService: 'global-services' }),
      'InvalidParameterCombination',
      'global-services',
    );
    const { IpamPool: byoip } = await harness.call('CreateIpamPool', {
      IpamScopeId: scope,
      AddressFamily: 'ipv6',
      PubliclyAdvertisable: false,
    });
    expect(byoip).toMatchObject({ PublicIpSource: 'byoip', PubliclyAdvertisable: false });
  });
});

describe('ULA by netmask', () => {
  it('gives two pools of a scope disjoint blocks of fd80::/9', async () => {
    const harness = await createUseCaseHarness();
    const ipam = await newIpam(harness);
    const blocks = [];
    for (let n = 0; n < 2; n++) {
      const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv6' });
      blocks.push(expectBlockIn(await provision(harness, IpamPool.IpamPoolId, 44), 'fd80::/9', 44));
    }
    expect(cidrsOverlap(blocks[0], blocks[1])).toBe(false);
  });
});
