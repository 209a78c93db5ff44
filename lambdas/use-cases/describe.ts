// The Describe* actions over record types bounded by quotas: one row per action, one function
// that runs a row. Named ids must exist, then filters apply, then one page of at most 1000. Named ids
// are read one by one from the table (strongly consistent), so a Describe by id sees a create at
// once; without ids the owner's listing comes from an index, which may lag by about a second in the cloud.
import { type ErrorCode, IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import type { Tag } from '../domain/model/record.ts';
import type { Store } from '../ports/store.ts';
import type { Dependencies, Output, RequestContext, UseCase } from './kernel/context.ts';
import { presentIpam } from './ipams.ts';
import { ipamPolicyVisible, presentIpamPolicy } from './ipam-policies.ts';
import { prefixListResolverVisible, presentPrefixListResolver } from './prefix-list-resolvers.ts';
import type { IpamResourceDiscovery } from '../domain/model/discovery.ts';
import type { IpamPool } from '../domain/model/pool.ts';
import { ipamVisible, poolInRegion, poolVisible, scopeVisible } from './kernel/lookup.ts';
import { resourcesSharedWith } from './sharing/access.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { presentPool } from './pools.ts';
import { associationVisible, presentAssociation, presentResourceDiscovery, resourceDiscoveryVisible } from './resource-discoveries.ts';
import { presentScope } from './scopes.ts';
import { presentToken, tokenStatus, tokenVisible } from './verification-tokens.ts';

type StringField<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T] & string;

interface DescribeRow<T extends { Tags?: Tag[] }> {
  /** The account's records of this type (an index: may lag a write by about a second in the cloud). */
  list: (store: Store, accountId: string) => Promise<T[]>;
  /** One record by id from the table, strongly consistent: how named ids are read, so a create is seen at once. */
  get: (store: Store, id: string) => Promise<T | undefined>;
  /** Which of the records read the caller may see. */
  visible: (context: RequestContext, record: T) => boolean;
  /** Records of other accounts shared with the caller (AWS RAM) that it may describe here, and how they are shown to it. */
  shared?: {
    list: (deps: Dependencies, context: RequestContext) => Promise<T[]>;
    present: (record: T, now: Date) => Output;
  };
  /** `IpamId`: the input names ids in `IpamIds`, a missing one is `InvalidIpamId.NotFound`. */
  id: StringField<T>;
  /** The name of the record type in NotFound messages. */
  kind: string;
  /** Record fields filtered by their kebab-case name, and names whose value is computed (at `now`). */
  filterFields: readonly string[];
  computedFilters?: (now: Date) => Record<string, (record: T) => unknown>;
  output: string;
  present: (record: T, now: Date) => Output;
}

type DescribeInput = ListRequest & { Filters?: Filter[] } & Record<string, unknown>;
type RunRow = (action: string, deps: Dependencies, context: RequestContext, input: DescribeInput) => Promise<Output>;

/** Runs one row. */
const row =
  <T extends { Tags?: Tag[] }>(spec: DescribeRow<T>): RunRow =>
  async (action, deps, context, input) => {
    const now = deps.now();
    const matches = compileFilters<T>(input.Filters, spec.filterFields, spec.computedFilters?.(now));
    const ids = (input[`${spec.id}s`] as string[] | undefined) ?? [];
    const [owned, shared] = await Promise.all([
      ids.length === 0 ? spec.list(deps.store, context.accountId) : readEach(ids, (id) => spec.get(deps.store, id)),
      spec.shared?.list(deps, context) ?? [],
    ]);
    const records = [...owned.filter((record) => spec.visible(context, record)), ...shared];
    const isShared = new Set(shared);
    const present = (record: T) => (isShared.has(record) && spec.shared ? spec.shared.present(record, now) : spec.present(record, now));
    const idOf = (record: T) => record[spec.id] as string;
    // As EC2's Describe* insist, each named id must be among the caller's records.
    const missing = ids.find((id) => !records.some((record) => idOf(record) === id));
    if (missing !== undefined) throw new IpamError(`Invalid${spec.id}.NotFound` as ErrorCode, messages.notFound(spec.kind, missing));
    const selected = records.filter((record) => (ids.length === 0 || ids.includes(idOf(record))) && matches(record));
    const query = queryFingerprint([action, context.accountId, context.region, ids, input.Filters ?? []]);
    const page = pageOf(deps.paginationSecret, query, selected, idOf, input, 1000);
    return { [spec.output]: page.items.map(present), NextToken: page.nextToken };
  };

