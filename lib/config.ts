// Deployment settings, read once: CDK context (`cdk deploy -c stageName=dev`, or cdk.json) wins
// over the environment (`IPAM_STAGE_NAME=dev cdk deploy`), which wins over the defaults below.
// Nothing else in lib/ reads context or process.env.
import type { Node } from 'constructs';

export type RemovalMode = 'retain' | 'destroy';

export interface DeploymentConfig {
  /** API Gateway stage: the last path segment of the endpoint URL (…/prod). */
  stageName: string;
  /** Prefix of every physical name: the table `<prefix>-table`, the secret `<prefix>-access-keys`, … */
  namePrefix: string;
  /**
   * `retain` (default) keeps the table (with deletion protection), its KMS key and the access-key
   * secret when the stack is deleted; `destroy` deletes them too (sandboxes only).
   */
  removalPolicy: RemovalMode;
  /** Source CIDRs allowed to call the API (resource policy); empty = anyone who holds a key. */
  allowedSourceCidrs: string[];
  /** Minutes between discovery sweeps. */
  discoveryRateMinutes: number;
  /** Stage-wide steady request rate (requests per second) before API Gateway throttles. */
  throttlingRateLimit: number;
  /** Stage-wide burst (token bucket size) before API Gateway throttles. */
  throttlingBurstLimit: number;
}

/** Where each setting comes from: [context key, environment variable]. */
const SOURCES = {
  stageName: ['stageName', 'IPAM_STAGE_NAME'],
  namePrefix: ['namePrefix', 'IPAM_NAME_PREFIX'],
  removalPolicy: ['removalPolicy', 'IPAM_REMOVAL_POLICY'],
  allowedSourceCidrs: ['allowedSourceCidrs', 'IPAM_ALLOWED_SOURCE_CIDRS'],
  discoveryRateMinutes: ['discoveryRateMinutes', 'IPAM_DISCOVERY_RATE_MINUTES'],
  throttlingRateLimit: ['throttlingRateLimit', 'IPAM_THROTTLING_RATE_LIMIT'],
  throttlingBurstLimit: ['throttlingBurstLimit', 'IPAM_THROTTLING_BURST_LIMIT'],
} as const satisfies Record<keyof DeploymentConfig, readonly [string, string]>;

// EC2's documented token bucket for non-mutating actions (Describe*): 100 tokens, refilled at 20
// per second ("Request throttling for the Amazon EC2 API", EC2 Developer Guide). EC2 applies it
// per account and action; one stage-wide bucket here, so raise it for many busy accounts.
const DEFAULT_RATE_LIMIT = 20;
const DEFAULT_BURST_LIMIT = 100;

type Env = Record<string, string | undefined>;
type Setting = keyof typeof SOURCES;

export function loadDeploymentConfig(node: Pick<Node, 'tryGetContext'>, env: Env = process.env): DeploymentConfig {
  const raw = (setting: Setting): unknown => {
    const [contextKey, envName] = SOURCES[setting];
    const fromContext = node.tryGetContext(contextKey);
    if (fromContext !== undefined && fromContext !== '') return fromContext;
    const fromEnv = env[envName];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const describe = (setting: Setting) => `${SOURCES[setting][0]} (context) / ${SOURCES[setting][1]} (environment)`;

  const text = (setting: Setting, fallback: string, pattern: RegExp, rule: string): string => {
    const value = raw(setting) ?? fallback;
    if (typeof value !== 'string' || !pattern.test(value)) throw new Error(`${describe(setting)} must be ${rule}, got '${String(value)}'`);
    return value;
  };
  const count = (setting: Setting, fallback: number, min: number, max: number): number => {
    const value = raw(setting) ?? fallback;
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new Error(`${describe(setting)} must be an integer from ${min} to ${max}, got '${String(value)}'`);
    }
    return number;
  };

  return {
    stageName: text('stageName', 'prod', /^[A-Za-z0-9_-]{1,128}$/, 'letters, digits, - or _ (at most 128)'),
    namePrefix: text('namePrefix', 'ipam', /^[a-z][a-z0-9-]{0,29}$/, 'lower-case letters, digits and - (at most 30, starting with a letter)'),
    removalPolicy: text('removalPolicy', 'retain', /^(retain|destroy)$/, "'retain' or 'destroy'") as RemovalMode,
    allowedSourceCidrs: cidrList(raw('allowedSourceCidrs'), describe('allowedSourceCidrs')),
    discoveryRateMinutes: count('discoveryRateMinutes', 5, 1, 24 * 60),
    throttlingRateLimit: count('throttlingRateLimit', DEFAULT_RATE_LIMIT, 1, 10_000),
    throttlingBurstLimit: count('throttlingBurstLimit', DEFAULT_BURST_LIMIT, 1, 5_000),
  };
}

const CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}|[0-9A-Fa-f:]+\/\d{1,3})$/;

/** A JSON list (cdk.json) or a comma-separated string (-c, environment). */
function cidrList(value: unknown, source: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : String(value).split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of list) {
    if (typeof entry !== 'string' || !CIDR.test(entry)) throw new Error(`${source} must list CIDRs like 203.0.113.0/24, got '${String(entry)}'`);
  }
  return list as string[];
}
