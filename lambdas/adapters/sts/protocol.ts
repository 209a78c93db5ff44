// STS over the AWS Query protocol (form body, XML answers in STS's own namespace and error
// envelope). Only GetCallerIdentity: what the AWS CLI, SDKs and Terraform's provider ask to learn
// the account a key belongs to.
import { IpamError } from '../../domain/errors.ts';
import { getCallerIdentity } from '../../use-cases/caller-identity.ts';
import type { UseCase } from '../../use-cases/kernel/context.ts';
import { STRUCTURE, writeXml } from '../ec2-query/xml-writer.ts';
import type { HttpResponse, WireProtocol } from '../http/protocol.ts';

const STS_VERSION = '2011-06-15';
const STS_NAMESPACE = `https://sts.amazonaws.com/doc/${STS_VERSION}/`;
const SCHEMA_NAMESPACE = 'com.amazonaws.sts';

const STS_ACTIONS: Readonly<Record<string, UseCase>> = { GetCallerIdentity: getCallerIdentity };

const ResponseMetadata = [STRUCTURE, SCHEMA_NAMESPACE, 'ResponseMetadata', 0, ['RequestId'], [0]];
const CallerIdentity = [STRUCTURE, SCHEMA_NAMESPACE, 'GetCallerIdentityResult', 0, ['UserId', 'Account', 'Arn'], [0, 0, 0]];
const CallerIdentityResponse = [
  STRUCTURE,
  SCHEMA_NAMESPACE,
  'GetCallerIdentityResponse',
  0,
  ['GetCallerIdentityResult', 'ResponseMetadata'],
  [
    [() => CallerIdentity, 0],
    [() => ResponseMetadata, 0],
  ],
];
const ErrorDetail = [STRUCTURE, SCHEMA_NAMESPACE, 'Error', 0, ['Type', 'Code', 'Message'], [0, 0, 0]];
const ErrorResponse = [STRUCTURE, SCHEMA_NAMESPACE, 'ErrorResponse', 0, ['Error', 'RequestId'], [[() => ErrorDetail, 0], 0]];

/** STS's names for the authentication failures every protocol shares; other codes pass through. */
const STS_ERROR_CODES: Partial<Record<string, { code: string; status: number }>> = {
  AuthFailure: { code: 'InvalidClientTokenId', status: 403 },
  MissingAuthenticationToken: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignature: { code: 'IncompleteSignature', status: 400 },
  SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', status: 403 },
  RequestExpired: { code: 'ExpiredToken', status: 400 },
};

const xml = (statusCode: number, body: string): HttpResponse => ({ statusCode, headers: { 'Content-Type': 'text/xml' }, body });

export const stsProtocol: WireProtocol = {
  decode(request) {
    const form = new URLSearchParams(new TextDecoder().decode(request.body));
    const action = form.get('Action');
    if (!action) throw new IpamError('MissingAction', 'The request must name an Action.');
    if (!Object.hasOwn(STS_ACTIONS, action)) {
      throw new IpamError('InvalidAction', `Could not find operation ${action} for version ${STS_VERSION}`);
    }
    return { action, input: {} };
  },
  run: (deps, context, action, input) => STS_ACTIONS[action]!(deps, context, input as never),
  encode: (_action, output, requestId) =>
    xml(
      200,
      writeXml(CallerIdentityResponse, { GetCallerIdentityResult: output, ResponseMetadata: { RequestId: requestId } }, STS_NAMESPACE),
    ),
  encodeError(error, requestId) {
    const mapped = STS_ERROR_CODES[error.code] ?? { code: error.code, status: error.httpStatus };
    const Type = mapped.status >= 500 ? 'Receiver' : 'Sender';
    return xml(
      mapped.status,
      writeXml(ErrorResponse, { Error: { Type, Code: mapped.code, Message: error.message }, RequestId: requestId }, STS_NAMESPACE),
    );
  },
};
