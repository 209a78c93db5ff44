// The pure rules of prefix list resolvers (spec §12.2, §12.4, DN-43, DN-44): which CIDRs a rule
// set selects, and when a version is due.
import { describe, expect, it } from 'vitest';
import type { IpamResourceCidr } from '../../../lambdas/domain/model/monitoring.ts';
import type { PrefixListResolverRule } from '../../../lambdas/domain/model/prefix-list-resolver.ts';
import { nextVersion, resolvePrefixListCidrs, type ResolverSources } from '../../../lambdas/domain/prefix-list-resolvers.ts';

const resource = (ResourceId: string, ResourceCidr: string, extra: Partial<IpamResourceCidr> = {}): IpamResourceCidr => ({
  IpamId: 'ipam-1',
  IpamScopeId: 'scope-a',
  ResourceRegion: 'us-east-1',
  ResourceOwnerId: '111111111111',
  ResourceId,
  ResourceCidr,
  ResourceType: 'vpc',
  ResourceTags: [],
  historyStartedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ...extra,
});

const sources: ResolverSources = {
  poolCidrs: [
    { ipamPoolId: 'pool-prod', ipamScopeId: 'scope-a', cidr: '10.1.0.0/16' },
    { ipamPoolId: 'pool-prod', ipamScopeId: 'scope-a', cidr: '2001:db8::/48' },
    { ipamPoolId: 'pool-dev', ipamScopeId: 'scope-a', cidr: '10.2.0.0/16' },
    { ipamPoolId: 'pool-other', ipamScopeId: 'scope-b', cidr: '10.3.0.0/16' },
  ],
  resourceCidrs: [
    resource('vpc-web', '10.1.0.0/24', { ResourceTags: [{ Key: 'env', Value: 'prod' }] }),
    resource('vpc-db', '10.1.1.0/24', { ResourceTags: [{ Key: 'env', Value: 'prod' }], ResourceOwnerId: '222222222222' }),
    resource('vpc-dev', '10.2.0.0/24', { ResourceTags: [{ Key: 'env', Value: 'dev' }], ResourceRegion: 'eu-west-1' }),
    resource('subnet-web', '10.1.0.0/26', { ResourceType: 'subnet', ResourceTags: [{ Key: 'env', Value: 'prod' }] }),
    resource('vpc-ignored', '10.1.2.0/24', { ResourceTags: [{ Key: 'env', Value: 'prod' }], ManagementState: 'ignored' }),
  ],
};

const resolve = (rules: PrefixListResolverRule[], family: 'ipv4' | 'ipv6' = 'ipv4') => resolvePrefixListCidrs(family, rules, sources);
const resourceRule = (Conditions: PrefixListResolverRule['Conditions'], ResourceType?: 'vpc'): PrefixListResolverRule => ({
  RuleType: 'ipam-resource-cidr',
  IpamScopeId: 'scope-a',
  ...(ResourceType ? { ResourceType } : {}),
  Conditions,
});

describe('the CIDRs a resolver selects', () => {
  it('takes pool CIDRs of the rule scope and family, by pool', () => {
    expect(resolve([{ RuleType: 'ipam-pool-cidr', IpamScopeId: 'scope-a' }])).toEqual(['10.1.0.0/16', '10.2.0.0/16']);
    expect(resolve([{ RuleType: 'ipam-pool-cidr', IpamScopeId: 'scope-a' }], 'ipv6')).toEqual(['2001:db8::/48']);
    expect(
      resolve([{ RuleType: 'ipam-pool-cidr', IpamScopeId: 'scope-a', Conditions: [{ Operation: 'not-equals', IpamPoolId: 'pool-prod' }] }]),
    ).toEqual(['10.2.0.0/16']);
  });

  it('needs every condition of a rule, and any rule', () => {
    const prod = { Operation: 'equals', ResourceTag: { Key: 'env', Value: 'prod' } } as const;
    expect(resolve([resourceRule([prod], 'vpc')])).toEqual(['10.1.0.0/24', '10.1.1.0/24']);
    expect(resolve([resourceRule([prod, { Operation: 'equals', ResourceOwner: '111111111111' }], 'vpc')])).toEqual(['10.1.0.0/24']);
    // No resource type: every type; a tag key alone matches any value; not-equals excludes.
    expect(resolve([resourceRule([{ Operation: 'equals', ResourceTag: { Key: 'env' } }])])).toEqual([
      '10.1.0.0/24',
      '10.1.0.0/26',
      '10.1.1.0/24',
      '10.2.0.0/24',
    ]);
    expect(resolve([resourceRule([{ Operation: 'not-equals', ResourceRegion: 'us-east-1' }])])).toEqual(['10.2.0.0/24']);
    expect(
      resolve([
        resourceRule([{ Operation: 'equals', ResourceId: 'vpc-db' }]),
        resourceRule([{ Operation: 'equals', ResourceId: 'vpc-dev' }]),
      ]),
    ).toEqual(['10.1.1.0/24', '10.2.0.0/24']);
  });

  it('tests CIDRs by equality or by containment (subnet-of, the CIDR itself included)', () => {
    expect(resolve([resourceRule([{ Operation: 'subnet-of', Cidr: '10.1.0.0/24' }])])).toEqual(['10.1.0.0/24', '10.1.0.0/26']);
    expect(resolve([resourceRule([{ Operation: 'equals', Cidr: '10.1.0.0/24' }])])).toEqual(['10.1.0.0/24']);
    expect(resolve([resourceRule([{ Operation: 'not-equals', Cidr: '10.1.0.0/24' }], 'vpc')])).toEqual(['10.1.1.0/24', '10.2.0.0/24']);
  });

  it('de-duplicates and sorts by address then length, without aggregating (DN-43)', () => {
    expect(
      resolve([
        { RuleType: 'static-cidr', StaticCidr: '10.1.1.0/24' },
        { RuleType: 'static-cidr', StaticCidr: '10.1.0.0/24' },
        resourceRule([{ Operation: 'equals', ResourceId: 'vpc-web' }]),
        { RuleType: 'static-cidr', StaticCidr: '10.0.0.0/8' },
      ]),
    ).toEqual(['10.0.0.0/8', '10.1.0.0/24', '10.1.1.0/24']);
    expect(resolve([])).toEqual([]);
  });
});

describe('versions (DN-44)', () => {
  it('start with v1 even when empty, and follow only a changed set', () => {
    expect(nextVersion(0, undefined, [])).toEqual({ kind: 'new', Version: 1, cidrs: [] });
    expect(nextVersion(1, [], [])).toEqual({ kind: 'unchanged' });
    expect(nextVersion(1, ['10.0.0.0/8'], ['10.0.0.0/8'])).toEqual({ kind: 'unchanged' });
    expect(nextVersion(1, ['10.0.0.0/8'], ['10.0.0.0/8', '11.0.0.0/8'])).toEqual({
      kind: 'new',
      Version: 2,
      cidrs: ['10.0.0.0/8', '11.0.0.0/8'],
    });
    expect(nextVersion(2, ['10.0.0.0/8', '11.0.0.0/8'], ['11.0.0.0/8'])).toMatchObject({ kind: 'new', Version: 3 });
  });

  it('are not created over 1000 entries', () => {
    const cidrs = (n: number) => Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    expect(nextVersion(1, [], cidrs(1000))).toMatchObject({ kind: 'new', Version: 2 });
    expect(nextVersion(1, [], cidrs(1001))).toEqual({
      kind: 'too-many',
      message: 'The rules select 1001 CIDRs; a version can hold at most 1000 entries',
    });
  });
});
