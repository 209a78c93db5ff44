// The JSON API's contract as an OpenAPI 3.1 document, generated from what the codec itself walks:
// the action table says which paths exist, @aws-sdk/client-ec2's static schemas give each
// action's input and output shapes (schema-walk.ts), model-details.generated.json adds what those
// schemas lack (enum values, integer/long/double, each action's purpose), and the error table
// gives the error responses. Nothing here is written per EC2 action, so the document cannot drift
// from what `POST /api/{Action}` accepts and answers. This service's own actions (SERVICE_ACTIONS),
// which no SDK model knows, take their input from their table row and their output from
// SERVICE_ACTION_OUTPUTS below.
import { ERROR_STATUS, type ErrorCode } from '../../domain/errors.ts';
import { ACTIONS, SERVICE_ACTIONS, type ServiceActionSpec } from '../../use-cases/kernel/actions.ts';
import { inputOf, outputOf, requiredMembers, type Shape } from '../ec2-query/schema-walk.ts';
import details from './model-details.generated.json' with { type: 'json' };

/** The part of JSON Schema 2020-12 this document uses (see test/unit/codec/openapi.test.ts for a checker). */
export interface JsonSchema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: readonly string[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  description?: string;
}

export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers?: { url: string; description?: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
};

interface MemberDetail {
  enum?: string;
  number?: string;
}

const memberDetails: Record<string, MemberDetail> = details.members;
const enumValues: Record<string, readonly string[]> = details.enums;
const purposes: Record<string, string> = details.purposes;

const OPENAPI_DOCUMENT_PATH = '/api/openapi.json';
/** The document's path, after API Gateway's stage if there is one (`/prod/api/openapi.json`). */
export const SERVED_OPENAPI_PATH = /^(\/[^/]+)?\/api\/openapi\.json$/;
const SCHEMAS = '#/components/schemas/';
const ERROR_SCHEMA = 'Error';

const NUMBER_SCHEMAS: Record<string, JsonSchema> = {
  integer: { type: 'integer', format: 'int32' },
  long: { type: 'integer', format: 'int64' },
  double: { type: 'number', format: 'double' },
};

/** Turns shapes into schemas; every structure and enum becomes a named component, so recursive shapes end in a $ref. */
export class SchemaBuilder {
  readonly schemas: Record<string, JsonSchema> = {};

