// The JSON API's OpenAPI document: a well-formed OpenAPI 3.1 document with one path per action
// of the action table, schemas that say what the codec accepts and answers, and the error table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outputOf } from '../../../lambdas/adapters/ec2-query/schema-walk.ts';
import { decodeJsonRequest } from '../../../lambdas/adapters/json-api/codec.ts';
import details from '../../../lambdas/adapters/json-api/model-details.generated.json' with { type: 'json' };
import { type JsonSchema, openApiDocument, SchemaBuilder } from '../../../lambdas/adapters/json-api/openapi.ts';
import { NormalizedSchema } from '@smithy/core/schema';
import { ERROR_STATUS } from '../../../lambdas/domain/errors.ts';
import { ACTIONS, isImplementedAction, SERVICE_ACTIONS } from '../../../lambdas/use-cases/kernel/actions.ts';
import { buildModelDetails } from '../../../scripts/generate-constraints.ts';
import { resolvePointer, SCHEMA_KEYWORDS, schemaErrors } from '../../support/json-schema.ts';

const document = openApiDocument();
const schemas = document.components.schemas;
const actions = Object.keys(ACTIONS);

/** Every object in the document with the JSON pointer that reaches it. */
function* nodes(value: unknown, pointer = '#'): Generator<[string, Record<string, unknown>]> {
  if (typeof value !== 'object' || value === null) return;
  if (!Array.isArray(value)) yield [pointer, value as Record<string, unknown>];
  for (const [key, child] of Object.entries(value)) yield* nodes(child, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
}

/** The schema a member path reaches from a component, following $refs and array items. */
function schemaAt(component: string, path: string): JsonSchema {
  let schema: JsonSchema = schemas[component];
  for (const part of path.split('.')) {
    schema = schema.properties![part];
    while (schema.$ref || schema.items) schema = schema.$ref ? (resolvePointer(document, schema.$ref) as JsonSchema) : schema.items!;
  }
  return schema;
}

const operation = (action: string) =>
  document.paths[`/api/${action}`].post as {
    operationId: string;
    requestBody: { required: boolean; content: Record<string, { schema: JsonSchema }> };
    responses: Record<string, { $ref?: string; content?: Record<string, { schema: JsonSchema }> }>;
  };

describe('the document is OpenAPI 3.1', () => {
  it('has the version, info, paths and components an OpenAPI 3.1 document must or may have', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(document).sort()).toEqual(['components', 'info', 'openapi', 'paths', 'security']);
    for (const path of Object.keys(document.paths)) expect(path).toMatch(/^\/api\/[A-Za-z0-9.]+$/);
  });

  it('every $ref resolves, inside the document', () => {
    const refs = [...nodes(document)].flatMap(([, node]) => (typeof node.$ref === 'string' ? [node.$ref] : []));
    expect(refs.length).toBeGreaterThan(100);
    expect(refs.filter((ref) => resolvePointer(document, ref) === undefined)).toEqual([]);
  });

  it('every schema uses only the keywords and formats the schema checker knows', () => {
    const schemaObjects = [
      ...Object.values(schemas),
      ...[...nodes(document.paths)].flatMap(([, node]) => (node.schema ? [node.schema as JsonSchema] : [])),
    ]
      .flatMap((schema) => [...nodes(schema)].map(([, node]) => node))
      // property maps are objects too; a schema is a node with a schema keyword
      .filter((node) => ['type', '$ref'].some((keyword) => keyword in node));
    for (const schema of schemaObjects) {
      expect(Object.keys(schema).filter((keyword) => !SCHEMA_KEYWORDS.has(keyword))).toEqual([]);
      if (schema.format) expect(['date-time', 'int32', 'int64', 'double']).toContain(schema.format);
    }
  });

  it('operation ids are unique, and every operation answers 200 and names its security', () => {
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item)) as { operationId: string; responses: object }[];
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
    for (const op of operations) expect(op.responses).toHaveProperty('200');
    expect(document.security).toEqual([{ sigv4: [] }]);
    expect(document.components.securitySchemes.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: expect.stringMatching(/Signature Version 4.*`ec2`/),
    });
    expect(document.paths['/api/openapi.json'].get).toMatchObject({ security: [] });
  });

  it('is built once per process', () => {
    expect(openApiDocument()).toBe(document);
  });
});

