// IPAM policies (spec §13, DN-45): CreateIpamPolicy, DeleteIpamPolicy, ModifyIpamPolicyAllocationRules,
// GetIpamPolicyAllocationRules, EnableIpamPolicy, DisableIpamPolicy, GetEnabledIpamPolicy,
// GetIpamPolicyOrganizationTargets (DescribeIpamPolicies is a row of describe.ts). An advanced-tier
// feature (DN-10). Policies settle at once: there is nothing to provision.
import { IpamError, messages } from '../domain/errors.ts';
import { newIpamPolicyId, ipamPolicyArn } from '../domain/ids.ts';
import {
  effectivePolicy,
  POLICIES_PER_IPAM,
  replaceDocument,
  requireOrganizationTarget,
  requireResourceType,
  TARGETS_PER_POLICY,
  validateAllocationRules,
} from '../domain/ipam-policies.ts';
import { freeTierRefusal } from '../domain/ipam-tier.ts';
import type { Ipam } from '../domain/model/ipam.ts';
import type { IpamPolicy, IpamPolicyDocument } from '../domain/model/ipam-policy.ts';
import type { Organization } from '../domain/model/organization.ts';
import type { IpamPool } from '../domain/model/pool.ts';
import { ipamAdministrator } from '../domain/organization.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { retryOnConflict } from './free-space.ts';
import type { Dependencies, Output, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { requireIpam } from './kernel/lookup.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

export const presentIpamPolicy = (policy: IpamPolicy): Output => publicView(policy);

/** Policies are managed where their IPAM is: by its owner, in its home Region. */
export const ipamPolicyVisible = (context: RequestContext, policy: IpamPolicy) =>
  policy.OwnerId === context.accountId && policy.IpamPolicyRegion === context.region;

export async function requireIpamPolicy(deps: Dependencies, context: RequestContext, policyId: string | undefined): Promise<IpamPolicy> {
  if (!policyId) throw new IpamError('MissingParameter', 'The request must contain the parameter IpamPolicyId');
  const policy = await deps.store.getIpamPolicy(policyId);
  if (!policy || !ipamPolicyVisible(context, policy))
    throw new IpamError('InvalidIpamPolicyId.NotFound', messages.notFound('ipam-policy', policyId));
  return policy;
}

function requireAdvancedTier(ipam: Ipam): void {
  if (ipam.Tier === 'free') throw freeTierRefusal(ipam.IpamId, 'IPAM policies');
}

export async function createIpamPolicy(
  deps: Dependencies,
  context: RequestContext,
  input: { IpamId: string; TagSpecifications?: TagSpecification[] },
) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'ipam-policy');
  return retryOnConflict(async () => {
    const ipam = await requireIpam(deps, context, input.IpamId);
    requireAdvancedTier(ipam);
    const count = ipam.policyCount ?? 0;
    if (count >= POLICIES_PER_IPAM) {
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('IPAM policies', count, POLICIES_PER_IPAM));
    }
    const IpamPolicyId = newIpamPolicyId();
    const policy: IpamPolicy = {
      OwnerId: ipam.OwnerId,
      IpamPolicyId,
      IpamPolicyArn: ipamPolicyArn(ipam.OwnerId, IpamPolicyId),
      IpamPolicyRegion: ipam.IpamRegion,
      State: 'create-complete',
      Tags: tags,
      IpamId: ipam.IpamId,
      documents: [],
      targets: [],
      version: 1,
    };
    await deps.store.commit([
      { op: 'create', entity: { type: 'ipam-policy', value: policy } },
      // Invariant: the IPAM is unchanged since read (still advanced, still there, its policies counted);
      // a concurrent create or tier change retries, and a move to the free tier sees the count.
      { op: 'update', entity: { type: 'ipam', value: { ...ipam, policyCount: count + 1 } } },
    ]);
    return { IpamPolicy: presentIpamPolicy(policy) };
  });
}

