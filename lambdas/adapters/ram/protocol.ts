// AWS RAM's REST-JSON protocol: each operation has its own method and path, inputs travel as a
// JSON body with camelCase members (DELETE operations in the query string), answers are JSON with
// times in epoch seconds, and errors carry the code in `x-amzn-ErrorType` and `{"message"}` in
// the body, with the HTTP status of RAM's model (domain/errors.ts).
import { type ErrorCode, IpamError, ERROR_STATUS } from '../../domain/errors.ts';
import type { Input, Output } from '../../use-cases/kernel/context.ts';
import { runRamAction } from '../../use-cases/sharing/actions.ts';
import type { HttpRequest, HttpResponse, WireProtocol } from '../http/protocol.ts';
import { type Member, operationFor, RAM_OPERATIONS } from './operations.ts';

/** Codes the shared layers (authentication, idempotency, pagination, health) raise, in RAM's words. */
const RAM_CODE_OF: Partial<Record<ErrorCode, ErrorCode>> = {
  InvalidParameterValue: 'InvalidParameterException',
  InvalidParameterCombination: 'InvalidParameterException',
  InvalidParameter: 'InvalidParameterException',
  UnknownParameter: 'InvalidParameterException',
  MissingParameter: 'MissingRequiredParameterException',
  InvalidPaginationToken: 'InvalidNextTokenException',
  IdempotentParameterMismatch: 'IdempotentParameterMismatchException',
  RequestLimitExceeded: 'ThrottlingException',
  Unavailable: 'ServiceUnavailableException',
  InternalError: 'ServerInternalException',
  AuthFailure: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  RequestExpired: 'InvalidSignatureException',
  IncompleteSignature: 'IncompleteSignatureException',
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  InvalidAction: 'UnknownOperationException',
};

/** Members RAM sends as timestamps: stored as ISO 8601, sent as epoch seconds. */
const TIMESTAMP_MEMBERS = new Set(['creationTime', 'lastUpdatedTime', 'invitationTimestamp']);

function parseJsonBody(body: Uint8Array): Record<string, unknown> {
  const text = new TextDecoder().decode(body);
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new IpamError('InvalidParameterException', 'The request body is not valid JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new IpamError('InvalidParameterException', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

function checkMember(name: string, member: Member, value: unknown): unknown {
  const wrong = (what: string) => new IpamError('InvalidParameterException', `The parameter ${name} must be ${what}.`);
  switch (member.kind) {
    case 'string':
      if (typeof value !== 'string') throw wrong('a string');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('a boolean');
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong('an integer');
      if (name === 'maxResults' && (value < 1 || value > 500)) throw wrong('between 1 and 500');
      return value;
    case 'strings':
      if (!isStrings(value)) throw wrong('a list of strings');
      return value;
    case 'tags':
      if (
        !Array.isArray(value) ||
        !value.every(
          (tag) =>
            tag && typeof tag === 'object' && typeof tag.key === 'string' && (tag.value === undefined || typeof tag.value === 'string'),
        )
      ) {
        throw wrong('a list of {key, value} tags');
      }
      return value.map((tag: { key: string; value?: string }) => ({ key: tag.key, value: tag.value }));
    case 'tagFilters':
      if (
        !Array.isArray(value) ||
        !value.every(
          (filter) =>
            filter &&
            typeof filter === 'object' &&
            (filter.tagKey === undefined || typeof filter.tagKey === 'string') &&
            (filter.tagValues === undefined || isStrings(filter.tagValues)),
        )
      ) {
        throw wrong('a list of {tagKey, tagValues} filters');
      }
      return value;
  }
}

export const ramProtocol: WireProtocol = {
  decode(request: HttpRequest) {
    const action = operationFor(request.method, request.path);
    if (!action) throw new IpamError('InvalidAction', `No RAM operation answers ${request.method} ${request.path}.`);
    const operation = RAM_OPERATIONS[action]!;
    const body = operation.method === 'POST' ? parseJsonBody(request.body) : {};
    const query = new URLSearchParams(request.query ?? '');
    const input: Input = {};
    for (const [name, member] of Object.entries(operation.members)) {
      const value = member.query ? (query.get(name) ?? undefined) : body[name];
      if (value === undefined || value === null) {
        if (member.required) throw new IpamError('MissingRequiredParameterException', `The request must contain the parameter ${name}.`);
        continue;
      }
      input[name] = checkMember(name, member, value);
    }
    return { action, input };
  },

  run: runRamAction,

  encode(_action: string, output: Output): HttpResponse {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(output, wireValue) };
  },

  encodeError(error: IpamError): HttpResponse {
    const code = RAM_CODE_OF[error.code] ?? error.code;
    return {
      statusCode: ERROR_STATUS[code],
      headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': code },
      body: JSON.stringify({ message: error.message }),
    };
  },
};

/** JSON.stringify's replacer: RAM times as epoch seconds. */
function wireValue(this: unknown, key: string, value: unknown): unknown {
  if (TIMESTAMP_MEMBERS.has(key) && typeof value === 'string') return Date.parse(value) / 1000;
  return value;
}
