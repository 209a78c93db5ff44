// Resource ids and ARNs in the shapes AWS uses (the project's shared protocol notes, protocol/ec2-query.md §6).
import { randomBytes } from 'node:crypto';

const hex = (digits: number) =>
  randomBytes(Math.ceil(digits / 2))
    .toString('hex')
    .slice(0, digits);

/** A leading 0 then 16 hex digits, like `ipam-0de83dba6694560a9`. */
const shortId = (prefix: string) => `${prefix}-0${hex(16)}`;

/**
 * Event ids: UUIDs in version 7's layout (RFC 9562 §5.7: milliseconds since the epoch, a 12-bit
 * counter, random bits), so that the ids one minter makes sort in the order it made them. Recent
 * events are kept under `<time>#<eventId>`: two events of one millisecond (a CIDR's
 * pending-provision and provisioned) must still list in the order they happened.
 */
export function eventIdMinter(): (now?: number) => string {
  let lastMs = 0;
  let counter = 0;
  return (now = Date.now()) => {
    if (now > lastMs) counter = 0;
    else counter++; // the same millisecond, or the clock went back: count on from the last id
    lastMs = Math.max(now, lastMs);
    if (counter > 0xfff) {
      // 4,096 ids in one millisecond: carry into the next one.
      lastMs++;
      counter = 0;
    }
    const ms = lastMs.toString(16).padStart(12, '0');
    const random = randomBytes(8);
    random[0] = (random[0] & 0x3f) | 0x80; // RFC 9562's variant
    const tail = random.toString('hex');
    return `${ms.slice(0, 8)}-${ms.slice(8)}-7${counter.toString(16).padStart(3, '0')}-${tail.slice(0, 4)}-${tail.slice(4)}`;
  };
}

/** This process's event ids. */
export const newEventId = eventIdMinter();

export const newIpamId = () => shortId('ipam');
export const newScopeId = () => shortId('ipam-scope');
export const newPoolId = () => shortId('ipam-pool');
export const newPoolCidrId = () => `ipam-pool-cidr-0${hex(32)}`;
/** A leading 0 then 32 hex digits, like `ipam-pool-alloc-018ecc28043b54ba38e2cd99943cebfbd` (AWS CLI examples). */
export const newAllocationId = () => `ipam-pool-alloc-0${hex(32)}`;
/** Elastic IP allocations: `eipalloc-` and 17 hex digits, like `eipalloc-0a1b2c3d4e5f60718`. */
export const newElasticIpAllocationId = () => shortId('eipalloc');
/** Elastic IP associations: `eipassoc-` and 17 hex digits. */
export const newElasticIpAssociationId = () => shortId('eipassoc');
/** Public IPv4 pools: `ipv4pool-ec2-` and 17 hex digits, like `ipv4pool-ec2-0019eed22a684e0b2` (the guide, S9). */
export const newPublicIpv4PoolId = () => shortId('ipv4pool-ec2');
/** EC2 companions: `vpc-` and 17 hex digits; CIDR block associations `vpc-cidr-assoc-` likewise. */
export const newVpcId = () => shortId('vpc');
export const newVpcCidrAssociationId = () => shortId('vpc-cidr-assoc');
export const newSubnetId = () => shortId('subnet');
export const newSubnetCidrAssociationId = () => shortId('subnet-cidr-assoc');
/** EC2 resource ARNs name their Region: `arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0…`. */
export const regionalEc2Arn = (region: string, accountId: string, resource: 'vpc' | 'subnet', id: string) =>
  `arn:aws:ec2:${region}:${accountId}:${resource}/${id}`;
