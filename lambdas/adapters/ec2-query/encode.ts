// Output object → EC2 Query XML (§3), and IpamError → the EC2 error envelope (§4.1).
//
// The XML is written by the SDK's own XmlShapeSerializer (@aws-sdk/core/protocols, §11) rather
// than a walk of ours: it already applies the schema's xmlName traits, writes lists as
// `<xxxSet><item>…</item></xxxSet>` and empty ones as `<xxxSet/>`, omits null/undefined, writes
// booleans lower-case and Dates as ISO 8601 UTC, and escapes text. It is an exported but
// internal-looking class, so @aws-sdk/core is pinned and test/unit/codec checks our XML against
// the golden samples and the real JS SDK parser. Both envelopes are expressed as static schemas
// of their own, so no XML is assembled by string concatenation here.
//
// The serializer escapes markup but passes on characters XML 1.0 cannot carry at all (control
// characters, U+FFFE/U+FFFF, lone surrogates), so every string is made safe first: whatever was
// stored before the edge refused such text, or an error message that quotes input, the XML
// stays well-formed.
import { XmlShapeSerializer } from '@aws-sdk/core/protocols';
import { IpamError, messages } from '../../domain/errors.ts';
import { isRecord, kindOf, outputOf, rawMembers, type Shape } from './schema-walk.ts';
import { xmlSafe } from './xml-text.ts';

export const EC2_XML_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const SERVICE_NAMESPACE = 'com.amazonaws.ec2';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const STRUCTURE = 3;
const LIST = 1;

type SerializerSchema = Parameters<XmlShapeSerializer['write']>[0];

/** An empty `xmlNamespace` gives a root without `xmlns`, as the error envelope must be. */
function serialize(schema: readonly unknown[], value: Record<string, unknown>, xmlNamespace = ''): string {
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
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([name, member]) => [name, xmlSafeStrings(member)])) as T;
  return value;
}

/**
 * `<{Action}Response xmlns="…/2016-11-15/"><requestId>…</requestId>…members…</…>`: EC2 has no
 * Result wrapper, so the envelope is the output structure with `requestId` as its first member.
 */
export function encodeQueryResponse(action: string, output: object, requestId: string): string {
  const shape = outputOf(action);
  if (!shape) throw new IpamError('InvalidAction', messages.invalidAction(action));
  const { names, schemas } = rawMembers(shape);
  const envelope = [STRUCTURE, SERVICE_NAMESPACE, `${action}Response`, 0, ['requestId', ...names], [0, ...schemas]];
  return serialize(envelope, { ...(withDates(shape, output) as object), requestId }, EC2_XML_NAMESPACE);
}

/**
 * Records keep times as ISO 8601 strings (they round-trip through JSON and DynamoDB); the XML
 * serializer wants Dates in timestamp members, so they are converted here, by the schema.
 */
function withDates(shape: Shape, value: unknown): unknown {
  switch (kindOf(shape)) {
    case 'timestamp':
      return typeof value === 'string' ? new Date(value) : value;
    case 'list':
      return Array.isArray(value) ? value.map((item) => withDates(shape.getValueSchema(), item)) : value;
    case 'structure': {
      if (!isRecord(value)) return value;
      const converted: Record<string, unknown> = { ...value };
      for (const [name, member] of shape.structIterator()) {
        if (converted[name] !== undefined) converted[name] = withDates(member, converted[name]);
      }
      return converted;
    }
    default:
      return value;
  }
}

// <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>, no namespace;
// `RequestID` with a capital ID is what botocore reads (§4.1).
const ErrorDetail = [STRUCTURE, SERVICE_NAMESPACE, 'Error', 0, ['Code', 'Message'], [0, 0]];
const ErrorList = [LIST, SERVICE_NAMESPACE, 'Errors', 0, [() => ErrorDetail, { xmlName: 'Error' }]];
const ErrorEnvelope = [STRUCTURE, SERVICE_NAMESPACE, 'Response', 0, ['Errors', 'RequestID'], [[() => ErrorList, 0], 0]];

export function encodeQueryError(error: IpamError, requestId: string): string {
  return serialize(ErrorEnvelope, {
    Errors: [{ Code: error.code, Message: error.message }],
    RequestID: requestId,
  });
}
