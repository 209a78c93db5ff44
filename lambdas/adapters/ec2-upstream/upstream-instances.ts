// The instance registry of forwarding mode: the upstream EC2 endpoint's instances and network
// interfaces (moto's, LocalStack's), read with DescribeInstances and DescribeNetworkInterfaces.
import { UpstreamError } from '../../domain/errors.ts';
import type { Ec2Upstream } from '../../ports/ec2-upstream.ts';
import type { InstanceRegistry, NetworkAttachment } from '../../ports/ec2-instances.ts';

interface UpstreamInterface {
  NetworkInterfaceId?: string;
  OwnerId?: string;
  Attachment?: { InstanceId?: string; DeviceIndex?: number };
  PrivateIpAddresses?: { PrivateIpAddress?: string; Primary?: boolean }[];
  PrivateIpAddress?: string;
}

export class UpstreamInstances implements InstanceRegistry {
  private readonly upstream: Ec2Upstream;

  constructor(upstream: Ec2Upstream) {
    this.upstream = upstream;
  }

  async findInstance(accountId: string, region: string, instanceId: string): Promise<NetworkAttachment | undefined> {
    const output = await this.describe(region, 'DescribeInstances', { InstanceIds: [instanceId] }, 'InvalidInstanceID.NotFound');
    const reservations = (output?.Reservations ?? []) as {
      Instances?: { InstanceId?: string; NetworkInterfaces?: UpstreamInterface[] }[];
    }[];
    const instance = reservations.flatMap((reservation) => reservation.Instances ?? []).find((found) => found.InstanceId === instanceId);
    const primary = [...(instance?.NetworkInterfaces ?? [])].sort(
      (a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0),
    )[0];
    return primary && attachmentOf({ ...primary, Attachment: { ...primary.Attachment, InstanceId: instanceId } }, accountId);
  }

  async findNetworkInterface(accountId: string, region: string, networkInterfaceId: string): Promise<NetworkAttachment | undefined> {
    const output = await this.describe(
      region,
      'DescribeNetworkInterfaces',
      { NetworkInterfaceIds: [networkInterfaceId] },
      'InvalidNetworkInterfaceID.NotFound',
    );
    const found = ((output?.NetworkInterfaces ?? []) as UpstreamInterface[]).find((eni) => eni.NetworkInterfaceId === networkInterfaceId);
    return found && attachmentOf(found, accountId);
  }

  /** The upstream's answer, or undefined when it says the id does not exist. */
  private async describe(region: string, action: string, input: Record<string, unknown>, notFound: string) {
    try {
      return await this.upstream.call(region, action, input);
    } catch (error) {
      if (error instanceof UpstreamError && error.code === notFound) return undefined;
      throw error;
    }
  }
}

function attachmentOf(eni: UpstreamInterface, accountId: string): NetworkAttachment | undefined {
  if (eni.NetworkInterfaceId === undefined) return undefined;
  const addresses = [...(eni.PrivateIpAddresses ?? [])]
    .sort((a, b) => Number(b.Primary ?? false) - Number(a.Primary ?? false))
    .flatMap((entry) => (entry.PrivateIpAddress ? [entry.PrivateIpAddress] : []));
  return {
    NetworkInterfaceId: eni.NetworkInterfaceId,
    InstanceId: eni.Attachment?.InstanceId,
    PrivateIpAddresses: addresses.length > 0 ? addresses : eni.PrivateIpAddress ? [eni.PrivateIpAddress] : [],
    OwnerId: eni.OwnerId ?? accountId,
  };
}
