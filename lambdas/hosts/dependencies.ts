// The use cases' dependencies, built one way for every host: the DynamoDB store, the BYOIP
// registry lookups, the simulated Amazon space, the clock, the pagination secret, and what a
// discovery sweep reads (the inventory as configured, its accounts and thresholds) — all from the
// configuration. What differs by host comes in as HostAdapters: the Lambda host
// (hosts/lambda/functions.ts) passes Step Functions, EventBridge, EMF on stdout and X-Ray; the
// local host (hosts/local/service.ts) the in-process engine, the event and metrics files.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OrganizationItem } from '../adapters/dynamodb/organization-item.ts';
import { DynamoDbStore } from '../adapters/dynamodb/store.ts';
import type { Ec2InventoryOptions } from '../adapters/ec2-inventory/ec2-inventory.ts';
import { DiscoveryRefresher } from '../adapters/local/discovery-refresher.ts';
import { EmbeddedCompanionsInventory } from '../adapters/local/embedded-companions-inventory.ts';
import { EmptyInventory } from '../adapters/local/empty-inventory.ts';
import { StaticInventoryFile } from '../adapters/local/inventory-file.ts';
import { InstancesFile, noInstances } from '../adapters/local/instances-file.ts';
import { UpstreamInstances } from '../adapters/ec2-upstream/upstream-instances.ts';
import { MemoryOrganizationDirectory } from '../adapters/memory/organization.ts';
import { StoredOrganizationDirectory } from '../adapters/organization-directory.ts';
import { createRegistryLookup } from '../adapters/registry/registry-lookup.ts';
import type { Config, DiscoveryConfig } from '../config.ts';
import type { InstanceRegistry } from '../ports/ec2-instances.ts';
import { defaultOrganization } from '../domain/organization.ts';
import type { Ec2Upstream } from '../ports/ec2-upstream.ts';
import type { EventPublisher } from '../ports/events.ts';
import type { InventorySource } from '../ports/inventory.ts';
import type { Log } from '../ports/log.ts';
import type { MetricsSink } from '../ports/metrics.ts';
import type { OrganizationDirectory } from '../ports/organization.ts';
import type { RegistryLookup } from '../ports/registry.ts';
import type { Store } from '../ports/store.ts';
import type { TaskRunner, Workflows } from '../ports/workflows.ts';
import type { Ec2CompanionsMode, SweepDependencies } from '../use-cases/kernel/context.ts';
import { type ForgettingMode, OutboxForgetter } from '../use-cases/kernel/outbox-forgetter.ts';
import { runWorkflowTask } from '../use-cases/kernel/workflow-tasks.ts';
import { refreshDiscovery } from '../use-cases/sweep/discovery-sweep.ts';
import { soleServerStore } from '../use-cases/warm-free-space.ts';

/** Wraps each SDK client as it is made (the tests look at the clients through it). */
export type ClientWrapper = <Client>(client: Client) => Client;
export const unwrapped: ClientWrapper = (client) => client;

/** Where discovery reads when the configuration names no source: EC2 in the cloud, nothing under `npm start`. */
type DiscoveryDefault = 'aws' | 'none';

/**
 * Makes the EC2 inventory (adapters/ec2-inventory). A host hands it in rather than this file
 * importing the adapter, so that a bundle whose host never reads EC2 — the api Lambda: its EC2
 * companions are off, so no request refreshes discovery — leaves the EC2 client out (about a
 * third of its cold start, docs/performance.md).
 */
export type Ec2InventoryFactory = (options: Ec2InventoryOptions) => InventorySource;

/** A host without the EC2 inventory: any read is a bug, never "nothing exists" (that would release allocations). */
const noEc2Inventory: Ec2InventoryFactory = () => ({
  read: () => Promise.reject(new Error('This host reads no EC2 inventory (its host gave dependencies() no ec2Inventory).')),
});

