// IPAM prefix list resolvers (spec §12.2, §12.4): CreateIpamPrefixListResolver,
// ModifyIpamPrefixListResolver, DeleteIpamPrefixListResolver, GetIpamPrefixListResolverRules,
// GetIpamPrefixListResolverVersions, GetIpamPrefixListResolverVersionEntries
// (DescribeIpamPrefixListResolvers is a row of describe.ts). An advanced-tier feature (DN-10).
// Versions come from prefix-list-resolver-evaluation.ts.
import type { AddressFamily } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newPrefixListResolverId, prefixListResolverArn } from '../domain/ids.ts';
import { freeTierRefusal } from '../domain/ipam-tier.ts';
import type { Ipam, IpamScope } from '../domain/model/ipam.ts';
import type { IpamPrefixListResolver, PrefixListResolverRule } from '../domain/model/prefix-list-resolver.ts';
import { RESOLVERS_PER_IPAM, type RuleRequest, validateRules } from '../domain/prefix-list-resolvers.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import { StoreConflict, type Write } from '../ports/store.ts';
import { retryOnConflict } from './free-space.ts';
import type { Dependencies, Output, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { requireIpam, requireSettled } from './kernel/lookup.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { evaluatePrefixListResolver } from './prefix-list-resolver-evaluation.ts';
import { liveResolverVersion, liveResolverVersions } from './prefix-list-resolver-retention.ts';
import { deleteResolverTargets } from './prefix-list-sync.ts';

export const presentPrefixListResolver = (resolver: IpamPrefixListResolver): Output => publicView(resolver);

/** Resolvers are managed where their IPAM is: by its owner, in its home Region. */
export const prefixListResolverVisible = (context: RequestContext, resolver: IpamPrefixListResolver) =>
  resolver.OwnerId === context.accountId && resolver.IpamRegion === context.region;

export async function requirePrefixListResolver(
  deps: Dependencies,
  context: RequestContext,
  resolverId: string | undefined,
): Promise<IpamPrefixListResolver> {
  if (!resolverId) throw new IpamError('MissingParameter', messages.missingParameter('IpamPrefixListResolverId'));
  const resolver = await deps.store.getPrefixListResolver(resolverId);
  if (!resolver || !prefixListResolverVisible(context, resolver)) {
    throw new IpamError('InvalidIpamPrefixListResolverId.NotFound', messages.notFound('ipam-prefix-list-resolver', resolverId));
  }
  return resolver;
}

function requireFamily(value: string | undefined): AddressFamily {
  if (value === 'ipv4' || value === 'ipv6') return value;
  if (value === undefined) throw new IpamError('MissingParameter', messages.missingParameter('AddressFamily'));
  throw new IpamError('InvalidParameterValue', `Value (${value}) for parameter AddressFamily is invalid. Valid values: ipv4, ipv6`);
}

/** The scopes the rules name, read from the table; those of another IPAM count as missing. */
async function namedScopes(deps: Dependencies, ipamId: string, rules: readonly RuleRequest[]): Promise<Map<string, IpamScope>> {
  const ids = [...new Set(rules.flatMap((rule) => (rule.IpamScopeId === undefined ? [] : [rule.IpamScopeId])))];
  const scopes = await Promise.all(ids.map((id) => deps.store.getScope(id)));
  return new Map(scopes.flatMap((scope) => (scope && scope.ipamId === ipamId ? [[scope.IpamScopeId, scope] as const] : [])));
}

/** Invariant: each scope a rule names still exists as validated (a scope deleted meanwhile retries). */
const scopeChecks = (scopes: Map<string, IpamScope>): Write[] =>
  [...scopes.values()].map((scope): Write => ({ op: 'check', entity: { type: 'scope', value: scope } }));

function requireAdvancedTier(ipam: Ipam): void {
  if (ipam.Tier === 'free') throw freeTierRefusal(ipam.IpamId, 'Prefix list resolvers');
}

interface CreateInput {
  IpamId: string;
  AddressFamily?: string;
  Description?: string;
  Rules?: RuleRequest[];
  TagSpecifications?: TagSpecification[];
}

export async function createIpamPrefixListResolver(deps: Dependencies, context: RequestContext, input: CreateInput) {
  const family = requireFamily(input.AddressFamily);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'ipam-prefix-list-resolver');
  const id = newPrefixListResolverId();
  const created = await retryOnConflict(async () => {
    const ipam = await requireIpam(deps, context, input.IpamId);
    requireSettled('IPAM', ipam.IpamId, ipam.State);
    requireAdvancedTier(ipam);
    const count = ipam.prefixListResolverCount ?? 0;
    if (count >= RESOLVERS_PER_IPAM) {
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('prefix list resolvers', count, RESOLVERS_PER_IPAM));
    }
    const requested = input.Rules ?? [];
    const scopes = await namedScopes(deps, ipam.IpamId, requested);
    const resolver: IpamPrefixListResolver = {
      OwnerId: ipam.OwnerId,
      IpamPrefixListResolverId: id,
      IpamPrefixListResolverArn: prefixListResolverArn(ipam.OwnerId, id),
      IpamArn: ipam.IpamArn,
      IpamRegion: ipam.IpamRegion,
      Description: input.Description,
      AddressFamily: family,
      State: 'create-complete',
      Tags: tags,
      LastVersionCreationStatus: 'pending',
      ipamId: ipam.IpamId,
      rules: validateRules(family, requested, scopes),
      latestVersion: 0,
      version: 1,
    };
    await deps.store.commit([
      // Invariant: at most 10 resolvers per IPAM, none on the free tier: the count and tier read are still current (a concurrent create or downgrade retries).
      { op: 'update', entity: { type: 'ipam', value: { ...ipam, prefixListResolverCount: count + 1 } } },
      { op: 'create', entity: { type: 'prefix-list-resolver', value: resolver } },
      ...scopeChecks(scopes),
    ]);
    return resolver;
  });
  // The first evaluation creates version 1 (DN-44), before the answer.
  const evaluated = await evaluatePrefixListResolver(deps, id);
  return { IpamPrefixListResolver: presentPrefixListResolver(evaluated?.resolver ?? created) };
}

