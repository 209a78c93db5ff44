// IpamError → the EC2 error envelope (§4.1), for the Lambda, the local server and the API Gateway
// responses the CDK app configures (lib/constructs/ec2-gateway-responses.ts).
import type { IpamError } from '../../domain/errors.ts';
import { LIST, SERVICE_NAMESPACE, STRUCTURE, writeXml } from './xml-writer.ts';

// <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>, no namespace;
// `RequestID` with a capital ID is what botocore reads (§4.1).
const ErrorDetail = [STRUCTURE, SERVICE_NAMESPACE, 'Error', 0, ['Code', 'Message'], [0, 0]];
const ErrorList = [LIST, SERVICE_NAMESPACE, 'Errors', 0, [() => ErrorDetail, { xmlName: 'Error' }]];
const ErrorEnvelope = [STRUCTURE, SERVICE_NAMESPACE, 'Response', 0, ['Errors', 'RequestID'], [[() => ErrorList, 0], 0]];

export function encodeQueryError(error: IpamError, requestId: string): string {
  return writeXml(ErrorEnvelope, {
    Errors: [{ Code: error.code, Message: error.message }],
    RequestID: requestId,
  });
}
