// Our XML must read back identically in the real JS SDK, and look like the verified samples.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EC2_XML_NAMESPACE, encodeQueryError, encodeQueryResponse, outputOf } from '../../../lambdas/adapters/ec2-query/codec.ts';
import { ERROR_STATUS, IpamError, messages, type ErrorCode } from '../../../lambdas/domain/errors.ts';
import { responseSamples, startStubEc2, type StubEc2 } from './support.ts';

let ec2: StubEc2;
beforeAll(async () => {
  ec2 = await startStubEc2();
});
afterAll(async () => {
  await ec2.close();
});

const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false });

/** Every element path (`Root/ipamSet/item/tagSet`) in a document: names, not order or values. */
function elementPaths(document: string): string[] {
  const paths = new Set<string>();
  const visit = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      for (const element of node) visit(element, path);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [name, child] of Object.entries(node)) {
      if (name.startsWith('@_') || name === '#text' || name === '?xml') continue;
      paths.add(`${path}/${name}`);
      visit(child, `${path}/${name}`);
    }
  };
  visit(xml.parse(document), '');
  return [...paths].sort();
}

const successSamples = responseSamples().filter((sample) => !sample.file.startsWith('Error-'));
const errorSamples = responseSamples().filter((sample) => sample.file.startsWith('Error-'));

describe('golden success samples', () => {
  it('all 15 are there', () => {
    expect(successSamples).toHaveLength(15);
  });

  it.each(successSamples.map((sample) => [sample.file, sample] as const))(
    '%s re-encodes to what the SDK reads the same',
    async (_file, sample) => {
      const parsed = await ec2.send(sample.action, { xml: sample.xml });
      expect(Object.keys(parsed).length).toBeGreaterThan(0);
      const ours = encodeQueryResponse(sample.action, parsed, 'req-golden');

      expect(await ec2.send(sample.action, { xml: ours })).toEqual(parsed);
      expect(elementPaths(ours)).toEqual(elementPaths(sample.xml));
      expect(ours).toMatch(
        new RegExp(
          `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<${sample.action}Response xmlns="${EC2_XML_NAMESPACE}"><requestId>req-golden</requestId>`,
        ),
      );
    },
  );
});

describe('values as the JS SDK reads them', () => {
  const ipam = {
    OwnerId: '123456789012',
    IpamId: 'ipam-0123456789abcdef0',
    IpamArn: 'arn:aws:ec2::123456789012:ipam/ipam-0123456789abcdef0',
    ScopeCount: 2,
    Description: 'Prod & <test> "quoted" – ünïcode ✓\n  second line ',
    OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'us-west-2' }],
    State: 'create-complete',
    Tags: [],
    EnablePrivateGua: false,
    Tier: 'free',
  };

  it('lists, empty lists, booleans, numbers, unicode and escaped text', async () => {
    const output = {
      Ipams: [ipam, { ...ipam, IpamId: 'ipam-2', Tags: [{ Key: 'a&b', Value: '' }], EnablePrivateGua: true }],
      NextToken: 'eyJ2IjoxfQ==',
    };
    expect(await ec2.send('DescribeIpams', { xml: encodeQueryResponse('DescribeIpams', output, 'r') })).toEqual(output);
  });

  it('an empty result list reads as []', async () => {
    expect(await ec2.send('DescribeIpams', { xml: encodeQueryResponse('DescribeIpams', { Ipams: [] }, 'r') })).toEqual({ Ipams: [] });
  });

  it('timestamps with and without milliseconds, and doubles', async () => {
    const history = {
      HistoryRecords: [
        {
          ResourceCidr: '10.0.0.0/24',
          SampledStartTime: new Date('2024-01-01T00:00:00Z'),
          SampledEndTime: new Date('2024-06-30T10:30:45.500Z'),
        },
      ],
    };
    expect(await ec2.send('GetIpamAddressHistory', { xml: encodeQueryResponse('GetIpamAddressHistory', history, 'r') })).toEqual(history);
    const cidrs = { IpamResourceCidrs: [{ ResourceCidr: '10.0.0.0/24', IpUsage: 0.0625 }] };
    expect(await ec2.send('GetIpamResourceCidrs', { xml: encodeQueryResponse('GetIpamResourceCidrs', cidrs, 'r') })).toEqual(cidrs);
  });

  it('writes the wire forms of §3.2 literally', () => {
    const body = encodeQueryResponse(
      'CreateIpam',
      { Ipam: { IpamId: 'ipam-1', Description: 'a & <b>', Tags: [], EnablePrivateGua: true, Tier: undefined, StateMessage: null } },
      'req-1',
    );
    expect(body).toContain('<ipam><ipamId>ipam-1</ipamId><description>a &amp; &lt;b&gt;</description><tagSet/>');
    expect(body).toContain('<enablePrivateGua>true</enablePrivateGua>');
    expect(body).not.toMatch(/tier|stateMessage/);
  });

  it('a structure-less or unknown action never crashes the schema lookup', () => {
    expect(outputOf('NoSuchAction')).toBeUndefined();
    expect(outputOf('toString')).toBeUndefined();
    expect(() => encodeQueryResponse('NoSuchAction', {}, 'r')).toThrow(IpamError);
  });
});

