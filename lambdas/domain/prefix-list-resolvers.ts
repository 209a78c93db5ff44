// Pure rules of IPAM prefix list resolvers (spec §12.2, §12.4, DN-43, DN-44): which rules are
// valid, which CIDRs a rule set selects from an IPAM's data, and when a new version is due.
import { type AddressFamily, type Cidr, compareCidrs, containsCidr, formatCidr, parseCidr, sameCidr } from './cidr.ts';
import { IpamError } from './errors.ts';
import type { DiscoveredResourceType } from './model/discovery.ts';
import type { IpamScope } from './model/ipam.ts';
import type { IpamResourceCidr } from './model/monitoring.ts';
import type {
  PrefixListResolverCondition,
  PrefixListResolverConditionOperation,
  PrefixListResolverRule,
  PrefixListResolverRuleType,
} from './model/prefix-list-resolver.ts';

/** Quotas (UG L9668, L9670, L9673). */
export const RESOLVERS_PER_IPAM = 10;
export const RULES_PER_RESOLVER = 100;
export const ENTRIES_PER_VERSION = 1000;

const RULE_TYPES: readonly PrefixListResolverRuleType[] = ['static-cidr', 'ipam-pool-cidr', 'ipam-resource-cidr'];
const OPERATIONS: readonly PrefixListResolverConditionOperation[] = ['equals', 'not-equals', 'subnet-of'];
const RESOURCE_TYPES: readonly DiscoveredResourceType[] = [
  'vpc',
  'subnet',
  'eip',
  'public-ipv4-pool',
  'ipv6-pool',
  'eni',
  'anycast-ip-list',
];

type ConditionProperty = Exclude<keyof PrefixListResolverCondition, 'Operation'>;
const CONDITION_PROPERTIES: readonly ConditionProperty[] = [
  'IpamPoolId',
  'ResourceId',
  'ResourceOwner',
  'ResourceRegion',
  'ResourceTag',
  'Cidr',
];
/** The properties each rule type's conditions may test (spec §12.2); static CIDRs take none. */
const PROPERTIES_OF: Record<PrefixListResolverRuleType, readonly ConditionProperty[]> = {
  'static-cidr': [],
  'ipam-pool-cidr': ['IpamPoolId', 'Cidr'],
  'ipam-resource-cidr': ['ResourceId', 'ResourceOwner', 'ResourceRegion', 'ResourceTag', 'Cidr'],
};

/** A rule as a request carries it (every member optional until validated). */
export interface RuleRequest {
  RuleType?: string;
  StaticCidr?: string;
  IpamScopeId?: string;
  ResourceType?: string;
  Conditions?: {
    Operation?: string;
    IpamPoolId?: string;
    ResourceId?: string;
    ResourceOwner?: string;
    ResourceRegion?: string;
    ResourceTag?: { Key?: string; Value?: string };
    Cidr?: string;
  }[];
}

const invalidValue = (member: string, value: string | undefined, valid: readonly string[]) =>
  new IpamError('InvalidParameterValue', `Value (${value ?? ''}) for parameter ${member} is invalid. Valid values: ${valid.join(', ')}`);

function oneOf<T extends string>(member: string, value: string | undefined, valid: readonly T[]): T {
  if (value === undefined) throw new IpamError('MissingParameter', `The request must contain the parameter ${member}`);
  const found = valid.find((each) => each === value);
  if (!found) throw invalidValue(member, value, valid);
  return found;
}

/** A CIDR of the resolver's family, in canonical text (DN-43: the other family is refused). */
function familyCidr(member: string, text: string, family: AddressFamily): string {
  const cidr = parseCidr(text);
  if (cidr.family !== family) {
    throw new IpamError(
      'InvalidParameterValue',
      `The ${member} ${text} is not an ${family} CIDR; the resolver's address family is ${family}`,
    );
  }
  return formatCidr(cidr);
}