interface HostAdapters<HostWorkflows extends Workflows> {
  /** How this host runs workflows. `runTask` runs a Task state with the dependencies built here (the local engine calls it in-process). */
  workflows(store: Store, runTask: TaskRunner): HostWorkflows;
  events: EventPublisher;
  /** When delivered outbox entries are deleted: before the use case returns where an environment may stop as it answers (Lambda), else in the background. */
  forgetDelivered: ForgettingMode;
  metrics: MetricsSink;
  log: Log;
  defaultDiscoverySource: DiscoveryDefault;
  /** The EC2 inventory, where discovery may read EC2; default none (see Ec2InventoryFactory). */
  ec2Inventory?: Ec2InventoryFactory;
  /** Whether this host keeps VPCs and subnets itself (npm start), forwards them (npm start with an upstream) or answers their calls with InvalidAction (the cloud). */
  ec2Companions: Ec2CompanionsMode;
  /** The upstream EC2 endpoint, when ec2Companions is `forwarding`. */
  ec2Upstream?: Ec2Upstream;
  /** Instead of the configured instance registry (tests bring their own). */
  instances?: InstanceRegistry;
  /** Signs pagination tokens; default config.paginationSecret (the api Lambda's comes from its secret). */
  paginationSecret?: string;
  /** The client the store uses, when the host needs it too (the local host creates the table with it); default dynamoDbClient(config.dynamoDbEndpoint). */
  dynamoDb?: DynamoDBClient;
  /** Wraps the SDK clients made here. */
  wrap?: ClientWrapper;
  /** A store the caller made instead of the configured DynamoDB one (the bench counts its conflicts; tests bring their table). */
  store?: Store;
  /** Instead of the configured DNS and RDAP lookups (tests point at local servers). */
  registry?: RegistryLookup;
  /**
   * Where the organisation is kept on this host. Default: the table's organisation item
   * (adapters/dynamodb/organization-item.ts) — or, for a host that brings its own store, memory:
   * IPAM_ACCOUNT_ID manages IPAM_DISCOVERY_MEMBER_ACCOUNTS.
   */
  organization?: OrganizationDirectory;
  /** The accounts that have access keys, members of the default organisation (the api's secret); default none besides the configured ones. */
  accountsWithKeys?: () => Promise<string[]>;
  /** When this host became the only process serving the store (see Dependencies.soleServerSince); unset in the cloud. */
  soleServerSince?: Date;
}

/**
 * The one DynamoDB client set-up. An endpoint is DynamoDB Local (or another stand-in): it takes
 * any credentials and one Region, so none need to be configured on this machine.
 */
