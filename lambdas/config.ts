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
  /** EventBridge bus the events go to (cloud); locally they go to <data dir>/events.jsonl. */
  eventBusName: string | undefined;
  /** CloudWatch namespace of the EMF metrics (AWS/ namespaces are reserved for AWS). */
  metricsNamespace: string;
  discovery: DiscoveryConfig;
  reconciler: ReconcilerConfig;
  /** Days a delivered event stays readable through ListRecentEvents (IPAM_RECENT_EVENTS_RETENTION_DAYS, default 7). */
  recentEventRetentionDays: number;
  publicSpace: PublicSpaceConfig;
  /**
   * Forwarding mode of the EC2 companions under `npm start` (IPAM_EC2_UPSTREAM_URL): the EC2
   * endpoint (moto's server, LocalStack) that actions this service does not implement go to, and
   * where intercepted VPC/subnet actions create their resources. Undefined = embedded mode.
   */
  ec2Upstream: Ec2UpstreamConfig | undefined;
  local: LocalConfig;
  cloud: CloudConfig;
}

export interface DiscoveryConfig {
  /** Seconds between sweeps: the EventBridge schedule in the cloud, a timer locally (0 = no timer). */
  intervalSeconds: number;
  /** Accounts every resource discovery reads besides its owner's, through roleName. */
  memberAccounts: string[];
  /** Role assumed in member accounts: arn:aws:iam::<account>:role/<roleName>. */
  roleName: string;
  /** EC2 and STS endpoint overrides (moto in tests); undefined = AWS. */
  ec2Endpoint: string | undefined;
  stsEndpoint: string | undefined;
  /** A static inventory file (JSON, see docs/discovery-and-metrics.md) read instead of EC2. */
  inventoryFile: string | undefined;
  /**
   * IPAM_DISCOVERY_SOURCE: `aws` = the EC2 read APIs, `none` = nothing exists; undefined = the
   * host's default (the cloud reads EC2; `npm start` reads EC2 only given IPAM_EC2_ENDPOINT).
   */
  source: 'aws' | 'none' | undefined;
  /** Percent-used thresholds whose crossing emits a pool utilisation event. */
  utilisationThresholds: number[];
}

/** The workflow reconciler (use-cases/kernel/reconcile.ts): open executions nothing runs are started again. */
export interface ReconcilerConfig {
  /** Seconds between runs under `npm start` (0 = only at start-up and after a store outage); the cloud's rate is a deployment setting. */
  intervalSeconds: number;
  /** Open executions younger than this are left alone: their start may still be in flight. */
  graceSeconds: number;
}

/** Where BYOIP ownership is checked, and the simulated Amazon-provided space (spec DN-28). */
export interface PublicSpaceConfig {
  /** DNS server (`host` or `host:port`) asked for BYOIP dns-token TXT records; undefined = the system resolver. */
  dnsResolver: string | undefined;
  /** RDAP base URL: `<base>/ip/<cidr>` and `<base>/autnum/<asn>` carry the X.509 certificate. */
  rdapBaseUrl: string;
  /** Simulated Amazon-provided IPv6 space that public IPv6 pools with PublicIpSource amazon draw from. */
  amazonIpv6Space: string;
  /** Simulated Amazon-owned IPv4 space for contiguous Elastic IP blocks. */
  amazonIpv4Space: string;
  /**
   * Seconds a released Elastic IP address (any IPAM tier), or a released allocation of an
   * advanced-tier IPAM's pool, waits before it is handed out again (IPAM_RELEASE_COOLDOWN_S,
   * spec §2.4, DN-35). Default 0: at once, our deliberate improvement over AWS's minutes to 48 hours.
   */
  releaseCooldownSeconds: number;
  /** The same for a released allocation of a free-tier IPAM's pool (IPAM_FREE_TIER_RELEASE_COOLDOWN_S; AWS: up to 48 hours). Default 0. */
  freeTierReleaseCooldownSeconds: number;
  /** The instances and network interfaces of embedded mode (IPAM_EC2_INSTANCES_FILE, ports/ec2-instances.ts); undefined = none. */
  instancesFile: string | undefined;
}

