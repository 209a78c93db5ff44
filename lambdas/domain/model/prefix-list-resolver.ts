// IPAM prefix list resolvers (spec §12): CIDR selection rules over an IPAM's data, and the
// versions they produce (snapshots of the CIDRs the rules matched, numbered from 1).
import type { AddressFamily } from '../cidr.ts';
import type { DiscoveredResourceType } from './discovery.ts';
import type { ResourceState } from './ipam.ts';
import type { Tag, Versioned } from './record.ts';

export type PrefixListResolverRuleType = 'static-cidr' | 'ipam-pool-cidr' | 'ipam-resource-cidr';
export type PrefixListResolverConditionOperation = 'equals' | 'not-equals' | 'subnet-of';
export type VersionCreationStatus = 'pending' | 'success' | 'failure';

/** One condition of a rule: an operation on exactly one property (API member names). */
export interface PrefixListResolverCondition {
  Operation: PrefixListResolverConditionOperation;
  IpamPoolId?: string;
  ResourceId?: string;
  ResourceOwner?: string;
  ResourceRegion?: string;
  ResourceTag?: { Key: string; Value?: string };
  /** Canonical CIDR text. */
  Cidr?: string;
}

/** A CIDR selection rule as stored and returned by GetIpamPrefixListResolverRules. */
export interface PrefixListResolverRule {
  RuleType: PrefixListResolverRuleType;
  /** static-cidr only: one canonical CIDR. */
  StaticCidr?: string;
  /** ipam-pool-cidr and ipam-resource-cidr: a scope of the resolver's IPAM. */
  IpamScopeId?: string;
  /** ipam-resource-cidr only; absent = every resource type. */
  ResourceType?: DiscoveredResourceType;
  Conditions?: PrefixListResolverCondition[];
}

export interface IpamPrefixListResolver extends Versioned {
  OwnerId: string;
  IpamPrefixListResolverId: string;
  IpamPrefixListResolverArn: string;
  IpamArn: string;
  IpamRegion: string;
  Description?: string;
  AddressFamily: AddressFamily;
  State: ResourceState;
  Tags: Tag[];
  LastVersionCreationStatus: VersionCreationStatus;
  LastVersionCreationStatusMessage?: string;
  /** Internal: the IPAM whose data the rules select from. */
  ipamId: string;
  /** Internal: the CIDR selection rules, in the order given (ModifyIpamPrefixListResolver replaces them all). */
  rules: PrefixListResolverRule[];
  /** Internal: the number of the latest version (0 before the first). */
  latestVersion: number;
  /** Internal: targets of this resolver (quota 50, issue 22's prefix-list-targets.ts); absent = 0. */
  targetCount?: number;
}

/** One version of a resolver: its CIDRs never change once written (DN-44); only its retention mark does. */
export interface PrefixListResolverVersion {
  /** Created at 0, so that the retention mark can be set and cleared conditionally. */
  version?: number;
  /** Out of the kept set since (expiry.ts): gone at this instant unless a target references it again first. */
  retainedUntil?: string;
  resolverId: string;
  Version: number;
  /** De-duplicated, sorted by address then prefix length (DN-43). */
  cidrs: string[];
  createdAt: string;
}
