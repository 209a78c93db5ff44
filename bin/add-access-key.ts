// Issues an access key for an account in a local data dir; a running `npm start` picks it up
// on the key's first use.
//   npm run add-access-key -- --account 111122223333 [--data-dir DIR]
import { loadConfig } from '../lambdas/config.ts';
import { describeAwsConfigureHint, isAccountId } from '../lambdas/adapters/access-keys.ts';
import { addAccessKey } from '../lambdas/adapters/local/credentials-file.ts';
import { defineCommand, parseCommandLine, runCommand, UsageError } from './cli.ts';

const command = defineCommand({
  invocation: 'npm run add-access-key',
  synopsis: '--account <12-digit account id> [--data-dir <dir>]',
  summary:
    'Adds an access key for an account to the local data directory and prints how to use it; a running npm start accepts it at once.',
  flags: {
    account: { type: 'string', value: '<12 digits>', description: 'the account the key acts as (required)' },
    'data-dir': { type: 'string', value: '<dir>', description: 'the data directory of npm start (default: IPAM_DATA_DIR)' },
  },
  environment: ['IPAM_DATA_DIR', 'IPAM_HOST', 'PORT'],
});

const values = parseCommandLine(command);
await runCommand(command, async () => {
  const config = loadConfig();
  const accountId = values.account;
  if (accountId === undefined || !isAccountId(accountId)) {
    throw new UsageError(`--account must be a 12-digit account id, got '${accountId ?? ''}'.`);
  }
  const key = await addAccessKey(values['data-dir'] ?? config.local.dataDir, accountId);
  // Printing the secret is the point of this command: it is shown once, to the operator.
  console.log(
    describeAwsConfigureHint(key, { endpointUrl: `http://${config.local.host}:${config.local.port}`, profile: `ipam-${accountId}` }),
  );
});
