// `npm run sweep`: one discovery sweep now, on the service `npm start` runs, and its report.
// Signed with the administrator key: IPAM_ACCESS_KEY_ID / IPAM_SECRET_ACCESS_KEY, or the key
// `npm start` generated in the data directory. The service is found at IPAM_HOST:PORT, as
// `npm start` reads them, or at --endpoint-url.
//   npm run sweep [-- --endpoint-url http://127.0.0.1:4510]
import { existsSync } from 'node:fs';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadConfig } from '../lambdas/config.ts';
import { credentialsFilePath, loadLocalCredentials } from '../lambdas/adapters/local/credentials-file.ts';
import { defineCommand, parseCommandLine, runCommand } from './cli.ts';

const SWEEP_PATH = '/local/discovery-sweeps';

const command = defineCommand({
  invocation: 'npm run sweep',
  synopsis: '[--endpoint-url <http://host:port>]',
  summary: 'Runs one discovery sweep now on the service npm start runs, and prints its report.',
  flags: {
    'endpoint-url': { type: 'string', value: '<url>', description: 'the service (default: http://$IPAM_HOST:$PORT)' },
  },
  environment: ['IPAM_HOST', 'PORT', 'IPAM_DATA_DIR', 'IPAM_ACCESS_KEY_ID', 'IPAM_SECRET_ACCESS_KEY', 'IPAM_ACCOUNT_ID'],
});

const values = parseCommandLine(command);
await runCommand(command, async () => {
  const config = loadConfig();
  // Reading the key must not create one: only `npm start` generates the administrator key.
  if (!config.local.accessKeyId && !existsSync(credentialsFilePath(config.local.dataDir))) {
    throw new Error(
      `No access key: set IPAM_ACCESS_KEY_ID and IPAM_SECRET_ACCESS_KEY, or IPAM_DATA_DIR to the data directory of a running npm start (not ${config.local.dataDir}).`,
    );
  }
  const { admin } = await loadLocalCredentials(config);
  const url = new URL(SWEEP_PATH, values['endpoint-url'] ?? `http://${config.local.host}:${config.local.port}`);
  const signer = new SignatureV4({ credentials: admin, region: 'us-east-1', service: 'ec2', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host },
    body: '',
  });
  // fetch sets Host itself, to the value that was signed.
  const { host: _host, ...headers } = signed.headers;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: '' });
  } catch {
    throw new Error(`Could not reach the IPAM at ${url.origin}: is npm start running there?`);
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`The sweep was refused (HTTP ${response.status}): ${text}`);
  console.log(JSON.stringify(JSON.parse(text), null, 2));
});
