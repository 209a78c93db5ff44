// Output object → EC2 Query XML (§3), written by the SDK's serializer (xml-writer.ts) from the
// output's static schema. The error envelope (§4.1) is error-envelope.ts.
import { IpamError, messages } from '../../domain/errors.ts';
import { isRecord, kindOf, outputOf, rawMembers, type Shape } from './schema-walk.ts';
import { SERVICE_NAMESPACE, STRUCTURE, writeXml } from './xml-writer.ts';

export const EC2_XML_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/**
 * `<{Action}Response xmlns="…/2016-11-15/"><requestId>…</requestId>…members…</…>`: EC2 has no
 * Result wrapper, so the envelope is the output structure with `requestId` as its first member.
 */
export function encodeQueryResponse(action: string, output: object, requestId: string): string {
  const shape = outputOf(action);
  if (!shape) throw new IpamError('InvalidAction', messages.invalidAction(action));
  const { names, schemas } = rawMembers(shape);
  const envelope = [STRUCTURE, SERVICE_NAMESPACE, `${action}Response`, 0, ['requestId', ...names], [0, ...schemas]];
  return writeXml(envelope, { ...(withDates(shape, output) as object), requestId }, EC2_XML_NAMESPACE);
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
