// What every use case receives: who is asking, from where, and the ports to work with.
import type { InstanceRegistry } from '../../ports/ec2-instances.ts';
import type { Ec2Upstream } from '../../ports/ec2-upstream.ts';
import type { DiscoveryChanges } from '../../ports/discovery-changes.ts';
import type { EventPublisher } from '../../ports/events.ts';
import type { InventorySource } from '../../ports/inventory.ts';
import type { Log } from '../../ports/log.ts';
import type { MetricsSink } from '../../ports/metrics.ts';
import type { OrganizationDirectory } from '../../ports/organization.ts';
import type { RegistryLookup } from '../../ports/registry.ts';
import type { Store, Write } from '../../ports/store.ts';
import type { Workflows } from '../../ports/workflows.ts';
import type { OutboxForgetter } from './outbox-forgetter.ts';

export interface RequestContext {
  accountId: string;
  /** The SigV4 credential-scope Region of the request. */
  region: string;
  requestId: string;
  /** Set when a ClientToken is to be remembered in the use case's own commit (see idempotency.ts). */
  clientToken?: TokenInCommit;
}

/**
 * A ClientToken an action records atomically with its result: the use case adds `record(output)`
 * to its final commit, and after a lost race calls `recheck()` before trying again.
 */
export interface TokenInCommit {
  /** Names the token (account, action, ClientToken): two requests with one key never share a transaction. */
  key: string;
  /** The write that stores `output` as the token's answer; it fails if another request took the token. */
  record(output: Output): Write;
  /** Throws TokenTaken when a request with the same token has committed meanwhile. */
  recheck(): Promise<void>;
}

export interface Dependencies {
  store: Store;
  workflows: Workflows;
  /** Signs pagination tokens. */
  paginationSecret: string;
  now: () => Date;
  /** Where committed changes are announced (EventBridge; locally a JSON-lines file). */
  events: EventPublisher;
  /** Deletes the outbox entries of delivered events: before the use case returns (Lambda) or in the background (`npm start`). */
  outboxForgetter: OutboxForgetter;
  /** Reverse DNS and RDAP, where BYOIP/BYOASN ownership is proved. */
  registry: RegistryLookup;
  /** The simulated Amazon-provided space that public pools with PublicIpSource amazon draw from (spec DN-28). */
  publicSpace: AmazonProvidedSpace;
  /** The instances and network interfaces Elastic IPs are associated with (ports/ec2-instances.ts); absent = none. */
  instances?: InstanceRegistry;
  /** Where the use cases report what they cannot return to a caller (a sweep's skipped IPAM, a workflow that did not start). */
  log: Log;
  /** The organisations: accounts and OUs, the delegated IPAM administrator (sharing, delegation and discovery read them). */
  organization: OrganizationDirectory;
  /**
   * The EC2 companions (VPCs, subnets: issue 16): records of this service (`embedded`, under
   * `npm start`), kept by an upstream EC2 endpoint (`forwarding`, `npm start` with
   * IPAM_EC2_UPSTREAM_URL: see ec2Upstream) or not served (`off`, the cloud: the calls answer
   * InvalidAction as before).
   */
  ec2Companions: Ec2CompanionsMode;
  /** The upstream EC2 endpoint; set exactly when ec2Companions is `forwarding`. */
  ec2Upstream?: Ec2Upstream;
  /**
   * Told of the accounts whose embedded VPCs or subnets an action changed, so that discovery
   * sees them at once (issue 16); absent where the companions are off and the sweep finds them.
   */
  discoveryChanges?: DiscoveryChanges;
  /**
   * Set where one process alone serves the store (`npm start`, under its data-dir lock), to when
   * it started: a ClientToken claim taken before then belongs to a process that is gone (killed
   * mid-request), so a retry takes it over at once instead of waiting for it to be abandoned.
   */
  soleServerSince?: Date;
}

export type Ec2CompanionsMode = 'embedded' | 'forwarding' | 'off';

/** What the discovery sweep (discovery-sweep.ts, ipam-sweep.ts, monitoring.ts) needs besides the ports every use case has. */
export interface SweepDependencies extends Dependencies {
  inventory: InventorySource;
  metrics: MetricsSink;
  discovery: {
    /**
     * The service's administrator account (IPAM_ACCOUNT_ID): its resource discoveries also read
     * memberAccounts. Which other accounts a discovery reads, the organisation decides
     * (deps.organization, domain/organization-discovery.ts).
     */
    administratorAccount: string;
    /** Accounts the administrator account's resource discoveries read besides its own (IPAM_DISCOVERY_MEMBER_ACCOUNTS). */
    memberAccounts: string[];
    /** Percent-used thresholds whose crossing emits a pool utilisation event. */
    utilisationThresholds: number[];
  };
  /** How long a sweep's lease lasts unrenewed (sweep/sweep-lease.ts; renewed every third of it). Default 15 minutes; tests shorten it. */
  sweepLease?: { durationMs: number };
}

/** CIDRs (config.publicSpace) standing in for the addresses AWS owns and hands out. */
interface AmazonProvidedSpace {
  amazonIpv6Space: string;
  amazonIpv4Space: string;
  /** Seconds a released Elastic IP address, or a released allocation of an advanced-tier IPAM's pool, waits before it is handed out again (IPAM_RELEASE_COOLDOWN_S; absent = 0). */
  releaseCooldownSeconds?: number;
  /** Seconds a released allocation of a free-tier IPAM's pool is held (IPAM_FREE_TIER_RELEASE_COOLDOWN_S; absent = 0). */
  freeTierReleaseCooldownSeconds?: number;
}

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;
/** Each use case declares its own input type; `never` lets the action table hold them all (dispatch passes the validated input). */
export type UseCase = (deps: Dependencies, context: RequestContext, input: never) => Promise<Output>;

/** Records keep API members in PascalCase and internal fields in camelCase; callers see only the former. */
/** The upstream EC2 endpoint of forwarding mode; a forwarding run without one is a wiring bug. */
export function upstreamOf(deps: Dependencies): Ec2Upstream {
  if (!deps.ec2Upstream) throw new Error('Forwarding mode without an upstream EC2 endpoint');
  return deps.ec2Upstream;
}

export function publicView<T extends object>(record: T): Output {
  const view: Output = {};
  for (const [name, value] of Object.entries(record)) {
    if (/^[A-Z]/.test(name) && value !== undefined) view[name] = value;
  }
  return view;
}
