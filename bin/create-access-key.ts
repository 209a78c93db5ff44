// Issues an access key for an account in a deployed IPAM: generates it and adds it to the
// access-key secret (GetSecretValue + PutSecretValue) with your own AWS credentials. The api
// Lambda accepts the new key within seconds (it re-reads the secret on an unknown key).
//   node bin/create-access-key.ts --secret-id ipam-access-keys --account 111122223333 --region eu-west-1 \
//     [--endpoint-url https://abc123.execute-api.eu-west-1.amazonaws.com/prod]
import { parseArgs } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeAwsConfigureHint, isAccountId } from '../lambdas/adapters/access-keys.ts';
import { addAccessKeyToSecret } from '../lambdas/adapters/secrets-manager/access-keys-secret.ts';

const usage =
  'Usage: node bin/create-access-key.ts --secret-id <secret name or ARN> --account <12-digit account id> ' +
  '[--region <region of the deployment>] [--endpoint-url <EndpointUrl output of the stateless stack>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'secret-id': { type: 'string' },
      account: { type: 'string' },
      region: { type: 'string' },
      'endpoint-url': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const secretId = values['secret-id'];
  if (!secretId) throw new Error('--secret-id is required (the AccessKeysSecretName output of the stateful stack).');
  const accountId = values.account;
  if (accountId === undefined || !isAccountId(accountId)) {
    throw new Error(`--account must be a 12-digit account id, got '${accountId ?? ''}'.`);
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
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(usage);
  process.exitCode = 1;
}
