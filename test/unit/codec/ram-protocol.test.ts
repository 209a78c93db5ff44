// The RAM protocol (adapters/ram) against RAM's own model (test/fixtures/ram-operations.json, from
// botocore): every operation's method, path and members, the error statuses, and the wire details
// clients rely on — query-string members of DELETE, epoch-second times, the error header.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RAM_OPERATIONS } from '../../../lambdas/adapters/ram/operations.ts';
import { ramProtocol } from '../../../lambdas/adapters/ram/protocol.ts';
import { ERROR_STATUS, IpamError } from '../../../lambdas/domain/errors.ts';
import { RAM_ACTIONS } from '../../../lambdas/use-cases/sharing/actions.ts';

interface ModelOperation {
  method: string;
  requestUri: string;
  members: Record<string, { location?: string; required?: boolean }>;
  errors: string[];
}
const model = JSON.parse(readFileSync(new URL('../../fixtures/ram-operations.json', import.meta.url), 'utf8')) as {
  operations: Record<string, ModelOperation>;
  errorStatus: Record<string, number>;
};

const request = (method: string, path: string, body?: unknown, query?: string) => ({
  method,
  path,
  query,
  headers: {},
  body: new TextEncoder().encode(body === undefined ? '' : JSON.stringify(body)),
});

describe("RAM's model", () => {
  it('every operation answers at its method and path, with the members and required ones of the model', () => {
    expect(Object.keys(RAM_OPERATIONS).sort()).toEqual(Object.keys(model.operations).sort());
    expect(Object.keys(RAM_ACTIONS).sort()).toEqual(Object.keys(model.operations).sort());
    for (const [name, operation] of Object.entries(model.operations)) {
      const ours = RAM_OPERATIONS[name]!;
      expect({ name, method: ours.method, path: ours.path }).toEqual({ name, method: operation.method, path: operation.requestUri });
      const members = Object.entries(ours.members);
      // Members this service does not take are absent only when the model lists them as optional.
      for (const [member, shape] of Object.entries(operation.members)) {
        if (shape.required) expect(ours.members[member]?.required, `${name}.${member}`).toBe(true);
        if (ours.members[member]) expect(ours.members[member]!.query === true, `${name}.${member}`).toBe(shape.location === 'querystring');
      }
      for (const [member] of members) expect(operation.members, `${name}.${member}`).toHaveProperty(member);
    }
  });

  it("gives RAM's codes the model's HTTP status", () => {
    for (const [code, status] of Object.entries(model.errorStatus)) {
      if (code in ERROR_STATUS) expect({ code, status: ERROR_STATUS[code as keyof typeof ERROR_STATUS] }).toEqual({ code, status });
    }
    const raised = Object.values(model.operations).flatMap((operation) => operation.errors);
    const known = new Set(Object.keys(ERROR_STATUS));
    // The codes this service raises are the model's (plus UnknownOperationException for a path no operation has).
    for (const code of [
      'UnknownResourceException',
      'MalformedArnException',
      'OperationNotPermittedException',
      'InvalidStateTransitionException',
    ]) {
      expect(raised).toContain(code);
      expect(known.has(code)).toBe(true);
    }
  });
});

describe('the wire', () => {
  it('reads DELETE members from the query string and JSON members from the body', () => {
    const arn = 'arn:aws:ram:us-east-1:111122223333:resource-share/6f1e8c1a-7c9b-4a53-9a0e-2f6d3c1b9e41';
    expect(
      ramProtocol.decode(request('DELETE', '/deleteresourceshare', undefined, `resourceShareArn=${encodeURIComponent(arn)}&clientToken=t`)),
    ).toEqual({
      action: 'DeleteResourceShare',
      input: { resourceShareArn: arn, clientToken: 't' },
    });
    expect(ramProtocol.decode(request('POST', '/getresourceshares', { resourceOwner: 'SELF', unknownMember: 1 }))).toEqual({
      action: 'GetResourceShares',
      input: { resourceOwner: 'SELF' },
    });
    expect(() => ramProtocol.decode(request('POST', '/deleteresourceshare'))).toThrow(IpamError);
    expect(() => ramProtocol.decode(request('POST', '/getresourceshares', 'not an object'))).toThrow(/JSON object/);
    expect(() => ramProtocol.decode(request('POST', '/getresourceshares', { resourceOwner: 'SELF', maxResults: 0 }))).toThrow(
      /between 1 and 500/,
    );
  });

  it('sends times as epoch seconds and errors as x-amzn-ErrorType with a message', () => {
    const encoded = ramProtocol.encode(
      'GetResourceShares',
      { resourceShares: [{ creationTime: '2026-12-07T00:00:01.500Z', name: 'n' }] },
      'r',
    );
    expect(JSON.parse(encoded.body)).toEqual({ resourceShares: [{ creationTime: 1796601601.5, name: 'n' }] });
    const error = ramProtocol.encodeError(new IpamError('IdempotentParameterMismatch', 'token reused'), 'r');
    expect(error).toEqual({
      statusCode: 400,
      headers: { 'content-type': 'application/json', 'x-amzn-ErrorType': 'IdempotentParameterMismatchException' },
      body: '{"message":"token reused"}',
    });
    expect(ramProtocol.encodeError(new IpamError('AuthFailure', 'who?'), 'r').headers['x-amzn-ErrorType']).toBe(
      'UnrecognizedClientException',
    );
  });
});