function validateCondition(
  ruleType: PrefixListResolverRuleType,
  index: number,
  raw: NonNullable<RuleRequest['Conditions']>[number],
  family: AddressFamily,
): PrefixListResolverCondition {
  const Operation = oneOf(`Rules.${index}.Conditions.Operation`, raw.Operation, OPERATIONS);
  const given = CONDITION_PROPERTIES.filter((property) => raw[property] !== undefined);
  if (given.length !== 1) {
    throw new IpamError(
      'InvalidParameterCombination',
      `A condition of rule ${index} must test exactly one of ${CONDITION_PROPERTIES.join(', ')}; it tests ${given.length === 0 ? 'none' : given.join(', ')}`,
    );
  }
  const property = given[0]!;
  if (!PROPERTIES_OF[ruleType].includes(property)) {
    throw new IpamError(
      'InvalidParameterValue',
      `A condition on ${property} is not valid in a ${ruleType} rule; valid properties: ${PROPERTIES_OF[ruleType].join(', ')}`,
    );
  }
  if (Operation === 'subnet-of' && property !== 'Cidr') {
    throw new IpamError('InvalidParameterValue', `The operation subnet-of applies to a Cidr condition only, not to ${property}`);
  }
  switch (property) {
    case 'Cidr':
      return { Operation, Cidr: familyCidr('condition CIDR', raw.Cidr!, family) };
    case 'ResourceTag': {
      const tag = raw.ResourceTag!;
      if (!tag.Key) throw new IpamError('MissingParameter', 'The request must contain the parameter ResourceTag.Key');
      return { Operation, ResourceTag: tag.Value === undefined ? { Key: tag.Key } : { Key: tag.Key, Value: tag.Value } };
    }
    default:
      return { Operation, [property]: raw[property] as string };
  }
}

/**
 * The rules a create or modify asks for, checked and canonical: at most 100; each member allowed
 * by its type; CIDRs of the resolver's family (DN-43); scopes of the resolver's IPAM (`scopes`).
 */
export function validateRules(
  family: AddressFamily,
  rules: readonly RuleRequest[],
  scopes: ReadonlyMap<string, IpamScope>,
): PrefixListResolverRule[] {
  if (rules.length > RULES_PER_RESOLVER) {
    throw new IpamError(
      'ResourceLimitExceeded',
      `A prefix list resolver can have at most ${RULES_PER_RESOLVER} rules; the request has ${rules.length}`,
    );
  }
  return rules.map((raw, index) => {
    const RuleType = oneOf(`Rules.${index}.RuleType`, raw.RuleType, RULE_TYPES);
    const conditions = raw.Conditions ?? [];
    if (RuleType === 'static-cidr') {
      if (raw.IpamScopeId !== undefined || raw.ResourceType !== undefined || conditions.length > 0) {
        throw new IpamError(
          'InvalidParameterCombination',
          'A static-cidr rule takes a StaticCidr only: no IpamScopeId, ResourceType or Conditions',
        );
      }
      if (raw.StaticCidr === undefined) throw new IpamError('MissingParameter', 'The request must contain the parameter StaticCidr');
      return { RuleType, StaticCidr: familyCidr('StaticCidr', raw.StaticCidr, family) };
    }
    if (raw.StaticCidr !== undefined) {
      throw new IpamError('InvalidParameterCombination', `StaticCidr applies to static-cidr rules only, not to ${RuleType}`);
    }
    if (raw.IpamScopeId === undefined) throw new IpamError('MissingParameter', 'The request must contain the parameter IpamScopeId');
    if (!scopes.has(raw.IpamScopeId)) {
      throw new IpamError('InvalidIpamScopeId.NotFound', `The ipam-scope ID '${raw.IpamScopeId}' does not exist in the resolver's IPAM`);
    }
    if (RuleType === 'ipam-pool-cidr' && raw.ResourceType !== undefined) {
      throw new IpamError('InvalidParameterCombination', 'ResourceType applies to ipam-resource-cidr rules only');
    }
    const rule: PrefixListResolverRule = { RuleType, IpamScopeId: raw.IpamScopeId };
    if (raw.ResourceType !== undefined) rule.ResourceType = oneOf('ResourceType', raw.ResourceType, RESOURCE_TYPES);
    if (conditions.length > 0) rule.Conditions = conditions.map((condition) => validateCondition(RuleType, index, condition, family));
    return rule;
  });
}

/** A provisioned CIDR of a pool, with the pool and scope it belongs to. */
export interface PoolCidrCandidate {
  ipamPoolId: string;
  ipamScopeId: string;
  cidr: string;
}

/** The IPAM data a resolver's rules select from: provisioned pool CIDRs and the sweep's resource CIDRs of the scopes its rules name. */
export interface ResolverSources {
  poolCidrs: readonly PoolCidrCandidate[];
  resourceCidrs: readonly IpamResourceCidr[];
}

/** The fields a condition can test, of one candidate. */
interface Candidate {
  cidr: Cidr;
  ipamPoolId?: string;
  resourceId?: string;
  resourceOwner?: string;
  resourceRegion?: string;
  resourceTags?: readonly { Key: string; Value: string }[];
}

