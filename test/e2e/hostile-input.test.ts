// No input can break a response (issue 13): text XML cannot carry is refused at the edge with a
// message that does not echo it, every error body is well-formed XML, and every limit — body
// size, string lengths, ClientToken, JSON depth, NextToken — answers 4xx with an EC2 code.
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { parseEc2Error, rawPost, type RawResponse } from './support/signed-fetch.ts';
import { poll } from './support/poll.ts';
import { programPath } from './support/program.ts';
import { skipUnless } from '../support/optional-client.ts';

let service: TestService;
let ipamId: string;
let scopeId: string;
let poolId: string;
let discoveryId: string;

beforeAll(async () => {
  service = await startTestService();
  const created = await query(`Action=CreateIpam&Version=2016-11-15&Description=hostile&OperatingRegion.1.RegionName=us-east-1`);
  expect(created.status).toBe(200);
  ipamId = /<ipamId>([^<]+)</.exec(created.text)![1];
  scopeId = /<privateDefaultScopeId>([^<]+)</.exec(created.text)![1];
  discoveryId = /<defaultResourceDiscoveryId>([^<]+)</.exec(created.text)![1];
  // A pool needs the IPAM created (IncorrectState while its workflow still runs).
  await poll(
    async () => /<state>([^<]+)</.exec((await query(`Action=DescribeIpams&Version=2016-11-15&IpamId.1=${ipamId}`)).text)?.[1],
    (state) => state === 'create-complete',
    'create-complete',
  );
  const pool = await query(`Action=CreateIpamPool&Version=2016-11-15&IpamScopeId=${scopeId}&AddressFamily=ipv4&Description=first`);
  poolId = /<ipamPoolId>([^<]+)</.exec(pool.text)![1];
});
afterAll(async () => service?.stop());

/** A signed EC2 Query request with this form body. */
const query = (body: string) => rawPost(service.url, { body, contentType: 'application/x-www-form-urlencoded', account: ADMIN });
/** A signed JSON API request. */
const json = (action: string, body: string) =>
  rawPost(service.url, { path: `/api/${action}`, body, contentType: 'application/json', account: ADMIN });

/** A well-formed EC2 XML error with this code and status; its message. */
function expectXmlError(response: RawResponse, status: number, code: string): string {
  expect(XMLValidator.validate(response.text)).toBe(true);
  const error = parseEc2Error(response.text);
  expect({ status: response.status, code: error.code }).toEqual({ status, code });
  expect(error.requestId).toBe(response.headers.get('x-amzn-requestid'));
  return error.message!;
}

/** No character XML 1.0 forbids, raw, anywhere in the text. */
const XML_FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the control characters XML 1.0 forbids; finding them is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('text XML cannot carry', () => {
  it.each([
    ['\\x01 in a Description', 'Description=bad%01text', 'Description', 'U+0001'],
    ['\\x0b in a Description', 'Description=bad%0Btext', 'Description', 'U+000B'],
    [
      'U+FFFF in a tag value',
      'TagSpecification.1.ResourceType=ipam-pool&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=a%EF%BF%BF',
      'TagSpecification.1.Tag.1.Value',
      'U+FFFF',
    ],
    [
      'U+FFFE in a tag key',
      'TagSpecification.1.ResourceType=ipam-pool&TagSpecification.1.Tag.1.Key=%EF%BF%BE&TagSpecification.1.Tag.1.Value=v',
      'TagSpecification.1.Tag.1.Key',
      'U+FFFE',
    ],
  ])(
    '%s → 400 InvalidParameterValue naming the parameter and the code point, not the character',
    async (_case, params, parameter, codePoint) => {
      const response = await query(`Action=CreateIpamPool&Version=2016-11-15&IpamScopeId=${scopeId}&AddressFamily=ipv4&${params}`);
      const message = expectXmlError(response, 400, 'InvalidParameterValue');
      expect(message).toContain(parameter);
      expect(message).toContain(codePoint);
      expect(message).not.toMatch(XML_FORBIDDEN);
    },
  );

  it('nothing was created by the refused requests: DescribeIpamPools lists only the first pool', async () => {
    const response = await query('Action=DescribeIpamPools&Version=2016-11-15');
    expect(response.status).toBe(200);
    expect(response.text.match(/<ipamPoolId>/g)).toEqual([`<ipamPoolId>`]);
  });

  it.each([
    ['an action name with %00', 'Action=DescribeIpams%00&Version=2016-11-15'],
    ['a parameter name with %00', 'Action=DescribeIpams&Version=2016-11-15&Foo%00=1'],
    ['an id with %00', 'Action=DescribeIpamPools&Version=2016-11-15&IpamPoolId.1=ipam-pool-0123%00'],
    ['a filter name with %1F', 'Action=DescribeIpamPools&Version=2016-11-15&Filter.1.Name=state%1F&Filter.1.Value.1=x'],
    ['a filter value with %08', 'Action=DescribeIpamPools&Version=2016-11-15&Filter.1.Name=state&Filter.1.Value.1=x%08'],
    ['a NextToken with %02', 'Action=DescribeIpamPools&Version=2016-11-15&NextToken=abc%02'],
    ['invalid UTF-8 (a lone surrogate encoded as bytes)', 'Action=CreateIpam&Version=2016-11-15&Description=%ED%A0%80'],
  ])('%s → a well-formed XML error without the raw character', async (_case, body) => {
    const response = await query(body);
    expect(response.status).toBe(400);
    expect(XMLValidator.validate(response.text)).toBe(true);
    expect(response.text).not.toMatch(XML_FORBIDDEN);
  });

  it('the JSON API refuses control characters and lone surrogates the same way', async () => {
    const pool = (extra: string) => `{"IpamScopeId":"${scopeId}","AddressFamily":"ipv4",${extra}}`;
    for (const [body, codePoint] of [
      [pool('"Description":"bad\\u0001"'), 'U+0001'],
      [pool('"Description":"bad\\uffff"'), 'U+FFFF'],
      [pool('"Description":"bad\\ud800"'), 'U+D800'],
      [pool('"TagSpecifications":[{"ResourceType":"ipam-pool","Tags":[{"Key":"k","Value":"\\udc00x"}]}]'), 'U+DC00'],
    ] as const) {
      const response = await json('CreateIpamPool', body);
      expect(response.status).toBe(400);
      const error = JSON.parse(response.text);
      expect(error.code).toBe('InvalidParameterValue');
      expect(error.message).toContain(codePoint);
      expect(error.message).not.toMatch(XML_FORBIDDEN);
    }
  });
});