describe('paths are the action table', () => {
  it('every implemented action has POST /api/{Action}, with its input as the body and its output (`{}` for none) as the 200 answer', () => {
    for (const action of actions) {
      const op = operation(action);
      expect(op.operationId).toBe(action);
      expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${action}Request` });
      expect(op.responses['200'].content?.['application/json'].schema).toEqual(
        outputOf(action)!.isUnitSchema()
          ? { type: 'object', additionalProperties: false }
          : { $ref: `#/components/schemas/${action}Result` },
      );
    }
  });

  it('no other path: no unimplemented action appears, only this service’s own besides EC2’s', () => {
    const documented = Object.keys(document.paths)
      .filter((path) => path !== '/api/openapi.json')
      .map((path) => path.slice('/api/'.length));
    const own = Object.keys(SERVICE_ACTIONS);
    expect(own).toEqual(['ListRecentEvents']);
    expect(documented.sort()).toEqual([...actions, ...own].sort());
    expect(documented.filter((action) => !isImplementedAction(action) && !own.includes(action))).toEqual([]);
    expect(operation('ListRecentEvents').requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ListRecentEventsRequest',
    });
    expect(document.paths).not.toHaveProperty('/api/CreateInternetGateway');
  });

  it('leaves out the EC2 companions where they answer InvalidAction (the cloud)', () => {
    const cloud = openApiDocument(false);
    expect(cloud.paths).toHaveProperty('/api/AllocateIpamPoolCidr');
    expect(cloud.paths).not.toHaveProperty('/api/CreateVpc');
    expect(cloud.paths).not.toHaveProperty('/api/DescribeSubnets');
    expect(document.paths).toHaveProperty('/api/CreateVpc');
  });

  it('a body is required exactly where the input has required members', () => {
    expect(operation('DescribeIpams').requestBody.required).toBe(false);
    expect(operation('AllocateIpamPoolCidr').requestBody.required).toBe(true);
    expect(schemas.AllocateIpamPoolCidrRequest.required).toEqual(['IpamPoolId']);
  });
});

