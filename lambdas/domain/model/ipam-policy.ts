// IPAM policies (spec §13): allocation rules binding resource types in a locale to public IPv4
// pools, enabled on the IPAM owner's account or on organisation targets.
import type { ResourceState } from './ipam.ts';
import type { Tag, Versioned } from './record.ts';

export type IpamPolicyResourceType = 'eip' | 'alb' | 'rds' | 'rnat';

/** The rules of one (Locale, ResourceType) pair, in evaluation order (DN-45). */
export interface IpamPolicyDocument {
  Locale: string;
  ResourceType: IpamPolicyResourceType;
  AllocationRules: { SourceIpamPoolId: string }[];
}

export interface IpamPolicy extends Versioned {
  OwnerId: string;
  IpamPolicyId: string;
  IpamPolicyArn: string;
  IpamPolicyRegion: string;
  State: ResourceState;
  StateMessage?: string;
  Tags: Tag[];
  IpamId: string;
  /** Internal: the rule lists, one per (Locale, ResourceType) pair that has any. */
  documents: IpamPolicyDocument[];
  /** Internal: where the policy is enabled — account ids, OU ids or a root id; the owner's account for a single-account IPAM. */
  targets: string[];
}
