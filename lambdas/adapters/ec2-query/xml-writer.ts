// XML written by the SDK's own XmlShapeSerializer (@aws-sdk/core/protocols, §11) rather than a walk
// of ours: it already applies the schema's xmlName traits, writes lists as
// `<xxxSet><item>…</item></xxxSet>` and empty ones as `<xxxSet/>`, omits null/undefined, writes
// booleans lower-case and Dates as ISO 8601 UTC, and escapes text. It is an exported but
// internal-looking class, so @aws-sdk/core is pinned and test/unit/codec checks our XML against
// the golden samples and the real JS SDK parser. Envelopes are expressed as static schemas, so no
// XML is assembled by string concatenation.
//
// The serializer escapes markup but passes on characters XML 1.0 cannot carry at all (control
// characters, U+FFFE/U+FFFF, lone surrogates), so every string is made safe first: whatever was
// stored before the edge refused such text, or an error message that quotes input, the XML
// stays well-formed.
//
// Kept apart from the EC2 schemas (schema-walk.ts, @aws-sdk/client-ec2) so that the error
// envelope, which the CDK app also writes, needs no SDK client.
import { XmlShapeSerializer } from '@aws-sdk/core/protocols';
import { xmlSafe } from './xml-text.ts';

export const SERVICE_NAMESPACE = 'com.amazonaws.ec2';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
/** Static schema kinds, as the serializer numbers them. */
export const STRUCTURE = 3;
export const LIST = 1;

type SerializerSchema = Parameters<XmlShapeSerializer['write']>[0];

/** An empty `xmlNamespace` gives a root without `xmlns`, as the error envelope must be. */
export function writeXml(schema: readonly unknown[], value: Record<string, unknown>, xmlNamespace = ''): string {
  const serializer = new XmlShapeSerializer({
    serviceNamespace: SERVICE_NAMESPACE,
    xmlNamespace,
    // Timestamp members without a format trait are ISO 8601 date-times (format 5).
    timestampFormat: { useTrait: true, default: 5 },
  });
  serializer.write(schema as unknown as SerializerSchema, xmlSafeStrings(value));
  return XML_DECLARATION + String(serializer.flush());
}

/** A copy of `value` with every string XML-safe; Dates, numbers and booleans as they are. */
function xmlSafeStrings<T>(value: T): T {
  if (typeof value === 'string') return xmlSafe(value) as T;
  if (Array.isArray(value)) return value.map(xmlSafeStrings) as T;
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([name, member]) => [name, xmlSafeStrings(member)])) as T;
  return value;
}

/** The same test as schema-walk.ts's isRecord, which this file must not import. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
