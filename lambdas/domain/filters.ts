// EC2 filters: Name/Values, names and values case-sensitive; filters are ANDed, the values of one
// filter ORed; `tag:<key>` and `tag-key` work on every taggable record; `*` and `?` are wildcards.
import { IpamError, messages } from './errors.ts';
import type { Tag } from './model/record.ts';

export interface Filter {
  Name?: string;
  Values?: string[];
}

const MAX_FILTER_VALUE_LENGTH = 255;
/** Filter names are kebab-case (`ipam-pool-id`); a member name (`IpamPoolId`) is not one. */
const FIELD_FILTER_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** `ipam-pool-id` → `IpamPoolId`: a filter name is the kebab-case of a record field. */
const fieldOf = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
/** Internal camelCase fields (`ipamId` on a scope) are filterable too. */
const internalFieldOf = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function wildcardPattern(value: string): RegExp {
  let pattern = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) pattern += value[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') pattern += '.*';
    else if (c === '?') pattern += '.';
    else pattern += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 's');
}

type FilterableRecord = { Tags?: Tag[] } & object;

/**
 * Compiles filters once into a predicate. `fields` are the record fields that can be filtered
 * by their kebab-case name; `extra` adds names that need a computed value.
 */
export function compileFilters<T extends FilterableRecord>(
  filters: Filter[] | undefined,
  fields: readonly string[],
  extra: Record<string, (record: T) => unknown> = {},
): (record: T) => boolean {
  const known = new Set(fields);
  const checks = (filters ?? []).map((filter) => {
    const name = filter.Name ?? '';
    const values = filter.Values ?? [];
    for (const value of values) {
      if (value.length > MAX_FILTER_VALUE_LENGTH) {
        throw new IpamError('InvalidParameterValue', `The filter value for '${name}' is longer than ${MAX_FILTER_VALUE_LENGTH} characters`);
      }
    }
    const patterns = values.map(wildcardPattern);
    const anyMatches = (candidates: unknown[]) =>
      candidates.some((candidate) => candidate !== undefined && candidate !== null && patterns.some((p) => p.test(String(candidate))));
    let read: (record: T) => unknown[];
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      read = (record) => (record.Tags ?? []).filter((tag) => tag.Key === key).map((tag) => tag.Value);
    } else if (name === 'tag-key') {
      read = (record) => (record.Tags ?? []).map((tag) => tag.Key);
    } else if (extra[name]) {
      const get = extra[name];
      read = (record) => [get(record)].flat();
    } else if (FIELD_FILTER_NAME.test(name) && (known.has(fieldOf(name)) || known.has(internalFieldOf(name)))) {
      const field = known.has(fieldOf(name)) ? fieldOf(name) : internalFieldOf(name);
      read = (record) => [(record as Record<string, unknown>)[field]].flat();
    } else {
      throw new IpamError('InvalidParameterValue', messages.invalidFilter(name));
    }
    return (record: T) => anyMatches(read(record));
  });
  return (record) => checks.every((check) => check(record));
}