export interface Ec2UpstreamConfig {
  /** http(s) URL of the upstream EC2 endpoint. */
  url: string;
  /** The keys requests are re-signed with upstream (moto and LocalStack accept any; default `test`). */
  accessKeyId: string;
  secretAccessKey: string;
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
  /** The organisation document (docs/organizations.md): IPAM_ORGANIZATION_FILE, default <dataDir>/organization.json. */
  organizationFile: string;
}

interface CloudConfig {
  /** Secrets Manager secret holding the issued access keys and the pagination secret. */
  accessKeysSecretId: string | undefined;
  /** Seconds one read of that secret is trusted before it is read again. */
  accessKeysCacheSeconds: number;
  /** Least seconds between re-reads caused by an unknown access key (a key added since the last read). */
  accessKeysMissRefreshSeconds: number;
}

/** A variable holds a value the service cannot use: the message names it and what is allowed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a non-negative integer, got '${raw}'.`);
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
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    Object.values(parsed).some((value) => typeof value !== 'string')
  ) {
    throw new ConfigError(`${name} must be a JSON object of strings, got '${raw}'.`);
  }
  return parsed as Record<string, string>;
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function accountList(env: Env, name: string): string[] {
  const accounts = list(env, name);
  const bad = accounts.find((account) => !/^\d{12}$/.test(account));
  if (bad) throw new ConfigError(`${name} must list 12-digit account ids, got '${bad}'.`);
  return accounts;
}

function percentList(env: Env, name: string, fallback: number[]): number[] {
  const raw = list(env, name);
  if (raw.length === 0) return fallback;
  const values = raw.map(Number);
  if (values.some((value) => !Number.isFinite(value) || value <= 0 || value > 100))
    throw new ConfigError(`${name} must list percentages in (0, 100], got '${env[name]}'.`);
  return [...new Set(values)].sort((a, b) => a - b);
}

/** A TCP port; unset or empty means the default. Listening on a port above 65535 would fail late, with Node's words. */
function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value <= 65535)) throw new ConfigError(`${name} must be a port number from 0 to 65535 (0 picks a free port), got '${raw}'.`);
  return value;
}

/** Unset means .ipam-local; set but empty is more likely a mistake (`IPAM_DATA_DIR=$UNSET_VAR`) than a wish for the default. */
function dataDir(env: Env, projectRoot: string): string {
  const raw = env.IPAM_DATA_DIR;
  if (raw === '') {
    throw new ConfigError(
      "IPAM_DATA_DIR is set but empty; set it to a directory for the data and access keys, or unset it for the default '.ipam-local'.",
    );
  }
  return path.resolve(projectRoot, raw ?? '.ipam-local');
}

function discoverySource(env: Env): DiscoveryConfig['source'] {
  const source = env.IPAM_DISCOVERY_SOURCE || undefined;
  if (source !== undefined && source !== 'aws' && source !== 'none')
    throw new ConfigError(`IPAM_DISCOVERY_SOURCE must be 'aws' or 'none', got '${source}'.`);
  if (source && env.IPAM_INVENTORY_FILE) throw new ConfigError('Set IPAM_INVENTORY_FILE or IPAM_DISCOVERY_SOURCE, not both.');
  return source;
}

function sweepInterval(env: Env): number {
  const seconds = integer(env, 'IPAM_DISCOVERY_INTERVAL_S', 300);
  if (seconds !== 0 && seconds < 60)
    throw new ConfigError(`IPAM_DISCOVERY_INTERVAL_S must be 0 (no timer) or at least 60, got '${seconds}'.`);
  return seconds;
}

/** CloudWatch refuses custom metrics in the AWS/ namespaces, so AWS/IPAM itself cannot be ours. */
function metricsNamespace(env: Env): string {
  const namespace = env.IPAM_METRICS_NAMESPACE || 'SelfHostedIPAM';
  if (namespace.startsWith('AWS/'))
    throw new ConfigError(`IPAM_METRICS_NAMESPACE cannot start with AWS/ (reserved by CloudWatch), got '${namespace}'.`);
  return namespace;
}

function ec2Upstream(env: Env): Ec2UpstreamConfig | undefined {
  const raw = env.IPAM_EC2_UPSTREAM_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new ConfigError(`IPAM_EC2_UPSTREAM_URL must be an http:// or https:// URL, got '${raw}'.`);
  return {
    url: raw,
    accessKeyId: env.IPAM_EC2_UPSTREAM_ACCESS_KEY_ID || 'test',
    secretAccessKey: env.IPAM_EC2_UPSTREAM_SECRET_ACCESS_KEY || 'test',
  };
}

