// A prefix list resolver rule's conditions as the rule editor shows them, one a line as
// `property operation value`, and back into the API's members (no DOM: unit-tested in Node).
import type { ApiOutput } from './api/client.ts';

const PROPERTIES = ['IpamPoolId', 'ResourceId', 'ResourceOwner', 'ResourceRegion', 'ResourceTag', 'Cidr'];

/** A condition as text: `IpamPoolId equals ipam-pool-…`, `ResourceTag equals env=prod`. */
export function conditionText(condition: ApiOutput): string {
  const property = PROPERTIES.find((name) => condition[name] !== undefined) ?? '';
  const value = condition[property];
  const shown = property === 'ResourceTag' ? (value.Value === undefined ? value.Key : `${value.Key}=${value.Value}`) : value;
  return `${property} ${condition.Operation} ${shown}`;
}

/** A line back into a condition; a line that is not three words is sent as it is read, for the API to refuse. */
export function parseCondition(line: string): Record<string, unknown> {
  const [property = '', Operation, ...rest] = line.trim().split(/\s+/);
  const value = rest.join(' ');
  if (property === 'ResourceTag') {
    const at = value.indexOf('=');
    return { Operation, ResourceTag: at < 0 ? { Key: value } : { Key: value.slice(0, at), Value: value.slice(at + 1) } };
  }
  return { Operation, [property]: value };
}