export async function deleteIpamPolicy(deps: Dependencies, context: RequestContext, input: { IpamPolicyId: string }) {
  const policy = await retryOnConflict(async () => {
    const policy = await requireIpamPolicy(deps, context, input.IpamPolicyId);
    if (policy.targets.length > 0) {
      throw new IpamError(
        'IncorrectState',
        `The IPAM policy ${policy.IpamPolicyId} is enabled on ${policy.targets.join(', ')}; disable it first`,
      );
    }
    const ipam = await deps.store.getIpam(policy.IpamId);
    const counted: Write[] = ipam
      ? [{ op: 'update', entity: { type: 'ipam', value: { ...ipam, policyCount: Math.max(0, (ipam.policyCount ?? 0) - 1) } } }]
      : [];
    await deps.store.commit([
      // Invariant: deleted at the version read, so a policy enabled meanwhile is not deleted.
      { op: 'delete', entity: { type: 'ipam-policy', value: policy } },
      // Invariant: the IPAM's count of policies goes down with the policy, once.
      ...counted,
    ]);
    return policy;
  });
  const { Tags: _tags, ...answer } = presentIpamPolicy({ ...policy, State: 'delete-complete' });
  return { IpamPolicy: answer };
}

interface ModifyRulesInput {
  IpamPolicyId: string;
  Locale?: string;
  ResourceType?: string;
  AllocationRules?: { SourceIpamPoolId?: string }[];
}

export async function modifyIpamPolicyAllocationRules(deps: Dependencies, context: RequestContext, input: ModifyRulesInput) {
  if (!input.Locale) throw new IpamError('MissingParameter', 'The request must contain the parameter Locale');
  const locale = input.Locale;
  const resourceType = requireResourceType(input.ResourceType);
  const poolIds = (input.AllocationRules ?? []).map((rule) => rule.SourceIpamPoolId ?? '');
  return retryOnConflict(async () => {
    const policy = await requireIpamPolicy(deps, context, input.IpamPolicyId);
    const pools = new Map<string, IpamPool | undefined>();
    for (const poolId of new Set(poolIds)) {
      const pool = await deps.store.getPool(poolId);
      pools.set(poolId, pool?.OwnerId === policy.OwnerId ? pool : undefined);
    }
    validateAllocationRules(policy, locale, poolIds, pools);
    const document: IpamPolicyDocument = {
      Locale: locale,
      ResourceType: resourceType,
      AllocationRules: poolIds.map((SourceIpamPoolId) => ({ SourceIpamPoolId })),
    };
    const updated: IpamPolicy = { ...policy, documents: replaceDocument(policy.documents, document), State: 'modify-complete' };
    await deps.store.commit([
      // Invariant: the rule list replaces the one read (a concurrent change retries on the new one).
      { op: 'update', entity: { type: 'ipam-policy', value: updated } },
      // Invariant: each named pool is still as validated (not deleted, same locale and scope).
      ...[...pools.values()].map((pool): Write => ({ op: 'check', entity: { type: 'pool', value: pool! } })),
    ]);
    return { IpamPolicyDocument: { IpamPolicyId: policy.IpamPolicyId, ...document } };
  });
}

export async function getIpamPolicyAllocationRules(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { IpamPolicyId: string; Locale?: string; ResourceType?: string },
) {
  const policy = await requireIpamPolicy(deps, context, input.IpamPolicyId);
  const resourceType = input.ResourceType === undefined ? undefined : requireResourceType(input.ResourceType);
  const documents = policy.documents.filter(
    (d) => (input.Locale === undefined || d.Locale === input.Locale) && (resourceType === undefined || d.ResourceType === resourceType),
  );
  const query = queryFingerprint(['GetIpamPolicyAllocationRules', context.accountId, policy.IpamPolicyId, input.Locale, resourceType]);
  const page = pageOf(deps.paginationSecret, query, documents, (d) => `${d.Locale}#${d.ResourceType}`, input, 1000);
  return { IpamPolicyDocuments: page.items.map((d) => ({ IpamPolicyId: policy.IpamPolicyId, ...d })), NextToken: page.nextToken };
}

/** The organisation in which the policy's owner is the delegated IPAM administrator, if it is one. */
async function administeredOrganization(deps: Dependencies, ownerId: string): Promise<Organization | undefined> {
  const org = await deps.organization.organizationOf(ownerId);
  return org && ipamAdministrator(org) === ownerId ? org : undefined;
}