export function dynamoDbClient(endpoint: string | undefined, wrap: ClientWrapper = unwrapped): DynamoDBClient {
  return wrap(
    new DynamoDBClient(endpoint ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  );
}

/** The store's marshalling: optional members of records are left out, not stored as NULL. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function inventorySource(
  discovery: DiscoveryConfig,
  defaultSource: DiscoveryDefault,
  ec2Inventory: Ec2InventoryFactory = noEc2Inventory,
): InventorySource {
  if (discovery.inventoryFile) return new StaticInventoryFile(discovery.inventoryFile);
  const source = discovery.source ?? (discovery.ec2Endpoint ? 'aws' : defaultSource);
  if (source === 'none') return new EmptyInventory();
  return ec2Inventory({ roleName: discovery.roleName, ec2Endpoint: discovery.ec2Endpoint, stsEndpoint: discovery.stsEndpoint });
}

/**
 * What discovery reads, with the EC2 companions: embedded VPCs and subnets are added to the
 * configured source; in forwarding mode, unless a source is configured, the upstream is read (as
 * the upstream keys' account) — reading nothing there would auto-release the allocations of the
 * VPCs created through it at the next sweep.
 */
function companionsInventory(
  config: Config,
  mode: Ec2CompanionsMode,
  store: Store,
  defaultSource: DiscoveryDefault,
  ec2Inventory: Ec2InventoryFactory | undefined,
): InventorySource {
  const { discovery, ec2Upstream } = config;
  if (mode === 'embedded') return new EmbeddedCompanionsInventory(store, inventorySource(discovery, defaultSource, ec2Inventory));
  const configured = discovery.inventoryFile || discovery.source || discovery.ec2Endpoint;
  if (mode === 'forwarding' && ec2Upstream && !configured) {
    return (ec2Inventory ?? noEc2Inventory)({
      roleName: discovery.roleName,
      ec2Endpoint: ec2Upstream.url,
      stsEndpoint: ec2Upstream.url,
      credentials: { accessKeyId: ec2Upstream.accessKeyId, secretAccessKey: ec2Upstream.secretAccessKey },
    });
  }
  return inventorySource(discovery, defaultSource, ec2Inventory);
}

/** Where Elastic IPs find instances: the upstream's in forwarding mode, else the instances file, else none. */
function instanceRegistry(config: Config, upstream: Ec2Upstream | undefined): InstanceRegistry {
  if (upstream) return new UpstreamInstances(upstream);
  return config.publicSpace.instancesFile ? new InstancesFile(config.publicSpace.instancesFile) : noInstances;
}

/** What every use case, workflow task and discovery sweep needs, on this host. Called once per process (per cold start). */
export function dependencies<HostWorkflows extends Workflows>(
  config: Config,
  host: HostAdapters<HostWorkflows>,
): SweepDependencies & { workflows: HostWorkflows; discoveryChanges?: DiscoveryRefresher } {
  const doc = host.store ? undefined : documentClient(host.dynamoDb ?? dynamoDbClient(config.dynamoDbEndpoint, host.wrap));
  const given = host.store ?? new DynamoDbStore(doc!, config.tableName);
  // A process that alone writes its store keeps a warm view of the free space it carved.
  const store = host.soleServerSince ? soleServerStore(given) : given;
  const accountsWithKeys = host.accountsWithKeys ?? (async () => []);
  const deps: SweepDependencies & { workflows: HostWorkflows; discoveryChanges?: DiscoveryRefresher } = {
    store,
    workflows: host.workflows(store, (event) => runWorkflowTask(deps, event)),
    paginationSecret: host.paginationSecret ?? config.paginationSecret,
    now: () => new Date(),
    events: host.events,
    outboxForgetter: new OutboxForgetter(store, host.log, host.forgetDelivered, config.recentEventRetentionDays),
    registry: host.registry ?? createRegistryLookup(config.publicSpace),
    publicSpace: config.publicSpace,
    log: host.log,
    ec2Companions: host.ec2Companions,
    ec2Upstream: host.ec2Upstream,
    instances: host.instances ?? instanceRegistry(config, host.ec2Upstream),
    soleServerSince: host.soleServerSince,
    // Embedded VPCs and subnets are seen when they change (the action table's `discovery` flags).
    discoveryChanges:
      host.ec2Companions === 'embedded' ? new DiscoveryRefresher((changed) => refreshDiscovery(deps, changed), host.log) : undefined,
    organization:
      host.organization ??
      (doc
        ? new StoredOrganizationDirectory(new OrganizationItem(doc, config.tableName), {
            managementAccount: config.accountId,
            keyedAccounts: async () => [...(await accountsWithKeys()), ...config.discovery.memberAccounts],
          })
        : new MemoryOrganizationDirectory([defaultOrganization(config.accountId, config.discovery.memberAccounts)])),
    inventory: companionsInventory(config, host.ec2Companions, store, host.defaultDiscoverySource, host.ec2Inventory),
    metrics: host.metrics,
    discovery: {
      administratorAccount: config.accountId,
      memberAccounts: config.discovery.memberAccounts,
      utilisationThresholds: config.discovery.utilisationThresholds,
    },
  };
  return deps;
}
