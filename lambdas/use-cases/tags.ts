// CreateTags and DeleteTags on every resource this service keeps (IPAMs, scopes, pools, resource
// discoveries and their associations, verification tokens, IPAM policies, prefix list resolvers, Elastic
// IPs, prefix lists, and VPCs and subnets when embedded); DescribeTags over all of them. In forwarding
// mode the other ids are the upstream's.
import { IpamError } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { type TaggableKind, taggableKindOfId } from '../domain/ids.ts';
import type { Tag } from '../domain/model/record.ts';
import { mergeTags, removeTags, validTag } from '../domain/tags.ts';
import type { Entity, Write } from '../ports/store.ts';
import { type Dependencies, type RequestContext, upstreamOf } from './kernel/context.ts';
import { requireElasticIpByAllocationId } from './elastic-ips.ts';
import { ipamPolicyVisible, requireIpamPolicy } from './ipam-policies.ts';
import { requirePublicIpv4PoolInRegion } from './public-ipv4-pools.ts';
import { retryOnConflict } from './free-space.ts';
import { ipamVisible, poolVisible, requireIpam, requirePoolInHomeRegion, requireScope, scopeVisible } from './kernel/lookup.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { associationVisible, requireAssociation, requireResourceDiscovery, resourceDiscoveryVisible } from './resource-discoveries.ts';
import { prefixListResolverVisible, requirePrefixListResolver } from './prefix-list-resolvers.ts';
import { requireSubnet } from './subnet-cidr-blocks.ts';
import { requireVerificationToken, tokenVisible } from './verification-tokens.ts';
import { requireVpc } from './vpcs.ts';
import { requirePrefixList } from './managed-prefix-lists.ts';
import { requireTarget, targetVisible } from './prefix-list-targets.ts';

/** One request changes its resources in one transaction, which holds at most 100 items. */
const MAX_RESOURCES_PER_REQUEST = 100;

interface TagsInput {
  Resources: string[];
  Tags?: { Key?: string; Value?: string }[];
}

type TaggableEntity = Extract<
  Entity,
  {
    type:
      | 'ipam'
      | 'scope'
      | 'pool'
      | 'resource-discovery'
      | 'resource-discovery-association'
      | 'verification-token'
      | 'ipam-policy'
      | 'prefix-list-resolver'
      | 'elastic-ip'
      | 'public-ipv4-pool'
      | 'vpc'
      | 'subnet'
      | 'managed-prefix-list'
      | 'prefix-list-resolver-target';
  }
>;

/** Whether this deployment keeps resources of `kind`: VPCs and subnets only when it embeds them. */
const keptHere = (deps: Dependencies, kind: TaggableKind | undefined): kind is TaggableKind =>
  kind !== undefined && ((kind !== 'vpc' && kind !== 'subnet') || deps.ec2Companions === 'embedded');

/** The resource an id names, found as its own Describe action finds it, or that action's NotFound. */
async function taggable(deps: Dependencies, context: RequestContext, id: string): Promise<TaggableEntity> {
  const kind = taggableKindOfId(id);
  switch (keptHere(deps, kind) ? kind : undefined) {
    case 'ipam':
      return { type: 'ipam', value: await requireIpam(deps, context, id) };
    case 'ipam-scope':
      return { type: 'scope', value: await requireScope(deps, context, id) };
    case 'ipam-pool':
      return { type: 'pool', value: await requirePoolInHomeRegion(deps, context, id) };
    case 'ipam-resource-discovery':
      return { type: 'resource-discovery', value: await requireResourceDiscovery(deps, context, id) };
    case 'ipam-resource-discovery-association':
      return { type: 'resource-discovery-association', value: await requireAssociation(deps, context, id) };
    case 'ipam-external-resource-verification-token':
      return { type: 'verification-token', value: await requireVerificationToken(deps, context, id) };
    case 'ipam-policy':
      return { type: 'ipam-policy', value: await requireIpamPolicy(deps, context, id) };
    case 'ipam-prefix-list-resolver':
      return { type: 'prefix-list-resolver', value: await requirePrefixListResolver(deps, context, id) };
    case 'elastic-ip':
      return { type: 'elastic-ip', value: await requireElasticIpByAllocationId(deps, context, id) };
    case 'ipv4pool-ec2':
      return { type: 'public-ipv4-pool', value: await requirePublicIpv4PoolInRegion(deps, context, id) };
    case 'vpc':
      return { type: 'vpc', value: await requireVpc(deps, context, id) };
    case 'subnet':
      return { type: 'subnet', value: await requireSubnet(deps, context, id) };
    case 'prefix-list':
      return { type: 'managed-prefix-list', value: await requirePrefixList(deps, context, id) };
    case 'ipam-prefix-list-resolver-target':
      return { type: 'prefix-list-resolver-target', value: await requireTarget(deps, context, id) };
    default:
      throw new IpamError('InvalidID', `The ID '${id}' is not valid`);
  }
}

