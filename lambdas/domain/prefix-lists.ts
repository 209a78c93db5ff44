// Pure rules of customer-managed prefix lists: names, sizes, entries, and how an edit or a sync
// turns one version's entries into the next.
import { type Cidr, compareCidrs, formatCidr, parseCidr, startHex } from './cidr.ts';
import { IpamError } from './errors.ts';
import type { ManagedPrefixList, PrefixListAddressFamily, PrefixListEntry } from './model/prefix-list.ts';

/** EC2's quota "Maximum number of entries per prefix list" (its default and, for us, the cap). */
export const MAX_ENTRIES_LIMIT = 1000;
const MAX_NAME_LENGTH = 255;
const MAX_DESCRIPTION_LENGTH = 255;
const FAMILIES: readonly PrefixListAddressFamily[] = ['IPv4', 'IPv6'];

export function requireAddressFamily(value: string | undefined): PrefixListAddressFamily {
  const family = FAMILIES.find((f) => f === value);
  if (!family)
    throw new IpamError('InvalidParameterValue', `Value (${value ?? ''}) for parameter AddressFamily is invalid. Valid values: IPv4, IPv6`);
  return family;
}

export function requireName(name: string | undefined): string {
  if (name === undefined || name === '') throw new IpamError('MissingParameter', 'The request must contain the parameter PrefixListName');
  if (name.length > MAX_NAME_LENGTH) {
    throw new IpamError('InvalidParameterValue', `The prefix list name must be at most ${MAX_NAME_LENGTH} characters long`);
  }
  // EC2's constraint: the name space of AWS-managed lists.
  if (name.startsWith('com.amazonaws'))
    throw new IpamError('InvalidParameterValue', `The prefix list name cannot start with com.amazonaws: '${name}'`);
  return name;
}

export function requireMaxEntries(value: number | undefined): number {
  if (value === undefined) throw new IpamError('MissingParameter', 'The request must contain the parameter MaxEntries');
  if (!Number.isInteger(value) || value < 1 || value > MAX_ENTRIES_LIMIT) {
    throw new IpamError(
      'InvalidParameterValue',
      `Value (${value}) for parameter MaxEntries is invalid. Expecting a value between 1 and ${MAX_ENTRIES_LIMIT}.`,
    );
  }
  return value;
}

const familyOf = (cidr: Cidr): PrefixListAddressFamily => (cidr.family === 'ipv4' ? 'IPv4' : 'IPv6');

/** A sort key in CIDR order (family, start, length), the order entries are kept and paged in. */
export const entryOrderKey = (entry: PrefixListEntry) => {
  const cidr = parseCidr(entry.Cidr);
  return `${cidr.family}#${startHex(cidr)}#${String(cidr.prefixLength).padStart(3, '0')}`;
};

const sortEntries = (entries: PrefixListEntry[]) =>
  entries
    .map((entry) => ({ entry, cidr: parseCidr(entry.Cidr) }))
    .sort((a, b) => compareCidrs(a.cidr, b.cidr))
    .map(({ entry }) => entry);

/** Entries as given: canonical CIDRs of the list's family, each once, descriptions within EC2's length. */
export function validEntries(
  family: PrefixListAddressFamily,
  entries: readonly { Cidr?: string; Description?: string }[],
): PrefixListEntry[] {
  const seen = new Set<string>();
  return entries.map((entry) => {
    if (entry.Cidr === undefined) throw new IpamError('MissingParameter', 'Every prefix list entry must contain the parameter Cidr');
    const cidr = parseCidr(entry.Cidr);
    if (familyOf(cidr) !== family) {
      throw new IpamError(
        'InvalidParameterValue',
        `The CIDR '${entry.Cidr}' does not match the address family ${family} of the prefix list`,
      );
    }
    const text = formatCidr(cidr);
    if (seen.has(text)) throw new IpamError('InvalidParameterValue', `The CIDR ${text} is named more than once in the request`);
    seen.add(text);
    if ((entry.Description?.length ?? 0) > MAX_DESCRIPTION_LENGTH) {
      throw new IpamError(
        'InvalidParameterValue',
        `The description of entry ${text} must be at most ${MAX_DESCRIPTION_LENGTH} characters long`,
      );
    }
    return { Cidr: text, ...(entry.Description !== undefined && { Description: entry.Description }) };
  });
}

export function requireWithinMaxEntries(prefixListId: string, count: number, maxEntries: number): void {
  if (count > maxEntries) {
    throw new IpamError(
      'PrefixListMaxEntriesExceeded',
      `The prefix list ${prefixListId} can hold at most ${maxEntries} entries (MaxEntries); the change would leave ${count}`,
    );
  }
}

/** The first entries of a new list, in CIDR order. */
export function initialEntries(
  prefixListId: string,
  family: PrefixListAddressFamily,
  maxEntries: number,
  given: readonly { Cidr?: string; Description?: string }[],
) {
  const entries = validEntries(family, given);
  requireWithinMaxEntries(prefixListId, entries.length, maxEntries);
  return sortEntries(entries);
}

/**
 * A hand edit: removals first, then additions (so one call can change an entry's description by
 * removing and adding its CIDR). Removing an absent CIDR or adding a present one is refused.
 */
export function editedEntries(
  list: Pick<ManagedPrefixList, 'PrefixListId' | 'AddressFamily' | 'MaxEntries' | 'entries'>,
  add: readonly { Cidr?: string; Description?: string }[],
  remove: readonly { Cidr?: string }[],
): PrefixListEntry[] {
  const added = validEntries(list.AddressFamily, add);
  const removed = validEntries(list.AddressFamily, remove).map((entry) => entry.Cidr);
  for (const cidr of removed) {
    if (!list.entries.some((entry) => entry.Cidr === cidr)) {
      throw new IpamError('InvalidPrefixListModification', `The prefix list ${list.PrefixListId} has no entry ${cidr} to remove`);
    }
  }
  const kept = list.entries.filter((entry) => !removed.includes(entry.Cidr));
  for (const entry of added) {
    if (kept.some((existing) => existing.Cidr === entry.Cidr)) {
      throw new IpamError('InvalidPrefixListModification', `The prefix list ${list.PrefixListId} already has an entry ${entry.Cidr}`);
    }
  }
  const next = [...kept, ...added];
  requireWithinMaxEntries(list.PrefixListId, next.length, list.MaxEntries);
  return sortEntries(next);
}

/** The entries a sync writes: the CIDRs of a resolver version, each once, in CIDR order (DN-43). */
export const syncedEntries = (cidrs: readonly string[]): PrefixListEntry[] =>
  sortEntries([...new Set(cidrs.map((cidr) => formatCidr(parseCidr(cidr))))].map((Cidr) => ({ Cidr })));

/** Whether two entry lists are the same CIDRs with the same descriptions. */
export const sameEntries = (a: readonly PrefixListEntry[], b: readonly PrefixListEntry[]) =>
  a.length === b.length && a.every((entry, i) => entry.Cidr === b[i]!.Cidr && entry.Description === b[i]!.Description);

/** Hand edits of a list an IPAM resolver target keeps in sync are refused until sync is disabled on it (UG L1218). */
export function requireHandEditable(list: ManagedPrefixList): void {
  if (list.IpamPrefixListResolverTargetId !== undefined && list.IpamPrefixListResolverSyncEnabled !== false) {
    throw new IpamError(
      'InvalidPrefixListModification',
      `The prefix list ${list.PrefixListId} is managed by IPAM prefix list resolver target ${list.IpamPrefixListResolverTargetId}; ` +
        'modify it with IpamPrefixListResolverSyncEnabled=false to edit its entries',
    );
  }
}
