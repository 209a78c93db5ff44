// Address history searches as the console reads them: a CIDR or an IP address, and a time range.
// Pure: unit-tested in test/unit/console/.
import { type Cidr, formatCidr, parseAddress, parseCidr } from '../map/cidr.ts';

/** What the user searched for: a CIDR (asked for exactly), or an address (its own /32 or /128, and every CIDR holding it). */
export type SearchTerm = { kind: 'cidr'; cidr: string } | { kind: 'address'; address: string; cidr: string };

/** The term, or an error message naming what is wrong. */
export function parseSearchTerm(text: string): SearchTerm | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'Enter a CIDR (10.0.0.0/24) or an IP address (10.0.0.5).' };
  if (trimmed.includes('/')) {
    const cidr = parseCidr(trimmed);
    return cidr ? { kind: 'cidr', cidr: formatCidr(cidr) } : { error: `${trimmed} is not a CIDR.` };
  }
  const address = parseAddress(trimmed);
  if (!address) return { error: `${trimmed} is neither a CIDR nor an IP address.` };
  const cidr = formatCidr({ family: address.family, start: address.value, prefix: address.family === 'ipv4' ? 32 : 128 });
  return { kind: 'address', address: trimmed, cidr };
}

/** The CIDRs (as the API wrote them) that hold the address, most specific first. */
export function cidrsHolding(address: string, cidrs: string[]): string[] {
  const parsed = parseAddress(address.trim());
  if (!parsed) return [];
  const holds = (cidr: Cidr) => {
    if (cidr.family !== parsed.family) return false;
    const hostBits = BigInt((cidr.family === 'ipv4' ? 32 : 128) - cidr.prefix);
    return parsed.value >> hostBits === cidr.start >> hostBits;
  };
  return [...new Set(cidrs)]
    .map((text) => ({ text, cidr: parseCidr(text) }))
    .filter((each): each is { text: string; cidr: Cidr } => each.cidr !== undefined && holds(each.cidr))
    .sort((a, b) => b.cidr.prefix - a.cidr.prefix)
    .map((each) => each.text);
}

export const TIME_RANGES = [
  { value: 'now', label: 'Now (what holds it now)' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'all', label: 'All recorded history' },
  { value: 'custom', label: 'Custom range' },
] as const;
export type TimeRangeChoice = (typeof TIME_RANGES)[number]['value'];

const HOUR = 3600_000;
const SPANS: Partial<Record<TimeRangeChoice, number>> = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };

/**
 * The StartTime/EndTime members (ISO 8601) for a choice. `now` omits both (the API then answers
 * what holds the CIDR now); custom bounds are the `datetime-local` inputs' values, read in the
 * browser's time zone, either may be empty.
 */
export function timeRange(
  choice: TimeRangeChoice,
  now: Date,
  custom: { start?: string; end?: string } = {},
): { StartTime?: string; EndTime?: string } | { error: string } {
  if (choice === 'now') return {};
  if (choice === 'all') return { StartTime: new Date(0).toISOString(), EndTime: now.toISOString() };
  const span = SPANS[choice];
  if (span !== undefined) return { StartTime: new Date(now.getTime() - span).toISOString(), EndTime: now.toISOString() };
  const read = (text: string | undefined, name: string): Date | undefined | { error: string } => {
    if (!text?.trim()) return undefined;
    const date = new Date(text.trim());
    return Number.isNaN(date.getTime()) ? { error: `${name} (${text}) is not a date and time.` } : date;
  };
  const start = read(custom.start, 'Start');
  const end = read(custom.end, 'End');
  if (start && 'error' in start) return start;
  if (end && 'error' in end) return end;
  if (!start && !end) return { error: 'A custom range needs a start, an end, or both.' };
  if (start && end && start.getTime() > end.getTime()) return { error: 'The start is after the end.' };
  return { StartTime: (start ?? new Date(0)).toISOString(), EndTime: (end ?? now).toISOString() };
}

/** A timestamp of the API (ISO 8601) as `2026-12-07 17:23:46 UTC`; absent is an em dash (an open record). */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
