// `npm start`: the IPAM on this machine, on 127.0.0.1:$PORT (default 4510).
import { loadConfig } from '../lambdas/config.ts';
import { describeAwsConfigureHint } from '../lambdas/adapters/access-keys.ts';
import { LocalSetupError } from '../lambdas/adapters/local/dynamodb-local.ts';
import { startLocalService } from '../lambdas/adapters/local/service.ts';

try {
  const config = loadConfig();
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
} catch (error) {
  // Set-up problems (no Java, busy port, unwritable data dir) are one sentence, not a stack trace.
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof LocalSetupError ? message : `The IPAM could not start: ${message}`);
  process.exit(1);
}
