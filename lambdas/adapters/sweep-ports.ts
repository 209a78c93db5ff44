// What a discovery sweep needs besides the use cases' dependencies, as configured — the same in
// Lambda and under `npm start`. The inventory is the static file when IPAM_INVENTORY_FILE names
// one, else the EC2 read APIs (the service's own account directly, member accounts through
// IPAM_DISCOVERY_ROLE_NAME); metrics are EMF, on stdout or appended to a file.
import type { Config } from '../config.ts';
import type { Dependencies } from '../use-cases/context.ts';
import type { SweepDependencies } from '../use-cases/discovery-sweep.ts';
import { Ec2Inventory } from './ec2-inventory/ec2-inventory.ts';
import { StaticInventoryFile } from './local/inventory-file.ts';
import { EmfMetrics } from './metrics/emf-metrics.ts';

export type SweepPorts = Omit<SweepDependencies, keyof Dependencies>;

export function sweepPorts(config: Config, options: { metricsFile?: string } = {}): SweepPorts {
  const { discovery } = config;
  return {
    inventory: discovery.inventoryFile
      ? new StaticInventoryFile(discovery.inventoryFile)
      : new Ec2Inventory({ roleName: discovery.roleName, ec2Endpoint: discovery.ec2Endpoint, stsEndpoint: discovery.stsEndpoint }),
    metrics: new EmfMetrics({ namespace: config.metricsNamespace, file: options.metricsFile }),
    discovery: { administratorAccount: config.accountId, memberAccounts: discovery.memberAccounts, utilisationThresholds: discovery.utilisationThresholds },
  };
}
