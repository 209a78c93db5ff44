// Starts the whole local service (HTTP + handler + store) on a free port against the test run's
// DynamoDB Local, with a fresh table and two accounts and no sweep timer, and hands out real AWS
// clients for it.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { loadConfig } from '../../lambdas/config.ts';
import { type LocalService, startLocalService } from '../../lambdas/hosts/local/service.ts';
import { dynamoDbEndpoint } from './dynamodb.ts';

export const ADMIN = { accessKeyId: 'AKIATESTADMIN0000001', secretAccessKey: 'test-admin-secret', accountId: '123456789012' };
export const OTHER = { accessKeyId: 'AKIATESTOTHER0000002', secretAccessKey: 'test-other-secret', accountId: '111122223333' };
/** A third account, for the organisation tests: a member that allocates from pools shared to it. */
export const MEMBER = { accessKeyId: 'AKIATESTMEMBER000003', secretAccessKey: 'test-member-secret', accountId: '444455556666' };

export interface TestService extends LocalService {
  dataDir: string;
  tableName: string;
  ec2(options?: { account?: typeof ADMIN; region?: string }): EC2Client;
}

export interface TestServiceOptions {
  /** More settings, e.g. IPAM_INVENTORY_FILE, as the environment would give them. */
  env?: Record<string, string>;
  /** Accounts with keys besides ADMIN and OTHER (IPAM_EXTRA_ACCOUNTS). */
  extraAccounts?: (typeof ADMIN)[];
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-test-'));
  const tableName = `ipam-e2e-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const config = loadConfig({
    // Sweeps run when a test asks for one (service.sweep() or the endpoint), never by timer.
    IPAM_DISCOVERY_INTERVAL_S: '0',
    ...options.env,
    PORT: '0',
    IPAM_DATA_DIR: dataDir,
    IPAM_TABLE_NAME: tableName,
    IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
    IPAM_ACCESS_KEY_ID: ADMIN.accessKeyId,
    IPAM_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    IPAM_ACCOUNT_ID: ADMIN.accountId,
    IPAM_EXTRA_ACCOUNTS: [OTHER, ...(options.extraAccounts ?? [])]
      .map((account) => `${account.accessKeyId}:${account.secretAccessKey}:${account.accountId}`)
      .join(','),
  });
  const service = await startLocalService(config);
  return {
    ...service,
    dataDir,
    tableName,
    ec2: ({ account = ADMIN, region = 'us-east-1' } = {}) =>
      new EC2Client({
        region,
        endpoint: service.url,
        credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
        maxAttempts: 1,
      }),
  };
}
