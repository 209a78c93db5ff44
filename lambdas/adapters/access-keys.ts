// Access keys this IPAM issues, locally (credentials file) and in the cloud (Secrets Manager):
// generated alike, shown to the operator alike.
import { randomBytes } from 'node:crypto';
import type { AccessKey } from '../ports/credentials.ts';

const ACCOUNT_ID_PATTERN = /^\d{12}$/;

export const isAccountId = (value: string) => ACCOUNT_ID_PATTERN.test(value);

/** Keys like AWS's: `AKIA` + 16 base32 characters, and a 40-character base64 secret. */
export function generateKeyPair(): Omit<AccessKey, 'accountId'> {
  const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const idCharacters = [...randomBytes(16)].map((byte) => base32[byte % 32]);
  return { accessKeyId: `AKIA${idCharacters.join('')}`, secretAccessKey: randomBytes(30).toString('base64') };
}

interface ConfigureHintOptions {
  endpointUrl: string;
  region?: string;
  profile?: string;
}

/** Ready-to-paste `aws configure` lines for a key, and a first call against the endpoint. */
export function describeAwsConfigureHint(
  key: AccessKey,
  { endpointUrl, region = 'us-east-1', profile = 'ipam-local' }: ConfigureHintOptions,
): string {
  return [
    `Access key for account ${key.accountId}. Configure the AWS CLI with:`,
    `  aws configure set aws_access_key_id ${key.accessKeyId} --profile ${profile}`,
    `  aws configure set aws_secret_access_key ${key.secretAccessKey} --profile ${profile}`,
    `  aws configure set region ${region} --profile ${profile}`,
    'then call the IPAM with:',
    `  aws ec2 describe-ipams --profile ${profile} --endpoint-url ${endpointUrl}`,
  ].join('\n');
}
