// The EC2 describes of one inventory read. Apart from ec2-inventory.ts, which imports this file on
// its first read: @aws-sdk/client-ec2 brings all ~3,400 EC2 shapes in one module, costly to
// evaluate, and a cold start of a sweeping function need not pay for it before it reads.
import {
  type Address,
  DescribeAddressesCommand,
  EC2Client,
  type EC2ClientConfig,
  type NetworkInterface,
  type PublicIpv4Pool,
  paginateDescribeNetworkInterfaces,
  paginateDescribePublicIpv4Pools,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  type Subnet,
  type Vpc,
} from '@aws-sdk/client-ec2';

// The largest page each paged describe allows: fewer round trips for big accounts.
const PAGE_SIZE = 1000;

export const ec2Client = (config: EC2ClientConfig) => new EC2Client(config);

export function describePublicIpv4Pools(ec2: EC2Client): Promise<PublicIpv4Pool[]> {
  return collect(paginateDescribePublicIpv4Pools({ client: ec2 }, {}), (page) => page.PublicIpv4Pools);
}

async function collect<Page, Item>(pages: AsyncIterable<Page>, itemsOf: (page: Page) => Item[] | undefined): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of pages) items.push(...(itemsOf(page) ?? []));
  return items;
}

export function describeVpcs(ec2: EC2Client): Promise<Vpc[]> {
  return collect(paginateDescribeVpcs({ client: ec2, pageSize: PAGE_SIZE }, {}), (page) => page.Vpcs);
}

export function describeSubnets(ec2: EC2Client): Promise<Subnet[]> {
  return collect(paginateDescribeSubnets({ client: ec2, pageSize: PAGE_SIZE }, {}), (page) => page.Subnets);
}

/** DescribeAddresses does not page: one call answers every Elastic IP. */
export async function describeAddresses(ec2: EC2Client): Promise<Address[]> {
  return (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
}

export function describeNetworkInterfaces(ec2: EC2Client): Promise<NetworkInterface[]> {
  return collect(paginateDescribeNetworkInterfaces({ client: ec2, pageSize: PAGE_SIZE }, {}), (page) => page.NetworkInterfaces);
}
