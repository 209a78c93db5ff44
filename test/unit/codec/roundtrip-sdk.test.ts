// Whatever a JS SDK caller passes, the SDK's own query serializer writes it and our decoder must
// give the very same object back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeQueryRequest, inputOf } from '../../../lambdas/adapters/ec2-query/codec.ts';
import * as operations from '../../../lambdas/adapters/ec2-query/operations.generated.ts';
import { kindOf, type Shape } from '../../../lambdas/adapters/ec2-query/schema-walk.ts';
import { sdkQueryBody } from './support.ts';

async function roundTrip(action: string, input: Record<string, unknown>) {
  return decodeQueryRequest(await sdkQueryBody(action, input), () => true);
}

describe('representative inputs survive the JS SDK serializer and our decoder', () => {
  it.each([
    [
      'CreateIpam',
      {
        Description: 'Prod IPAM – ünïcode ✓ a+b&c=d 100% <x>',
        OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'eu-west-1' }],
        TagSpecifications: [
          {
            ResourceType: 'ipam',
            Tags: [
              { Key: 'env', Value: 'prod' },
              { Key: 'empty', Value: '' },
            ],
          },
        ],
        Tier: 'advanced',
        EnablePrivateGua: false,
        ClientToken: 'token-1',
      },
    ],
    [
      'AllocateIpamPoolCidr',
      {
        IpamPoolId: 'ipam-pool-0123456789abcdef0',
        NetmaskLength: 24,
        AllowedCidrs: ['10.0.0.0/16', '10.1.0.0/16'],
        DisallowedCidrs: ['10.0.0.0/24'],
        PreviewNextCidr: true,
        ClientToken: 'alloc-token-1',
      },
    ],
    [
      'CreateIpamPool',
      {
        IpamScopeId: 'ipam-scope-0123456789abcdef0',
        AddressFamily: 'ipv6',
        AllocationResourceTags: [{ Key: 'env', Value: 'prod' }],
        SourceResource: { ResourceId: 'vpc-1', ResourceType: 'vpc', ResourceRegion: 'us-east-1', ResourceOwner: '123456789012' },
        PublicIpSource: 'amazon',
        AwsService: 'ec2',
        PubliclyAdvertisable: false,
        AllocationMinNetmaskLength: 0,
        ClientToken: 'c',
      },
    ],
    [
      'GetIpamAddressHistory',
      {
        Cidr: '10.0.0.0/24',
        IpamScopeId: 'ipam-scope-1',
        StartTime: new Date('2024-01-01T00:00:00Z'),
        EndTime: new Date('2024-06-30T10:30:45.500Z'),
        MaxResults: 100,
      },
    ],
    [
      'DescribeIpams',
      {
        Filters: [
          { Name: 'tag:env', Values: ['prod', 'dev'] },
          { Name: 'state', Values: ['x'] },
        ],
        IpamIds: ['ipam-1'],
        MaxResults: 5,
        NextToken: 'abc+/=',
      },
    ],
    ['GetIpamResourceCidrs', { IpamScopeId: 's', ResourceTag: { Key: 'env', Value: 'prod' }, ResourceType: 'vpc' }],
    [
      'CreateIpamPrefixListResolver',
      {
        IpamId: 'ipam-1',
        AddressFamily: 'ipv4',
        Rules: [
          {
            RuleType: 'ipam-resource-cidr',
            Conditions: [
              { Operation: 'equals', ResourceTag: { Key: 'env', Value: 'prod' } },
              { Operation: 'subnet-of', Cidr: '10.0.0.0/8' },
            ],
          },
          { RuleType: 'static-cidr', StaticCidr: '192.168.0.0/16' },
        ],
        ClientToken: 'c',
      },
    ],
    ['GetIpamPrefixListResolverVersions', { IpamPrefixListResolverId: 'r', IpamPrefixListResolverVersions: [1, 9007199254740991] }],
  ] as const)('%s', async (action, input) => {
    expect(await roundTrip(action, input)).toEqual({ action, input });
  });

  it('a ClientToken the SDK generates arrives as given', async () => {
    const { input } = await roundTrip('CreateIpam', { Description: 'x' });
    expect(input).toEqual({ Description: 'x', ClientToken: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('empty lists are not sent, so they decode as absent', async () => {
    expect(await roundTrip('DescribeIpams', { Filters: [], IpamIds: [] })).toEqual({ action: 'DescribeIpams', input: {} });
  });
});

// Every operation the codec knows (operations.generated.ts): the action table's, and the other
// IPAM actions the constraint table describes. test/unit/codec/operations.test.ts checks the list.
const actions = Object.keys(operations)
  .map((name) => name.slice(0, -1))
  .sort();

/** Random values of the shape, as a JS SDK caller could pass them. */
function arbitraryOf(shape: Shape, depth = 0): fc.Arbitrary<unknown> {
  switch (kindOf(shape)) {
    case 'structure': {
      if (depth > 6) return fc.constant({});
      const members = Object.fromEntries(
        [...shape.structIterator()].map(([name, member]) => [
          name,
          // idempotency tokens are always given, or the SDK would invent one we cannot predict
          member.isIdempotencyToken() ? fc.uuid() : arbitraryOf(member, depth + 1),
        ]),
      );
      const tokens = [...shape.structIterator()].filter(([, member]) => member.isIdempotencyToken()).map(([name]) => name);
      return fc.record(members, { requiredKeys: tokens });
    }
    case 'list':
      return fc.array(arbitraryOf(shape.getValueSchema(), depth + 1), { minLength: 0, maxLength: 3 });
    case 'boolean':
      return fc.boolean();
    case 'number':
      return fc.oneof(fc.integer(), fc.maxSafeInteger());
    case 'timestamp':
      return fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59.999Z'), noInvalidDate: true });
    case 'string':
      return fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('a+b&c=d 100%', ' ünïcode ✓ ', '10.0.0.0/16', '=', '.1'));
    default:
      throw new Error(`no arbitrary for ${shape.getName()}`);
  }
}

/** What the decoder can see: empty lists and structures without members never reach the wire. */
function asSent(value: unknown): unknown {
  if (Array.isArray(value)) {
    const elements = value.map(asSent).filter((element) => element !== undefined);
    return elements.length > 0 ? elements : undefined;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value)
      .map(([key, member]) => [key, asSent(member)] as const)
      .filter(([, member]) => member !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

describe('random inputs of every action the codec knows round-trip through the JS SDK serializer', () => {
  it.each(actions)('%s', async (action) => {
    const shape = inputOf(action);
    if (!shape) throw new Error(`the JS SDK has no ${action}`);
    await fc.assert(
      fc.asyncProperty(arbitraryOf(shape), async (input) => {
        const decoded = await roundTrip(action, input as Record<string, unknown>);
        expect(decoded).toEqual({ action, input: asSent(input) ?? {} });
      }),
      { numRuns: 30 },
    );
  });
});
