// Decoding the EC2 Query bodies that the AWS CLI, boto3 and the JS SDK really sent.
import { describe, expect, it } from 'vitest';
import { decodeQueryRequest } from '../../../lambdas/adapters/ec2-query/codec.ts';
import { IpamError } from '../../../lambdas/domain/errors.ts';
import { capturedBody, capturedRequests } from './support.ts';

const all = () => true;
const decode = (body: string) => decodeQueryRequest(body, all);

/** The error a body is rejected with, as `{ code, message }`. */
function rejection(body: string, isImplemented: (action: string) => boolean = all) {
  try {
    decodeQueryRequest(body, isImplemented);
  } catch (error) {
    if (error instanceof IpamError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`accepted: ${body}`);
}

const clients = ['awscli1', 'boto3', 'jssdk3'];

describe('every captured request', () => {
  const requests = capturedRequests();

  it('covers all 63 samples', () => {
    expect(requests).toHaveLength(63);
  });

  it.each(requests.map((request) => [request.file, request] as const))('%s decodes to its action', (_file, request) => {
    const decoded = decode(request.body);
    expect(decoded.action).toBe(request.action);
    expect(typeof decoded.input).toBe('object');
  });
});

describe('decoded inputs are what the caller passed', () => {
  it.each(clients)('%s CreateIpam: unicode description, regions, tag specifications', (client) => {
    const { action, input } = decode(capturedBody(`${client}-CreateIpam.txt`));
    expect(action).toBe('CreateIpam');
    expect(input).toEqual({
      Description: 'Prod IPAM – ünïcode ✓ a+b&c=d 100%',
      OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'us-west-2' }],
      TagSpecifications: [
        {
          ResourceType: 'ipam',
          Tags: [
            { Key: 'env', Value: 'prod' },
            { Key: 'owner', Value: 'net team' },
          ],
        },
      ],
      Tier: 'advanced',
      ClientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it.each(clients)('%s AllocateIpamPoolCidr: string lists and a boolean', (client) => {
    expect(decode(capturedBody(`${client}-AllocateIpamPoolCidr.txt`)).input).toEqual({
      IpamPoolId: 'ipam-pool-0123456789abcdef0',
      NetmaskLength: 24,
      AllowedCidrs: ['10.0.0.0/16', '10.1.0.0/16'],
      DisallowedCidrs: ['10.0.0.0/24', '10.0.1.0/24'],
      PreviewNextCidr: true,
      ClientToken: 'alloc-token-1',
      Description: 'app subnet',
    });
  });

  it.each(clients)('%s GetIpamAddressHistory: timestamps with and without fraction', (client) => {
    expect(decode(capturedBody(`${client}-GetIpamAddressHistory.txt`)).input).toEqual({
      Cidr: '10.0.0.0/24',
      IpamScopeId: 'ipam-scope-0123456789abcdef0',
      StartTime: new Date('2024-01-01T00:00:00Z'),
      EndTime: new Date('2024-06-30T10:30:45.500Z'),
      MaxResults: 100,
    });
  });

  it.each(clients)('%s GetIpamResourceCidrs: nested structure without index', (client) => {
    expect(decode(capturedBody(`${client}-GetIpamResourceCidrs.txt`)).input).toEqual({
      IpamScopeId: 'ipam-scope-0123456789abcdef0',
      ResourceType: 'vpc',
      ResourceTag: { Key: 'env', Value: 'prod' },
      MaxResults: 5,
    });
  });

  it.each(clients)('%s DescribeIpams: filters with value lists', (client) => {
    expect(decode(capturedBody(`${client}-DescribeIpams.txt`)).input).toEqual({
      Filters: [
        { Name: 'tag:env', Values: ['prod'] },
        { Name: 'state', Values: ['create-complete', 'modify-complete'] },
      ],
      MaxResults: 5,
    });
  });

  it.each(clients)('%s ModifyIpamPool: add/remove tag lists and false booleans', (client) => {
    expect(decode(capturedBody(`${client}-ModifyIpamPool.txt`)).input).toEqual({
      IpamPoolId: 'ipam-pool-0123456789abcdef0',
      Description: 'renamed pool',
      AutoImport: false,
      ClearAllocationDefaultNetmaskLength: true,
      AddAllocationResourceTags: [{ Key: 'env', Value: 'prod' }],
      RemoveAllocationResourceTags: [
        { Key: 'env', Value: 'dev' },
        { Key: 'tmp', Value: 'x' },
      ],
    });
  });

  it.each(clients)('%s DescribeIpams with empty lists: nothing on the wire, empty input', (client) => {
    expect(decode(capturedBody(`${client}-DescribeIpams-emptylists.txt`))).toEqual({ action: 'DescribeIpams', input: {} });
  });

  it('list elements are ordered by index, gaps allowed', () => {
    const body = 'Action=DescribeIpams&Version=2016-11-15&IpamId.10=c&IpamId.2=b&IpamId.1=a';
    expect(decode(body).input).toEqual({ IpamIds: ['a', 'b', 'c'] });
  });

  it('booleans are case-insensitive, strings are verbatim', () => {
    const body = 'Action=CreateIpam&Version=2016-11-15&DryRun=TRUE&Description=%20padded%20&EnablePrivateGua=False';
    expect(decode(body).input).toEqual({ DryRun: true, Description: ' padded ', EnablePrivateGua: false });
  });

  it('timestamps accept 0–9 fraction digits and numeric offsets', () => {
    const history = (start: string) =>
      decode(`Action=GetIpamAddressHistory&Version=2016-11-15&Cidr=10.0.0.0/8&IpamScopeId=s&StartTime=${encodeURIComponent(start)}`).input
        .StartTime;
    expect(history('2024-06-30T10:30:45.123456789Z')).toEqual(new Date('2024-06-30T10:30:45.123Z'));
    expect(history('2024-06-30T12:30:45+02:00')).toEqual(new Date('2024-06-30T10:30:45Z'));
    expect(history('2024-06-30T05:30:45-0500')).toEqual(new Date('2024-06-30T10:30:45Z'));
  });
});

describe('malformed requests', () => {
  it('no Action → MissingAction', () => {
    expect(rejection('Version=2016-11-15')).toEqual({
      code: 'MissingAction',
      message: 'The request must contain the parameter Action',
    });
    expect(rejection('')).toMatchObject({ code: 'MissingAction' });
  });

  it('unknown or unimplemented action → InvalidAction with EC2 wording', () => {
    const expected = (action: string) => ({ code: 'InvalidAction', message: `The action ${action} is not valid for this web service.` });
    expect(rejection('Action=MakeCoffee&Version=2016-11-15')).toEqual(expected('MakeCoffee'));
    expect(rejection('Action=__proto__&Version=2016-11-15')).toEqual(expected('__proto__'));
    expect(rejection('Action=constructor&Version=2016-11-15')).toEqual(expected('constructor'));
    // a real EC2 action that this server does not offer
    expect(rejection('Action=RunInstances&Version=2016-11-15', (action) => action !== 'RunInstances')).toEqual(expected('RunInstances'));
    // schema exports that are not operations
    expect(rejection('Action=CreateIpamRequest&Version=2016-11-15')).toEqual(expected('CreateIpamRequest'));
  });

  it('Version must be 2016-11-15', () => {
    expect(rejection('Action=DescribeIpams')).toEqual({
      code: 'MissingParameter',
      message: 'The request must contain the parameter Version',
    });
    expect(rejection('Action=DescribeIpams&Version=2099-01-01')).toEqual({
      code: 'InvalidParameterValue',
      message: 'Value (2099-01-01) for parameter Version is invalid. Expecting 2016-11-15.',
    });
  });

  it.each([
    ['Foo=bar', 'Foo'],
    ['IpamId.1.X=ipam-1', 'IpamId.1.X'],
    ['IpamIds.1=ipam-1', 'IpamIds.1'], // the member name is not the wire name
    ['IpamId=ipam-1', 'IpamId'], // a list needs an index
    ['Filter.1.Nope=x', 'Filter.1.Nope'],
    ['Filter.1.Value=x', 'Filter.1.Value'],
    ['maxresults=5', 'maxresults'], // keys are case-sensitive
  ])('%s → UnknownParameter', (extra, key) => {
    expect(rejection(`Action=DescribeIpams&Version=2016-11-15&${extra}`)).toEqual({
      code: 'UnknownParameter',
      message: `The parameter ${key} is not recognized`,
    });
  });

  it('a repeated key → InvalidParameterValue naming it', () => {
    expect(rejection('Action=DescribeIpams&Version=2016-11-15&MaxResults=5&MaxResults=6')).toEqual({
      code: 'InvalidParameterValue',
      message: 'The parameter MaxResults is specified more than once in the request.',
    });
  });

  it.each(['IpamId.0', 'IpamId.x', 'IpamId.01', 'IpamId.-1', 'Filter.0.Name', 'Filter.1.Value.0'])(
    '%s → InvalidParameterValue (bad list index)',
    (key) => {
      const { code, message } = rejection(`Action=DescribeIpams&Version=2016-11-15&${key}=v`);
      expect(code).toBe('InvalidParameterValue');
      expect(message).toContain(`The parameter ${key} has an invalid list index`);
    },
  );

  it.each([
    ['DryRun=yes', 'Value (yes) for parameter DryRun is invalid. Expecting true or false.'],
    ['DryRun=', 'Value () for parameter DryRun is invalid. Expecting true or false.'],
    ['MaxResults=ten', 'Value (ten) for parameter MaxResults is invalid. Expecting an integer.'],
    ['MaxResults=1.5', 'Value (1.5) for parameter MaxResults is invalid. Expecting an integer.'],
    ['MaxResults=99999999999999999999', 'Value (99999999999999999999) for parameter MaxResults is invalid. Expecting an integer.'],
  ])('DescribeIpams %s → InvalidParameterValue', (extra, message) => {
    expect(rejection(`Action=DescribeIpams&Version=2016-11-15&${extra}`)).toEqual({ code: 'InvalidParameterValue', message });
  });

  it.each(['2024-02-30T00:00:00Z', '2024-06-30', '2024-06-30T10:30:45', 'yesterday', '2024-06-30T24:00:00Z', '2024-06-30T10:00:00+25:00'])(
    'timestamp %s → InvalidParameterValue',
    (value) => {
      const body = `Action=GetIpamAddressHistory&Version=2016-11-15&Cidr=c&IpamScopeId=s&EndTime=${encodeURIComponent(value)}`;
      expect(rejection(body)).toMatchObject({ code: 'InvalidParameterValue', message: expect.stringContaining('parameter EndTime') });
    },
  );
});
