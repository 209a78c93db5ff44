// Issues an access key for an account in a deployed IPAM: generates it and adds it to the
// access-key secret (GetSecretValue + PutSecretValue) with your own AWS credentials. The api
// Lambda accepts the new key within seconds (it re-reads the secret on an unknown key).
//   npm run create-access-key -- --secret-id ipam-access-keys --account 111122223333 --region eu-west-1 \
//     [--endpoint-url https://abc123.execute-api.eu-west-1.amazonaws.com/prod]
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeAwsConfigureHint, isAccountId } from '../lambdas/adapters/access-keys.ts';
import { addAccessKeyToSecret } from '../lambdas/adapters/secrets-manager/access-keys-secret.ts';
import { defineCommand, parseCommandLine, runCommand, UsageError } from './cli.ts';

const command = defineCommand({
  invocation: 'npm run create-access-key',
  synopsis:
    '--secret-id <secret name or ARN> --account <12-digit account id> ' +
    '[--region <region of the deployment>] [--endpoint-url <EndpointUrl output of the stateless stack>]',
  summary:
    "Adds an access key for an account to a deployed IPAM's access-key secret, with your own AWS credentials, and prints how to use it.",
  flags: {
    'secret-id': {
      type: 'string',
      value: '<name or ARN>',
      description: 'the AccessKeysSecretName output of the stateful stack (required)',
    },
    account: { type: 'string', value: '<12 digits>', description: 'the account the key acts as (required)' },
    region: { type: 'string', value: '<region>', description: 'the Region of the deployment (default: AWS_REGION)' },
    'endpoint-url': {
      type: 'string',
      value: '<url>',
      description: 'the EndpointUrl output of the stateless stack, for the printed commands',
    },
  },
  environment: ['AWS_PROFILE', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL_SECRETS_MANAGER'],
});

const values = parseCommandLine(command);
await runCommand(command, async () => {
  const secretId = values['secret-id'];
  if (!secretId) throw new UsageError('--secret-id is required (the AccessKeysSecretName output of the stateful stack).');
  const accountId = values.account;
  if (accountId === undefined || !isAccountId(accountId)) {
    throw new UsageError(`--account must be a 12-digit account id, got '${accountId ?? ''}'.`);
  }
  const client = new SecretsManagerClient(values.region ? { region: values.region } : {});
  const key = await addAccessKeyToSecret(client, secretId, accountId);
  // Printing the secret is the point of this command: it is shown once, to the operator.
  console.log(
    describeAwsConfigureHint(key, {
      endpointUrl: values['endpoint-url'] ?? '<EndpointUrl output of the stateless stack>',
      region: values.region,
      profile: `ipam-${key.accountId}`,
    }),
  );
});
