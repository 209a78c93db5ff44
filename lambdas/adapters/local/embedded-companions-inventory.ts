// Discovery over the embedded EC2 companions (issue 16): what another inventory source sees
// (an inventory file, nothing, or EC2), plus the VPCs, subnets and Elastic IPs this service keeps
// itself (with the public IPv4 pools and their ranges), so that compliance, overlap and auto-import work for them at the next sweep with no
// other software — and auto-release does not take back the allocation of one it kept but left
// out. A read the other source fails (an inventory file without the account) fails whole.
import type { InventorySnapshot } from '../../domain/inventory.ts';
import { vpcCidrBlocks } from '../../domain/model/vpc.ts';
import type { InventorySource } from '../../ports/inventory.ts';
import type { Ec2CompanionStore, PublicSpaceStore } from '../../ports/store.ts';

export class EmbeddedCompanionsInventory implements InventorySource {
  private readonly store: Ec2CompanionStore & Pick<PublicSpaceStore, 'listElasticIps' | 'listPublicIpv4Pools'>;
  private readonly others: InventorySource;

  constructor(store: Ec2CompanionStore & Pick<PublicSpaceStore, 'listElasticIps' | 'listPublicIpv4Pools'>, others: InventorySource) {
    this.store = store;
    this.others = others;
  }

  async read(accountId: string, region: string): Promise<InventorySnapshot> {
    const [snapshot, vpcs, subnets, elasticIps, publicPools] = await Promise.all([
      this.others.read(accountId, region),
      this.store.listVpcs(accountId, region),
      this.store.listSubnets(accountId, region),
      this.store.listElasticIps(accountId, region),
      this.store.listPublicIpv4Pools(accountId),
    ]);
    return {
      ...snapshot,
      vpcs: [
        ...snapshot.vpcs,
        ...vpcs.map((vpc) => ({
          VpcId: vpc.VpcId,
          OwnerId: vpc.OwnerId,
          Cidrs: vpcCidrBlocks(vpc),
          Tags: vpc.Tags,
        })),
      ],
      subnets: [
        ...snapshot.subnets,
        ...subnets.map((subnet) => ({
          SubnetId: subnet.SubnetId,
          VpcId: subnet.VpcId,
          OwnerId: subnet.OwnerId,
          Cidrs: [subnet.CidrBlock, ...(subnet.Ipv6CidrBlockAssociationSet ?? []).map((association) => association.Ipv6CidrBlock)],
          AvailableIpAddressCount: subnet.AvailableIpAddressCount,
          Tags: subnet.Tags,
        })),
      ],
      addresses: [
        ...snapshot.addresses,
        ...elasticIps.map((eip) => ({
          AllocationId: eip.AllocationId,
          PublicIp: eip.PublicIp,
          AssociationId: eip.AssociationId,
          NetworkInterfaceId: eip.NetworkInterfaceId,
          InstanceId: eip.InstanceId,
          PublicIpv4Pool: eip.PublicIpv4Pool,
          NetworkBorderGroup: eip.NetworkBorderGroup,
          Tags: eip.Tags,
        })),
      ],
      // Their ranges hold ec2-public-ipv4-pool allocations: left out, the sweep would release them.
      publicIpv4Pools: [
        ...snapshot.publicIpv4Pools,
        ...publicPools
          .filter((pool) => pool.region === region)
          .map((pool) => {
            const total = pool.ranges.reduce((sum, range) => sum + 2 ** (32 - Number(range.cidr.split('/')[1])), 0);
            return {
              PoolId: pool.PoolId,
              Cidrs: pool.ranges.map((range) => range.cidr),
              TotalAddressCount: total,
              TotalAvailableAddressCount: total - pool.allocated.length,
              Tags: pool.Tags,
            };
          }),
      ],
    };
  }
}
