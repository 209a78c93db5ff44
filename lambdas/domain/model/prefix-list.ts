// Customer-managed prefix lists (EC2's ManagedPrefixList), kept by this service: the lists that
// prefix list resolver targets keep in sync (spec §12.3). Every entry change makes a new version;
// each version's entries stay readable (GetManagedPrefixListEntries TargetVersion, Restore).
import type { Tag, Versioned } from './record.ts';

export type PrefixListAddressFamily = 'IPv4' | 'IPv6';

export type PrefixListState = 'create-complete' | 'modify-complete' | 'restore-complete' | 'delete-complete';

export interface PrefixListEntry {
  Cidr: string;
  Description?: string;
}

export interface ManagedPrefixList extends Versioned {
  PrefixListId: string;
  PrefixListName: string;
  PrefixListArn: string;
  AddressFamily: PrefixListAddressFamily;
  State: PrefixListState;
  StateMessage?: string;
  MaxEntries: number;
  /** EC2's version of the entries: 1 at creation, + 1 on every entry change (not on a rename or resize). */
  Version: number;
  OwnerId: string;
  Tags: Tag[];
  /** The resolver target that keeps this list in sync, while one does. */
  IpamPrefixListResolverTargetId?: string;
  /** false: a target leaves the list alone and hand edits are allowed (UG L1218). */
  IpamPrefixListResolverSyncEnabled?: boolean;
  region: string;
  /** The entries of `Version`, in CIDR order. */
  entries: PrefixListEntry[];
}

/** The entries of one version of a list, written once when the version is made. */
export interface PrefixListVersion {
  prefixListId: string;
  version: number;
  entries: PrefixListEntry[];
}

export type PrefixListResolverTargetState = 'create-complete' | 'modify-complete' | 'sync-complete' | 'sync-failed' | 'delete-complete';

/**
 * A resolver target (spec §12.3): keeps one prefix list in sync with one resolver's versions. It is
 * managed where its resolver is (the IPAM's home Region); its prefix list may be in another Region.
 */
export interface IpamPrefixListResolverTarget extends Versioned {
  IpamPrefixListResolverTargetId: string;
  IpamPrefixListResolverTargetArn: string;
  IpamPrefixListResolverId: string;
  OwnerId: string;
  PrefixListId: string;
  PrefixListRegion: string;
  TrackLatestVersion: boolean;
  /** Pinned version (TrackLatestVersion false): the one the list is kept at. */
  DesiredVersion?: number;
  /** The resolver version whose CIDRs the list last received. */
  LastSyncedVersion?: number;
  State: PrefixListResolverTargetState;
  StateMessage?: string;
  Tags: Tag[];
  /** The resolver's Region, where the target is described and changed. */
  region: string;
}
