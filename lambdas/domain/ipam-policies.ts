// Pure rules of IPAM policies (spec §13, DN-45): rule lists, targets, and which policy governs an
// account and which pool its resource draws from.
import { IpamError } from './errors.ts';
import type { IpamPolicy, IpamPolicyDocument, IpamPolicyResourceType } from './model/ipam-policy.ts';
import type { Organization } from './model/organization.ts';
import type { IpamPool } from './model/pool.ts';
import { parentChain } from './organization.ts';

/** Quotas (UG L9658–9664). */
export const POLICIES_PER_IPAM = 10;
export const TARGETS_PER_POLICY = 100;
export const RULES_PER_PAIR = 10;

export const POLICY_RESOURCE_TYPES: readonly IpamPolicyResourceType[] = ['eip', 'alb', 'rds', 'rnat'];

export function requireResourceType(value: string | undefined): IpamPolicyResourceType {
  const found = POLICY_RESOURCE_TYPES.find((type) => type === value);
  if (!found) {
    throw new IpamError(
      'InvalidParameterValue',
      `Value (${value ?? ''}) for parameter ResourceType is invalid. Valid values: ${POLICY_RESOURCE_TYPES.join(', ')}`,
    );
  }
  return found;
}

/**
 * A rule list for (locale, type): at most 10 rules, each naming a public-scope IPv4 pool of the
 * policy's IPAM whose locale is `locale`, each once (DN-45). `pools` are the named pools as read
 * (undefined = missing or not the owner's).
 */
export function validateAllocationRules(
  policy: Pick<IpamPolicy, 'IpamId' | 'IpamPolicyId'>,
  locale: string,
  poolIds: string[],
  pools: ReadonlyMap<string, IpamPool | undefined>,
): void {
  if (poolIds.length > RULES_PER_PAIR) {
    throw new IpamError(
      'InvalidParameterValue',
      `An IPAM policy can have at most ${RULES_PER_PAIR} allocation rules per locale and resource type; ${poolIds.length} were given`,
    );
  }
  const seen = new Set<string>();
  for (const poolId of poolIds) {
    if (seen.has(poolId)) throw new IpamError('InvalidParameterValue', `The pool ${poolId} is named twice in AllocationRules`);
    seen.add(poolId);
    const pool = pools.get(poolId);
    if (!pool || pool.ipamId !== policy.IpamId) {
      throw new IpamError(
        'InvalidIpamPoolId.NotFound',
        `The ipam-pool ID '${poolId}' does not exist in the IPAM ${policy.IpamId} of policy ${policy.IpamPolicyId}`,
      );
    }
    if (pool.IpamScopeType !== 'public' || pool.AddressFamily !== 'ipv4') {
      throw new IpamError('InvalidParameterValue', `The pool ${poolId} of an IPAM policy allocation rule must be a public-scope IPv4 pool`);
    }
    if (pool.Locale !== locale) {
      throw new IpamError(
        'InvalidParameterValue',
        `The pool ${poolId} has locale ${pool.Locale}; the allocation rules are for locale ${locale}`,
      );
    }
  }
}

/** The documents with the (locale, type) pair's list replaced (an empty list removes the pair). */
export function replaceDocument(documents: readonly IpamPolicyDocument[], document: IpamPolicyDocument): IpamPolicyDocument[] {
  const others = documents.filter((d) => d.Locale !== document.Locale || d.ResourceType !== document.ResourceType);
  return document.AllocationRules.length === 0 ? others : [...others, document];
}

/** An OrganizationTargetId must be an account id, an OU id or a root id of the owner's organisation. */
export function requireOrganizationTarget(org: Organization, target: string): void {
  const known =
    target === org.RootId ||
    org.organizationalUnits.some((ou) => ou.Id === target) ||
    org.accounts.some((account) => account.Id === target);
  if (!known) {
    throw new IpamError(
      'InvalidParameterValue',
      `OrganizationTargetId '${target}' is neither an account, an OU nor the root of organization ${org.Id}`,
    );
  }
}

/**
 * The policy that governs `accountId` (DN-45): the one enabled on the account itself, else on its
 * nearest OU ancestor, else on the root. Without an organisation, only a policy enabled on the account.
 */
export function effectivePolicy<P extends Pick<IpamPolicy, 'targets'>>(
  policies: readonly P[],
  accountId: string,
  org: Organization | undefined,
): P | undefined {
  const chain = [accountId, ...(org ? parentChain(org, accountId) : [])];
  for (const entity of chain) {
    const found = policies.find((policy) => policy.targets.includes(entity));
    if (found) return found;
  }
  return undefined;
}

/** The pools a resource of `type` in `locale` draws from under the policy, in order; empty = Amazon-provided addresses. */
export const policyPools = (policy: Pick<IpamPolicy, 'documents'>, locale: string, type: IpamPolicyResourceType): string[] =>
  policy.documents.find((d) => d.Locale === locale && d.ResourceType === type)?.AllocationRules.map((rule) => rule.SourceIpamPoolId) ?? [];
