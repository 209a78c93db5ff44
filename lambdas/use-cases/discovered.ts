// GetIpamDiscoveredResourceCidrs, GetIpamDiscoveredAccounts, GetIpamDiscoveredPublicAddresses
// (spec §10.7, §18): what a resource discovery's sweeps saw in one Region, read by its owner.
import { IpamError } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import type { DiscoveredAccount, DiscoveredPublicAddress, DiscoveredResourceCidr } from '../domain/model/discovery.ts';
import type { Tag } from '../domain/model/record.ts';
import { isAwsRegion } from '../domain/regions.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { requireResourceDiscovery } from './resource-discoveries.ts';

interface DiscoveredRequest extends ListRequest {
  IpamResourceDiscoveryId: string;
  Filters?: Filter[];
}

function requireRegion(region: string | undefined, parameter: string): string {
  if (region === undefined || !isAwsRegion(region))
    throw new IpamError('InvalidParameterValue', `The Region '${region ?? ''}' in ${parameter} is not a valid Region`);
  return region;
}

/** One page of what matched, in a stable order, with a token bound to this query. */
function discoveredPage<T>(
  deps: Dependencies,
  context: RequestContext,
  action: string,
  region: string,
  input: DiscoveredRequest,
  records: T[],
  idOf: (record: T) => string,
) {
  const query = queryFingerprint([action, context.accountId, context.region, input.IpamResourceDiscoveryId, region, input.Filters ?? []]);
  return pageOf(deps.paginationSecret, query, records, idOf, input, 1000);
}

/** Discovered records carry their resource's tags under another name; `tag:<key>` filters read them. */
const withTags = <T extends object>(record: T, tags: Tag[] | undefined) => ({ ...record, Tags: tags ?? [] });

interface GetIpamDiscoveredResourceCidrsInput extends DiscoveredRequest {
  ResourceRegion: string;
}

const RESOURCE_CIDR_FILTER_FIELDS = [
  'ResourceId',
  'ResourceType',
  'ResourceOwnerId',
  'ResourceCidr',
  'ResourceRegion',
  'IpSource',
  'VpcId',
  'SubnetId',
  'NetworkInterfaceAttachmentStatus',
  'AvailabilityZoneId',
] as const;

export async function getIpamDiscoveredResourceCidrs(
  deps: Dependencies,
  context: RequestContext,
  input: GetIpamDiscoveredResourceCidrsInput,
) {
  const region = requireRegion(input.ResourceRegion, 'ResourceRegion');
  const discovery = await requireResourceDiscovery(deps, context, input.IpamResourceDiscoveryId, 'GetIpamDiscoveredResourceCidrs');
  const matches = compileFilters<DiscoveredResourceCidr & { Tags: Tag[] }>(input.Filters, RESOURCE_CIDR_FILTER_FIELDS);
  const records = (await deps.store.listDiscoveredResourceCidrs(discovery.IpamResourceDiscoveryId, region)).filter((record) =>
    matches(withTags(record, record.ResourceTags)),
  );
  const page = discoveredPage(deps, context, 'GetIpamDiscoveredResourceCidrs', region, input, records, (record) =>
    [record.ResourceOwnerId, record.ResourceId, record.ResourceCidr].join('#'),
  );
  return { IpamDiscoveredResourceCidrs: page.items.map((record) => publicView(record)), NextToken: page.nextToken };
}

interface GetIpamDiscoveredAccountsInput extends DiscoveredRequest {
  DiscoveryRegion: string;
}

const ACCOUNT_FILTER_FIELDS = ['AccountId', 'DiscoveryRegion', 'OrganizationalUnitId'] as const;

export async function getIpamDiscoveredAccounts(deps: Dependencies, context: RequestContext, input: GetIpamDiscoveredAccountsInput) {
  const region = requireRegion(input.DiscoveryRegion, 'DiscoveryRegion');
  const discovery = await requireResourceDiscovery(deps, context, input.IpamResourceDiscoveryId, 'GetIpamDiscoveredAccounts');
  const matches = compileFilters<DiscoveredAccount>(input.Filters, ACCOUNT_FILTER_FIELDS, {
    'discovery-failure-reason-code': (record) => record.FailureReason?.Code,
  });
  const records = (await deps.store.listDiscoveredAccounts(discovery.IpamResourceDiscoveryId, region)).filter(matches);
  const page = discoveredPage(deps, context, 'GetIpamDiscoveredAccounts', region, input, records, (record) => record.AccountId);
  return { IpamDiscoveredAccounts: page.items.map((record) => publicView(record)), NextToken: page.nextToken };
}

interface GetIpamDiscoveredPublicAddressesInput extends DiscoveredRequest {
  AddressRegion: string;
}

const PUBLIC_ADDRESS_FILTER_FIELDS = [
  'Address',
  'AddressOwnerId',
  'AddressAllocationId',
  'AddressRegion',
  'AssociationStatus',
  'AddressType',
  'Service',
  'ServiceResource',
  'VpcId',
  'SubnetId',
  'PublicIpv4PoolId',
  'NetworkInterfaceId',
  'InstanceId',
  'NetworkBorderGroup',
] as const;

type PublicAddressView = Omit<DiscoveredPublicAddress, 'Tags'> & { Tags: Tag[] };

export async function getIpamDiscoveredPublicAddresses(
  deps: Dependencies,
  context: RequestContext,
  input: GetIpamDiscoveredPublicAddressesInput,
) {
  const region = requireRegion(input.AddressRegion, 'AddressRegion');
  const discovery = await requireResourceDiscovery(deps, context, input.IpamResourceDiscoveryId, 'GetIpamDiscoveredPublicAddresses');
  const matches = compileFilters<PublicAddressView>(input.Filters, PUBLIC_ADDRESS_FILTER_FIELDS, {
    'security-group-id': (record) => (record.SecurityGroups ?? []).map((group) => group.GroupId),
  });
  const records = (await deps.store.listDiscoveredPublicAddresses(discovery.IpamResourceDiscoveryId, region)).filter((record) =>
    matches(withTags(record, record.Tags?.EipTags)),
  );
  const page = discoveredPage(deps, context, 'GetIpamDiscoveredPublicAddresses', region, input, records, (record) =>
    [record.AddressOwnerId, record.Address].join('#'),
  );
  // The oldest sample among everything that matched, so a reader knows how stale the view may be.
  const oldest = records.map((record) => record.SampleTime).sort()[0];
  return {
    IpamDiscoveredPublicAddresses: page.items.map((record) => publicView(record)),
    OldestSampleTime: oldest,
    NextToken: page.nextToken,
  };
}
