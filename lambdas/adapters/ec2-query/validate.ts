// Checks a decoded input against what the model allows: required members (from the JS schemas)
// and enums, numeric ranges, list sizes and string lengths (from constraints.generated.json,
// made by scripts/generate-constraints.ts because the JS schemas lack them), plus the caps of
// input-limits.ts where the model has none. Shared by the EC2 Query and JSON adapters: the JS
// SDK sends anything (§2.5), so every check lives here.
import { IpamError, messages } from '../../domain/errors.ts';
import table from './constraints.generated.json' with { type: 'json' };
import { listItemLimit, measure, textLimit } from './input-limits.ts';
import { inputOf, isRecord, kindOf, queryName, requiredMembers, type Shape } from './schema-walk.ts';

/** What the validator checks for one member path; absent keys mean "no limit". */
export interface Constraint {
  enum?: string;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

const enums: Record<string, readonly string[]> = table.enums;
const constraints: Record<string, Record<string, Constraint>> = table.actions;

/**
 * How messages name a parameter: `query` as it appeared on the wire (`TagSpecification.1.ResourceType`),
 * `json` as the member path of the JSON body (`TagSpecifications[0].ResourceType`).
 */
export type ParameterNaming = 'query' | 'json';

/** Where a value sits: its key in the constraint table and the name a message shows. */
interface Location {
  rule: string;
  display: string;
}

interface Walk {
  rules: Record<string, Constraint>;
  naming: ParameterNaming;
}

/** Values longer than this are shown by their start and length: a message must stay readable. */
const SHOWN_VALUE_CHARACTERS = 64;

export function invalidParameterValue(parameter: string, value: unknown, expectation: string): IpamError {
  const text = value instanceof Date ? value.toISOString() : String(value);
  const shown = text.length > SHOWN_VALUE_CHARACTERS ? `${text.slice(0, SHOWN_VALUE_CHARACTERS)}… (${text.length} characters)` : text;
  return new IpamError('InvalidParameterValue', `Value (${shown}) for parameter ${parameter} is invalid. ${expectation}`);
}

/** Throws the first problem found as MissingParameter or InvalidParameterValue. */
export function validateInput(action: string, input: Record<string, unknown>, naming: ParameterNaming = 'query'): void {
  const shape = inputOf(action);
  if (!shape) throw new IpamError('InvalidAction', messages.invalidAction(action));
  checkStructure(shape, input, { rule: '', display: '' }, { rules: constraints[action] ?? {}, naming });
}

function memberLocation(parent: Location, name: string, member: Shape, walk: Walk): Location {
  const shown = walk.naming === 'query' ? queryName(name, member) : name;
  return {
    rule: parent.rule ? `${parent.rule}.${name}` : name,
    display: parent.display ? `${parent.display}.${shown}` : shown,
  };
}

function elementLocation(list: Location, index: number, walk: Walk): Location {
  return {
    rule: `${list.rule}[]`,
    display: walk.naming === 'query' ? `${list.display}.${index + 1}` : `${list.display}[${index}]`,
  };
}

function checkStructure(shape: Shape, value: Record<string, unknown>, at: Location, walk: Walk): void {
  for (const name of requiredMembers(shape)) {
    if (value[name] == null) {
      const member = shape.getMemberSchema(name);
      throw new IpamError('MissingParameter', messages.missingParameter(memberLocation(at, name, member, walk).display));
    }
  }
  for (const [name, member] of shape.structIterator()) {
    const memberValue = value[name];
    if (memberValue != null) checkValue(member, memberValue, memberLocation(at, name, member, walk), walk);
  }
}

function checkValue(shape: Shape, value: unknown, at: Location, walk: Walk): void {
  const rule = walk.rules[at.rule];
  const kind = kindOf(shape);
  if (kind === 'structure' && isRecord(value)) {
    checkStructure(shape, value, at, walk);
    return;
  }
  if (kind === 'list' && Array.isArray(value)) {
    checkCount({ maxItems: listItemLimit(at.rule), ...rule }, value.length, at);
    const item = shape.getValueSchema();
    value.forEach((element, index) => {
      if (element != null) checkValue(item, element, elementLocation(at, index, walk), walk);
    });
    return;
  }
  if (typeof value === 'string' && rule?.maxLength === undefined) checkTextLimit(value, at);
  if (rule) checkScalar(rule, value, at);
}

function checkTextLimit(value: string, at: Location): void {
  const limit = textLimit(at.rule);
  if (!limit) return;
  if (limit.ascii && !/^[\x20-\x7E]*$/.test(value)) {
    throw invalidParameterValue(at.display, value, 'Expecting printable ASCII characters only.');
  }
  if (measure(value, limit.unit) > limit.max) {
    const unit = limit.unit === 'bytes' ? 'bytes of UTF-8' : 'characters';
    throw invalidParameterValue(at.display, value, `Expecting a length at most ${limit.max} ${unit}.`);
  }
}

function checkCount(rule: Constraint, count: number, at: Location): void {
  const { minItems, maxItems } = rule;
  if (outside(count, minItems, maxItems)) {
    throw invalidParameterValue(at.display, `${count} items`, `Expecting ${range(minItems, maxItems)} items.`);
  }
}

function checkScalar(rule: Constraint, value: unknown, at: Location): void {
  if (rule.enum && typeof value === 'string') {
    const allowed = enums[rule.enum] ?? [];
    if (!allowed.includes(value)) throw invalidParameterValue(at.display, value, `Valid values: ${allowed.join(', ')}`);
  }
  if (typeof value === 'number' && outside(value, rule.min, rule.max)) {
    throw invalidParameterValue(at.display, value, `Expecting a value ${range(rule.min, rule.max)}.`);
  }
  // Length in characters as the model counts them (code points), not UTF-16 units.
  if (typeof value === 'string' && outside([...value].length, rule.minLength, rule.maxLength)) {
    throw invalidParameterValue(at.display, value, `Expecting a length ${range(rule.minLength, rule.maxLength)} characters.`);
  }
}

function outside(value: number, min: number | undefined, max: number | undefined): boolean {
  return (min !== undefined && value < min) || (max !== undefined && value > max);
}

/** "between 5 and 1000", "at most 50", "at least 1": the bounds that exist, inclusive. */
function range(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  return max !== undefined ? `at most ${max}` : `at least ${min}`;
}
