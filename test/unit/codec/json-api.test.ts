// The JSON API takes the JS SDK's input object as JSON and answers with its output object.
import { describe, expect, it } from 'vitest';
import { decodeJsonRequest, encodeJsonError, encodeJsonResponse } from '../../../lambdas/adapters/json-api/codec.ts';
import { IpamError } from '../../../lambdas/domain/errors.ts';

const all = () => true;

function rejection(action: string, body: string, isImplemented: (action: string) => boolean = all) {
  try {
    decodeJsonRequest(action, body, isImplemented);
  } catch (error) {
    if (error instanceof IpamError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`accepted: ${body}`);
}

describe('decoding', () => {
  it('the input object comes back as given', () => {
    const input = {
      Description: 'Prod IPAM – ünïcode ✓',
      OperatingRegions: [{ RegionName: 'us-east-1' }],
      TagSpecifications: [{ ResourceType: 'ipam', Tags: [{ Key: 'env', Value: 'prod' }] }],
      Tier: 'advanced',
      DryRun: false,
    };
    expect(decodeJsonRequest('CreateIpam', JSON.stringify(input), all)).toEqual({ action: 'CreateIpam', input });
  });

  it('timestamps arrive as ISO strings and become Dates', () => {
    const body = JSON.stringify({
      Cidr: '10.0.0.0/24',
      IpamScopeId: 's',
      StartTime: '2024-01-01T00:00:00Z',
      EndTime: '2024-06-30T10:30:45.500Z',
    });
    expect(decodeJsonRequest('GetIpamAddressHistory', body, all).input).toEqual({
      Cidr: '10.0.0.0/24',
      IpamScopeId: 's',
      StartTime: new Date('2024-01-01T00:00:00Z'),
      EndTime: new Date('2024-06-30T10:30:45.500Z'),
    });
  });

  it('an empty body is an empty input; null members are absent', () => {
    expect(decodeJsonRequest('DescribeIpams', '', all).input).toEqual({});
    expect(decodeJsonRequest('DescribeIpams', '{"MaxResults":null,"NextToken":"t"}', all).input).toEqual({ NextToken: 't' });
  });

  it('unknown or unimplemented actions → InvalidAction', () => {
    expect(rejection('MakeCoffee', '{}')).toEqual({
      code: 'InvalidAction',
      message: 'The action MakeCoffee is not valid for this web service.',
    });
    expect(rejection('DescribeVpcs', '{}', (action) => action.includes('Ipam'))).toMatchObject({ code: 'InvalidAction' });
  });
});

describe('wrong bodies', () => {
  it.each(['{', '{"a":}', 'nope'])('malformed JSON %s → InvalidParameterValue', (body) => {
    expect(rejection('DescribeIpams', body)).toMatchObject({
      code: 'InvalidParameterValue',
      message: expect.stringContaining('The request body is not valid JSON'),
    });
  });

  it.each([
    ['[]', 'Value ([]) for parameter body is invalid. Expecting an object.'],
    ['null', 'Value (null) for parameter body is invalid. Expecting an object.'],
    ['{"MaxResults":"5"}', 'Value ("5") for parameter MaxResults is invalid. Expecting an integer.'],
    ['{"MaxResults":5.5}', 'Value (5.5) for parameter MaxResults is invalid. Expecting an integer.'],
    ['{"DryRun":"true"}', 'Value ("true") for parameter DryRun is invalid. Expecting true or false.'],
    ['{"NextToken":5}', 'Value (5) for parameter NextToken is invalid. Expecting a string.'],
    ['{"IpamIds":"ipam-1"}', 'Value ("ipam-1") for parameter IpamIds is invalid. Expecting a list.'],
    ['{"IpamIds":["ipam-1",7]}', 'Value (7) for parameter IpamIds[1] is invalid. Expecting a string.'],
    ['{"IpamIds":[null]}', 'Value (null) for parameter IpamIds[0] is invalid. Expecting a string.'],
    ['{"Filters":[{"Name":"x","Values":"y"}]}', 'Value ("y") for parameter Filters[0].Values is invalid. Expecting a list.'],
    ['{"Filters":["x"]}', 'Value ("x") for parameter Filters[0] is invalid. Expecting an object.'],
  ])('DescribeIpams %s → InvalidParameterValue', (body, message) => {
    expect(rejection('DescribeIpams', body)).toEqual({ code: 'InvalidParameterValue', message });
  });

  it('a timestamp that is not an ISO string', () => {
    expect(rejection('GetIpamAddressHistory', '{"Cidr":"c","IpamScopeId":"s","StartTime":1704067200}')).toEqual({
      code: 'InvalidParameterValue',
      message:
        'Value (1704067200) for parameter StartTime is invalid. Expecting an ISO 8601 date-time string such as 2024-01-01T00:00:00Z.',
    });
  });

  it.each([
    ['{"Foo":1}', 'Foo'],
    ['{"IpamId":["ipam-1"]}', 'IpamId'], // the Query wire name is not a JSON member
    ['{"Filters":[{"Name":"x","Bogus":1}]}', 'Filters[0].Bogus'],
    ['{"__proto__":{"x":1}}', '__proto__'],
  ])('%s → UnknownParameter %s', (body, parameter) => {
    expect(rejection('DescribeIpams', body)).toEqual({ code: 'UnknownParameter', message: `The parameter ${parameter} is not recognized` });
  });

  it('then validates like the Query API, naming JSON members', () => {
    expect(rejection('CreateIpam', '{"Tier":"platinum"}')).toEqual({
      code: 'InvalidParameterValue',
      message: 'Value (platinum) for parameter Tier is invalid. Valid values: free, advanced',
    });
    expect(rejection('CreateIpam', '{"TagSpecifications":[{"ResourceType":"bogus"}]}')).toMatchObject({
      message: expect.stringContaining('parameter TagSpecifications[0].ResourceType is invalid'),
    });
    expect(rejection('DescribeIpams', '{"MaxResults":1}')).toMatchObject({ code: 'InvalidParameterValue' });
    expect(rejection('CreateIpamPool', '{"AddressFamily":"ipv4"}')).toEqual({
      code: 'MissingParameter',
      message: 'The request must contain the parameter IpamScopeId',
    });
  });
});

describe('encoding', () => {
  it('output as JSON with ISO dates and without undefined members', () => {
    const json = encodeJsonResponse({
      HistoryRecords: [{ SampledStartTime: new Date('2024-06-30T10:30:45.500Z'), ResourceName: undefined, Tags: [] }],
    });
    expect(JSON.parse(json)).toEqual({ HistoryRecords: [{ SampledStartTime: '2024-06-30T10:30:45.500Z', Tags: [] }] });
  });

  it('errors as { code, message, requestId }', () => {
    const error = new IpamError('InvalidIpamPoolId.NotFound', "The ipam-pool ID 'p' does not exist");
    expect(JSON.parse(encodeJsonError(error, 'req-1'))).toEqual({
      code: 'InvalidIpamPoolId.NotFound',
      message: "The ipam-pool ID 'p' does not exist",
      requestId: 'req-1',
    });
  });
});

describe('hostile bodies', () => {
  it('nesting deeper than 32 levels → InvalidParameterValue, before any walk (100,000 deep)', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const body of [deep, `{"Description":${deep}}`, `{"Filters":${deep}}`]) {
      expect(rejection('DescribeIpamPools', body)).toEqual({
        code: 'InvalidParameterValue',
        message: 'The request body nests arrays and objects deeper than 32 levels.',
      });
    }
    // Brackets inside strings do not count.
    expect(() => decodeJsonRequest('CreateIpam', JSON.stringify({ Description: '['.repeat(100) }), all)).not.toThrow();
  });

  it.each([
    ['{"Description":"a\\u0001"}', 'The value for Description contains a character XML cannot carry (U+0001).'],
    ['{"Description":"a\\ud800"}', 'The value for Description contains a character XML cannot carry (U+D800).'],
    ['{"Description":"a\\udc00b"}', 'The value for Description contains a character XML cannot carry (U+DC00).'],
    [
      '{"TagSpecifications":[{"ResourceType":"ipam","Tags":[{"Key":"k","Value":"\\uffff"}]}]}',
      'The value for TagSpecifications[0].Tags[0].Value contains a character XML cannot carry (U+FFFF).',
    ],
    ['{"Descr\\u0000iption":"x"}', 'A member name contains a character XML cannot carry (U+0000).'],
  ])('%s → InvalidParameterValue naming the code point', (body, message) => {
    expect(rejection('CreateIpam', body)).toEqual({ code: 'InvalidParameterValue', message });
  });

  it('a paired surrogate (emoji) is fine', () => {
    expect(decodeJsonRequest('CreateIpam', '{"Description":"\\ud83d\\udc19"}', all).input).toEqual({ Description: '🐙' });
  });
});