type TagChange = (tags: Tag[]) => Tag[];

/**
 * Changes the tags of the resources `ids` in one transaction. `beforeCommit` runs once, after every
 * resource was found and before any is changed (forwarding mode: the upstream's part).
 */
async function retag(deps: Dependencies, context: RequestContext, ids: string[], change: TagChange, beforeCommit?: () => Promise<unknown>) {
  if (ids.length > MAX_RESOURCES_PER_REQUEST) {
    throw new IpamError('InvalidParameterValue', `At most ${MAX_RESOURCES_PER_REQUEST} resources can be tagged in one request`);
  }
  return retryOnConflict(async (attempt) => {
    const writes: Write[] = [];
    for (const id of new Set(ids)) {
      const entity = await taggable(deps, context, id);
      const value = { ...entity.value, Tags: change(entity.value.Tags) };
      // Invariant: tags are replaced on the version read, so concurrent tag changes are not lost.
      writes.push({ op: 'update', entity: { type: entity.type, value } as TaggableEntity });
    }
    if (attempt === 0) await beforeCommit?.();
    await deps.store.commit(writes);
    return {};
  });
}

/** EC2's CreateTags: "Adds or overwrites only the specified tags for the specified Amazon EC2 resource or resources." */
function addition(input: TagsInput): TagChange {
  const added = (input.Tags ?? []).map(validTag);
  if (added.length === 0) throw new IpamError('MissingParameter', 'The request must contain the parameter Tags');
  return (tags) => mergeTags(tags, added);
}

function removal(input: TagsInput): TagChange {
  const removed = input.Tags ?? [];
  // DeleteTags without Tags removes every tag of the resources, as in EC2.
  return (tags) => (removed.length === 0 ? [] : removeTags(tags, removed));
}

export const createTags = (deps: Dependencies, context: RequestContext, input: TagsInput) =>
  retag(deps, context, input.Resources, addition(input));

export const deleteTags = (deps: Dependencies, context: RequestContext, input: TagsInput) =>
  retag(deps, context, input.Resources, removal(input));

/**
 * Forwarding mode: the ids this service keeps are changed here, all others (VPCs, subnets, and
 * every other EC2 resource) in one call of the same action upstream. Our resources are found
 * first, then the upstream is called, then ours are committed: a missing resource here or an
 * upstream refusal changes nothing anywhere; a resource here deleted between the upstream's
 * success and our commit leaves the upstream's part done and answers that resource's NotFound.
 * Both actions set an end state, so the caller can repeat the request.
 */
async function retagWithUpstream(
  deps: Dependencies,
  context: RequestContext,
  action: 'CreateTags' | 'DeleteTags',
  input: TagsInput,
  change: TagChange,
) {
  const upstream = upstreamOf(deps);
  const ours = input.Resources.filter((id) => keptHere(deps, taggableKindOfId(id)));
  const theirs = input.Resources.filter((id) => !ours.includes(id));
  const upstreamPart =
    theirs.length === 0 ? undefined : () => upstream.call(context.region, action, { Resources: theirs, Tags: input.Tags });
  return retag(deps, context, ours, change, upstreamPart);
}