/** The target a request names: an organisation entity for a delegated administrator's IPAM, else the owner's own account. */
async function targetOf(deps: Dependencies, policy: IpamPolicy, targetId: string | undefined): Promise<string> {
  const org = await administeredOrganization(deps, policy.OwnerId);
  if (targetId === undefined || targetId === policy.OwnerId) return policy.OwnerId;
  if (!org) {
    throw new IpamError(
      'InvalidParameterValue',
      `OrganizationTargetId applies only to an IPAM of the organization's delegated IPAM administrator; omit it to enable the policy on account ${policy.OwnerId}`,
    );
  }
  requireOrganizationTarget(org, targetId);
  return targetId;
}

export async function enableIpamPolicy(
  deps: Dependencies,
  context: RequestContext,
  input: { IpamPolicyId: string; OrganizationTargetId?: string },
) {
  return retryOnConflict(async () => {
    const policy = await requireIpamPolicy(deps, context, input.IpamPolicyId);
    const ipam = await requireIpam(deps, context, policy.IpamId);
    requireAdvancedTier(ipam);
    const target = await targetOf(deps, policy, input.OrganizationTargetId);
    if (policy.targets.includes(target)) return { IpamPolicyId: policy.IpamPolicyId };
    if (policy.targets.length >= TARGETS_PER_POLICY) {
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('enabled targets', policy.targets.length, TARGETS_PER_POLICY));
    }
    // Enabling replaces the policy enabled on that target before (spec §13): one per target.
    const replaced = (await deps.store.listIpamPolicies(policy.OwnerId)).filter(
      (other) => other.IpamPolicyId !== policy.IpamPolicyId && other.targets.includes(target),
    );
    await deps.store.commit([
      { op: 'update', entity: { type: 'ipam-policy', value: { ...policy, targets: [...policy.targets, target] } } },
      ...replaced.map(
        (other): Write => ({
          op: 'update',
          entity: { type: 'ipam-policy', value: { ...other, targets: other.targets.filter((t) => t !== target) } },
        }),
      ),
      // Invariant: still advanced when enabled (a concurrent downgrade retries).
      { op: 'check', entity: { type: 'ipam', value: ipam } },
    ]);
    return { IpamPolicyId: policy.IpamPolicyId };
  });
}

export async function disableIpamPolicy(
  deps: Dependencies,
  context: RequestContext,
  input: { IpamPolicyId: string; OrganizationTargetId?: string },
) {
  return retryOnConflict(async () => {
    const policy = await requireIpamPolicy(deps, context, input.IpamPolicyId);
    // Without a target: disabled everywhere it is enabled.
    const remaining = input.OrganizationTargetId === undefined ? [] : policy.targets.filter((t) => t !== input.OrganizationTargetId);
    if (remaining.length !== policy.targets.length) {
      await deps.store.commit([{ op: 'update', entity: { type: 'ipam-policy', value: { ...policy, targets: remaining } } }]);
    }
    return { Return: true };
  });
}

/** The policy that governs the caller's account: its own, or its organisation administrator's (DN-45). */
export async function governingPolicy(deps: Dependencies, accountId: string): Promise<IpamPolicy | undefined> {
  const org = await deps.organization.organizationOf(accountId);
  const administrator = org ? ipamAdministrator(org) : undefined;
  const owners = [...new Set([accountId, ...(administrator ? [administrator] : [])])];
  const policies = (await Promise.all(owners.map((owner) => deps.store.listIpamPolicies(owner)))).flat();
  // A policy of the account's own IPAM names only that account; the administrator's follow the organisation.
  return effectivePolicy(policies, accountId, org);
}

export async function getEnabledIpamPolicy(deps: Dependencies, context: RequestContext) {
  const policy = await governingPolicy(deps, context.accountId);
  if (!policy) return { IpamPolicyEnabled: false };
  return {
    IpamPolicyEnabled: true,
    IpamPolicyId: policy.IpamPolicyId,
    ManagedBy: policy.OwnerId === context.accountId ? 'account' : 'delegated-administrator-for-ipam',
  };
}

export async function getIpamPolicyOrganizationTargets(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { IpamPolicyId: string },
) {
  const policy = await requireIpamPolicy(deps, context, input.IpamPolicyId);
  const query = queryFingerprint(['GetIpamPolicyOrganizationTargets', context.accountId, policy.IpamPolicyId]);
  const page = pageOf(deps.paginationSecret, query, policy.targets, (target) => target, input, 1000);
  return { OrganizationTargets: page.items.map((OrganizationTargetId) => ({ OrganizationTargetId })), NextToken: page.nextToken };
}
