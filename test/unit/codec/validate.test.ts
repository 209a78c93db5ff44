// The server-side checks the JS SDK never makes (§2.5): required members, enums, ranges, list sizes.
import * as ec2 from '@aws-sdk/client-ec2';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeQueryRequest, inputOf, validateInput } from '../../../lambdas/adapters/ec2-query/codec.ts';
import table from '../../../lambdas/adapters/ec2-query/constraints.generated.json' with { type: 'json' };
import { kindOf, type Shape } from '../../../lambdas/adapters/ec2-query/schema-walk.ts';
import { IpamError } from '../../../lambdas/domain/errors.ts';
import { buildConstraints } from '../../../scripts/generate-constraints.ts';
import { capturedRequests } from './support.ts';

/** Decodes and validates a Query body; returns the error as `{ code, message }`. */
function queryRejection(body: string) {
  return rejection(() => {
    const { action, input } = decodeQueryRequest(`Version=2016-11-15&${body}`, () => true);
    validateInput(action, input);
  });
}

function rejection(run: () => void) {
  try {
    run();
  } catch (error) {
    if (error instanceof IpamError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

const invalid = (message: string) => ({ code: 'InvalidParameterValue', message });

describe('what clients really sent is valid', () => {
  it.each(capturedRequests().map((request) => [request.file, request] as const))('%s', (_file, request) => {
    const { action, input } = decodeQueryRequest(request.body, () => true);
    expect(() => validateInput(action, input)).not.toThrow();
  });
});

describe('rejected values', () => {
  it('an enum value outside the model', () => {
    expect(queryRejection('Action=CreateIpam&Tier=platinum')).toEqual(
      invalid('Value (platinum) for parameter Tier is invalid. Valid values: free, advanced'),
    );
  });

  it('an enum inside a list of structures is named by its wire path', () => {
    expect(queryRejection('Action=CreateIpam&TagSpecification.1.ResourceType=ipam&TagSpecification.2.ResourceType=bogus')).toMatchObject(
      invalid(
        expect.stringMatching(/^Value \(bogus\) for parameter TagSpecification\.2\.ResourceType is invalid\. Valid values: .*ipam-pool/),
      ),
    );
  });

  it.each([
    ['DescribeIpams&MaxResults=1', 'Value (1) for parameter MaxResults is invalid. Expecting a value between 5 and 1000.'],
    ['DescribeIpams&MaxResults=1001', 'Value (1001) for parameter MaxResults is invalid. Expecting a value between 5 and 1000.'],
    [
      'GetIpamPoolAllocations&IpamPoolId=p&MaxResults=999',
      'Value (999) for parameter MaxResults is invalid. Expecting a value between 1000 and 100000.',
    ],
    [
      'CreateIpamPool&IpamScopeId=s&AddressFamily=ipv6&AllocationMaxNetmaskLength=129',
      'Value (129) for parameter AllocationMaxNetmaskLength is invalid. Expecting a value between 0 and 128.',
    ],
    ['CreateIpamPool&IpamScopeId=s&AddressFamily=ipv5', 'Value (ipv5) for parameter AddressFamily is invalid. Valid values: ipv4, ipv6'],
  ])('%s', (body, message) => {
    expect(queryRejection(`Action=${body}`)).toEqual(invalid(message));
  });

  it('bounds are inclusive', () => {
    for (const body of [
      'DescribeIpams&MaxResults=5',
      'DescribeIpams&MaxResults=1000',
      'GetIpamPoolAllocations&IpamPoolId=p&MaxResults=1000',
    ]) {
      expect(() => queryRejection(`Action=${body}`)).toThrow('accepted');
    }
  });

  it('a list longer than the model allows', () => {
    const regions = Array.from({ length: 51 }, (_, i) => `OperatingRegion.${i + 1}.RegionName=r${i}`).join('&');
    expect(queryRejection(`Action=CreateIpam&${regions}`)).toEqual(
      invalid('Value (51 items) for parameter OperatingRegion is invalid. Expecting at most 50 items.'),
    );
    expect(() => queryRejection(`Action=CreateIpam&${regions.replace(/&OperatingRegion\.51\..*$/, '')}`)).toThrow('accepted');
  });
});

describe('missing required members', () => {
  it.each([
    ['CreateIpamPool', 'IpamScopeId'],
    ['CreateIpamPool&IpamScopeId=s', 'AddressFamily'],
    ['AllocateIpamPoolCidr&NetmaskLength=24', 'IpamPoolId'],
    ['DeleteIpam', 'IpamId'],
    // required inside a list element, named by its wire path
    ['CreateIpamPrefixListResolver&IpamId=i&AddressFamily=ipv4&Rule.1.StaticCidr=10.0.0.0/8', 'Rule.1.RuleType'],
  ])('%s → MissingParameter %s', (body, parameter) => {
    expect(queryRejection(`Action=${body}`)).toEqual({
      code: 'MissingParameter',
      message: `The request must contain the parameter ${parameter}`,
    });
  });

  it('JSON naming names members as the JSON body does', () => {
    const input = { IpamId: 'i', AddressFamily: 'ipv4', Rules: [{ RuleType: 'static-cidr' }, { StaticCidr: 'x' }] };
    expect(rejection(() => validateInput('CreateIpamPrefixListResolver', input, 'json'))).toEqual({
      code: 'MissingParameter',
      message: 'The request must contain the parameter Rules[1].RuleType',
    });
  });

  it('an unknown action is InvalidAction, not a crash', () => {
    expect(rejection(() => validateInput('NoSuchAction', {}))).toMatchObject({ code: 'InvalidAction' });
  });
});

describe('constraints.generated.json', () => {
  it('is what the generator makes from the spec', () => {
    const spec = JSON.parse(readFileSync(new URL('../../fixtures/ipam-actions.json', import.meta.url), 'utf8'));
    expect(buildConstraints(spec)).toEqual(table);
  });

  /** The shape at `Member[].Child`-style path, or undefined if the JS schema has no such member. */
  function shapeAt(input: Shape, path: string): Shape | undefined {
    let shape: Shape | undefined = input;
    for (const part of path.split('.')) {
      const [name, ...lists] = part.split('[]');
      if (!shape?.isStructSchema()) return undefined;
      const members: Map<string, Shape> = new Map(shape.structIterator());
      shape = members.get(name);
      for (let i = 1; i < lists.length + 1 && shape; i++) shape = shape.isListSchema() ? shape.getValueSchema() : undefined;
    }
    return shape;
  }

  const rules = Object.entries(table.actions).flatMap(([action, paths]) =>
    Object.entries(paths).map(([path, rule]) => [action, path, rule] as const),
  );

  it.each(rules)('%s %s applies to a JS schema member of the right kind', (action, path, rule) => {
    const input = inputOf(action);
    expect(input, `the JS SDK has no ${action}`).toBeDefined();
    const shape = shapeAt(input as Shape, path);
    expect(shape, `no member ${path}`).toBeDefined();
    const kind = kindOf(shape as Shape);
    if ('enum' in rule) expect(kind).toBe('string');
    if ('min' in rule || 'max' in rule) expect(kind).toBe('number');
    if ('minItems' in rule || 'maxItems' in rule) expect(kind).toBe('list');
  });

  it('every enum accepts at least the values the pinned JS SDK knows', () => {
    for (const [name, values] of Object.entries(table.enums)) {
      const sdkValues = (ec2 as unknown as Record<string, Record<string, string> | undefined>)[name];
      if (sdkValues) expect(values, name).toEqual(expect.arrayContaining(Object.values(sdkValues)));
    }
  });
});

describe('caps where the model has none (input-limits.ts)', () => {
  it('ClientToken: at most 64 printable ASCII characters, as EC2 documents', () => {
    expect(() => validateInput('CreateIpam', { ClientToken: 't'.repeat(64) })).not.toThrow();
    expect(queryRejection(`Action=CreateIpam&ClientToken=${'t'.repeat(65)}`)).toEqual(
      invalid(`Value (${'t'.repeat(64)}… (65 characters)) for parameter ClientToken is invalid. Expecting a length at most 64 characters.`),
    );
    expect(queryRejection('Action=CreateIpam&ClientToken=t%C3%A9')?.message).toContain('printable ASCII');
  });

  it('Description: 64 KiB of UTF-8, counted in bytes', () => {
    expect(() => validateInput('CreateIpam', { Description: 'd'.repeat(65_536) })).not.toThrow();
    expect(queryRejection(`Action=CreateIpam&Description=${'d'.repeat(65_537)}`)?.message).toMatch(
      /^Value \(d{64}… \(65537 characters\)\) for parameter Description is invalid\. Expecting a length at most 65536 bytes of UTF-8\.$/,
    );
    // 16,385 four-byte characters are 65,540 bytes.
    expect(queryRejection(`Action=CreateIpam&Description=${'%F0%9F%90%99'.repeat(16_385)}`)?.code).toBe('InvalidParameterValue');
  });

  it('ids and other short strings: 255 bytes; tags 128/256 characters; filter values 255', () => {
    expect(queryRejection(`Action=DescribeIpamPools&IpamPoolId.1=${'i'.repeat(256)}`)?.message).toContain(
      'parameter IpamPoolId.1 is invalid. Expecting a length at most 255 bytes',
    );
    expect(
      queryRejection(`Action=CreateIpam&TagSpecification.1.ResourceType=ipam&TagSpecification.1.Tag.1.Key=${'k'.repeat(129)}`)?.message,
    ).toContain('TagSpecification.1.Tag.1.Key is invalid. Expecting a length at most 128 characters.');
    expect(queryRejection(`Action=DescribeIpams&Filter.1.Name=state&Filter.1.Value.1=${'v'.repeat(256)}`)?.message).toContain(
      'Filter.1.Value.1 is invalid',
    );
    expect(() => validateInput('DescribeIpams', { NextToken: 'n'.repeat(10_000) })).not.toThrow();
  });

  it('lists: 50 tags, else 1000 elements', () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(rejection(() => validateInput('CreateIpam', { TagSpecifications: [{ ResourceType: 'ipam', Tags: tags }] }))).toEqual(
      invalid('Value (51 items) for parameter TagSpecification.1.Tag is invalid. Expecting at most 50 items.'),
    );
    const ids = Array.from({ length: 1001 }, (_, i) => `ipam-pool-${i}`);
    expect(rejection(() => validateInput('DescribeIpamPools', { IpamPoolIds: ids }))?.message).toContain('Expecting at most 1000 items.');
  });
});

describe('text XML cannot carry, in the Query body', () => {
  it.each([
    ['Description=a%01b', 'The value for Description contains a character XML cannot carry (U+0001).'],
    ['Description=a%EF%BF%BF', 'The value for Description contains a character XML cannot carry (U+FFFF).'],
    ['Fo%00o=1', 'A parameter name contains a character XML cannot carry (U+0000).'],
  ])('%s → InvalidParameterValue without the character', (params, message) => {
    expect(queryRejection(`Action=CreateIpam&${params}`)).toEqual(invalid(message));
  });

  it('the action name is checked before it is looked up', () => {
    expect(queryRejection('Action=DescribeIpams%00')).toEqual(
      invalid('The value for Action contains a character XML cannot carry (U+0000).'),
    );
  });

  it('tab, line feed, carriage return and emoji are fine', () => {
    expect(() =>
      decodeQueryRequest('Action=CreateIpam&Version=2016-11-15&Description=a%09b%0Ac%0Dd%F0%9F%90%99', () => true),
    ).not.toThrow();
  });
});