describe('error envelope', () => {
  it.each(errorSamples.map((sample) => [sample.file, sample] as const))('%s: same document from our encoder', (_file, sample) => {
    const golden = xml.parse(sample.xml);
    const { Code, Message } = golden.Response.Errors.Error;
    expect(Object.keys(ERROR_STATUS)).toContain(Code);
    const ours = encodeQueryError(new IpamError(Code as ErrorCode, Message), golden.Response.RequestID);
    expect(xml.parse(ours)).toEqual(golden);
  });

  it.each([
    new IpamError('InvalidIpamPoolId.NotFound', messages.notFound('ipam-pool', 'ipam-pool-0 & <1>')),
    new IpamError('DryRunOperation', messages.dryRun()),
    new IpamError('RequestLimitExceeded', 'Request limit exceeded.'),
    new IpamError('InternalError', 'An internal error has occurred'),
  ])('the JS SDK raises $code with its message and status', async (error) => {
    const body = encodeQueryError(error, 'req-err');
    const thrown = await ec2.send('DescribeIpams', { status: error.httpStatus, xml: body, requestId: 'req-err' }).then(
      () => undefined,
      (failure: unknown) => failure as Record<string, unknown> & { $metadata: Record<string, unknown> },
    );
    expect(thrown).toMatchObject({
      name: error.code,
      Code: error.code,
      message: error.message,
      $fault: error.httpStatus >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: error.httpStatus, requestId: 'req-err' },
    });
  });
});

describe('text XML 1.0 cannot carry, already stored or quoted in a message', () => {
  const stored = 'a\u0001b\u000bc\uFFFFd\uFFFEe\uD800f';
  const readable = 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf';

  it('is replaced by U+FFFD, so a pool listing stays well-formed and every client can read it', async () => {
    const output = {
      IpamPools: [
        {
          IpamPoolId: 'ipam-pool-1',
          Description: stored,
          Tags: [{ Key: 'k\u0001', Value: stored }],
          AllocationResourceTags: [{ Key: 'tab\tok', Value: 'line\nfeed' }],
        },
      ],
    };
    const body = encodeQueryResponse('DescribeIpamPools', output, 'r');
    expect(XMLValidator.validate(body)).toBe(true);
    expect(await ec2.send('DescribeIpamPools', { xml: body })).toEqual({
      IpamPools: [
        {
          IpamPoolId: 'ipam-pool-1',
          Description: readable,
          Tags: [{ Key: 'k\uFFFD', Value: readable }],
          AllocationResourceTags: [{ Key: 'tab\tok', Value: 'line\nfeed' }],
        },
      ],
    });
  });

  it('in an error message (raw input quoted), the error envelope stays well-formed', () => {
    const body = encodeQueryError(new IpamError('InvalidAction', messages.invalidAction('DescribeIpams\u0000')), 'r\u0001');
    expect(XMLValidator.validate(body)).toBe(true);
    expect(body).toContain('<Message>The action DescribeIpams\uFFFD is not valid for this web service.</Message>');
  });

  it('paired surrogates (emoji) pass unchanged', () => {
    const body = encodeQueryResponse('DescribeIpams', { Ipams: [{ IpamId: 'ipam-1', Description: 'pool 🐙' }] }, 'r');
    expect(body).toContain('<description>pool 🐙</description>');
  });
});
