// The inventory `npm start` reads when it was told of none: every account and Region is empty.
// Local discovery must not reach for AWS on its own (with no credentials on the machine that
// only logs errors, and with some it would read a real account nobody asked it to read).
import type { InventorySnapshot } from '../../domain/inventory.ts';
import type { InventorySource } from '../../ports/inventory.ts';

export class EmptyInventory implements InventorySource {
  async read(): Promise<InventorySnapshot> {
    return { vpcs: [], subnets: [], addresses: [], networkInterfaces: [], publicIpv4Pools: [] };
  }
}