export const createTagsWithUpstream = (deps: Dependencies, context: RequestContext, input: TagsInput) =>
  retagWithUpstream(deps, context, 'CreateTags', input, addition(input));

export const deleteTagsWithUpstream = (deps: Dependencies, context: RequestContext, input: TagsInput) =>
  retagWithUpstream(deps, context, 'DeleteTags', input, removal(input));

/** One tag of one resource, as DescribeTags answers it (TagDescription). */
interface TagDescription {
  ResourceId: string;
  ResourceType: string;
  Key: string;
  Value: string;
}

interface DescribeTagsInput extends ListRequest {
  Filters?: Filter[];
}

/** EC2's model on DescribeTags' MaxResults: "This value can be between 5 and 1000." */
const DESCRIBE_TAGS_PAGE = { min: 5, max: 1000 };
const TAG_FILTER_FIELDS = ['ResourceId', 'ResourceType', 'Key', 'Value'] as const;

/**
 * The tags of the caller's resources it can describe in the request's Region, each resource seen
 * as its own Describe action sees it: IPAMs, scopes, resource discoveries and IPAM policies in their home Region,
 * pools there and in their locale, Elastic IPs, VPCs and subnets in theirs.
 */
async function ownTags(deps: Dependencies, context: RequestContext): Promise<TagDescription[]> {
  const { store } = deps;
  const { accountId, region } = context;
  const [
    ipams,
    scopes,
    pools,
    discoveries,
    associations,
    tokens,
    policies,
    resolvers,
    elasticIps,
    publicPools,
    vpcs,
    subnets,
    prefixLists,
  ] = await Promise.all([
    store.listIpams(accountId),
    store.listScopes(accountId),
    store.listPools(accountId),
    store.listResourceDiscoveries(accountId),
    store.listResourceDiscoveryAssociations(accountId),
    store.listVerificationTokens(accountId),
    store.listIpamPolicies(accountId),
    store.listPrefixListResolvers(accountId),
    store.listElasticIps(accountId, region),
    store.listPublicIpv4Pools(accountId),
    deps.ec2Companions === 'embedded' ? store.listVpcs(accountId, region) : [],
    deps.ec2Companions === 'embedded' ? store.listSubnets(accountId, region) : [],
    store.listManagedPrefixLists(accountId, region),
  ]);
  const visible =
    <T>(test: (context: RequestContext, record: T) => boolean) =>
    (record: T) =>
      test(context, record);
  const targets = (
    await Promise.all(
      resolvers
        .filter(visible(prefixListResolverVisible))
        .map((resolver) => store.listPrefixListResolverTargets(resolver.IpamPrefixListResolverId)),
    )
  ).flat();
  return [
    ...tagsOf('ipam', ipams.filter(visible(ipamVisible)), (ipam) => ipam.IpamId),
    ...tagsOf('ipam-scope', scopes.filter(visible(scopeVisible)), (scope) => scope.IpamScopeId),
    ...tagsOf('ipam-pool', pools.filter(visible(poolVisible)), (pool) => pool.IpamPoolId),
    ...tagsOf('ipam-resource-discovery', discoveries.filter(visible(resourceDiscoveryVisible)), (rd) => rd.IpamResourceDiscoveryId),
    ...tagsOf(
      'ipam-resource-discovery-association',
      associations.filter(visible(associationVisible)),
      (association) => association.IpamResourceDiscoveryAssociationId,
    ),
    ...tagsOf(
      'ipam-external-resource-verification-token',
      tokens.filter(visible(tokenVisible)),
      (token) => token.IpamExternalResourceVerificationTokenId,
    ),
    ...tagsOf('ipam-policy', policies.filter(visible(ipamPolicyVisible)), (policy) => policy.IpamPolicyId),
    ...tagsOf(
      'ipam-prefix-list-resolver',
      resolvers.filter(visible(prefixListResolverVisible)),
      (resolver) => resolver.IpamPrefixListResolverId,
    ),
    ...tagsOf('elastic-ip', elasticIps, (eip) => eip.AllocationId),
    ...tagsOf(
      'ipv4pool-ec2',
      publicPools.filter((pool) => pool.region === region),
      (pool) => pool.PoolId,
    ),
    ...tagsOf('vpc', vpcs, (vpc) => vpc.VpcId),
    ...tagsOf('subnet', subnets, (subnet) => subnet.SubnetId),
    ...tagsOf('prefix-list', prefixLists, (list) => list.PrefixListId),
    ...tagsOf(
      'ipam-prefix-list-resolver-target',
      targets.filter(visible(targetVisible)),
      (target) => target.IpamPrefixListResolverTargetId,
    ),
  ];
}

