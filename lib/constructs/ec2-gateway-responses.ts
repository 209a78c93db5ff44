// API Gateway answers some requests itself (throttling, Lambda failures and timeouts, unknown
// routes, resource-policy denials) — by default with JSON that botocore cannot parse and will not
// retry. Every such response becomes the EC2 error envelope the Lambda sends, built by the same
// encoder, with the status our error table gives the code (protocol notes §4.2, §4.3).
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { type ErrorCode, ERROR_STATUS, IpamError, messages } from '../../lambdas/domain/errors.ts';
import { encodeQueryError } from '../../lambdas/adapters/ec2-query/error-envelope.ts';

interface Ec2Error {
  code: ErrorCode;
  message: string;
}

const requestLimitExceeded: Ec2Error = { code: 'RequestLimitExceeded', message: 'Request limit exceeded.' };
const internalError: Ec2Error = { code: 'InternalError', message: 'An internal error has occurred' };
const unauthorized: Ec2Error = { code: 'UnauthorizedOperation', message: messages.unauthorized() };
const authFailure: Ec2Error = { code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials' };
const unsupportedRequest: Ec2Error = {
  code: 'InvalidAction',
  message: 'The HTTP method or path is not supported; send EC2 Query requests with POST to the endpoint URL',
};

/** Every gateway response type API Gateway has, and the EC2 error it becomes. */
const GATEWAY_ERRORS: ReadonlyArray<readonly [apigateway.ResponseType, Ec2Error]> = [
  // 503 is the only status the AWS CLI's default retry mode retries for this code.
  [apigateway.ResponseType.THROTTLED, requestLimitExceeded],
  [apigateway.ResponseType.QUOTA_EXCEEDED, requestLimitExceeded],
  [apigateway.ResponseType.INTEGRATION_TIMEOUT, { code: 'Unavailable', message: "The server is overloaded and can't handle the request." }],
  [apigateway.ResponseType.INTEGRATION_FAILURE, internalError],
  [apigateway.ResponseType.API_CONFIGURATION_ERROR, internalError],
  [apigateway.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, internalError],
  [apigateway.ResponseType.AUTHORIZER_FAILURE, internalError],
  [apigateway.ResponseType.DEFAULT_5XX, internalError],
  // Resource-policy (allowed source CIDRs) and WAF denials.
  [apigateway.ResponseType.ACCESS_DENIED, unauthorized],
  [apigateway.ResponseType.WAF_FILTERED, unauthorized],
  // The API has no API Gateway authoriser or API keys (SigV4 for `ec2` is checked in the Lambda),
  // so these cannot occur today; mapped all the same so no JSON can ever leave.
  [apigateway.ResponseType.UNAUTHORIZED, authFailure],
  [apigateway.ResponseType.INVALID_API_KEY, authFailure],
  [
    apigateway.ResponseType.INVALID_SIGNATURE,
    {
      code: 'SignatureDoesNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    },
  ],
  [apigateway.ResponseType.EXPIRED_TOKEN, { code: 'RequestExpired', message: 'Request has expired.' }],
  // Only POST (and GET below /, for the OpenAPI document) is routed: API Gateway calls any other method a "missing authentication token".
  [apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, unsupportedRequest],
  [apigateway.ResponseType.RESOURCE_NOT_FOUND, unsupportedRequest],
  [apigateway.ResponseType.BAD_REQUEST_PARAMETERS, { code: 'InvalidParameterValue', message: 'The request parameters are not valid.' }],
  [apigateway.ResponseType.BAD_REQUEST_BODY, { code: 'InvalidParameterValue', message: 'The request body is not valid.' }],
  [
    apigateway.ResponseType.REQUEST_TOO_LARGE,
    { code: 'RequestEntityTooLarge', message: 'The request is larger than API Gateway accepts (10 MB).' },
  ],
  [
    apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE,
    { code: 'InvalidParameterValue', message: 'The request content type is not supported; send application/x-www-form-urlencoded.' },
  ],
  [apigateway.ResponseType.DEFAULT_4XX, { code: 'InvalidParameterValue', message: 'The request could not be processed.' }],
];

/** API Gateway replaces `$context.requestId` and also sends it as the `x-amzn-RequestId` header. */
function gatewayErrorBody(error: Ec2Error): string {
  return encodeQueryError(new IpamError(error.code, error.message), '$context.requestId');
}

export function addEc2GatewayResponses(api: apigateway.RestApi): void {
  for (const [type, error] of GATEWAY_ERRORS) {
    const body = gatewayErrorBody(error);
    api.addGatewayResponse(`Ec2Error${type.responseType}`, {
      type,
      statusCode: String(ERROR_STATUS[error.code]),
      responseHeaders: { 'Content-Type': "'text/xml;charset=UTF-8'" },
      // API Gateway picks the template by the request's Accept header; clients send none or */*.
      templates: { 'application/json': body, 'application/xml': body, 'text/xml': body },
    });
  }
}