export const newResourceDiscoveryId = () => shortId('ipam-res-disco');
export const newResourceDiscoveryAssociationId = () => shortId('ipam-res-disco-assoc');
export const newVerificationTokenId = () => shortId('ipam-ext-res-ver-token');
export const newIpamPolicyId = () => shortId('ipam-policy');
/** Like arnOf (empty Region field). */
export const ipamPolicyArn = (accountId: string, id: string) => `arn:aws:ec2::${accountId}:ipam-policy/${id}`;
export const newPrefixListResolverId = () => shortId('ipam-prefix-list-resolver');
export const prefixListResolverArn = (accountId: string, id: string) => arnOf(accountId, 'ipam-prefix-list-resolver', id);
/** Managed prefix lists: `pl-` and 17 hex digits; their ARNs name their Region. */
export const newPrefixListId = () => shortId('pl');
export const prefixListArn = (region: string, accountId: string, id: string) => `arn:aws:ec2:${region}:${accountId}:prefix-list/${id}`;
/** Resolver targets: like the resolvers' ids and ARNs (empty Region field). */
export const newPrefixListResolverTargetId = () => shortId('ipam-prefix-list-resolver-target');
export const prefixListResolverTargetArn = (accountId: string, id: string) => arnOf(accountId, 'ipam-prefix-list-resolver-target', id);
/** The address pool EC2 creates for a range brought outside IPAM (ProvisionByoipCidr). */
export const newByoipAddressPoolId = (family: 'ipv4' | 'ipv6') => shortId(`${family}pool-ec2`);

type ArnResource =
  | 'ipam'
  | 'ipam-scope'
  | 'ipam-pool'
  | 'ipam-resource-discovery'
  | 'ipam-resource-discovery-association'
  | 'ipam-external-resource-verification-token'
  | 'ipam-prefix-list-resolver'
  | 'ipam-prefix-list-resolver-target';

/** IPAM ARNs have an empty Region field. */
export const arnOf = (accountId: string, resource: ArnResource, id: string) => `arn:aws:ec2::${accountId}:${resource}/${id}`;

/**
 * The kinds of resource this service tags, named as DescribeTags' ResourceType names them: the
 * IPAM resources with ARNs (IPAM policies too), and the Elastic IPs, public IPv4 pools, VPCs, subnets and prefix lists it keeps.
 */
export type TaggableKind = ArnResource | 'ipam-policy' | 'elastic-ip' | 'ipv4pool-ec2' | 'vpc' | 'subnet' | 'prefix-list';

/** Id shapes by kind; anchored, hex after the prefix, so `ipam-pool-alloc-…` or `vpc-cidr-assoc-…` match none. */
const TAGGABLE_ID_SHAPES: readonly [RegExp, TaggableKind][] = [
  [/^ipam-res-disco-assoc-[0-9a-f]+$/, 'ipam-resource-discovery-association'],
  [/^ipam-res-disco-[0-9a-f]+$/, 'ipam-resource-discovery'],
  [/^ipam-ext-res-ver-token-[0-9a-f]+$/, 'ipam-external-resource-verification-token'],
  [/^ipam-prefix-list-resolver-[0-9a-f]+$/, 'ipam-prefix-list-resolver'],
  [/^ipam-prefix-list-resolver-target-[0-9a-f]+$/, 'ipam-prefix-list-resolver-target'],
  [/^ipam-scope-[0-9a-f]+$/, 'ipam-scope'],
  [/^ipam-pool-[0-9a-f]+$/, 'ipam-pool'],
  [/^ipam-policy-[0-9a-f]+$/, 'ipam-policy'],
  [/^ipam-[0-9a-f]+$/, 'ipam'],
  [/^eipalloc-[0-9a-f]+$/, 'elastic-ip'],
  [/^ipv4pool-ec2-[0-9a-f]+$/, 'ipv4pool-ec2'],
  [/^vpc-[0-9a-f]+$/, 'vpc'],
  [/^subnet-[0-9a-f]+$/, 'subnet'],
  [/^pl-[0-9a-f]+$/, 'prefix-list'],
];

/** The kind of resource an id names, by its shape, if it is one this service can tag. */
export const taggableKindOfId = (id: string): TaggableKind | undefined => TAGGABLE_ID_SHAPES.find(([shape]) => shape.test(id))?.[1];