const tagsOf = <T extends { Tags: Tag[] }>(ResourceType: string, records: T[], idOf: (record: T) => string): TagDescription[] =>
  records.flatMap((record) => record.Tags.map(({ Key, Value }) => ({ ResourceId: idOf(record), ResourceType, Key, Value })));

/** Tags from elsewhere (forwarding mode: the upstream's), listed together with this service's own. */
type MoreTags = (filters: Filter[] | undefined) => Promise<TagDescription[]>;

async function listTags(deps: Dependencies, context: RequestContext, input: DescribeTagsInput, more?: MoreTags) {
  if (input.MaxResults !== undefined && (input.MaxResults < DESCRIBE_TAGS_PAGE.min || input.MaxResults > DESCRIBE_TAGS_PAGE.max)) {
    throw new IpamError(
      'InvalidParameterValue',
      `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${DESCRIBE_TAGS_PAGE.min} and ${DESCRIBE_TAGS_PAGE.max}.`,
    );
  }
  // `tag:<key>` selects the tag itself, as `key` and `value` together do (AWS's describe-tags example 5).
  const matches = compileFilters<TagDescription & { Tags: Tag[] }>(input.Filters, TAG_FILTER_FIELDS);
  const tags = [...(await ownTags(deps, context)), ...((await more?.(input.Filters)) ?? [])];
  const selected = tags.filter((tag) => matches({ ...tag, Tags: [{ Key: tag.Key, Value: tag.Value }] }));
  const query = queryFingerprint(['DescribeTags', context.accountId, context.region, input.Filters ?? []]);
  // Unpaginated, EC2 answers every tag (its model: "Unpaginated requests are susceptible to throttling").
  const page = pageOf(deps.paginationSecret, query, selected, (tag) => `${tag.ResourceId} ${tag.Key}`, input, Number.POSITIVE_INFINITY);
  return { Tags: page.items, NextToken: page.nextToken };
}

export const describeTags = (deps: Dependencies, context: RequestContext, input: DescribeTagsInput) => listTags(deps, context, input);

/**
 * Forwarding mode: the upstream keeps the VPCs, subnets and everything else this service does not,
 * so their tags are the upstream's DescribeTags (every page, same filters), listed with ours.
 */
export const describeTagsWithUpstream = (deps: Dependencies, context: RequestContext, input: DescribeTagsInput) =>
  listTags(deps, context, input, async (Filters) => {
    const upstream = upstreamOf(deps);
    const tags: TagDescription[] = [];
    let NextToken: string | undefined;
    do {
      const answer = (await upstream.call(context.region, 'DescribeTags', { Filters, MaxResults: DESCRIBE_TAGS_PAGE.max, NextToken })) as {
        Tags?: TagDescription[];
        NextToken?: string;
      };
      tags.push(...(answer.Tags ?? []));
      NextToken = answer.NextToken;
    } while (NextToken);
    return tags;
  });