describe('schemas say what the codec reads and writes', () => {
  it('structures are closed objects, lists arrays, numbers by their model width, timestamps date-times', () => {
    expect(schemas.Ipam).toMatchObject({ type: 'object', additionalProperties: false });
    expect(schemas.Ipam.properties!.OperatingRegions).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/IpamOperatingRegion' },
    });
    expect(schemas.Ipam.properties!.ScopeCount).toEqual({ type: 'integer', format: 'int32' });
    expect(schemas.Ipam.properties!.EnablePrivateGua).toEqual({ type: 'boolean' });
    expect(schemas.IpamResourceCidr.properties!.IpUsage).toEqual({ type: 'number', format: 'double' });
    expect(schemas.GetIpamAddressHistoryRequest.properties!.StartTime).toEqual({ type: 'string', format: 'date-time' });
    expect(schemaAt('DescribeIpamPoolsResult', 'IpamPools.AllocationMinNetmaskLength')).toEqual({ type: 'integer', format: 'int32' });
    expect(schemaAt('ProvisionIpamByoasnRequest', 'AsnAuthorizationContext.Message')).toEqual({ type: 'string' });
  });

  it('a shape that contains itself ends in a $ref to its own component', () => {
    // Static schemas as the SDK writes them: a tree node whose Children are a list of nodes.
    const node: unknown[] = [3, 'test', 'TreeNode', 0, ['Name', 'Children'], [0, [() => nodeList, 0]]];
    const nodeList: unknown[] = [1, 'test', 'TreeNodeList', 0, () => node];
    const builder = new SchemaBuilder();
    expect(builder.structure(NormalizedSchema.of(node as Parameters<typeof NormalizedSchema.of>[0]))).toEqual({
      $ref: '#/components/schemas/TreeNode',
    });
    expect(builder.schemas).toEqual({
      TreeNode: {
        type: 'object',
        properties: { Name: { type: 'string' }, Children: { type: 'array', items: { $ref: '#/components/schemas/TreeNode' } } },
        additionalProperties: false,
      },
    });
  });

  it('enums are named components with the model values, on inputs and outputs alike', () => {
    expect(schemas.Ipam.properties!.State).toEqual({ $ref: '#/components/schemas/IpamState' });
    expect(schemas.IpamState).toEqual({
      type: 'string',
      enum: expect.arrayContaining(['create-in-progress', 'create-complete', 'delete-complete']),
    });
    expect(schemaAt('CreateIpamPoolRequest', 'AddressFamily')).toEqual({ type: 'string', enum: ['ipv4', 'ipv6'] });
    expect(schemaAt('CreateIpamRequest', 'TagSpecifications.ResourceType').enum).toContain('ipam-pool');
  });

  it('the error body is one shared schema, and every status of the error table is a response of every action', () => {
    expect(schemas.Error).toMatchObject({ required: ['code', 'message', 'requestId'], additionalProperties: false });
    expect(schemas.Error.properties!.code.enum).toEqual(Object.keys(ERROR_STATUS));
    const statuses = [...new Set(Object.values(ERROR_STATUS))].map(String).sort();
    // 429: RAM's ThrottlingException shares the one error table.
    expect(statuses).toEqual(['400', '401', '403', '408', '412', '413', '429', '500', '503']);
    for (const action of actions) {
      const errors = Object.keys(operation(action).responses).filter((status) => status !== '200');
      expect(errors.sort()).toEqual(statuses);
    }
    expect(document.components.responses.Error412).toMatchObject({ description: expect.stringContaining('`DryRunOperation`') });
  });

  it('inputs the codec accepts conform to the request schemas', () => {
    const inputs: Record<string, object> = {
      CreateIpam: {
        Description: 'Prod IPAM',
        OperatingRegions: [{ RegionName: 'us-east-1' }],
        TagSpecifications: [{ ResourceType: 'ipam', Tags: [{ Key: 'env', Value: 'prod' }] }],
        Tier: 'advanced',
        DryRun: false,
      },
      AllocateIpamPoolCidr: { IpamPoolId: 'ipam-pool-0123456789abcdef0', NetmaskLength: 24, Description: 'app', ClientToken: 't-1' },
      GetIpamAddressHistory: { Cidr: '10.0.0.0/24', IpamScopeId: 's', StartTime: '2024-01-01T00:00:00Z' },
      DescribeIpamPools: { Filters: [{ Name: 'address-family', Values: ['ipv4'] }], MaxResults: 10 },
    };
    for (const [action, input] of Object.entries(inputs)) {
      expect(() => decodeJsonRequest(action, JSON.stringify(input), isImplementedAction)).not.toThrow();
      expect(schemaErrors(document, operation(action).requestBody.content['application/json'].schema, input)).toEqual([]);
    }
  });

  it('the checker does catch what breaks a schema', () => {
    const schema = { $ref: '#/components/schemas/CreateIpamRequest' };
    expect(schemaErrors(document, schema, { Tier: 'platinum', Extra: 1, OperatingRegions: {} })).toEqual([
      expect.stringContaining('$.Tier: "platinum" is not one of'),
      '$: Extra is not a member of the schema',
      '$.OperatingRegions: {} is not of type array',
    ]);
    expect(schemaErrors(document, { $ref: '#/components/schemas/AllocateIpamPoolCidrRequest' }, { NetmaskLength: 1.5 })).toEqual([
      '$: the required member IpamPoolId is missing',
      '$.NetmaskLength: 1.5 is not of type integer',
    ]);
  });
});

describe('model-details.generated.json', () => {
  it('is what the generator makes from the spec', () => {
    const spec = JSON.parse(readFileSync(new URL('../../fixtures/ipam-actions.json', import.meta.url), 'utf8'));
    expect(buildModelDetails(spec)).toEqual(details);
  });

  it('every enum a member names has its values, and every enum in the document is used', () => {
    const enumNames = new Set(Object.values(details.members).flatMap((detail) => ('enum' in detail ? [detail.enum] : [])));
    expect([...enumNames].filter((name) => !(name in details.enums))).toEqual([]);
    // Every enum the implemented actions reach is in the document.
    const referenced = new Set(
      [...nodes(document)].flatMap(([, node]) => (typeof node.$ref === 'string' ? [node.$ref.split('/').pop()!] : [])),
    );
    const documentedEnums = Object.entries(schemas)
      .filter(([, schema]) => schema.enum)
      .map(([name]) => name);
    expect(documentedEnums.filter((name) => !referenced.has(name))).toEqual([]);
  });
});
