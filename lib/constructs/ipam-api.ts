// The public front door: a REST API whose every route is a Lambda proxy to the `api` function
// (EC2 Query at `/`, the JSON API at `/api/{Action}` and its OpenAPI document at `GET /api/openapi.json`), the web console's
// files from the `console` function (`GET /`, `GET /console/{file}`), stage-wide throttling, JSON access logs,
// EC2-shaped gateway errors and, optionally, a source-IP allow-list.
import { Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { addEc2GatewayResponses } from './ec2-gateway-responses.ts';

interface IpamApiProps {
  handler: lambda.IFunction;
  /** Answers `GET /` and `GET /console/{file}`: the web console's files. */
  consoleHandler?: lambda.IFunction;
  restApiName: string;
  stageName: string;
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
  /** Empty: no resource policy, anyone holding an access key may call. */
  allowedSourceCidrs: string[];
  metricsNamespace: string;
}

/** One JSON line per request; `responseType` names the gateway response (THROTTLED, …) when there was one. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  sourceIp: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  responseType: '$context.error.responseType',
  responseLength: '$context.responseLength',
  responseLatencyMs: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatencyMs: '$context.integration.latency',
  userAgent: '$context.identity.userAgent',
  xrayTraceId: '$context.xrayTraceId',
};

export class IpamApi extends Construct {
  readonly api: apigateway.RestApi;
  /** Requests API Gateway throttled (counted from the access log: it publishes no metric of its own). */
  readonly throttledRequests: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: IpamApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: 'Self-hosted Amazon VPC IPAM: EC2 Query protocol (SigV4, service ec2) and JSON API',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Access and execution logging need the account's API Gateway CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false, // bodies may carry nothing secret, but headers carry signatures
        metricsEnabled: true,
        tracingEnabled: true,
      },
      policy: props.allowedSourceCidrs.length > 0 ? sourceIpPolicy(props.allowedSourceCidrs) : undefined,
    });

    const integration = new apigateway.LambdaIntegration(props.handler, { proxy: true, allowTestInvoke: false });
    this.api.root.addMethod('POST', integration);
    const proxy = this.api.root.addResource('{proxy+}');
    proxy.addMethod('POST', integration);
    // For GET /api/openapi.json, the JSON API's contract (unsigned; the Lambda answers any other GET
    // as EC2 does). A static /api resource would take /api/{Action} away from {proxy+}.
    proxy.addMethod('GET', integration);
    // RAM's REST-JSON API deletes a share with DELETE /deleteresourceshare?resourceShareArn=….
    proxy.addMethod('DELETE', integration);
    if (props.consoleHandler) {
      // The web console: its page at the stage's root, its two files under /console/ (unsigned;
      // the console signs its JSON API calls in the browser). GET / had no method before.
      const consoleIntegration = new apigateway.LambdaIntegration(props.consoleHandler, { proxy: true, allowTestInvoke: false });
      this.api.root.addMethod('GET', consoleIntegration);
      this.api.root.addResource('console').addResource('{file}').addMethod('GET', consoleIntegration);
    }
    addEc2GatewayResponses(this.api);

    new logs.MetricFilter(this, 'ThrottledFilter', {
      logGroup: accessLogs,
      filterPattern: logs.FilterPattern.stringValue('$.responseType', '=', 'THROTTLED'),
      metricNamespace: props.metricsNamespace,
      metricName: 'ThrottledRequests',
      metricValue: '1',
      defaultValue: 0,
    });
    this.throttledRequests = new cloudwatch.Metric({
      namespace: props.metricsNamespace,
      metricName: 'ThrottledRequests',
      statistic: 'Sum',
    });

    acknowledgeApiFindings(this.api);
  }
}

/** Allow everyone, then deny every source outside the list: the documented API Gateway IP allow-list. */
function sourceIpPolicy(cidrs: string[]): iam.PolicyDocument {
  const invoke = { principals: [new iam.AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] };
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({ effect: iam.Effect.ALLOW, ...invoke }),
      new iam.PolicyStatement({ effect: iam.Effect.DENY, ...invoke, conditions: { NotIpAddress: { 'aws:SourceIp': cidrs } } }),
    ],
  });
}

function acknowledgeApiFindings(api: apigateway.RestApi): void {
  const sigv4 =
    'Callers sign for service "ec2" (AWS CLI, SDKs, Terraform with an ec2 endpoint override); the api Lambda verifies ' +
    'SigV4 against the IPAM-issued keys. API Gateway IAM auth cannot verify signatures made for "ec2", and a Cognito ' +
    'or custom authoriser would break those clients.';
  Validations.of(api).acknowledge({ id: 'AwsSolutions-APIG4', reason: sigv4 });
  Validations.of(api).acknowledge({ id: 'AwsSolutions-COG4', reason: sigv4 });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      'Bodies are EC2 Query forms (application/x-www-form-urlencoded) or JSON API calls; API Gateway validators check ' +
      'only JSON Schema models and required parameters. The Lambda validates every input against the EC2 model.',
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG3',
    reason:
      'No WAF web ACL by default: requests are SigV4-verified, throttled per stage, and can be limited to source ' +
      'CIDRs (allowedSourceCidrs). Associate a web ACL with the stage where the API faces the internet.',
  });
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason: "AWS's managed policy for the account-level API Gateway CloudWatch Logs role, which access and execution logging require.",
  });
}
