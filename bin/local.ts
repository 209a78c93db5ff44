// `npm start`: the IPAM on this machine, on 127.0.0.1:$PORT (default 4510).
import { ConfigError, loadConfig } from '../lambdas/config.ts';
import { describeAwsConfigureHint } from '../lambdas/adapters/access-keys.ts';
import { checkCredentialsFile } from '../lambdas/adapters/local/credentials-file.ts';
import { LocalSetupError } from '../lambdas/adapters/local/dynamodb-local.ts';
import { readOrganizationFile } from '../lambdas/adapters/local/organization-file.ts';
import { startLocalService } from '../lambdas/hosts/local/service.ts';
import { defineCommand, parseCommandLine, runCommand } from './cli.ts';

const command = defineCommand({
  invocation: 'npm start',
  synopsis: '',
  summary:
    'Runs the IPAM on this machine: the EC2 Query API on http://$IPAM_HOST:$PORT, its own DynamoDB Local, ' +
    'and the data and access keys in $IPAM_DATA_DIR. Ctrl-C stops it.',
  flags: {},
  environment: [
    'PORT',
    'IPAM_HOST',
    'IPAM_DATA_DIR',
    'IPAM_ACCESS_KEY_ID',
    'IPAM_SECRET_ACCESS_KEY',
    'IPAM_ACCOUNT_ID',
    'IPAM_EXTRA_ACCOUNTS',
    'IPAM_ORGANIZATION_FILE',
    'IPAM_DYNAMODB_ENDPOINT',
    'IPAM_DYNAMODB_PORT',
    'IPAM_TABLE_NAME',
    'IPAM_DISCOVERY_INTERVAL_S',
    'IPAM_DISCOVERY_SOURCE',
    'IPAM_DISCOVERY_MEMBER_ACCOUNTS',
    'IPAM_DISCOVERY_ROLE_NAME',
    'IPAM_EC2_ENDPOINT',
    'IPAM_EC2_UPSTREAM_URL',
    'IPAM_EC2_UPSTREAM_ACCESS_KEY_ID',
    'IPAM_EC2_UPSTREAM_SECRET_ACCESS_KEY',
    'IPAM_STS_ENDPOINT',
    'IPAM_INVENTORY_FILE',
    'IPAM_UTILIZATION_THRESHOLDS',
    'IPAM_METRICS_NAMESPACE',
    'IPAM_BYOIP_DNS_RESOLVER',
    'IPAM_BYOIP_RDAP_URL',
    'IPAM_AMAZON_IPV6_SPACE',
    'IPAM_AMAZON_IPV4_SPACE',
    'POWERTOOLS_LOG_LEVEL',
  ],
});

/** Starts the service and stays up until Ctrl-C (or SIGTERM), or until its store is gone for good. */
async function start(): Promise<void> {
  const config = loadConfig();
  // A key file that cannot be read is reported before DynamoDB Local's JVM is started for nothing.
  await checkCredentialsFile(config.local.dataDir);
  // Likewise the organisation file (it is read again on every change, so the service re-checks it).
  await readOrganizationFile(config.local.organizationFile);
  const service = await startLocalService(config);
  if (service.adminGenerated) {
    console.log(`Generated an access key for account ${service.admin.accountId}; it is kept in the data directory.`);
    console.log(describeAwsConfigureHint(service.admin, { endpointUrl: service.url }));
  } else {
    console.log(`Access key ${service.admin.accessKeyId} acts as account ${service.admin.accountId}.`);
  }
  const { intervalSeconds } = config.discovery;
  console.log(
    intervalSeconds > 0
      ? `Discovery sweeps every ${intervalSeconds} s; npm run sweep runs one now.`
      : 'Discovery sweeps on demand only (IPAM_DISCOVERY_INTERVAL_S=0): npm run sweep runs one.',
  );
  // Last, so that a script waiting for this line has everything above it too.
  console.log(`IPAM listening on ${service.url} (data in ${config.local.dataDir})`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping...');
    await service.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // DynamoDB Local died and could not be restarted: a service that cannot serve should not linger.
  void service.failed.then(async (error) => {
    if (stopping) return;
    stopping = true;
    console.error(error.message);
    await service.stop().catch(() => {});
    process.exit(1);
  });
}

parseCommandLine(command);
await runCommand(command, start, {
  // Set-up problems (a bad variable, no Java, busy port, unwritable data dir) say what to change; anything else says what failed.
  describe: (error, message) =>
    error instanceof ConfigError || error instanceof LocalSetupError ? message : `The IPAM could not start: ${message}`,
});
