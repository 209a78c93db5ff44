// Pure rules of IPAM policies (spec §13, DN-45).
import { describe, expect, it } from 'vitest';
import {
  effectivePolicy,
  policyPools,
  replaceDocument,
  requireOrganizationTarget,
  validateAllocationRules,
} from '../../../lambdas/domain/ipam-policies.ts';
import type { IpamPolicyDocument } from '../../../lambdas/domain/model/ipam-policy.ts';
import type { IpamPool } from '../../../lambdas/domain/model/pool.ts';
import { exampleOrganization, MANAGEMENT, OU, PROD_EU, ROOT_ID, SANDBOX, WORKLOADS } from '../../support/organization.ts';

const policy = { IpamId: 'ipam-1', IpamPolicyId: 'ipam-policy-1' };
const pool = (id: string, over: Partial<IpamPool> = {}) =>
  [
    id,
    { IpamPoolId: id, ipamId: 'ipam-1', IpamScopeType: 'public', AddressFamily: 'ipv4', Locale: 'us-east-1', ...over } as IpamPool,
  ] as const;

describe('allocation rule lists', () => {
  const pools = new Map([
    pool('p1'),
    pool('p2'),
    pool('west', { Locale: 'us-west-2' }),
    pool('private', { IpamScopeType: 'private' }),
    pool('v6', { AddressFamily: 'ipv6' }),
    pool('other', { ipamId: 'ipam-2' }),
  ]);
  it("take public IPv4 pools of the policy's IPAM in the pair's locale, each once, at most 10", () => {
    expect(() => validateAllocationRules(policy, 'us-east-1', ['p2', 'p1'], pools)).not.toThrow();
    expect(() => validateAllocationRules(policy, 'us-east-1', ['west'], pools)).toThrow(/locale us-west-2/);
    expect(() => validateAllocationRules(policy, 'us-east-1', ['private'], pools)).toThrow(/public-scope IPv4/);
    expect(() => validateAllocationRules(policy, 'us-east-1', ['v6'], pools)).toThrow(/public-scope IPv4/);
    expect(() => validateAllocationRules(policy, 'us-east-1', ['other'], pools)).toThrow(/does not exist/);
    expect(() => validateAllocationRules(policy, 'us-east-1', ['p1', 'p1'], pools)).toThrow(/twice/);
    const eleven = Array.from({ length: 11 }, (_, i) => `p${i}`);
    expect(() => validateAllocationRules(policy, 'us-east-1', eleven, pools)).toThrow(/at most 10/);
  });

  it('replace one pair, keep the others, and an empty list removes the pair', () => {
    const eip: IpamPolicyDocument = { Locale: 'us-east-1', ResourceType: 'eip', AllocationRules: [{ SourceIpamPoolId: 'p1' }] };
    const alb: IpamPolicyDocument = { Locale: 'us-east-1', ResourceType: 'alb', AllocationRules: [{ SourceIpamPoolId: 'p2' }] };
    const both = replaceDocument(replaceDocument([], eip), alb);
    const swapped = replaceDocument(both, { ...eip, AllocationRules: [{ SourceIpamPoolId: 'p2' }, { SourceIpamPoolId: 'p1' }] });
    expect(policyPools({ documents: swapped }, 'us-east-1', 'eip')).toEqual(['p2', 'p1']);
    expect(policyPools({ documents: swapped }, 'us-east-1', 'alb')).toEqual(['p2']);
    expect(replaceDocument(swapped, { ...eip, AllocationRules: [] })).toEqual([alb]);
    expect(policyPools({ documents: [] }, 'us-east-1', 'eip')).toEqual([]);
  });
});

describe('the governing policy', () => {
  const org = exampleOrganization();
  it('is the one on the account, else on its nearest OU, else on the root', () => {
    const onRoot = { id: 'root', targets: [ROOT_ID] };
    const onWorkloads = { id: 'workloads', targets: [OU.workloads] };
    const onProdEu = { id: 'prod-eu', targets: [PROD_EU] };
    const policies = [onRoot, onWorkloads, onProdEu];
    expect(effectivePolicy(policies, PROD_EU, org)?.id).toBe('prod-eu');
    expect(effectivePolicy([onRoot, onWorkloads], PROD_EU, org)?.id).toBe('workloads');
    expect(effectivePolicy(policies, WORKLOADS, org)?.id).toBe('workloads');
    expect(effectivePolicy(policies, SANDBOX, org)?.id).toBe('root');
    expect(effectivePolicy([onWorkloads], SANDBOX, org)).toBeUndefined();
    expect(effectivePolicy([{ id: 'own', targets: ['999999999999'] }], '999999999999', undefined)?.id).toBe('own');
  });

  it('is enabled only on entities of the organisation', () => {
    for (const target of [ROOT_ID, OU.prod, MANAGEMENT]) expect(() => requireOrganizationTarget(org, target)).not.toThrow();
    expect(() => requireOrganizationTarget(org, 'ou-fssg-missing1')).toThrow(/ou-fssg-missing1/);
  });
});