describe('limits answer 4xx', () => {
  it('a body over 1 MiB → 413 with an EC2 XML error', async () => {
    const response = await query(`Action=CreateIpam&Version=2016-11-15&Description=${'a'.repeat(1024 * 1024)}`);
    const message = expectXmlError(response, 413, 'RequestEntityTooLarge');
    expect(message).toContain('1048576');
  });

  it('a 10 MB body is answered 413 before the connection closes, not reset', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 'a');
    const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const url = new URL(service.url);
      const outgoing = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
        },
        (incoming) => {
          let text = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk) => (text += chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode!, text }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    expect(response.status).toBe(413);
    expect(XMLValidator.validate(response.text)).toBe(true);
    expect(parseEc2Error(response.text).code).toBe('RequestEntityTooLarge');
  });

  it('a 500 KB Description → 400 InvalidParameterValue, not the store failing', async () => {
    const response = await query(
      `Action=CreateIpamPool&Version=2016-11-15&IpamScopeId=${scopeId}&AddressFamily=ipv4&Description=${'d'.repeat(500_000)}`,
    );
    const message = expectXmlError(response, 400, 'InvalidParameterValue');
    expect(message).toContain('Description');
    // The message names the limit, not 500,000 characters of the value.
    expect(message.length).toBeLessThan(400);
  });

  it('a 64 KiB Description is still fine', async () => {
    const response = await query(
      `Action=CreateIpamPool&Version=2016-11-15&IpamScopeId=${scopeId}&AddressFamily=ipv4&Description=${'d'.repeat(65_536)}`,
    );
    expect(response.status).toBe(200);
  });

  it('an allocation resource tag key over 128 characters or a value over 256 → InvalidParameterValue (EC2 tag limits)', async () => {
    const pool = (params: string) => query(`Action=CreateIpamPool&Version=2016-11-15&IpamScopeId=${scopeId}&AddressFamily=ipv4&${params}`);
    const tag = (key: string, value: string) => pool(`AllocationResourceTag.1.Key=${key}&AllocationResourceTag.1.Value=${value}`);
    expect(expectXmlError(await tag('k'.repeat(129), 'v'), 400, 'InvalidParameterValue')).toContain('AllocationResourceTag.1.Key');
    expect(expectXmlError(await tag('k', 'v'.repeat(257)), 400, 'InvalidParameterValue')).toContain('AllocationResourceTag.1.Value');
    const fiftyOne = Array.from(
      { length: 51 },
      (_, i) => `AllocationResourceTag.${i + 1}.Key=k${i}&AllocationResourceTag.${i + 1}.Value=v`,
    ).join('&');
    expect(expectXmlError(await pool(fiftyOne), 400, 'InvalidParameterValue')).toContain('AllocationResourceTag');
  });

  it('an id of 100,000 characters → InvalidParameterValue', async () => {
    const response = await query(`Action=DescribeIpamPools&Version=2016-11-15&IpamPoolId.1=ipam-pool-${'0'.repeat(100_000)}`);
    expectXmlError(response, 400, 'InvalidParameterValue');
  });

  it('a ClientToken of 65 characters, or of 100,000, → InvalidParameterValue; 64 is fine', async () => {
    const create = (token: string) => query(`Action=CreateIpamScope&Version=2016-11-15&IpamId=${ipamId}&ClientToken=${token}`);
    expect(expectXmlError(await create('t'.repeat(65)), 400, 'InvalidParameterValue')).toContain('ClientToken');
    expect(expectXmlError(await create('t'.repeat(100_000)), 400, 'InvalidParameterValue')).toContain('ClientToken');
    expect((await create('t'.repeat(64))).status).toBe(200);
  });

  it('a JSON body nested 100,000 deep → 400', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const body of [deep, `{"Description":${deep}}`, `{"Filters":${deep}}`]) {
      const response = await json('DescribeIpamPools', body);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text).code).toBe('InvalidParameterValue');
    }
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['a forged payload and signature', `${Buffer.from('{"q":"x","p":"y"}').toString('base64url')}.${'A'.repeat(43)}`],
    ['a dot only', '.'],
    ['many dots', 'a.b.c.d'],
    ['base64 of garbage', `${Buffer.from([0xff, 0xfe, 0x00]).toString('base64url')}.AAAA`],
    ['100,000 characters', 'x'.repeat(100_000)],
  ])('a NextToken that is %s → 400 InvalidPaginationToken, on every paginated action', async (_case, token) => {
    const actions = [
      'DescribeIpams',
      'DescribeIpamScopes',
      'DescribeIpamPools',
      'DescribeIpamResourceDiscoveries',
      'DescribeIpamResourceDiscoveryAssociations',
      'DescribeIpamExternalResourceVerificationTokens',
      'DescribeIpamByoasn',
      'DescribeByoipCidrs&MaxResults=5',
      `GetIpamPoolAllocations&IpamPoolId=${poolId}`,
      `GetIpamPoolCidrs&IpamPoolId=${poolId}`,
      `GetIpamAddressHistory&Cidr=10.0.0.0/16&IpamScopeId=${scopeId}`,
      `GetIpamResourceCidrs&IpamScopeId=${scopeId}`,
      `GetIpamDiscoveredResourceCidrs&IpamResourceDiscoveryId=${discoveryId}&ResourceRegion=us-east-1`,
      `GetIpamDiscoveredAccounts&IpamResourceDiscoveryId=${discoveryId}&DiscoveryRegion=us-east-1`,
      `GetIpamDiscoveredPublicAddresses&IpamResourceDiscoveryId=${discoveryId}&AddressRegion=us-east-1`,
    ];
    for (const action of actions) {
      const response = await query(`Action=${action}&Version=2016-11-15&NextToken=${encodeURIComponent(token)}`);
      expect({ action, status: response.status, code: parseEc2Error(response.text).code }).toEqual({
        action,
        status: 400,
        code: 'InvalidPaginationToken',
      });
    }
  });
});

