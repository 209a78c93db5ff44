// Filters (protocol §8) and pagination (protocol §7) as callers of Describe* see them.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

type Filter = { Name: string; Values: string[] };

async function poolsWithTags(harness: UseCaseHarness) {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-west-2' }] });
  const create = async (input: Record<string, unknown>, tags: Record<string, string>) => {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      TagSpecifications: Tags.length > 0 ? [{ ResourceType: 'ipam-pool', Tags }] : undefined,
      ...input,
    });
    return IpamPool.IpamPoolId as string;
  };
  return {
    ipam: Ipam,
    prod: await create({ Description: 'production' }, { env: 'prod', team: 'net' }),
    dev: await create({ Description: 'development' }, { env: 'dev' }),
    prodEu: await create({ Description: 'prod *eu*', Locale: 'us-west-2' }, { env: 'prod-eu' }),
    untagged: await create({ AddressFamily: 'ipv6', Description: 'ipv6' }, {}),
  };
}

async function poolIds(harness: UseCaseHarness, Filters: Filter[]): Promise<string[]> {
  return (await harness.call('DescribeIpamPools', { Filters })).IpamPools.map((pool: { IpamPoolId: string }) => pool.IpamPoolId).sort();
}

const sorted = (...ids: string[]) => [...ids].sort();

describe('filters', () => {
  it('match tags by key and value, or by key only', async () => {
    const harness = await createUseCaseHarness();
    const pools = await poolsWithTags(harness);
    expect(await poolIds(harness, [{ Name: 'tag:env', Values: ['prod'] }])).toEqual([pools.prod]);
    expect(await poolIds(harness, [{ Name: 'tag:team', Values: ['net'] }])).toEqual([pools.prod]);
    expect(await poolIds(harness, [{ Name: 'tag:team', Values: ['dev'] }])).toEqual([]);
    expect(await poolIds(harness, [{ Name: 'tag-key', Values: ['env'] }])).toEqual(sorted(pools.prod, pools.dev, pools.prodEu));
    expect(await poolIds(harness, [{ Name: 'tag-key', Values: ['team'] }])).toEqual([pools.prod]);
    // Names and values are case-sensitive.
    expect(await poolIds(harness, [{ Name: 'tag:env', Values: ['PROD'] }])).toEqual([]);
    expect(await poolIds(harness, [{ Name: 'tag:Env', Values: ['prod'] }])).toEqual([]);
  });

  it('understand * and ? wildcards, and \\ to escape them', async () => {
    const harness = await createUseCaseHarness();
    const pools = await poolsWithTags(harness);
    expect(await poolIds(harness, [{ Name: 'tag:env', Values: ['prod*'] }])).toEqual(sorted(pools.prod, pools.prodEu));
    expect(await poolIds(harness, [{ Name: 'tag:env', Values: ['?ev'] }])).toEqual([pools.dev]);
    expect(await poolIds(harness, [{ Name: 'tag:env', Values: ['*'] }])).toEqual(sorted(pools.prod, pools.dev, pools.prodEu));
    expect(await poolIds(harness, [{ Name: 'tag-key', Values: ['t??m'] }])).toEqual([pools.prod]);
    expect(await poolIds(harness, [{ Name: 'description', Values: ['*\\*eu\\*'] }])).toEqual([pools.prodEu]);
    expect(await poolIds(harness, [{ Name: 'description', Values: ['prod\\*'] }])).toEqual([]);
  });

  it('OR the values of one filter and AND several filters', async () => {
    const harness = await createUseCaseHarness();
    const pools = await poolsWithTags(harness);
    expect(await poolIds(harness, [{ Name: 'tag:env', Values: ['dev', 'prod'] }])).toEqual(sorted(pools.prod, pools.dev));
    expect(
      await poolIds(harness, [
        { Name: 'tag:env', Values: ['prod*'] },
        { Name: 'locale', Values: ['us-west-2'] },
      ]),
    ).toEqual([pools.prodEu]);
    expect(
      await poolIds(harness, [
        { Name: 'tag:env', Values: ['dev', 'prod'] },
        { Name: 'description', Values: ['prod*'] },
      ]),
    ).toEqual([pools.prod]);
    expect(await poolIds(harness, [{ Name: 'address-family', Values: ['ipv6'] }])).toEqual([pools.untagged]);
    expect(await poolIds(harness, [{ Name: 'ipam-pool-id', Values: [pools.dev, pools.untagged] }])).toEqual(
      sorted(pools.dev, pools.untagged),
    );
    expect(
      await poolIds(harness, [
        { Name: 'pool-depth', Values: ['1'] },
        { Name: 'auto-import', Values: ['false'] },
      ]),
    ).toHaveLength(4);
  });

  it('refuse an unknown filter name, naming it', async () => {
    const harness = await createUseCaseHarness();
    await poolsWithTags(harness);
    await expectRefusal(
      harness.call('DescribeIpamPools', { Filters: [{ Name: 'x', Values: ['1'] }] }),
      'InvalidParameterValue',
      "The filter 'x' is invalid",
    );
    await expectRefusal(
      harness.call('DescribeIpams', { Filters: [{ Name: 'colour', Values: ['1'] }] }),
      'InvalidParameterValue',
      "The filter 'colour' is invalid",
    );
    await expectRefusal(
      harness.call('DescribeIpamScopes', { Filters: [{ Name: 'tags', Values: ['1'] }] }),
      'InvalidParameterValue',
      "The filter 'tags' is invalid",
    );
    // Filter names are the kebab-case of a result member, nothing else.
    await expectRefusal(
      harness.call('DescribeIpamPools', { Filters: [{ Name: 'AddressFamily', Values: ['ipv4'] }] }),
      'InvalidParameterValue',
      "The filter 'AddressFamily' is invalid",
    );
    await expectRefusal(
      harness.call('DescribeIpamPools', { Filters: [{ Name: 'ipamScopeId', Values: ['x'] }] }),
      'InvalidParameterValue',
      "The filter 'ipamScopeId' is invalid",
    );
  });

  it('work on IPAMs and scopes too', async () => {
    const harness = await createUseCaseHarness();
    const { ipam } = await poolsWithTags(harness);
    expect((await harness.call('DescribeIpams', { Filters: [{ Name: 'operating-region', Values: ['us-west-2'] }] })).Ipams).toHaveLength(1);
    expect((await harness.call('DescribeIpams', { Filters: [{ Name: 'operating-region', Values: ['eu-*'] }] })).Ipams).toHaveLength(0);
    const scopes = await harness.call('DescribeIpamScopes', { Filters: [{ Name: 'ipam-scope-type', Values: ['public'] }] });
    expect(scopes.IpamScopes.map((s: { IpamScopeId: string }) => s.IpamScopeId)).toEqual([ipam.PublicDefaultScopeId]);
  });
});

