// The Resources page's filter, as GetIpamResourceCidrs input, and its pages. Pure: unit-tested in
// test/unit/console/.

/** The resource types GetIpamResourceCidrs knows (its ResourceType member). */
export const RESOURCE_TYPES = ['vpc', 'subnet', 'eip', 'public-ipv4-pool', 'ipv6-pool', 'eni', 'anycast-ip-list'] as const;

export interface ResourceFilter {
  scopeId: string;
  region?: string;
  account?: string;
  type?: string;
}

/** The filter as the action's input: empty fields are left out; the Region is the `resource-region` filter. */
export function resourceCidrsInput(filter: ResourceFilter): Record<string, unknown> {
  const region = filter.region?.trim();
  const account = filter.account?.trim();
  const type = filter.type?.trim();
  return {
    IpamScopeId: filter.scopeId,
    ...(account ? { ResourceOwner: account } : {}),
    ...(type ? { ResourceType: type } : {}),
    ...(region ? { Filters: [{ Name: 'resource-region', Values: [region] }] } : {}),
  };
}

/**
 * Where the user is in a paginated list: the NextToken that asked for each page seen so far
 * (undefined for the first), so Previous goes back without the API having a previous token.
 */
export class PageTrail {
  private readonly tokens: (string | undefined)[] = [undefined];

  /** The token of the page shown now. */
  get current(): string | undefined {
    return this.tokens[this.tokens.length - 1];
  }
  /** 1 for the first page. */
  get number(): number {
    return this.tokens.length;
  }
  get hasPrevious(): boolean {
    return this.tokens.length > 1;
  }
  forward(nextToken: string): void {
    this.tokens.push(nextToken);
  }
  back(): void {
    if (this.tokens.length > 1) this.tokens.pop();
  }
}

/** A fraction of the API's IpUsage (0.25) as a percentage; absent (a VPC's subnets carry it, a pool's CIDR not) is a dash. */
export const formatUsage = (ipUsage: number | undefined) => (typeof ipUsage === 'number' ? `${(ipUsage * 100).toFixed(1)}%` : '—');
