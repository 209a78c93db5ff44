// The web console in the cloud: API Gateway sends `GET /` and `GET /console/{file}` to the console
// Lambda and nothing else; the Lambda's asset (built at synth from web/) answers the page and its
// files with the CSP, sends `/prod` to `/prod/`, and leaves signed or unknown requests alone.
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeTemporaryDirs, type Synthesised, synthesise } from './support/synth.ts';

let synth: Synthesised;

beforeAll(() => {
  synth = synthesise({ context: { stageName: 'prod' } });
});
afterAll(removeTemporaryDirs);

const resourceIdOf = (pathPart: string) => {
  const ids = Object.entries(synth.statelessTemplate.findResources('AWS::ApiGateway::Resource'))
    .filter(([, resource]) => resource.Properties.PathPart === pathPart)
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
};

/** The function an API Gateway method integrates with (its logical id, read from the integration URI). */
function integratedFunction(method: Record<string, any>): string {
  return JSON.stringify(method.Properties.Integration.Uri).match(/"(\w+Function\w*)","Arn"/)![1];
}

describe('the console in the CDK app', () => {
  test('GET / and GET /console/{file} go to the console function; POST / and {proxy+} still to the api', () => {
    const methods = Object.values(synth.statelessTemplate.findResources('AWS::ApiGateway::Method'));
    const restApiId = Object.keys(synth.statelessTemplate.findResources('AWS::ApiGateway::RestApi'))[0];
    const onRoot = (httpMethod: string) =>
      methods.filter(
        (method) =>
          method.Properties.HttpMethod === httpMethod &&
          JSON.stringify(method.Properties.ResourceId).includes(`"${restApiId}","RootResourceId"`),
      );
    const [rootGet] = onRoot('GET');
    const [rootPost] = onRoot('POST');
    expect(integratedFunction(rootGet)).toMatch(/^Console/);
    expect(integratedFunction(rootPost)).toMatch(/^ApiHandler/);
    const fileId = resourceIdOf('{file}');
    const fileMethods = methods.filter((method) => JSON.stringify(method.Properties.ResourceId) === JSON.stringify({ Ref: fileId }));
    expect(fileMethods.map((method) => method.Properties.HttpMethod)).toEqual(['GET']);
    expect(integratedFunction(fileMethods[0])).toMatch(/^Console/);
    const proxyId = resourceIdOf('{proxy+}');
    for (const method of methods.filter(
      (candidate) => JSON.stringify(candidate.Properties.ResourceId) === JSON.stringify({ Ref: proxyId }),
    )) {
      expect(integratedFunction(method)).toMatch(/^ApiHandler/);
    }
    synth.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'IPAM web console: static files for GET / and GET /console/{file}',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
  });

  test("the function's asset answers the page and its files as npm start does", async () => {
    const { handler } = (await import(pathToFileURL(`${synth.stateless.webConsole.assetDir}/index.mjs`).href)) as {
      handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
    };
    const get = (path: string, stagePath: string, headers: Record<string, string> = {}) =>
      handler({
        httpMethod: 'GET',
        path,
        headers,
        queryStringParameters: null,
        requestContext: { path: stagePath },
      } as unknown as APIGatewayProxyEvent);
    const page = await get('/', '/prod/');
    expect(page.statusCode).toBe(200);
    expect(page.headers!['Content-Type']).toMatch(/^text\/html/);
    expect(page.headers!['Content-Security-Policy']).toContain("script-src 'self'");
    expect(page.body).toContain('src="console/console.js"');
    const script = await get('/console/console.js', '/prod/console/console.js');
    expect(script.headers!['Content-Type']).toMatch(/^text\/javascript/);
    expect(script.body).toContain('DescribeIpams');
    expect(await get('/', '/prod')).toMatchObject({ statusCode: 301, headers: { Location: '/prod/' } });
    expect((await get('/', '/prod/', { Authorization: 'AWS4-HMAC-SHA256 Credential=x' })).statusCode).toBe(404);
    expect((await get('/console/other.js', '/prod/console/other.js')).statusCode).toBe(404);
  });
});
