// IPAMs and their scopes, and the slot that keeps one IPAM per account and Region.
import type { Tag, Versioned } from './record.ts';

/** The 12-value state enum shared by IPAMs, scopes and pools. */
export type ResourceState =
  | 'create-in-progress'
  | 'create-complete'
  | 'create-failed'
  | 'modify-in-progress'
  | 'modify-complete'
  | 'modify-failed'
  | 'delete-in-progress'
  | 'delete-complete'
  | 'delete-failed'
  | 'isolate-in-progress'
  | 'isolate-complete'
  | 'restore-in-progress';

export interface Ipam extends Versioned {
  OwnerId: string;
  IpamId: string;
  IpamArn: string;
  IpamRegion: string;
  PublicDefaultScopeId: string;
  PrivateDefaultScopeId: string;
  ScopeCount: number;
  Description?: string;
  OperatingRegions: { RegionName: string }[];
  State: ResourceState;
  StateMessage?: string;
  Tags: Tag[];
  Tier: 'free' | 'advanced';
  EnablePrivateGua: boolean;
  MeteredAccount: 'ipam-owner' | 'resource-owner';
  /** Internal: when `resource-owner` metering was last switched on (ISO), the clock of DN-12's time restriction. */
  meteredAccountChangedAt?: string;
  ResourceDiscoveryAssociationCount: number;
  /** Created with the IPAM, deleted with it (spec §10.2); absent only on IPAMs stored before resource discoveries existed. */
  DefaultResourceDiscoveryId?: string;
  DefaultResourceDiscoveryAssociationId?: string;
  /** Internal: verification tokens of this IPAM (quota 100); absent = 0. */
  verificationTokenCount?: number;
  /** Internal: prefix list resolvers of this IPAM (quota 10; an advanced-tier feature); absent = 0. */
  prefixListResolverCount?: number;
}

export interface IpamScope extends Versioned {
  OwnerId: string;
  IpamScopeId: string;
  IpamScopeArn: string;
  IpamArn: string;
  IpamRegion: string;
  IpamScopeType: 'public' | 'private';
  IsDefault: boolean;
  Description?: string;
  PoolCount: number;
  State: ResourceState;
  Tags: Tag[];
  /** Internal: the IPAM this scope belongs to (IpamArn carries it too, but ids are what we key on). */
  ipamId: string;
}

/** The slot that makes "one IPAM per account and Region" a conditional write. */
export interface IpamRegionSlot {
  accountId: string;
  region: string;
  ipamId: string;
}
