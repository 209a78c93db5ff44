// The JSON API (`POST /api/{Action}`): the body is the same input object a JS SDK caller passes,
// as JSON, and the answer is the SDK's output object. Type checks come from the same EC2 schema
// walk as the Query codec, and the same validateInput runs afterwards.
import { IpamError, messages } from '../../domain/errors.ts';
import type { DecodedRequest } from '../ec2-query/decode.ts';
import { parseTimestamp } from '../ec2-query/scalars.ts';
import { implementedInput, isRecord, kindOf, type Shape } from '../ec2-query/schema-walk.ts';
import { invalidParameterValue, validateInput } from '../ec2-query/validate.ts';
import { forbiddenXmlCharacter, unsafeTextMessage } from '../ec2-query/xml-text.ts';

export function decodeJsonRequest(action: string, body: string, isImplemented: (action: string) => boolean): DecodedRequest {
  const shape = implementedInput(action, isImplemented);
  const input = readStructure(shape, parseBody(body), '');
  validateInput(action, input, 'json');
  return { action, input };
}

/** A request for one of this service's own actions, whose input is flat: member → string or integer. */
export function decodeServiceJsonRequest(
  action: string,
  body: string,
  members: Readonly<Record<string, 'string' | 'integer'>>,
): DecodedRequest {
  const value = parseBody(body);
  if (!isRecord(value)) throw wrongType('body', value, 'an object');
  const input: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (!Object.hasOwn(members, name)) throw new IpamError('UnknownParameter', messages.unknownParameter(name));
    if (member === null) continue;
    if (members[name] === 'integer' && !Number.isSafeInteger(member)) throw wrongType(name, member, 'an integer');
    if (members[name] === 'string' && typeof member !== 'string') throw wrongType(name, member, 'a string');
    input[name] = member;
  }
  return { action, input };
}

/**
 * Decision: an empty body is an empty input, so `POST /api/DescribeIpams` needs no `{}`. The
 * nesting is checked on the text, before JSON.parse and our recursive walks see it.
 */
function parseBody(body: string): unknown {
  if (body.trim() === '') return {};
  checkNesting(body);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    // V8's message quotes the text around the mistake, which may hold anything: name the position only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new IpamError('InvalidParameterValue', `The request body is not valid JSON${position ? ` (at position ${position})` : ''}.`);
  }
  checkText(value, '');
  return value;
}

/** Every IPAM input nests at most 5 deep (body → TagSpecifications → item → Tags → item). */
const MAX_JSON_DEPTH = 32;

/** Arrays and objects open at most MAX_JSON_DEPTH deep, counted outside strings. */
function checkNesting(body: string): void {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index++) {
    const char = body[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      if (++depth > MAX_JSON_DEPTH) {
        throw new IpamError('InvalidParameterValue', `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`);
      }
    } else if (char === ']' || char === '}') depth--;
  }
}

/** No member of any IPAM input is named with more than 50 characters. */
const MAX_MEMBER_NAME_CHARACTERS = 256;

/** Member names and strings XML cannot carry are refused, as in the Query API: stored, they would break its answers. */
function checkText(value: unknown, path: string): void {
  if (typeof value === 'string') {
    const bad = forbiddenXmlCharacter(value);
    if (bad) throw new IpamError('InvalidParameterValue', unsafeTextMessage(`The value for ${path || 'the body'}`, bad));
  } else if (Array.isArray(value)) {
    for (const [index, element] of value.entries()) checkText(element, `${path}[${index}]`);
  } else if (isRecord(value)) {
    for (const [name, member] of Object.entries(value)) {
      const bad = forbiddenXmlCharacter(name);
      if (bad) throw new IpamError('InvalidParameterValue', unsafeTextMessage(`A member name${path ? ` in ${path}` : ''}`, bad));
      if (name.length > MAX_MEMBER_NAME_CHARACTERS) {
        throw new IpamError(
          'InvalidParameterValue',
          `A member name is longer than ${MAX_MEMBER_NAME_CHARACTERS} characters (it starts ${name.slice(0, 64)}…).`,
        );
      }
      checkText(member, memberPath(path, name));
    }
  }
}

function memberPath(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name;
}

/** `null` members count as absent (decision: JSON clients often send null for "not set"). */
function readStructure(shape: Shape, value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw wrongType(path || 'body', value, 'an object');
  const members = new Map(shape.structIterator());
  const result: Record<string, unknown> = {};
  for (const [name, memberValue] of Object.entries(value)) {
    const member = members.get(name);
    if (!member) throw new IpamError('UnknownParameter', messages.unknownParameter(memberPath(path, name)));
    if (memberValue !== null) result[name] = readValue(member, memberValue, memberPath(path, name));
  }
  return result;
}

function readValue(shape: Shape, value: unknown, path: string): unknown {
  switch (kindOf(shape)) {
    case 'structure':
      return readStructure(shape, value, path);
    case 'list': {
      if (!Array.isArray(value)) throw wrongType(path, value, 'a list');
      const item = shape.getValueSchema();
      return value.map((element, index) => readValue(item, element, `${path}[${index}]`));
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType(path, value, 'true or false');
      return value;
    case 'number':
      // Integers only, as in the Query codec: no IPAM input member is a double.
      if (!Number.isSafeInteger(value)) throw wrongType(path, value, 'an integer');
      return value;
    case 'timestamp': {
      const date = typeof value === 'string' ? parseTimestamp(value) : undefined;
      if (!date) throw wrongType(path, value, 'an ISO 8601 date-time string such as 2024-01-01T00:00:00Z');
      return date;
    }
    case 'string':
      if (typeof value !== 'string') throw wrongType(path, value, 'a string');
      return value;
    default:
      throw new IpamError('UnknownParameter', messages.unknownParameter(path));
  }
}

function wrongType(path: string, value: unknown, expected: string): IpamError {
  const shown = JSON.stringify(value);
  // A whole misplaced object would drown the message; its start is enough to recognise it.
  return invalidParameterValue(path, shown.length > 80 ? `${shown.slice(0, 80)}…` : shown, `Expecting ${expected}.`);
}

/** The output object as JSON; Dates become ISO 8601 strings (Date#toJSON), undefined members vanish. */
export function encodeJsonResponse(output: object): string {
  return JSON.stringify(output);
}

export function encodeJsonError(error: IpamError, requestId: string): string {
  return JSON.stringify({ code: error.code, message: error.message, requestId });
}