interface ModifyInput {
  IpamPrefixListResolverId: string;
  Description?: string;
  Rules?: RuleRequest[];
}

export async function modifyIpamPrefixListResolver(deps: Dependencies, context: RequestContext, input: ModifyInput) {
  await retryOnConflict(async () => {
    const resolver = await requirePrefixListResolver(deps, context, input.IpamPrefixListResolverId);
    requireSettled('prefix list resolver', resolver.IpamPrefixListResolverId, resolver.State);
    const scopes = input.Rules ? await namedScopes(deps, resolver.ipamId, input.Rules) : new Map<string, IpamScope>();
    // Rules replace the whole rule set (spec §12.2).
    const rules: PrefixListResolverRule[] = input.Rules ? validateRules(resolver.AddressFamily, input.Rules, scopes) : resolver.rules;
    const updated: IpamPrefixListResolver = {
      ...resolver,
      Description: input.Description ?? resolver.Description,
      rules,
      State: 'modify-complete',
    };
    await deps.store.commit([
      // Invariant: the rules replace those read (a concurrent modify or evaluation retries on the new record).
      { op: 'update', entity: { type: 'prefix-list-resolver', value: updated } },
      ...scopeChecks(scopes),
    ]);
  });
  const evaluated = await evaluatePrefixListResolver(deps, input.IpamPrefixListResolverId);
  if (!evaluated)
    throw new IpamError(
      'InvalidIpamPrefixListResolverId.NotFound',
      messages.notFound('ipam-prefix-list-resolver', input.IpamPrefixListResolverId),
    );
  return { IpamPrefixListResolver: presentPrefixListResolver(evaluated.resolver) };
}

