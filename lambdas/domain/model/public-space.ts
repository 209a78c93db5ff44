// Public space brought or lent to an IPAM: BYOASNs, BYOIP advertisements, verification tokens
// (issue 7) and Elastic IPs from IPAM pools.
import type { Tag, Versioned } from './record.ts';

type AsnState = 'pending-provision' | 'provisioned' | 'failed-provision' | 'pending-deprovision' | 'deprovisioned' | 'failed-deprovision';

/** An autonomous system number an account brought to one of its IPAMs (Byoasn). One record per account and ASN. */
export interface Byoasn extends Versioned {
  Asn: string;
  IpamId: string;
  State: AsnState;
  StatusMessage?: string;
  /** Internal: the owner, and the IPAM's home Region (where DescribeIpamByoasn lists it). */
  ownerId: string;
  ipamRegion: string;
  /** Internal: BYOIP CIDRs it is associated with; deprovisioning needs zero. */
  associationCount: number;
  /** Failed and deprovisioned ASNs only: when the record is purged (domain/expiry.ts). */
  retainedUntil?: string;
}

/**
 * What IPAM remembers of one BYOIP CIDR beyond its pool CIDR record: whether it is advertised,
 * with which origin ASN, and the ASNs associated with it. Keyed by owner, Region (the pool's
 * locale) and CIDR; created on first use — no record means withdrawn, with no associations.
 */
export interface ByoipCidrAdvertisement extends Versioned {
  ownerId: string;
  region: string;
  cidr: string;
  advertised: boolean;
  /** Origin ASN while advertised: `AWS` (Amazon's) or an associated custom ASN. */
  originAsn?: string;
  /** When the origin last switched from Amazon's ASN to a custom one (at most once an hour). */
  customAsnSwitchedAt?: string;
  /** ASNs currently associated (State associated). */
  associatedAsns: string[];
  /** Set for a range provisioned outside IPAM (ProvisionByoipCidr) in this account and Region; IPAM-held ranges have none. */
  range?: ByoipRange;
}

/** Where a range provisioned outside IPAM stands; `provisioned` answers `provisioned-not-publicly-advertisable` when it is not advertisable. */
type ByoipRangeState = 'pending-provision' | 'provisioned' | 'failed-provision' | 'deprovisioned';

/**
 * EC2's own BYOIP (ProvisionByoipCidr): a range proved by a signed message and given an address
 * pool of its own (`ipv4pool-ec2-…`, `ipv6pool-ec2-…`), until it is deprovisioned or moved into
 * an IPAM pool (MoveByoipCidrToIpam).
 */
export interface ByoipRange {
  state: ByoipRangeState;
  /** The failure's reason while failed-provision (answered as StatusMessage, where success answers the pool id). */
  failureMessage?: string;
  poolId: string;
  publiclyAdvertisable: boolean;
  description?: string;
  networkBorderGroup: string;
  poolTags: Tag[];
  /** The signed authorization the provisioning workflow verifies. */
  message: string;
  signature: string;
  /** The move into an IPAM pool, once asked for. */
  transfer?: ByoipTransfer;
  /** Finished ranges only (deprovisioned, failed-provision, transferred): when the record is forgotten. */
  retainedUntil?: string;
}

export interface ByoipTransfer {
  ipamPoolId: string;
  ipamPoolOwner: string;
  /** The pool CIDR record (state pending-import) that the transfer provisions. */
  ipamPoolCidrId: string;
  state: 'pending-transfer' | 'complete-transfer' | 'failed-transfer';
  failureMessage?: string;
}

type VerificationTokenState =
  | 'create-in-progress'
  | 'create-complete'
  | 'create-failed'
  | 'delete-in-progress'
  | 'delete-complete'
  | 'delete-failed';

/**
 * A token an IPAM issues for the dns-token BYOIP method: TokenValue goes into TXT records named
 * after TokenName. `Status` (valid | expired) is not stored: it follows from NotAfter at read time.
 */
export interface IpamExternalResourceVerificationToken extends Versioned {
  IpamExternalResourceVerificationTokenId: string;
  IpamExternalResourceVerificationTokenArn: string;
  IpamId: string;
  IpamArn: string;
  IpamRegion: string;
  TokenValue: string;
  TokenName: string;
  /** ISO time after which the token no longer proves anything. */
  NotAfter: string;
  State: VerificationTokenState;
  Tags: Tag[];
  /** Internal: the IPAM's owner, who alone sees and uses the token. */
  ownerId: string;
}

/** What a BYOIP provisioning request offered as proof of control (VerificationMethod). */
export type ByoipProof = { method: 'remarks-x509'; message: string; signature: string } | { method: 'dns-token'; tokenId: string };

/**
 * An Elastic IP: handed out from an IPAM pool (AllocateAddress with IpamPoolId), its address held
 * by the `eip` allocation `ipamPoolAllocationId` written in the same commit; or from one of the
 * account's public IPv4 pools (AllocateAddress with PublicIpv4Pool), its address held by the
 * pool record (PublicIpv4Pool.allocated), written in the same commit.
 */
export interface ElasticIp extends Versioned {
  AllocationId: string;
  PublicIp: string;
  /** The IPAM pool id (UG L9272–9278) or the `ipv4pool-ec2-` id of the public IPv4 pool. */
  PublicIpv4Pool: string;
  NetworkBorderGroup: string;
  Domain: 'vpc';
  Tags: Tag[];
  /** Set while associated (AssociateAddress): `eipassoc-…`, and what it is associated with. */
  AssociationId?: string;
  InstanceId?: string;
  NetworkInterfaceId?: string;
  NetworkInterfaceOwnerId?: string;
  PrivateIpAddress?: string;
  /** Internal: the allocating account and the Region it was made in (the pool's locale). */
  ownerId: string;
  region: string;
  /** Internal, IPAM-pool EIPs only: the pool and the allocation that holds the address. */
  ipamPoolId?: string;
  ipamPoolAllocationId?: string;
}

/**
 * One range of a public IPv4 pool: a block an IPAM pool allocated to it (`ec2-public-ipv4-pool`),
 * or the BYOIPv4 range whose ProvisionByoipCidr made the pool (no IPAM pool until
 * MoveByoipCidrToIpam gives it the IPAM allocation that now holds it).
 */
export interface PublicIpv4PoolRange {
  cidr: string;
  ipamPoolId?: string;
  ipamPoolAllocationId?: string;
}

/**
 * An EC2 public IPv4 pool (CreatePublicIpv4Pool): a single-account EC2 object whose address
 * ranges come from IPAM pools. Its version guards its addresses: every EIP taken or given back
 * updates the record, so no address is handed out twice and no range leaves while in use.
 */
export interface PublicIpv4Pool extends Versioned {
  PoolId: string;
  Description?: string;
  NetworkBorderGroup: string;
  Tags: Tag[];
  /** Internal: the owner and the Region it was created in. */
  ownerId: string;
  region: string;
  ranges: PublicIpv4PoolRange[];
  /** Addresses held by Elastic IPs, in no order. */
  allocated: string[];
}

/**
 * A released Elastic IP address that is not handed out again before `until`
 * (IPAM_RELEASE_COOLDOWN_S, spec DN-35/DN-301). `poolId` is the IPAM pool or public IPv4 pool.
 */
export interface AddressCooldown extends Versioned {
  poolId: string;
  address: string;
  until: string;
}
