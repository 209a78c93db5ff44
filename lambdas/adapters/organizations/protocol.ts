// AWS Organizations on the wire: JSON 1.1 (POST /, `X-Amz-Target: AWSOrganizationsV20161128.<Operation>`,
// `Content-Type: application/x-amz-json-1.1`), timestamps as epoch seconds, errors as HTTP 400
// with `{"__type": "<Code>", "Message": "…"}` (and `Reason` where Organizations gives one) and the
// code again in `x-amzn-ErrorType`. The operations are use-cases/organizations.ts's table; each
// one's members and their constraints are below, as the Organizations model gives them.
import { type ErrorCode, IpamError } from '../../domain/errors.ts';
import { OrganizationsError } from '../../domain/organization-edits.ts';
import type { Dependencies, Input, Output, RequestContext } from '../../use-cases/kernel/context.ts';
import { ORGANIZATIONS_ACTIONS } from '../../use-cases/organizations.ts';
import type { HttpRequest, HttpResponse, WireProtocol } from '../http/protocol.ts';

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

type Member =
  | { type: 'string'; required?: boolean; pattern?: RegExp; min?: number; max?: number; enum?: readonly string[] }
  | { type: 'integer'; required?: boolean; min: number; max: number }
  | { type: 'list'; required?: boolean };

