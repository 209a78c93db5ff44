// Issues an access key for an account in a local data dir; a running `npm start` picks it up
// on the key's first use.
//   node bin/add-access-key.ts --account 111122223333 [--data-dir DIR]
import { parseArgs } from 'node:util';
import { loadConfig } from '../lambdas/config.ts';
import { describeAwsConfigureHint, isAccountId } from '../lambdas/adapters/access-keys.ts';
import { addAccessKey } from '../lambdas/adapters/local/credentials-file.ts';

const usage = 'Usage: node bin/add-access-key.ts --account <12-digit account id> [--data-dir <dir>]';

async function main(): Promise<void> {
  const config = loadConfig();
  const { values } = parseArgs({
    options: { account: { type: 'string' }, 'data-dir': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const accountId = values.account;
  if (accountId === undefined || !isAccountId(accountId)) {
    throw new Error(`--account must be a 12-digit account id, got '${accountId ?? ''}'.`);
  }
  const key = await addAccessKey(values['data-dir'] ?? config.local.dataDir, accountId);
  // Printing the secret is the point of this command: it is shown once, to the operator.
  console.log(describeAwsConfigureHint(key, { endpointUrl: `http://${config.local.host}:${config.local.port}`, profile: `ipam-${accountId}` }));
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(usage);
  process.exitCode = 1;
}
