// The inventory port over the EC2 read APIs: one account in one Region per read, the service's
// own account with its own credentials, others through the discovery role (account-credentials.ts).
// With endpoints configured (moto in tests) every Region is read from that one endpoint.
import type { EC2Client, PublicIpv4Pool } from '@aws-sdk/client-ec2';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import type { InventorySource } from '../../ports/inventory.ts';
import { AccountCredentials, type BaseCredentials } from './account-credentials.ts';
import { readFailure } from './failures.ts';
import { addressOf, hasPublicIp, isVpcAddress, networkInterfaceOf, publicIpv4PoolOf, subnetOf, vpcOf } from './snapshot-shapes.ts';

export interface Ec2InventoryOptions {
  /** Role assumed in every account but the service's own: arn:aws:iam::<account>:role/<roleName>. */
  roleName: string;
  ec2Endpoint?: string;
  stsEndpoint?: string;
  /** The service's own credentials; absent = the SDK's default chain. */
  credentials?: BaseCredentials;
  /** RoleSessionName of the assumed sessions, as member accounts see it in CloudTrail. */
  sessionName?: string;
}

/** The EC2 calls, loaded on the first read: see ec2-reads.ts. */
type Ec2Reads = typeof import('./ec2-reads.ts');

export class Ec2Inventory implements InventorySource {
  readonly #ec2Endpoint: string | undefined;
  readonly #credentials: AccountCredentials;
  #endpointLacksPublicIpv4Pools = false;

  constructor(options: Ec2InventoryOptions) {
    this.#ec2Endpoint = options.ec2Endpoint;
    this.#credentials = new AccountCredentials({
      roleName: options.roleName,
      stsEndpoint: options.stsEndpoint,
      credentials: options.credentials,
      sessionName: options.sessionName ?? 'self-hosted-ipam-discovery',
    });
  }

  async read(accountId: string, region: string): Promise<InventorySnapshot> {
    const credentials = await this.#credentials.forAccount(accountId, region);
    const reads: Ec2Reads = await import('./ec2-reads.ts');
    const ec2 = reads.ec2Client({ region, endpoint: this.#ec2Endpoint, credentials });
    try {
      const [vpcs, subnets, addresses, networkInterfaces, publicIpv4Pools] = await Promise.all([
        reads.describeVpcs(ec2),
        reads.describeSubnets(ec2),
        reads.describeAddresses(ec2),
        reads.describeNetworkInterfaces(ec2),
        this.#describePublicIpv4Pools(reads, ec2),
      ]);
      return {
        vpcs: vpcs.map(vpcOf),
        subnets: subnets.map(subnetOf),
        addresses: addresses.filter(isVpcAddress).map(addressOf),
        networkInterfaces: networkInterfaces.filter(hasPublicIp).map(networkInterfaceOf),
        publicIpv4Pools: publicIpv4Pools.map(publicIpv4PoolOf),
      };
    } catch (error) {
      throw readFailure(error, accountId, region) ?? error;
    } finally {
      ec2.destroy();
    }
  }

  async #describePublicIpv4Pools(reads: Ec2Reads, ec2: EC2Client): Promise<PublicIpv4Pool[]> {
    if (this.#endpointLacksPublicIpv4Pools) return [];
    try {
      return await reads.describePublicIpv4Pools(ec2);
    } catch (error) {
      if (this.#ec2Endpoint === undefined || !isMissingActionOnMoto(error)) throw error;
      this.#endpointLacksPublicIpv4Pools = true;
      return [];
    }
  }
}

/**
 * moto (5.2.1) has no DescribePublicIpv4Pools: it raises NotImplementedError, which its server
 * answers with Werkzeug's bare HTML "500 Internal Server Error" page. Only a configured endpoint
 * answering exactly that reads as "no pools"; EC2 always has the API and answers errors in XML,
 * so there any failure stays an outage.
 */
function isMissingActionOnMoto(error: unknown): boolean {
  const response = (error as { $response?: { statusCode?: number; headers?: Record<string, string> } } | undefined)?.$response;
  return response?.statusCode === 500 && (response.headers?.['content-type'] ?? '').startsWith('text/html');
}