/** DynamoDB's 100 items per transaction, less the resolver and its IPAM. */
const VERSIONS_PER_COMMIT = 98;

/**
 * Deletes a resolver, its targets and its versions, and counts it off its IPAM. The resolver goes in the first
 * commit with as many versions as fit; versions left over (only a resolver with more than 98 has
 * any) are unreachable once the resolver is gone and are deleted after it.
 */
export async function deletePrefixListResolverRecord(deps: Dependencies, resolverId: string): Promise<IpamPrefixListResolver | undefined> {
  const deleted = await retryOnConflict(async () => {
    let resolver = await deps.store.getPrefixListResolver(resolverId);
    if (!resolver) return undefined;
    // Its targets go first (each gives its list back); a target made meanwhile changes the count, so the delete below retries.
    if ((resolver.targetCount ?? 0) > 0) {
      await deleteResolverTargets(deps, resolverId);
      resolver = await deps.store.getPrefixListResolver(resolverId);
      if (!resolver) return undefined;
      // The count, strongly consistent, says whether the listing (an index) missed a target: then again.
      if ((resolver.targetCount ?? 0) > 0) throw new StoreConflict(`Resolver ${resolverId} has targets the listing missed`);
    }
    const ipam = await deps.store.getIpam(resolver.ipamId);
    const versions = await deps.store.listPrefixListResolverVersions(resolverId);
    await deps.store.commit([
      // Invariant: deleted at the version read, so a version written meanwhile makes this retry (and is deleted with it).
      { op: 'delete', entity: { type: 'prefix-list-resolver', value: resolver } },
      ...(ipam
        ? [
            {
              op: 'update',
              entity: { type: 'ipam', value: { ...ipam, prefixListResolverCount: Math.max(0, (ipam.prefixListResolverCount ?? 1) - 1) } },
            } satisfies Write,
          ]
        : []),
      ...versions
        .slice(0, VERSIONS_PER_COMMIT)
        .map((version): Write => ({ op: 'delete', entity: { type: 'prefix-list-resolver-version', value: version } })),
    ]);
    return { resolver, rest: versions.slice(VERSIONS_PER_COMMIT) };
  });
  if (!deleted) return undefined;
  for (let i = 0; i < deleted.rest.length; i += VERSIONS_PER_COMMIT) {
    const batch = deleted.rest.slice(i, i + VERSIONS_PER_COMMIT);
    await deps.store.commit(
      batch.map((version): Write => ({ op: 'delete', entity: { type: 'prefix-list-resolver-version', value: version } })),
    );
  }
  return deleted.resolver;
}

/**
 * Deletes every resolver of an IPAM (DeleteIpam: a resolver cannot outlive its IPAM). The IPAM's
 * count, strongly consistent, says whether the owner listing (an index) missed one: then again.
 */
export async function deletePrefixListResolversOf(deps: Dependencies, ipamId: string): Promise<void> {
  await retryOnConflict(async () => {
    const ipam = await deps.store.getIpam(ipamId);
    if (!ipam?.prefixListResolverCount) return;
    const resolvers = (await deps.store.listPrefixListResolvers(ipam.OwnerId)).filter((resolver) => resolver.ipamId === ipamId);
    for (const resolver of resolvers) await deletePrefixListResolverRecord(deps, resolver.IpamPrefixListResolverId);
    if ((await deps.store.getIpam(ipamId))?.prefixListResolverCount)
      throw new StoreConflict(`IPAM ${ipamId} has resolvers the listing missed`);
  });
}

