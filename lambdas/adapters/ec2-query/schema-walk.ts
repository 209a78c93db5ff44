// The EC2 operations and their shapes, read from the static Smithy schemas that
// @aws-sdk/client-ec2 exports (`CreateIpam$`, `CreateIpamRequest$`, ...). They are the single
// source of member names, wire names, types and required members for both protocol adapters,
// so no action needs hand-written codec code (protocol reference §11).
import { NormalizedSchema } from '@smithy/core/schema';
import { IpamError, messages } from '../../domain/errors.ts';
import * as operations from './operations.generated.ts';

export type Shape = NormalizedSchema;
type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];

const OPERATION = 9;
const sdkExports = operations as unknown as Record<string, unknown>;

/** `[9, namespace, name, traits, () => input, () => output]`, or undefined for anything else. */
function operationSchema(action: string): readonly unknown[] | undefined {
  // Only plain names reach the export lookup, so `__proto__`, `constructor` etc. cannot match.
  if (!/^[A-Za-z0-9]+$/.test(action)) return undefined;
  const name = `${action}$`;
  if (!Object.hasOwn(sdkExports, name)) return undefined;
  const schema = sdkExports[name];
  return Array.isArray(schema) && schema[0] === OPERATION && schema[2] === action ? schema : undefined;
}

/** The input structure of an EC2 action, or undefined if the SDK knows no such action. */
export function inputOf(action: string): Shape | undefined {
  const operation = operationSchema(action);
  return operation && NormalizedSchema.of(operation[4] as SchemaRef);
}

/** The output structure of an EC2 action, or undefined if the SDK knows no such action. */
export function outputOf(action: string): Shape | undefined {
  const operation = operationSchema(action);
  return operation && NormalizedSchema.of(operation[5] as SchemaRef);
}

/** The input of an action this server implements; anything else is EC2's InvalidAction. */
export function implementedInput(action: string, isImplemented: (action: string) => boolean): Shape {
  const input = inputOf(action);
  if (!input || !isImplemented(action)) throw new IpamError('InvalidAction', messages.invalidAction(action));
  return input;
}

type Kind = 'structure' | 'list' | 'boolean' | 'number' | 'timestamp' | 'string' | 'unsupported';

/**
 * What a value of this shape is. Maps, blobs, documents and big numbers are `unsupported`:
 * no IPAM input or output uses them (§2.3), so the codecs treat them as unknown.
 */
export function kindOf(shape: Shape): Kind {
  if (shape.isStructSchema()) return 'structure';
  if (shape.isListSchema()) return 'list';
  if (shape.isBooleanSchema()) return 'boolean';
  if (shape.isNumericSchema()) return 'number';
  if (shape.isTimestampSchema()) return 'timestamp';
  if (shape.isStringSchema()) return 'string';
  return 'unsupported';
}

/** The required members of a structure: the static schema lists them first and stores their count 7th. */
export function requiredMembers(structure: Shape): readonly string[] {
  const raw = structure.getSchema() as readonly unknown[];
  const names = raw[4] as readonly string[];
  const count = typeof raw[6] === 'number' ? raw[6] : 0;
  return names.slice(0, count);
}

/** The raw member names and member schemas of a structure, for building envelopes around it. */
export function rawMembers(structure: Shape): { names: readonly string[]; schemas: readonly unknown[] } {
  if (!structure.isStructSchema()) return { names: [], schemas: [] };
  const raw = structure.getSchema() as readonly unknown[];
  return { names: raw[4] as readonly string[], schemas: raw[5] as readonly unknown[] };
}

/** §2.2: the member's ec2QueryName, else its xmlName with a capital first letter, else its name. */
export function queryName(memberName: string, member: Shape): string {
  const traits = member.getMergedTraits();
  if (typeof traits.ec2QueryName === 'string') return traits.ec2QueryName;
  if (typeof traits.xmlName === 'string') return traits.xmlName.charAt(0).toUpperCase() + traits.xmlName.slice(1);
  return memberName;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