export function loadConfig(env: Env = process.env, projectRoot = process.cwd()): Config {
  const localDataDir = dataDir(env, projectRoot);
  return {
    tableName: env.IPAM_TABLE_NAME || 'ipam',
    dynamoDbEndpoint: env.IPAM_DYNAMODB_ENDPOINT || undefined,
    paginationSecret: env.IPAM_PAGINATION_SECRET || 'local-pagination-secret',
    accountId: env.IPAM_ACCOUNT_ID || '123456789012',
    stateMachineArns: stringRecord(env, 'IPAM_STATE_MACHINE_ARNS'),
    eventBusName: env.IPAM_EVENT_BUS_NAME || undefined,
    metricsNamespace: metricsNamespace(env),
    discovery: {
      intervalSeconds: sweepInterval(env),
      memberAccounts: accountList(env, 'IPAM_DISCOVERY_MEMBER_ACCOUNTS'),
      roleName: env.IPAM_DISCOVERY_ROLE_NAME || 'IpamDiscoveryRole',
      ec2Endpoint: env.IPAM_EC2_ENDPOINT || undefined,
      stsEndpoint: env.IPAM_STS_ENDPOINT || env.IPAM_EC2_ENDPOINT || undefined,
      inventoryFile: env.IPAM_INVENTORY_FILE ? path.resolve(projectRoot, env.IPAM_INVENTORY_FILE) : undefined,
      source: discoverySource(env),
      utilisationThresholds: percentList(env, 'IPAM_UTILIZATION_THRESHOLDS', [80, 90]),
    },
    reconciler: {
      intervalSeconds: integer(env, 'IPAM_RECONCILE_INTERVAL_S', 300),
      // Well past the api Lambda's 25 s timeout: a request that committed an execution has started it by then.
      graceSeconds: integer(env, 'IPAM_RECONCILE_GRACE_S', 60),
    },
    recentEventRetentionDays: integer(env, 'IPAM_RECENT_EVENTS_RETENTION_DAYS', 7),
    publicSpace: {
      dnsResolver: env.IPAM_BYOIP_DNS_RESOLVER || undefined,
      rdapBaseUrl: env.IPAM_BYOIP_RDAP_URL || 'https://rdap.org',
      // Documentation ranges (RFC 3849, RFC 5737): nothing real is ever handed out.
      amazonIpv6Space: env.IPAM_AMAZON_IPV6_SPACE || '2001:db8::/32',
      amazonIpv4Space: env.IPAM_AMAZON_IPV4_SPACE || '198.51.100.0/24',
      releaseCooldownSeconds: integer(env, 'IPAM_RELEASE_COOLDOWN_S', 0),
      freeTierReleaseCooldownSeconds: integer(env, 'IPAM_FREE_TIER_RELEASE_COOLDOWN_S', 0),
      instancesFile: env.IPAM_EC2_INSTANCES_FILE ? path.resolve(projectRoot, env.IPAM_EC2_INSTANCES_FILE) : undefined,
    },
    ec2Upstream: ec2Upstream(env),
    local: {
      port: port(env, 'PORT', 4510),
      host: env.IPAM_HOST || '127.0.0.1',
      dataDir: localDataDir,
      accessKeyId: env.IPAM_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.IPAM_SECRET_ACCESS_KEY || undefined,
      extraAccounts: env.IPAM_EXTRA_ACCOUNTS || undefined,
      dynamoDbPort: port(env, 'IPAM_DYNAMODB_PORT', 0),
      workflowPauseBeforeTask: env.IPAM_WORKFLOW_PAUSE_BEFORE_TASK || undefined,
      organizationFile: path.resolve(projectRoot, env.IPAM_ORGANIZATION_FILE || path.join(localDataDir, 'organization.json')),
    },
    cloud: {
      accessKeysSecretId: env.IPAM_ACCESS_KEYS_SECRET_ID || undefined,
      accessKeysCacheSeconds: integer(env, 'IPAM_ACCESS_KEYS_CACHE_S', 300),
      accessKeysMissRefreshSeconds: integer(env, 'IPAM_ACCESS_KEYS_MISS_REFRESH_S', 10),
    },
  };
}