  /** A structure, by $ref to its component (built the first time it is seen). */
  structure(shape: Shape): JsonSchema {
    // Actions without output (DeleteTags) answer `{}`.
    if (shape.isUnitSchema()) return { type: 'object', additionalProperties: false };
    const name = shape.getName();
    if (!name) throw new Error('a structure without a name cannot be a component');
    if (!(name in this.schemas)) {
      this.schemas[name] = {}; // reserved before the walk, so a member that contains this structure stops here
      const properties: Record<string, JsonSchema> = {};
      for (const [member, memberShape] of shape.structIterator()) properties[member] = this.value(memberShape, `${name}.${member}`);
      const required = requiredMembers(shape);
      // Closed: the codec answers UnknownParameter for a member the model lacks, and answers hold only
      // the model's members (test/e2e/openapi.test.ts holds real answers against these schemas).
      this.schemas[name] = { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
    }
    return ref(name);
  }

  /** The schema of a value at `Shape.Member` (or `Shape.Member[]`), the key the model details use. */
  private value(shape: Shape, at: string): JsonSchema {
    const detail = memberDetails[at];
    if (shape.isStructSchema()) return this.structure(shape);
    if (shape.isListSchema()) return { type: 'array', items: this.value(shape.getValueSchema(), `${at}[]`) };
    if (shape.isMapSchema()) return { type: 'object', additionalProperties: this.value(shape.getValueSchema(), `${at}{}`) };
    if (shape.isBooleanSchema()) return { type: 'boolean' };
    if (shape.isTimestampSchema()) return { type: 'string', format: 'date-time' };
    if (shape.isBigIntegerSchema() || shape.isBigDecimalSchema())
      return { type: 'string', description: 'An arbitrary-precision number, as a string.' };
    if (shape.isNumericSchema()) return (detail?.number && NUMBER_SCHEMAS[detail.number]) || { type: 'number' };
    if (shape.isBlobSchema()) return { type: 'string', format: 'byte' };
    if (shape.isStringSchema()) return detail?.enum ? this.enumeration(detail.enum) : { type: 'string' };
    return {}; // a document: any JSON value
  }

  private enumeration(name: string): JsonSchema {
    const values = enumValues[name];
    if (!values) return { type: 'string' };
    if (name in this.schemas && this.schemas[name].enum === undefined) throw new Error(`enum ${name} has the name of a structure`);
    this.schemas[name] = { type: 'string', enum: values };
    return ref(name);
  }
}

function ref(name: string): JsonSchema {
  return { $ref: `${SCHEMAS}${name}` };
}

const REQUEST_ID_HEADER = {
  'x-amzn-RequestId': { description: 'The request id, the same as `requestId` in an error body.', schema: { type: 'string' } },
};

/** The error table by HTTP status: each status is one shared response whose description names its codes. */
function errorResponses(): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const [code, status] of Object.entries(ERROR_STATUS) as [ErrorCode, number][])
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  const responses: Record<string, unknown> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`Error${status}`] = {
      description: `An error with one of the codes ${codes.map((code) => `\`${code}\``).join(', ')}.`,
      headers: REQUEST_ID_HEADER,
      content: { 'application/json': { schema: ref(ERROR_SCHEMA) } },
    };
  }
  return responses;
}

function errorSchema(): JsonSchema {
  return {
    type: 'object',
    description: 'Every error the service answers on the JSON API; `code` is the EC2 error code a Query API client would see.',
    properties: {
      code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
      message: { type: 'string' },
      requestId: { type: 'string' },
    },
    required: ['code', 'message', 'requestId'],
    additionalProperties: false,
  };
}

function actionPath(action: string, builder: SchemaBuilder, errors: readonly string[]): Record<string, unknown> {
  const input = inputOf(action);
  const output = outputOf(action);
  if (!input || !output) throw new Error(`the action table names ${action}, which @aws-sdk/client-ec2 does not know`);
  const purpose = purposes[action];
  return {
    post: {
      operationId: action,
      summary: action,
      description: `${purpose ? `${purpose} ` : ''}The body is the \`${action}Command\` input of @aws-sdk/client-ec2 as JSON; the answer is its output.`,
      requestBody: {
        // An empty body is an empty input.
        required: requiredMembers(input).length > 0,
        content: { 'application/json': { schema: builder.structure(input) } },
      },
      responses: {
        200: {
          description: `The ${action} output.`,
          headers: REQUEST_ID_HEADER,
          content: { 'application/json': { schema: builder.structure(output) } },
        },
        ...Object.fromEntries(errors.map((name) => [name.slice('Error'.length), { $ref: `#/components/responses/${name}` }])),
      },
    },
  };
}

/** The answers of this service's own actions, and what each is for. */
const SERVICE_ACTION_OUTPUTS: Readonly<Record<string, { purpose: string; output: JsonSchema }>> = {
  ListRecentEvents: {
    purpose:
      "This service's own action (not EC2's): the events delivered lately, newest first — those published as the caller's account in the request's Region, " +
      'each as its envelope carried it (docs/events.md), kept for IPAM_RECENT_EVENTS_RETENTION_DAYS (default 7). MaxResults 1–100 (default 20).',
    output: {
      type: 'object',
      properties: {
        Events: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              EventId: { type: 'string', description: 'The detail.eventId every delivery of the event carries.' },
              Time: { type: 'string', format: 'date-time' },
              Source: { type: 'string' },
              DetailType: { type: 'string' },
              Account: { type: 'string' },
              Region: { type: 'string' },
              Detail: { type: 'object', description: 'The detail of the detail-type, as docs/events.md describes it.' },
            },
            required: ['EventId', 'Time', 'Source', 'DetailType', 'Account', 'Region', 'Detail'],
            additionalProperties: false,
          },
        },
        NextToken: { type: 'string' },
      },
      required: ['Events'],
      additionalProperties: false,
    },
  },
};