describe('pagination', () => {
  it('pages DescribeIpamPools 5 at a time, each pool exactly once, no token on the last page', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const created: string[] = [];
    for (let i = 0; i < 12; i++) {
      created.push(
        (await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' })).IpamPool.IpamPoolId,
      );
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let NextToken: string | undefined;
    do {
      const page = await harness.call('DescribeIpamPools', { MaxResults: 5, NextToken });
      expect(page.NextToken).not.toBe(NextToken);
      sizes.push(page.IpamPools.length);
      seen.push(...page.IpamPools.map((pool: { IpamPoolId: string }) => pool.IpamPoolId));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(sizes).toEqual([5, 5, 2]);
    expect(seen.sort()).toEqual(created.sort());
  });

  it('binds NextToken to its query and refuses tampered tokens', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    for (let i = 0; i < 12; i++) {
      await harness.call('CreateIpamPool', {
        IpamScopeId: Ipam.PrivateDefaultScopeId,
        AddressFamily: 'ipv4',
        TagSpecifications: [{ ResourceType: 'ipam-pool', Tags: [{ Key: 'n', Value: String(i % 2) }] }],
      });
    }
    for (let i = 0; i < 4; i++) await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId }).catch(() => undefined);
    const { NextToken } = await harness.call('DescribeIpamPools', { MaxResults: 5 });
    expect(NextToken).toEqual(expect.any(String));

    // The same query continues.
    expect((await harness.call('DescribeIpamPools', { MaxResults: 5, NextToken })).IpamPools).toHaveLength(5);
    // Another query, another action, another account or Region: refused.
    await expectRefusal(
      harness.call('DescribeIpamPools', { MaxResults: 5, NextToken, Filters: [{ Name: 'tag:n', Values: ['0'] }] }),
      'InvalidPaginationToken',
    );
    await expectRefusal(harness.call('DescribeIpamScopes', { MaxResults: 5, NextToken }), 'InvalidPaginationToken');
    await expectRefusal(
      harness.call('DescribeIpamPools', { MaxResults: 5, NextToken }, { accountId: '111122223333' }),
      'InvalidPaginationToken',
    );
    await expectRefusal(harness.call('DescribeIpamPools', { MaxResults: 5, NextToken }, { region: 'us-west-2' }), 'InvalidPaginationToken');

    // Tampered: payload or signature changed, truncated, or not a token at all.
    const [payload, mac] = NextToken.split('.');
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    for (const bad of [`${flip(payload, 3)}.${mac}`, `${payload}.${flip(mac, 3)}`, payload, `${payload}.`, 'not-a-token', '']) {
      await expectRefusal(harness.call('DescribeIpamPools', { MaxResults: 5, NextToken: bad }), 'InvalidPaginationToken');
    }
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), p: 'ipam-pool-0' })).toString(
      'base64url',
    );
    await expectRefusal(harness.call('DescribeIpamPools', { MaxResults: 5, NextToken: `${forged}.${mac}` }), 'InvalidPaginationToken');
  });
});
