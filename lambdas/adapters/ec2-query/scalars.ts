// Text → value for the scalar types of EC2 inputs (§2.4). Each returns undefined for text it does
// not accept; the caller knows the parameter name and raises the error.

export function parseBoolean(text: string): boolean | undefined {
  // Clients send lower case; accepting any case costs nothing (decision, §2.4).
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/**
 * Base-10 integers only. The JS schemas do not tell integers from doubles, but no IPAM input has
 * a double (all numbers are integer or long), so `1.5` or `1e3` is rejected.
 */
export function parseInteger(text: string): number | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * ISO 8601 date-time with 0–9 fraction digits and `Z` or a numeric offset: botocore sends
 * microseconds, the JS SDK milliseconds. Dates that do not exist (Feb 30, 25:00) are rejected,
 * which `Date.parse` would silently roll over. Precision beyond milliseconds is dropped.
 */
export function parseTimestamp(text: string): Date | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  const exists =
    local.getUTCFullYear() === year &&
    local.getUTCMonth() === month - 1 &&
    local.getUTCDate() === day &&
    local.getUTCHours() === hour &&
    local.getUTCMinutes() === minute &&
    local.getUTCSeconds() === second;
  const offset = offsetMinutes(match[8]);
  if (!exists || offset === undefined) return undefined;
  return new Date(local.getTime() - offset * 60_000);
}

function offsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
