// What a discovery sweep needs besides the use cases' dependencies, as configured — the same in
// Lambda and under `npm start`. The inventory is the static file when IPAM_INVENTORY_FILE names
// one; the EC2 read APIs (the service's own account directly, member accounts through
// IPAM_DISCOVERY_ROLE_NAME) when IPAM_DISCOVERY_SOURCE is `aws` or IPAM_EC2_ENDPOINT is set;
// nothing at all when it is `none`; else the host's default: EC2 in the cloud, nothing under
// `npm start`, which never reaches for AWS unless told to. Metrics are EMF, on stdout or
// appended to a file.
import type { Config } from '../config.ts';
import type { InventorySource } from '../ports/inventory.ts';
import type { Dependencies } from '../use-cases/context.ts';
import type { SweepDependencies } from '../use-cases/context.ts';
import { Ec2Inventory } from './ec2-inventory/ec2-inventory.ts';
import { EmptyInventory } from './local/empty-inventory.ts';
import { StaticInventoryFile } from './local/inventory-file.ts';
import { EmfMetrics } from './metrics/emf-metrics.ts';

export type SweepPorts = Omit<SweepDependencies, keyof Dependencies>;

export interface SweepPortsOptions {
  metricsFile?: string;
  /** What the host reads when the configuration names no source: `aws` in the cloud, `none` locally. */
  defaultSource?: 'aws' | 'none';
}

function inventorySource({ discovery }: Config, defaultSource: 'aws' | 'none'): InventorySource {
  if (discovery.inventoryFile) return new StaticInventoryFile(discovery.inventoryFile);
  const source = discovery.source ?? (discovery.ec2Endpoint ? 'aws' : defaultSource);
  if (source === 'none') return new EmptyInventory();
  return new Ec2Inventory({ roleName: discovery.roleName, ec2Endpoint: discovery.ec2Endpoint, stsEndpoint: discovery.stsEndpoint });
}

export function sweepPorts(config: Config, options: SweepPortsOptions = {}): SweepPorts {
  const { discovery } = config;
  return {
    inventory: inventorySource(config, options.defaultSource ?? 'aws'),
    metrics: new EmfMetrics({ namespace: config.metricsNamespace, file: options.metricsFile }),
    discovery: { administratorAccount: config.accountId, memberAccounts: discovery.memberAccounts, utilisationThresholds: discovery.utilisationThresholds },
  };
}