function holds(condition: PrefixListResolverCondition, candidate: Candidate): boolean {
  if (condition.Operation === 'subnet-of') return containsCidr(parseCidr(condition.Cidr!), candidate.cidr);
  let equal: boolean;
  if (condition.Cidr !== undefined) equal = sameCidr(parseCidr(condition.Cidr), candidate.cidr);
  else if (condition.ResourceTag !== undefined) {
    const { Key, Value } = condition.ResourceTag;
    equal = (candidate.resourceTags ?? []).some((tag) => tag.Key === Key && (Value === undefined || tag.Value === Value));
  } else if (condition.IpamPoolId !== undefined) equal = candidate.ipamPoolId === condition.IpamPoolId;
  else if (condition.ResourceId !== undefined) equal = candidate.resourceId === condition.ResourceId;
  else if (condition.ResourceOwner !== undefined) equal = candidate.resourceOwner === condition.ResourceOwner;
  else equal = candidate.resourceRegion === condition.ResourceRegion;
  return condition.Operation === 'equals' ? equal : !equal;
}

/** A CIDR of the family, or undefined for text that is not one (a record is never trusted to parse). */
function cidrOfFamily(text: string, family: AddressFamily): Cidr | undefined {
  try {
    const cidr = parseCidr(text);
    return cidr.family === family ? cidr : undefined;
  } catch {
    return undefined;
  }
}

/** The candidates one rule selects. */
function* selected(rule: PrefixListResolverRule, family: AddressFamily, sources: ResolverSources): Generator<Cidr> {
  const all = (candidate: Candidate) => (rule.Conditions ?? []).every((condition) => holds(condition, candidate));
  if (rule.RuleType === 'static-cidr') {
    const cidr = cidrOfFamily(rule.StaticCidr!, family);
    if (cidr) yield cidr;
    return;
  }
  if (rule.RuleType === 'ipam-pool-cidr') {
    for (const poolCidr of sources.poolCidrs) {
      const cidr = poolCidr.ipamScopeId === rule.IpamScopeId ? cidrOfFamily(poolCidr.cidr, family) : undefined;
      if (cidr && all({ cidr, ipamPoolId: poolCidr.ipamPoolId })) yield cidr;
    }
    return;
  }
  for (const record of sources.resourceCidrs) {
    // Ignored CIDRs are out of IPAM's management and monitoring (spec §9): no rule selects them.
    if (record.IpamScopeId !== rule.IpamScopeId || record.ManagementState === 'ignored') continue;
    if (rule.ResourceType !== undefined && record.ResourceType !== rule.ResourceType) continue;
    const cidr = cidrOfFamily(record.ResourceCidr, family);
    const candidate: Candidate | undefined = cidr && {
      cidr,
      resourceId: record.ResourceId,
      resourceOwner: record.ResourceOwnerId,
      resourceRegion: record.ResourceRegion,
      resourceTags: record.ResourceTags,
    };
    if (candidate && all(candidate)) yield candidate.cidr;
  }
}

/**
 * The CIDRs the rules select (a CIDR is in when any rule selects it; within a rule every condition
 * must hold), of the resolver's family, de-duplicated and sorted by address then prefix length,
 * with no aggregation (DN-43).
 */
export function resolvePrefixListCidrs(
  family: AddressFamily,
  rules: readonly PrefixListResolverRule[],
  sources: ResolverSources,
): string[] {
  const found = new Map<string, Cidr>();
  for (const rule of rules) for (const cidr of selected(rule, family, sources)) found.set(formatCidr(cidr), cidr);
  return [...found.values()].sort(compareCidrs).map(formatCidr);
}

export type VersionDecision =
  | { kind: 'unchanged' }
  | { kind: 'new'; Version: number; cidrs: string[] }
  | { kind: 'too-many'; message: string };

/**
 * What an evaluation does (DN-44): the first one creates v1, even empty; later ones a new version
 * only when the set differs from the latest (`latestCidrs` of version `latest`, 0 = none yet); a
 * set over the entries quota creates none (version creation fails).
 */
export function nextVersion(latest: number, latestCidrs: readonly string[] | undefined, cidrs: string[]): VersionDecision {
  if (cidrs.length > ENTRIES_PER_VERSION) {
    return {
      kind: 'too-many',
      message: `The rules select ${cidrs.length} CIDRs; a version can hold at most ${ENTRIES_PER_VERSION} entries`,
    };
  }
  const unchanged = latest > 0 && latestCidrs?.length === cidrs.length && latestCidrs.every((cidr, i) => cidr === cidrs[i]);
  return unchanged ? { kind: 'unchanged' } : { kind: 'new', Version: latest + 1, cidrs };
}
