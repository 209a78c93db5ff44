// Runtime configuration, read once from the environment, typed, with defaults.
// Nothing else in lambdas/ reads process.env.
import path from 'node:path';

export interface Config {
  /** DynamoDB table holding every IPAM item. */
  tableName: string;
  /** DynamoDB endpoint override (DynamoDB Local); undefined in the cloud. */
  dynamoDbEndpoint: string | undefined;
  /** Secret that signs pagination tokens so callers cannot forge them. */
  paginationSecret: string;
  /** Default account id of the local administrator key. */
  accountId: string;
  /** Step Functions state machine of each workflow, by file basename (statemachines/<name>.asl.json); empty locally. */
  stateMachineArns: Record<string, string>;
  local: LocalConfig;
  cloud: CloudConfig;
}

export interface LocalConfig {
  port: number;
  host: string;
  dataDir: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  /** `AKID:SECRET:ACCOUNT` entries, comma-separated. */
  extraAccounts: string | undefined;
  /** Port of the embedded DynamoDB Local; 0 picks a free one. */
  dynamoDbPort: number;
  /** Crash rehearsal for tests: workflows stop for good before this task (it runs after a restart). */
  workflowPauseBeforeTask: string | undefined;
}

export interface CloudConfig {
  /** Secrets Manager secret holding the issued access keys and the pagination secret. */
  accessKeysSecretId: string | undefined;
  /** Seconds one read of that secret is trusted before it is read again. */
  accessKeysCacheSeconds: number;
  /** Least seconds between re-reads caused by an unknown access key (a key added since the last read). */
  accessKeysMissRefreshSeconds: number;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

function stringRecord(env: Env, name: string): Record<string, string> {
  const raw = env[name];
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // not JSON: reported below with everything else that is not an object of strings
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((value) => typeof value !== 'string')) {
    throw new Error(`${name} must be a JSON object of strings, got '${raw}'`);
  }
  return parsed as Record<string, string>;
}

export function loadConfig(env: Env = process.env, projectRoot = process.cwd()): Config {
  return {
    tableName: env.IPAM_TABLE_NAME || 'ipam',
    dynamoDbEndpoint: env.IPAM_DYNAMODB_ENDPOINT || undefined,
    paginationSecret: env.IPAM_PAGINATION_SECRET || 'local-pagination-secret',
    accountId: env.IPAM_ACCOUNT_ID || '123456789012',
    stateMachineArns: stringRecord(env, 'IPAM_STATE_MACHINE_ARNS'),
    local: {
      port: integer(env, 'PORT', 4510),
      host: env.IPAM_HOST || '127.0.0.1',
      dataDir: path.resolve(projectRoot, env.IPAM_DATA_DIR || '.ipam-local'),
      accessKeyId: env.IPAM_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.IPAM_SECRET_ACCESS_KEY || undefined,
      extraAccounts: env.IPAM_EXTRA_ACCOUNTS || undefined,
      dynamoDbPort: integer(env, 'IPAM_DYNAMODB_PORT', 0),
      workflowPauseBeforeTask: env.IPAM_WORKFLOW_PAUSE_BEFORE_TASK || undefined,
    },
    cloud: {
      accessKeysSecretId: env.IPAM_ACCESS_KEYS_SECRET_ID || undefined,
      accessKeysCacheSeconds: integer(env, 'IPAM_ACCESS_KEYS_CACHE_S', 300),
      accessKeysMissRefreshSeconds: integer(env, 'IPAM_ACCESS_KEYS_MISS_REFRESH_S', 10),
    },
  };
}