const ACCOUNT_ID: Member = { type: 'string', required: true, pattern: /^\d{12}$/, max: 12 };
const PARENT_ID: Member = { type: 'string', required: true, pattern: /^(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, max: 100 };
const OU_ID: Member = { type: 'string', required: true, pattern: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, max: 68 };
const OU_NAME: Member = { type: 'string', required: true, min: 1, max: 128 };
const PAGED: Record<string, Member> = {
  NextToken: { type: 'string', max: 100_000 },
  MaxResults: { type: 'integer', min: 1, max: 20 },
};

/** Every operation served, with its input members. Members not listed are ignored, as AWS's JSON services do. */
const OPERATIONS: Record<keyof typeof ORGANIZATIONS_ACTIONS, Record<string, Member>> = {
  DescribeOrganization: {},
  ListRoots: PAGED,
  ListAccounts: PAGED,
  ListAccountsForParent: { ParentId: PARENT_ID, ...PAGED },
  ListOrganizationalUnitsForParent: { ParentId: PARENT_ID, ...PAGED },
  ListChildren: { ParentId: PARENT_ID, ChildType: { type: 'string', required: true, enum: ['ACCOUNT', 'ORGANIZATIONAL_UNIT'] }, ...PAGED },
  ListParents: {
    ChildId: { type: 'string', required: true, pattern: /^(?:\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, max: 100 },
    ...PAGED,
  },
  DescribeAccount: { AccountId: ACCOUNT_ID },
  DescribeOrganizationalUnit: { OrganizationalUnitId: OU_ID },
  CreateOrganizationalUnit: { ParentId: PARENT_ID, Name: OU_NAME, Tags: { type: 'list' } },
  UpdateOrganizationalUnit: { OrganizationalUnitId: OU_ID, Name: { ...OU_NAME, required: false } },
  DeleteOrganizationalUnit: { OrganizationalUnitId: OU_ID },
  MoveAccount: { AccountId: ACCOUNT_ID, SourceParentId: PARENT_ID, DestinationParentId: PARENT_ID },
  ListDelegatedAdministrators: { ServicePrincipal: { type: 'string', min: 1, max: 128, pattern: /^[\w+=,.@-]*$/ }, ...PAGED },
  ListAWSServiceAccessForOrganization: PAGED,
};

/** Output members that are timestamps: ISO 8601 in the use cases, epoch seconds on the wire. */
const TIMESTAMP_MEMBERS = new Set(['JoinedTimestamp', 'DelegationEnabledDate', 'DateEnabled']);

const invalidInput = (message: string, reason: string) => new OrganizationsError('InvalidInputException', message, reason);
const serialization = (message: string) => new IpamError('SerializationException', message);

function header(request: HttpRequest, name: string): string | undefined {
  const entry = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

function checkMember(name: string, member: Member, value: unknown): void {
  if (value === undefined || value === null) {
    if (member.required) throw invalidInput(`You must specify a value for ${name}.`, 'INPUT_REQUIRED');
    return;
  }
  if (member.type === 'list') {
    if (!Array.isArray(value)) throw serialization(`${name} must be a list, got ${JSON.stringify(value)}.`);
    return;
  }
  if (member.type === 'integer') {
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw serialization(`${name} must be an integer, got ${JSON.stringify(value)}.`);
    if (value < member.min) throw invalidInput(`${name} must be at least ${member.min}, got ${value}.`, 'MIN_VALUE_EXCEEDED');
    if (value > member.max) throw invalidInput(`${name} must be at most ${member.max}, got ${value}.`, 'MAX_VALUE_EXCEEDED');
    return;
  }
  if (typeof value !== 'string') throw serialization(`${name} must be a string, got ${JSON.stringify(value)}.`);
  if (member.min !== undefined && value.length < member.min) {
    throw invalidInput(`${name} must be at least ${member.min} characters long.`, 'MIN_LENGTH_EXCEEDED');
  }
  if (member.max !== undefined && value.length > member.max) {
    throw invalidInput(`${name} must be at most ${member.max} characters long.`, 'MAX_LENGTH_EXCEEDED');
  }
  if (member.enum && !member.enum.includes(value)) {
    throw invalidInput(`${name} must be one of ${member.enum.join(', ')}, got '${value}'.`, 'INVALID_ENUM');
  }
  if (member.pattern && !member.pattern.test(value)) {
    throw invalidInput(`The value '${value}' of ${name} does not match the pattern ${member.pattern.source}.`, 'INVALID_PATTERN');
  }
}

function decode(request: HttpRequest): { action: string; input: Input } {
  if (request.method !== 'POST')
    throw new IpamError('UnknownOperationException', `Organizations is called with POST, not ${request.method}.`);
  const target = header(request, 'x-amz-target');
  const action = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  if (action === undefined || !Object.hasOwn(OPERATIONS, action)) {
    throw new IpamError(
      'UnknownOperationException',
      target === undefined
        ? `The request has no X-Amz-Target header; Organizations needs ${TARGET_PREFIX}<Operation>.`
        : `The operation ${target} is not served by this Organizations endpoint.`,
    );
  }
  const text = new TextDecoder().decode(request.body).trim();
  let input: unknown = {};
  if (text !== '') {
    try {
      input = JSON.parse(text);
    } catch {
      throw serialization('The request body is not valid JSON.');
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw serialization('The request body must be a JSON object.');
  for (const [name, member] of Object.entries(OPERATIONS[action as keyof typeof OPERATIONS])) {
    checkMember(name, member, (input as Input)[name]);
  }
  return { action, input: input as Input };
}

/** Drops absent members and writes timestamps as epoch seconds, as JSON 1.1 does. */
function toWire(value: unknown, name?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => toWire(item));
  if (typeof value === 'string' && name !== undefined && TIMESTAMP_MEMBERS.has(name)) return Date.parse(value) / 1000;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([member, inner]) => [member, toWire(inner, member)]),
  );
}

/** Our codes where the JSON services name the same failure differently (authentication, throttling, faults). */
const JSON_ERROR: Partial<Record<ErrorCode, { code: string; status: number; reason?: string }>> = {
  AuthFailure: { code: 'UnrecognizedClientException', status: 400 },
  SignatureDoesNotMatch: { code: 'InvalidSignatureException', status: 400 },
  RequestExpired: { code: 'InvalidSignatureException', status: 400 },
  IncompleteSignature: { code: 'IncompleteSignatureException', status: 400 },
  MissingAuthenticationToken: { code: 'MissingAuthenticationTokenException', status: 403 },
  MissingAction: { code: 'UnknownOperationException', status: 400 },
  InvalidAction: { code: 'UnknownOperationException', status: 400 },
  InvalidPaginationToken: { code: 'InvalidInputException', status: 400, reason: 'INVALID_NEXT_TOKEN' },
  RequestLimitExceeded: { code: 'TooManyRequestsException', status: 400 },
  Unavailable: { code: 'ServiceException', status: 500 },
  InternalError: { code: 'ServiceException', status: 500 },
};

function respond(statusCode: number, requestId: string, body: unknown, extraHeaders: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId, ...extraHeaders },
    body: JSON.stringify(body),
  };
}

export const organizationsProtocol: WireProtocol = {
  decode,
  run(deps: Dependencies, context: RequestContext, action: string, input: Input): Promise<Output> {
    const useCase = ORGANIZATIONS_ACTIONS[action];
    if (!useCase) throw new IpamError('UnknownOperationException', `The operation ${action} is not served by this Organizations endpoint.`);
    return useCase(deps, context, input as never);
  },
  encode(_action: string, output: Output, requestId: string): HttpResponse {
    return respond(200, requestId, toWire(output));
  },
  encodeError(error: IpamError, requestId: string): HttpResponse {
    const mapped = JSON_ERROR[error.code];
    const code = mapped?.code ?? error.code;
    const reason = error instanceof OrganizationsError ? error.reason : mapped?.reason;
    const body = reason === undefined ? { __type: code, Message: error.message } : { __type: code, Message: error.message, Reason: reason };
    return respond(mapped?.status ?? error.httpStatus, requestId, body, { 'x-amzn-ErrorType': code });
  },
};
