// Deployment settings, read once: CDK context (`cdk deploy -c stageName=dev`, or cdk.json) wins
// over the environment (`IPAM_STAGE_NAME=dev cdk deploy`), which wins over the defaults below.
// Nothing else in lib/ reads context or process.env.
import type { Node } from 'constructs';

type RemovalMode = 'retain' | 'destroy';

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
  /** Minutes between runs of the workflow reconciler, which starts again open executions nothing runs. */
  reconcileRateMinutes: number;
  /** Seconds an open execution is left alone by the reconciler: the request that committed it may still be starting it (IPAM_RECONCILE_GRACE_S). */
  reconcileGraceSeconds: number;
  /** Minutes an execution may stay open before the open-executions alarm goes off. */
  openExecutionAlarmMinutes: number;
  /** Accounts every resource discovery reads besides its owner's (IPAM_DISCOVERY_MEMBER_ACCOUNTS of the sweep). */
  discoveryMemberAccounts: string[];
  /** Role the sweep assumes in every other account: arn:aws:iam::<account>:role/<this>. */
  discoveryRoleName: string;
  /** CloudWatch namespace of the IPAM's metrics (never AWS/…, which AWS reserves); default the name prefix. */
  metricsNamespace: string;
  /** Percent-used levels whose crossing by a pool emits an `IPAM Pool Utilization Threshold Crossed` event. */
  utilizationThresholds: number[];
  /** Percent used by any pool at which the pool-utilization alarm goes off. */
  utilizationAlarmPercent: number;
  /** Stage-wide steady request rate (requests per second) before API Gateway throttles. */
  throttlingRateLimit: number;
  /** Stage-wide burst (token bucket size) before API Gateway throttles. */
  throttlingBurstLimit: number;
  /** DNS server (`host` or `host:port`) that BYOIP's dns-token proofs are looked up on; undefined = the Lambda's resolver. */
  byoipDnsResolver?: string;
  /** RDAP service that BYOIP/BYOASN remarks-x509 proofs are read from. */
  byoipRdapUrl: string;
  /** The simulated Amazon-provided IPv6 space public pools draw from (IPAM_AMAZON_IPV6_SPACE). */
  amazonIpv6Space: string;
  /** The simulated Amazon-provided IPv4 space of contiguous blocks (IPAM_AMAZON_IPV4_SPACE). */
  amazonIpv4Space: string;
  /** Seconds released Elastic IPs and advanced-tier pool allocations are held before reuse (IPAM_RELEASE_COOLDOWN_S; 0 = at once). */
  releaseCooldownSeconds: number;
  /** The same for free-tier IPAMs' pool allocations (IPAM_FREE_TIER_RELEASE_COOLDOWN_S; AWS: up to 48 hours). */
  freeTierReleaseCooldownSeconds: number;
  /** Days a delivered event stays readable through ListRecentEvents (IPAM_RECENT_EVENTS_RETENTION_DAYS). */
  recentEventsRetentionDays: number;
}