// boto3 gives up on the whole account's listing (ResponseParserError) once one stored text holds
// a character XML cannot carry: the refusal at the edge is what keeps describe_ipam_pools working.
const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, key, secret, scope = sys.argv[1:5]
ec2 = boto3.client('ec2', endpoint_url=url, region_name='us-east-1', aws_access_key_id=key, aws_secret_access_key=secret)
result = {}
for name, text in [('soh', 'bad\\x01text'), ('vt', 'bad\\x0btext'), ('ffff', 'bad\\uffff')]:
    try:
        ec2.create_ipam_pool(IpamScopeId=scope, AddressFamily='ipv4', Description=text)
        result[name] = 'accepted'
    except ClientError as error:
        result[name] = {'code': error.response['Error']['Code'], 'status': error.response['ResponseMetadata']['HTTPStatusCode']}
result['pools'] = [pool.get('Description') for pool in ec2.describe_ipam_pools()['IpamPools']]
print(json.dumps(result))
`;

function python(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  // Only the script's explicit settings count, never the machine's AWS configuration.
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_/i.test(name))),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  return new Promise((resolve) => {
    execFile(programPath('python3'), args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const probe = await python(['-c', 'import boto3']);
const boto3Missing = '`python3 -c "import boto3"` failed (pip install boto3 to run it)';

describe.skipIf(skipUnless(probe.status === 0, 'the boto3 check of refused text', boto3Missing))('boto3', () => {
  it('after refused Descriptions with \\x01, \\x0b and U+FFFF, describe_ipam_pools still parses', async () => {
    const run = await python(['-c', BOTO3_SCRIPT, service.url, ADMIN.accessKeyId, ADMIN.secretAccessKey, scopeId]);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout);
    for (const name of ['soh', 'vt', 'ffff']) expect(result[name]).toEqual({ code: 'InvalidParameterValue', status: 400 });
    expect(result.pools).toContain('first');
  });
});