function serviceActionPath(action: string, spec: ServiceActionSpec, builder: SchemaBuilder, errors: readonly string[]) {
  const { purpose, output } = SERVICE_ACTION_OUTPUTS[action];
  const kinds = { integer: { type: 'integer', format: 'int32' }, string: { type: 'string' } } as const;
  builder.schemas[`${action}Request`] = {
    type: 'object',
    properties: Object.fromEntries(Object.entries(spec.input).map(([name, kind]) => [name, kinds[kind]])),
    additionalProperties: false,
  };
  builder.schemas[`${action}Result`] = output;
  return {
    post: {
      operationId: action,
      summary: action,
      description: purpose,
      requestBody: { required: false, content: { 'application/json': { schema: ref(`${action}Request`) } } },
      responses: {
        200: {
          description: `The ${action} output.`,
          headers: REQUEST_ID_HEADER,
          content: { 'application/json': { schema: ref(`${action}Result`) } },
        },
        ...Object.fromEntries(errors.map((name) => [name.slice('Error'.length), { $ref: `#/components/responses/${name}` }])),
      },
    },
  };
}

const DESCRIPTION = [
  'The JSON API of a self-hosted Amazon VPC IP Address Manager: `POST /api/{Action}` for each EC2 IPAM action the service implements.',
  'The body is the input object a JavaScript SDK caller passes to the action (member names as in @aws-sdk/client-ec2, timestamps as ISO 8601 strings);',
  'the answer is the output object the SDK would return. Requests are signed with AWS Signature Version 4 for service `ec2`, exactly as for the EC2 Query API at `/`.',
  "Errors are `{ code, message, requestId }` with the EC2 error code; errors API Gateway answers itself (throttling, a Lambda failure) and the local server's 408 use the EC2 Query XML error envelope instead.",
].join(' ');

function buildOpenApiDocument(actions: readonly string[]): OpenApiDocument {
  const builder = new SchemaBuilder();
  const errors = errorResponses();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const action of actions) paths[`/api/${action}`] = actionPath(action, builder, Object.keys(errors));
  for (const [action, spec] of Object.entries(SERVICE_ACTIONS)) {
    if (`${action}Request` in builder.schemas) throw new Error(`${action} is both an EC2 action and one of this service's`);
    paths[`/api/${action}`] = serviceActionPath(action, spec, builder, Object.keys(errors));
  }
  if (ERROR_SCHEMA in builder.schemas) throw new Error(`an EC2 shape is named ${ERROR_SCHEMA}, the name of the error schema`);
  paths[OPENAPI_DOCUMENT_PATH] = {
    get: {
      operationId: 'GetOpenApiDocument',
      summary: 'This document',
      security: [],
      responses: {
        200: { description: 'The OpenAPI document of the JSON API.', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Self-hosted Amazon VPC IPAM — JSON API', version: '2016-11-15', description: DESCRIPTION },
    security: [{ sigv4: [] }],
    paths,
    components: {
      schemas: { ...builder.schemas, [ERROR_SCHEMA]: errorSchema() },
      responses: errors,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            "AWS Signature Version 4 (AWS4-HMAC-SHA256) for service `ec2` and the caller's region, made with an access key this service issued, " +
            'over the method, the path as sent, the Host and X-Amz-Date headers and the body. Any AWS SigV4 signer does it (e.g. @smithy/signature-v4, botocore, `curl --aws-sigv4`).',
        },
      },
    },
  };
}

const documents = new Map<boolean, OpenApiDocument>();

/**
 * The document for this server's action table, built on first use and kept for the life of the
 * process; without the EC2 companions (VPCs, subnets) where they answer InvalidAction (`off`).
 */
export function openApiDocument(companions = true): OpenApiDocument {
  let document = documents.get(companions);
  if (!document) {
    document = buildOpenApiDocument(Object.keys(ACTIONS).filter((action) => companions || !ACTIONS[action].ec2Companion));
    documents.set(companions, document);
  }
  return document;
}

/**
 * The document as served at `{basePath}/api/openapi.json`: its server is `basePath` (API Gateway's
 * stage, `''` locally), so a client generated from it calls the same deployment it came from.
 */
export function servedOpenApiDocument(basePath: string, companions = true): string {
  return JSON.stringify({ ...openApiDocument(companions), servers: [{ url: basePath || '/' }] });
}
