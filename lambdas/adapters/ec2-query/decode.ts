// EC2 Query request body → { action, input }, where input is exactly the object a JS SDK caller
// passed (SDK member names, numbers, booleans, Dates). Driven by the action's input schema
// (§2, §11): wire keys per §2.2, `Key.N` lists, `A.B` nested structures, scalars per §2.4.
import { IpamError, messages } from '../../domain/errors.ts';
import { parseBoolean, parseInteger, parseTimestamp } from './scalars.ts';
import { implementedInput, kindOf, queryName, type Shape } from './schema-walk.ts';
import { invalidParameterValue } from './validate.ts';
import { forbiddenXmlCharacter, unsafeTextMessage } from './xml-text.ts';

export const API_VERSION = '2016-11-15';

export interface DecodedRequest {
  action: string;
  input: Record<string, unknown>;
}

/** The body's parameters plus the keys the schema walk has used; what is left over is unknown. */
interface Form {
  params: Map<string, string>;
  consumed: Set<string>;
}

export function decodeQueryRequest(body: string, isImplemented: (action: string) => boolean): DecodedRequest {
  const form: Form = { params: parseForm(body), consumed: new Set(['Action', 'Version']) };
  const action = form.params.get('Action');
  if (!action) throw new IpamError('MissingAction', messages.missingParameter('Action'));
  const shape = implementedInput(action, isImplemented);
  checkVersion(form.params.get('Version'));
  const input = readStructure(shape, '', [...form.params.keys()], form) ?? {};
  for (const key of form.params.keys()) {
    if (!form.consumed.has(key)) throw new IpamError('UnknownParameter', messages.unknownParameter(key));
  }
  return { action, input };
}

/** The longest wire key of any IPAM input is under 100 characters; a longer one is no parameter of ours. */
const MAX_PARAMETER_NAME_CHARACTERS = 256;

/**
 * URLSearchParams semantics (`+` is a space, UTF-8 percent-decoding); no client repeats a key.
 * Names and values XML cannot carry are refused here, before anything repeats them in a message
 * or stores them.
 */
function parseForm(body: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(body)) {
    const badInKey = forbiddenXmlCharacter(key);
    if (badInKey) throw new IpamError('InvalidParameterValue', unsafeTextMessage('A parameter name', badInKey));
    if (key.length > MAX_PARAMETER_NAME_CHARACTERS) {
      throw new IpamError(
        'InvalidParameterValue',
        `A parameter name is longer than ${MAX_PARAMETER_NAME_CHARACTERS} characters (it starts ${key.slice(0, 64)}…).`,
      );
    }
    const badInValue = forbiddenXmlCharacter(value);
    if (badInValue) throw new IpamError('InvalidParameterValue', unsafeTextMessage(`The value for ${key}`, badInValue));
    if (params.has(key)) {
      throw new IpamError('InvalidParameterValue', `The parameter ${key} is specified more than once in the request.`);
    }
    params.set(key, value);
  }
  return params;
}

/**
 * Decision: only the API version every client sends is served. The AWS common error for another
 * version is NoSuchVersion, which our error table does not have, so it is InvalidParameterValue.
 */
function checkVersion(version: string | undefined): void {
  if (version === undefined) throw new IpamError('MissingParameter', messages.missingParameter('Version'));
  if (version !== API_VERSION) throw invalidParameterValue('Version', version, `Expecting ${API_VERSION}.`);
}

// Each level passes on only the keys below it, so the work grows with keys × depth × members,
// not keys² for a body with many list elements — bodies come from untrusted callers.

/** A structure at `prefix` (`''` for the input itself); undefined when the body has none of its keys. */
function readStructure(shape: Shape, prefix: string, keys: readonly string[], form: Form): Record<string, unknown> | undefined {
  const result: Record<string, unknown> = {};
  for (const [name, member] of shape.structIterator()) {
    const key = prefix + queryName(name, member);
    const own = keys.filter((candidate) => candidate === key || candidate.startsWith(`${key}.`));
    const value = own.length > 0 ? readValue(member, key, own, form) : undefined;
    if (value !== undefined) result[name] = value;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** The value at `key`, given the body keys that are `key` itself or below it. */
function readValue(shape: Shape, key: string, keys: readonly string[], form: Form): unknown {
  switch (kindOf(shape)) {
    case 'structure':
      return readStructure(shape, `${key}.`, keys, form);
    case 'list':
      return readList(shape, key, keys, form);
    case 'unsupported':
      return undefined; // left unconsumed, so reported as an unknown parameter
    default:
      return readScalar(shape, key, form);
  }
}

/** Lists are flattened: `Key.1`, `Key.2.Child`, ... in index order; gaps are allowed. */
function readList(shape: Shape, key: string, keys: readonly string[], form: Form): unknown[] | undefined {
  const item = shape.getValueSchema();
  const elements = [...keysByIndex(key, keys)]
    .sort(([a], [b]) => a - b)
    .flatMap(([index, elementKeys]) => {
      const value = readValue(item, `${key}.${index}`, elementKeys, form);
      return value === undefined ? [] : [value];
    });
  // Clients never send an empty list (§2.3), so a list without elements is an absent one.
  return elements.length > 0 ? elements : undefined;
}

/** Keys `Key.N` / `Key.N.*` grouped by N; an N other than 1, 2, ... is rejected. */
function keysByIndex(key: string, keys: readonly string[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const param of keys) {
    if (param === key) continue; // a list without index: left unconsumed, so an unknown parameter
    const segment = param.slice(key.length + 1).split('.', 1)[0];
    const index = /^[1-9]\d*$/.test(segment) ? Number(segment) : NaN;
    if (!Number.isSafeInteger(index)) {
      throw new IpamError(
        'InvalidParameterValue',
        `The parameter ${param} has an invalid list index (${segment}): indexes are whole numbers starting at 1.`,
      );
    }
    const group = groups.get(index);
    if (group) group.push(param);
    else groups.set(index, [param]);
  }
  return groups;
}

function readScalar(shape: Shape, key: string, form: Form): unknown {
  const text = form.params.get(key);
  if (text === undefined) return undefined;
  form.consumed.add(key);
  switch (kindOf(shape)) {
    case 'boolean':
      return parseBoolean(text) ?? fail(key, text, 'Expecting true or false.');
    case 'number':
      return parseInteger(text) ?? fail(key, text, 'Expecting an integer.');
    case 'timestamp':
      return parseTimestamp(text) ?? fail(key, text, 'Expecting an ISO 8601 date-time such as 2024-01-01T00:00:00Z.');
    default:
      return text; // strings are taken verbatim, no trimming (§2.4)
  }
}

function fail(key: string, text: string, expectation: string): never {
  throw invalidParameterValue(key, text, expectation);
}
