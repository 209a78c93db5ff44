// IPAM-wide settings with rules of their own: cost distribution (MeteredAccount, spec §2.6, DN-12)
// and the tiers (spec §2.4, DN-10).
import { IpamError } from './errors.ts';
import type { Organization } from './model/organization.ts';
import { ipamAdministrator } from './organization.ts';
import { isOptInRegion } from './regions.ts';

export type MeteredAccount = 'ipam-owner' | 'resource-owner';

const HOUR_MS = 3_600_000;
/** After enabling cost distribution: 24 hours to opt out, then locked until 7 days have passed (UG L1492–1494). */
const OPT_OUT_WINDOW_MS = 24 * HOUR_MS;
const LOCKED_UNTIL_MS = 7 * 24 * HOUR_MS;

export interface Metering {
  MeteredAccount: MeteredAccount;
  /** When `resource-owner` was last switched on (ISO); the clock of the time restriction. */
  meteredAccountChangedAt?: string;
}

/**
 * Why the IPAM may not charge resource owners, or undefined when it may: it needs an IPAM of the
 * organisation's delegated IPAM administrator whose home Region is enabled by default (UG L1478–1483).
 */
export function resourceOwnerMeteringRefusal(
  ipam: { OwnerId: string; IpamRegion: string },
  org: Organization | undefined,
): string | undefined {
  if (!org) return `the IPAM owner ${ipam.OwnerId} is in no AWS Organization`;
  if (ipamAdministrator(org) !== ipam.OwnerId) {
    return `the IPAM owner ${ipam.OwnerId} is not the delegated IPAM administrator of organization ${org.Id}`;
  }
  if (isOptInRegion(ipam.IpamRegion)) return `the IPAM's home Region ${ipam.IpamRegion} is an opt-in Region`;
  return undefined;
}

/** Refuses `resource-owner` metering for an IPAM that cannot have it (InvalidParameterValue). */
export function requireResourceOwnerMetering(ipam: { OwnerId: string; IpamRegion: string }, org: Organization | undefined): void {
  const why = resourceOwnerMeteringRefusal(ipam, org);
  if (why) {
    throw new IpamError(
      'InvalidParameterValue',
      `MeteredAccount 'resource-owner' requires an IPAM integrated with AWS Organizations by its delegated administrator: ${why}`,
    );
  }
}

/**
 * The metering after a request for `requested` at `now` (DN-12). Switching on starts the clock;
 * switching off is allowed in the first 24 hours or after 7 days, otherwise IncorrectState.
 * Asking for the current value changes nothing (and restarts no clock).
 */
export function meteringAfter(current: Metering, requested: MeteredAccount | undefined, now: Date): Metering {
  if (requested === undefined || requested === current.MeteredAccount) return current;
  if (requested === 'resource-owner') return { MeteredAccount: 'resource-owner', meteredAccountChangedAt: now.toISOString() };
  const enabledAt = current.meteredAccountChangedAt ? Date.parse(current.meteredAccountChangedAt) : Number.NaN;
  const elapsed = now.getTime() - enabledAt;
  // An IPAM without a recorded switch-on (none should exist) may always switch off.
  if (Number.isNaN(elapsed) || elapsed < OPT_OUT_WINDOW_MS || elapsed >= LOCKED_UNTIL_MS) {
    return { MeteredAccount: 'ipam-owner', meteredAccountChangedAt: current.meteredAccountChangedAt };
  }
  const unlocks = new Date(enabledAt + LOCKED_UNTIL_MS).toISOString();
  throw new IpamError(
    'IncorrectState',
    `Cost distribution was enabled at ${current.meteredAccountChangedAt}: it can be disabled within 24 hours of enabling it, or after 7 days (from ${unlocks})`,
  );
}

/** The guide's five preconditions, and the advanced-tier features in use, of a move from the Advanced to the Free Tier (UG L1928–1934). */
const DOWNGRADE_PRECONDITIONS = {
  privatePools: 'delete private scope pools',
  privateScopes: 'delete non-default private scopes',
  foreignLocales: 'delete pools with locales different than the IPAM home Region',
  associations: 'delete non-default resource discovery associations',
  foreignAllocations: 'delete pool allocations to accounts that are not the IPAM owner',
  // Not among the guide's five: resolvers need the Advanced Tier (UG L1050), so they go first too.
  prefixListResolvers: 'delete prefix list resolvers',
} as const;

/** ModifyIpam Tier=free while a precondition is unmet: IncorrectState in the guide's words, naming what is in the way (DN-10). */
export const downgradeRefusal = (precondition: keyof typeof DOWNGRADE_PRECONDITIONS, blocker: string) =>
  new IpamError(
    'IncorrectState',
    `Before you can switch from the Advanced Tier to the Free Tier, you must ${DOWNGRADE_PRECONDITIONS[precondition]}: ${blocker}`,
  );

/** An advanced-tier feature asked of a free-tier IPAM: InvalidParameterValue naming the tier (DN-10). */
export const freeTierRefusal = (ipamId: string, feature: string) =>
  new IpamError('InvalidParameterValue', `${feature} requires the Advanced Tier; IPAM ${ipamId} is in the Free Tier`);