/** Where each setting comes from: [context key, environment variable]. */
const SOURCES = {
  stageName: ['stageName', 'IPAM_STAGE_NAME'],
  namePrefix: ['namePrefix', 'IPAM_NAME_PREFIX'],
  removalPolicy: ['removalPolicy', 'IPAM_REMOVAL_POLICY'],
  allowedSourceCidrs: ['allowedSourceCidrs', 'IPAM_ALLOWED_SOURCE_CIDRS'],
  discoveryRateMinutes: ['discoveryRateMinutes', 'IPAM_DISCOVERY_RATE_MINUTES'],
  reconcileRateMinutes: ['reconcileRateMinutes', 'IPAM_RECONCILE_RATE_MINUTES'],
  reconcileGraceSeconds: ['reconcileGraceSeconds', 'IPAM_RECONCILE_GRACE_S'],
  openExecutionAlarmMinutes: ['openExecutionAlarmMinutes', 'IPAM_OPEN_EXECUTION_ALARM_MINUTES'],
  discoveryMemberAccounts: ['discoveryMemberAccounts', 'IPAM_DISCOVERY_MEMBER_ACCOUNTS'],
  discoveryRoleName: ['discoveryRoleName', 'IPAM_DISCOVERY_ROLE_NAME'],
  metricsNamespace: ['metricsNamespace', 'IPAM_METRICS_NAMESPACE'],
  utilizationThresholds: ['utilizationThresholds', 'IPAM_UTILIZATION_THRESHOLDS'],
  utilizationAlarmPercent: ['utilizationAlarmPercent', 'IPAM_UTILIZATION_ALARM_PERCENT'],
  throttlingRateLimit: ['throttlingRateLimit', 'IPAM_THROTTLING_RATE_LIMIT'],
  throttlingBurstLimit: ['throttlingBurstLimit', 'IPAM_THROTTLING_BURST_LIMIT'],
  byoipDnsResolver: ['byoipDnsResolver', 'IPAM_BYOIP_DNS_RESOLVER'],
  byoipRdapUrl: ['byoipRdapUrl', 'IPAM_BYOIP_RDAP_URL'],
  releaseCooldownSeconds: ['releaseCooldownSeconds', 'IPAM_RELEASE_COOLDOWN_S'],
  freeTierReleaseCooldownSeconds: ['freeTierReleaseCooldownSeconds', 'IPAM_FREE_TIER_RELEASE_COOLDOWN_S'],
  recentEventsRetentionDays: ['recentEventsRetentionDays', 'IPAM_RECENT_EVENTS_RETENTION_DAYS'],
  amazonIpv6Space: ['amazonIpv6Space', 'IPAM_AMAZON_IPV6_SPACE'],
  amazonIpv4Space: ['amazonIpv4Space', 'IPAM_AMAZON_IPV4_SPACE'],
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

  const optionalText = (setting: Setting, pattern: RegExp, rule: string): string | undefined =>
    raw(setting) === undefined ? undefined : text(setting, '', pattern, rule);

  const namePrefix = text(
    'namePrefix',
    'ipam',
    /^[a-z][a-z0-9-]{0,29}$/,
    'lower-case letters, digits and - (at most 30, starting with a letter)',
  );
  return {
    stageName: text('stageName', 'prod', /^[A-Za-z0-9_-]{1,128}$/, 'letters, digits, - or _ (at most 128)'),
    namePrefix,
    removalPolicy: text('removalPolicy', 'retain', /^(retain|destroy)$/, "'retain' or 'destroy'") as RemovalMode,
    allowedSourceCidrs: list(
      raw('allowedSourceCidrs'),
      describe('allowedSourceCidrs'),
      (entry) => CIDR.test(entry),
      'CIDRs like 203.0.113.0/24',
    ),
    discoveryRateMinutes: count('discoveryRateMinutes', 5, 1, 24 * 60),
    reconcileRateMinutes: count('reconcileRateMinutes', 5, 1, 60),
    // Past the api Lambda's 25 s timeout: a request that committed an execution has started it by then.
    reconcileGraceSeconds: count('reconcileGraceSeconds', 60, 30, 3600),
    // Three reconciler runs: a start that failed is restarted by the first; one still open after that needs a look.
    openExecutionAlarmMinutes: count('openExecutionAlarmMinutes', 15, 1, 24 * 60),
    discoveryMemberAccounts: list(
      raw('discoveryMemberAccounts'),
      describe('discoveryMemberAccounts'),
      (entry) => /^\d{12}$/.test(entry),
      '12-digit account ids',
    ),
    // IAM's role-name characters and length.
    discoveryRoleName: text(
      'discoveryRoleName',
      'IpamDiscoveryRole',
      /^[\w+=,.@-]{1,64}$/,
      'an IAM role name (letters, digits and +=,.@_-, at most 64)',
    ),
    // CloudWatch's namespace characters; AWS/ is reserved for AWS's own services.
    metricsNamespace: text(
      'metricsNamespace',
      namePrefix,
      /^(?!AWS\/)[A-Za-z0-9.\-_/#:]{1,255}$/,
      'a CloudWatch namespace not starting with AWS/',
    ),
    utilizationThresholds: percentList(raw('utilizationThresholds'), describe('utilizationThresholds'), [80, 90]),
    utilizationAlarmPercent: count('utilizationAlarmPercent', 90, 1, 100),
    throttlingRateLimit: count('throttlingRateLimit', DEFAULT_RATE_LIMIT, 1, 10_000),
    throttlingBurstLimit: count('throttlingBurstLimit', DEFAULT_BURST_LIMIT, 1, 5_000),
    byoipDnsResolver: optionalText(
      'byoipDnsResolver',
      /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/,
      'a DNS server as host or host:port ([IPv6]:port)',
    ),
    byoipRdapUrl: text('byoipRdapUrl', 'https://rdap.org', /^https?:\/\/[^\s]+$/, 'an http(s) URL'),
    // Documentation ranges (RFC 3849, RFC 5737) by default, as under npm start: nothing real is handed out.
    amazonIpv6Space: text('amazonIpv6Space', '2001:db8::/32', IPV6_CIDR, 'an IPv6 CIDR'),
    amazonIpv4Space: text('amazonIpv4Space', '198.51.100.0/24', IPV4_CIDR, 'an IPv4 CIDR'),
    // Released space is reusable at once by default (DN-35); up to a week when mimicking AWS's delays.
    releaseCooldownSeconds: count('releaseCooldownSeconds', 0, 0, 7 * 24 * 3600),
    freeTierReleaseCooldownSeconds: count('freeTierReleaseCooldownSeconds', 0, 0, 7 * 24 * 3600),
    recentEventsRetentionDays: count('recentEventsRetentionDays', 7, 1, 365),
  };
}

const IPV4_CIDR = /^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/;
const IPV6_CIDR = /^[0-9A-Fa-f:]+\/\d{1,3}$/;
const CIDR = new RegExp(`${IPV4_CIDR.source}|${IPV6_CIDR.source}`);

/** A JSON list (cdk.json) or a comma-separated string (-c, environment), each entry checked. */
function list(value: unknown, source: string, valid: (entry: string) => boolean, what: string): string[] {
  if (value === undefined) return [];
  const entries: unknown[] = Array.isArray(value)
    ? value
    : String(value)
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '');
  const texts = entries.map((entry) => (typeof entry === 'number' ? String(entry) : entry));
  for (const entry of texts) {
    if (typeof entry !== 'string' || !valid(entry)) throw new Error(`${source} must list ${what}, got '${String(entry)}'`);
  }
  return texts as string[];
}

/** Percentages in (0, 100], ascending, each once — as the sweep reads IPAM_UTILIZATION_THRESHOLDS. */
function percentList(value: unknown, source: string, fallback: number[]): number[] {
  const percentages = list(value, source, (entry) => Number(entry) > 0 && Number(entry) <= 100, 'percentages in (0, 100]').map(Number);
  return percentages.length === 0 ? fallback : [...new Set(percentages)].sort((a, b) => a - b);
}