/** Each distinct id read once; those that exist. */
async function readEach<T>(ids: string[], get: (id: string) => Promise<T | undefined>): Promise<T[]> {
  const found: (T | undefined)[] = await Promise.all([...new Set(ids)].map(get));
  return found.filter((record): record is T => record !== undefined);
}

const DESCRIBE_ROWS = {
  DescribeIpams: row({
    list: (store, accountId) => store.listIpams(accountId),
    get: (store, id) => store.getIpam(id),
    visible: ipamVisible,
    id: 'IpamId',
    kind: 'ipam',
    filterFields: ['IpamId', 'IpamArn', 'IpamRegion', 'OwnerId', 'Description', 'State', 'Tier', 'ScopeCount'],
    computedFilters: () => ({ 'operating-region': (ipam) => ipam.OperatingRegions.map((region) => region.RegionName) }),
    output: 'Ipams',
    present: presentIpam,
  }),
  DescribeIpamScopes: row({
    list: (store, accountId) => store.listScopes(accountId),
    get: (store, id) => store.getScope(id),
    visible: scopeVisible,
    id: 'IpamScopeId',
    kind: 'ipam-scope',
    filterFields: [
      'IpamScopeId',
      'IpamScopeArn',
      'IpamArn',
      'IpamRegion',
      'IpamScopeType',
      'IsDefault',
      'Description',
      'OwnerId',
      'State',
      'PoolCount',
      'ipamId',
    ],
    output: 'IpamScopes',
    present: presentScope,
  }),
  DescribeIpamPools: row({
    list: (store, accountId) => store.listPools(accountId),
    get: (store, id) => store.getPool(id),
    visible: poolVisible,
    shared: {
      list: async (deps, context) => {
        const ids = await resourcesSharedWith(deps, context.accountId, 'ec2:IpamPool', 'DescribeIpamPools');
        const pools = await Promise.all(ids.map((id) => deps.store.getPool(id)));
        return pools.filter((pool): pool is IpamPool => pool !== undefined && poolInRegion(context, pool));
      },
      // The guide: a pool's Name tag is not visible to other accounts, even when shared.
      present: (pool) => presentPool({ ...pool, Tags: pool.Tags.filter((tag) => tag.Key !== 'Name') }),
    },
    id: 'IpamPoolId',
    kind: 'ipam-pool',
    filterFields: [
      'IpamPoolId',
      'IpamPoolArn',
      'SourceIpamPoolId',
      'IpamScopeArn',
      'IpamScopeType',
      'IpamArn',
      'IpamRegion',
      'Locale',
      'PoolDepth',
      'State',
      'Description',
      'AutoImport',
      'AddressFamily',
      'OwnerId',
      'AwsService',
      'PublicIpSource',
      'PubliclyAdvertisable',
      'ipamId',
      'ipamScopeId',
    ],
    output: 'IpamPools',
    present: presentPool,
  }),
  DescribeIpamResourceDiscoveries: row({
    list: (store, accountId) => store.listResourceDiscoveries(accountId),
    get: (store, id) => store.getResourceDiscovery(id),
    visible: resourceDiscoveryVisible,
    shared: {
      list: async (deps, context) => {
        const ids = await resourcesSharedWith(deps, context.accountId, 'ec2:IpamResourceDiscovery', 'DescribeIpamResourceDiscoveries');
        const discoveries = await Promise.all(ids.map((id) => deps.store.getResourceDiscovery(id)));
        return discoveries.filter(
          (discovery): discovery is IpamResourceDiscovery =>
            discovery !== undefined && discovery.IpamResourceDiscoveryRegion === context.region,
        );
      },
      present: presentResourceDiscovery,
    },
    id: 'IpamResourceDiscoveryId',
    kind: 'ipam-resource-discovery',
    filterFields: [
      'IpamResourceDiscoveryId',
      'IpamResourceDiscoveryArn',
      'IpamResourceDiscoveryRegion',
      'OwnerId',
      'Description',
      'IsDefault',
      'State',
    ],
    computedFilters: () => ({
      'operating-region': (record) => record.OperatingRegions.map((region) => region.RegionName),
      'organizational-unit-exclusion': (record) =>
        record.OrganizationalUnitExclusions.map((exclusion) => exclusion.OrganizationsEntityPath),
    }),
    output: 'IpamResourceDiscoveries',
    present: presentResourceDiscovery,
  }),
  DescribeIpamResourceDiscoveryAssociations: row({
    list: (store, accountId) => store.listResourceDiscoveryAssociations(accountId),
    get: (store, id) => store.getResourceDiscoveryAssociation(id),
    visible: associationVisible,
    id: 'IpamResourceDiscoveryAssociationId',
    kind: 'ipam-resource-discovery-association',
    filterFields: [
      'IpamResourceDiscoveryAssociationId',
      'IpamResourceDiscoveryAssociationArn',
      'IpamResourceDiscoveryId',
      'IpamId',
      'IpamArn',
      'IpamRegion',
      'OwnerId',
      'IsDefault',
      'State',
      'ResourceDiscoveryStatus',
    ],
    output: 'IpamResourceDiscoveryAssociations',
    present: presentAssociation,
  }),
  DescribeIpamExternalResourceVerificationTokens: row({
    list: (store, accountId) => store.listVerificationTokens(accountId),
    get: (store, id) => store.getVerificationToken(id),
    visible: tokenVisible,
    id: 'IpamExternalResourceVerificationTokenId',
    kind: 'ipam-external-resource-verification-token',
    filterFields: [
      'IpamExternalResourceVerificationTokenId',
      'IpamExternalResourceVerificationTokenArn',
      'IpamId',
      'IpamArn',
      'IpamRegion',
      'TokenName',
      'TokenValue',
      'State',
    ],
    computedFilters: (now) => ({ status: (token) => [tokenStatus(token, now)] }),
    output: 'IpamExternalResourceVerificationTokens',
    present: presentToken,
  }),
  DescribeIpamPolicies: row({
    list: (store, accountId) => store.listIpamPolicies(accountId),
    get: (store, id) => store.getIpamPolicy(id),
    visible: ipamPolicyVisible,
    id: 'IpamPolicyId',
    kind: 'ipam-policy',
    filterFields: ['IpamPolicyId', 'IpamPolicyArn', 'IpamPolicyRegion', 'IpamId', 'OwnerId', 'State'],
    output: 'IpamPolicies',
    present: presentIpamPolicy,
  }),
  DescribeIpamPrefixListResolvers: row({
    list: (store, accountId) => store.listPrefixListResolvers(accountId),
    get: (store, id) => store.getPrefixListResolver(id),
    visible: prefixListResolverVisible,
    id: 'IpamPrefixListResolverId',
    kind: 'ipam-prefix-list-resolver',
    filterFields: [
      'IpamPrefixListResolverId',
      'IpamPrefixListResolverArn',
      'IpamArn',
      'IpamRegion',
      'ipamId',
      'AddressFamily',
      'OwnerId',
      'State',
      'LastVersionCreationStatus',
    ],
    output: 'IpamPrefixListResolvers',
    present: presentPrefixListResolver,
  }),
} satisfies Record<string, RunRow>;

/** The use case of one Describe action of the table. */
export const describeAction =
  (action: keyof typeof DESCRIBE_ROWS): UseCase =>
  (deps, context, input) =>
    DESCRIBE_ROWS[action](action, deps, context, input);
