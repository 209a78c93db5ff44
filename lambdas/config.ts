// Runtime configuration, read once from the environment, typed, with defaults.
// Nothing else in lambdas/ reads process.env.
import path from 'node:path';

export interface Config {
  /** DynamoDB table holding every IPAM item. */
  tableName: string;
  /** DynamoDB endpoint override (DynamoDB Local); undefined in the cloud. */
  dynamoDbEndpoint: string | undefined;
  /** Seconds released space stays unusable (AWS makes users wait; we default to 0). */
  releaseCooldownSeconds: number;
  /** Secret that signs pagination tokens so callers cannot forge them. */
  paginationSecret: string;
  /** Default account id of the local administrator key. */
  accountId: string;
  local: LocalConfig;
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
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

export function loadConfig(env: Env = process.env, projectRoot = process.cwd()): Config {
  return {
    tableName: env.IPAM_TABLE_NAME || 'ipam',
    dynamoDbEndpoint: env.IPAM_DYNAMODB_ENDPOINT || undefined,
    releaseCooldownSeconds: integer(env, 'IPAM_RELEASE_COOLDOWN_S', 0),
    paginationSecret: env.IPAM_PAGINATION_SECRET || 'local-pagination-secret',
    accountId: env.IPAM_ACCOUNT_ID || '123456789012',
    local: {
      port: integer(env, 'PORT', 4510),
      host: env.IPAM_HOST || '127.0.0.1',
      dataDir: path.resolve(projectRoot, env.IPAM_DATA_DIR || '.ipam-local'),
      accessKeyId: env.IPAM_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.IPAM_SECRET_ACCESS_KEY || undefined,
      extraAccounts: env.IPAM_EXTRA_ACCOUNTS || undefined,
      dynamoDbPort: integer(env, 'IPAM_DYNAMODB_PORT', 0),
    },
  };
}
