// Where AssociateAddress finds the instances and network interfaces an Elastic IP is associated
// with (issue 21). This service runs no instances: in embedded mode they come from a fixture
// file (IPAM_EC2_INSTANCES_FILE, the spec's X-INST registry), in forwarding mode from the
// upstream EC2 endpoint (DescribeInstances, DescribeNetworkInterfaces), and in the cloud there
// are none.

/** A network interface an address can be associated with, and the instance it is attached to, if any. */
export interface NetworkAttachment {
  NetworkInterfaceId: string;
  InstanceId?: string;
  /** The interface's private IPv4 addresses, the primary one first. */
  PrivateIpAddresses: string[];
  OwnerId: string;
}

export interface InstanceRegistry {
  /** An instance of the account in the Region, as its primary network interface; undefined when there is none. */
  findInstance(accountId: string, region: string, instanceId: string): Promise<NetworkAttachment | undefined>;
  /** A network interface of the account in the Region; undefined when there is none. */
  findNetworkInterface(accountId: string, region: string, networkInterfaceId: string): Promise<NetworkAttachment | undefined>;
}
