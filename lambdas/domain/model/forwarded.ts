// Forwarding mode of the EC2 companions (issue 16): the records that tie a resource of the
// upstream EC2 endpoint to the IPAM allocation holding its CIDR.

/** What a forwarded create makes upstream: a VPC, a subnet, or a VPC's secondary IPv4 CIDR block. */
export type ForwardedResourceKind = 'vpc' | 'subnet' | 'vpc-cidr-block';

/**
 * A forwarded create in flight: its allocation is taken (written in the same commit), the
 * upstream has not answered yet. The commit that links the allocation to the upstream's id, or
 * releases it, deletes the intent. One left behind by a crash is resolved by
 * resolveForwardedIntents (use-cases/forwarded-companions.ts): the upstream is asked whether the
 * resource exists.
 */
export interface ForwardedIntent {
  intentId: string;
  kind: ForwardedResourceKind;
  ownerId: string;
  region: string;
  ipamPoolId: string;
  ipamPoolAllocationId: string;
  cidr: string;
  /** The VPC a subnet or CIDR block is made in. */
  vpcId?: string;
  createdAt: string;
}

/**
 * An upstream resource whose CIDR an allocation holds, by the id its delete names: the VPC id, the
 * subnet id, or the CIDR block's association id. Deleting the resource releases the allocation.
 */
export interface ForwardedLink {
  resourceId: string;
  kind: ForwardedResourceKind;
  ownerId: string;
  region: string;
  ipamPoolId: string;
  ipamPoolAllocationId: string;
  cidr: string;
  /** The VPC of a subnet or CIDR block (a VPC's delete releases its CIDR blocks too). */
  vpcId?: string;
}
