// The EC2 Query codec: one generic decoder/validator/encoder for every action, driven by the
// static schemas of @aws-sdk/client-ec2. See the project's shared protocol notes,
// protocol/ec2-query.md §2–4, 7, 11.
export { API_VERSION, decodeQueryRequest, type DecodedRequest } from './decode.ts';
export { EC2_XML_NAMESPACE, encodeQueryResponse } from './encode.ts';
export { encodeQueryError } from './error-envelope.ts';
export { inputOf, outputOf } from './schema-walk.ts';
export { validateInput, type ParameterNaming } from './validate.ts';
