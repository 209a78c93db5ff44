// A checker for the part of JSON Schema the OpenAPI document emits (lambdas/adapters/json-api/openapi.ts):
// $ref into the document, type, format (date-time, int32, int64), enum, properties, required,
// additionalProperties and items. Enough to hold real answers against the published contract
// without a validator dependency; a keyword outside that subset fails loudly rather than passing.
import type { JsonSchema } from '../../lambdas/adapters/json-api/openapi.ts';

export const SCHEMA_KEYWORDS = new Set([
  '$ref',
  'type',
  'format',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'description',
]);

const INT32 = 2 ** 31;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The value at a local JSON pointer (`#/components/schemas/Ipam`), or undefined. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const raw of pointer.slice(2).split('/')) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Every way `value` breaks `schema`, each as `path: problem`; empty when it conforms. */
export function schemaErrors(document: unknown, schema: JsonSchema, value: unknown, path = '$'): string[] {
  const unknownKeyword = Object.keys(schema).find((keyword) => !SCHEMA_KEYWORDS.has(keyword));
  if (unknownKeyword) return [`${path}: the checker does not know the keyword ${unknownKeyword}`];
  if (schema.$ref) {
    const target = resolvePointer(document, schema.$ref) as JsonSchema | undefined;
    return target ? schemaErrors(document, target, value, path) : [`${path}: unresolved $ref ${schema.$ref}`];
  }
  const problems: string[] = [];
  if (schema.type && !hasType(value, schema.type)) return [`${path}: ${JSON.stringify(value)} is not of type ${schema.type}`];
  if (schema.enum && !schema.enum.includes(value as string))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (schema.format) problems.push(...formatErrors(schema.format, value, path));
  if (schema.type === 'array' && schema.items) {
    for (const [index, item] of (value as unknown[]).entries())
      problems.push(...schemaErrors(document, schema.items!, item, `${path}[${index}]`));
  }
  if (schema.type === 'object') {
    const record = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in record)) problems.push(`${path}: the required member ${name} is missing`);
    for (const [name, member] of Object.entries(record)) {
      const memberSchema = schema.properties?.[name];
      if (memberSchema) problems.push(...schemaErrors(document, memberSchema, member, `${path}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: ${name} is not a member of the schema`);
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...schemaErrors(document, schema.additionalProperties, member, `${path}.${name}`));
    }
  }
  return problems;
}

function hasType(value: unknown, type: NonNullable<JsonSchema['type']>): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return typeof value === type;
  }
}

function formatErrors(format: string, value: unknown, path: string): string[] {
  switch (format) {
    case 'date-time':
      return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))
        ? []
        : [`${path}: ${JSON.stringify(value)} is not a date-time`];
    case 'int32':
      return (value as number) >= -INT32 && (value as number) < INT32 ? [] : [`${path}: ${value} is outside int32`];
    case 'int64':
    case 'double':
      return [];
    default:
      return [`${path}: the checker does not know the format ${format}`];
  }
}