export async function deleteIpamPrefixListResolver(
  deps: Dependencies,
  context: RequestContext,
  input: { IpamPrefixListResolverId: string },
) {
  await requirePrefixListResolver(deps, context, input.IpamPrefixListResolverId);
  const resolver = await deletePrefixListResolverRecord(deps, input.IpamPrefixListResolverId);
  if (!resolver) {
    throw new IpamError(
      'InvalidIpamPrefixListResolverId.NotFound',
      messages.notFound('ipam-prefix-list-resolver', input.IpamPrefixListResolverId),
    );
  }
  return { IpamPrefixListResolver: presentPrefixListResolver({ ...resolver, State: 'delete-complete' }) };
}

/** Rule fields the GetIpamPrefixListResolverRules filters name (rule-type, ipam-scope-id, resource-type, static-cidr). */
const RULE_FILTER_FIELDS = ['RuleType', 'IpamScopeId', 'ResourceType', 'StaticCidr'] as const;
/** Position in a list that keeps its own order, as a sort key pageOf orders correctly. */
const position = (index: number) => String(index).padStart(10, '0');

export async function getIpamPrefixListResolverRules(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { IpamPrefixListResolverId: string; Filters?: Filter[] },
) {
  const matches = compileFilters<PrefixListResolverRule>(input.Filters, RULE_FILTER_FIELDS);
  const resolver = await requirePrefixListResolver(deps, context, input.IpamPrefixListResolverId);
  const rules = resolver.rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => matches(rule));
  const query = queryFingerprint([
    'GetIpamPrefixListResolverRules',
    context.accountId,
    resolver.IpamPrefixListResolverId,
    input.Filters ?? [],
  ]);
  const page = pageOf(deps.paginationSecret, query, rules, ({ index }) => position(index), input, 1000);
  return { Rules: page.items.map(({ rule }) => rule), NextToken: page.nextToken };
}

export async function getIpamPrefixListResolverVersions(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { IpamPrefixListResolverId: string; IpamPrefixListResolverVersions?: number[]; Filters?: Filter[] },
) {
  const matches = compileFilters<{ Version: string }>(input.Filters, ['Version']);
  const resolver = await requirePrefixListResolver(deps, context, input.IpamPrefixListResolverId);
  const wanted = input.IpamPrefixListResolverVersions;
  const versions = (await liveResolverVersions(deps, resolver.IpamPrefixListResolverId))
    .map(({ Version }) => ({ Version }))
    .filter(({ Version }) => (wanted === undefined || wanted.includes(Version)) && matches({ Version: String(Version) }));
  const query = queryFingerprint([
    'GetIpamPrefixListResolverVersions',
    context.accountId,
    resolver.IpamPrefixListResolverId,
    wanted,
    input.Filters ?? [],
  ]);
  const page = pageOf(deps.paginationSecret, query, versions, ({ Version }) => position(Version), input, 1000);
  return { IpamPrefixListResolverVersions: page.items, NextToken: page.nextToken };
}

export async function getIpamPrefixListResolverVersionEntries(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { IpamPrefixListResolverId: string; IpamPrefixListResolverVersion?: number },
) {
  const resolver = await requirePrefixListResolver(deps, context, input.IpamPrefixListResolverId);
  const number = input.IpamPrefixListResolverVersion;
  if (number === undefined) throw new IpamError('MissingParameter', messages.missingParameter('IpamPrefixListResolverVersion'));
  const version = await liveResolverVersion(deps, resolver.IpamPrefixListResolverId, number);
  if (!version) {
    throw new IpamError(
      'InvalidParameterValue',
      `The prefix list resolver ${resolver.IpamPrefixListResolverId} has no version ${number}; its latest is ${resolver.latestVersion}`,
    );
  }
  const entries = version.cidrs.map((Cidr, index) => ({ Cidr, index }));
  const query = queryFingerprint(['GetIpamPrefixListResolverVersionEntries', context.accountId, resolver.IpamPrefixListResolverId, number]);
  const page = pageOf(deps.paginationSecret, query, entries, ({ index }) => position(index), input, 1000);
  return { Entries: page.items.map(({ Cidr }) => ({ Cidr })), NextToken: page.nextToken };
}
