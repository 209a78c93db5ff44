// Use cases wired to a real store on a fresh DynamoDB Local table, for tests below the HTTP layer.
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import type { Dependencies, RequestContext } from '../../lambdas/use-cases/context.ts';
import { dispatch } from '../../lambdas/use-cases/dispatch.ts';
import { createTestTable } from './dynamodb.ts';

export interface UseCaseHarness {
  deps: Dependencies;
  store: DynamoDbStore;
  context: RequestContext;
  /** Runs an action as the default account in us-east-1, like a decoded request would. */
  call(action: string, input: Record<string, unknown>, context?: Partial<RequestContext>): Promise<any>;
}

export async function createUseCaseHarness(): Promise<UseCaseHarness> {
  const { doc, tableName } = await createTestTable();
  const store = new DynamoDbStore(doc, tableName);
  const deps: Dependencies = { store, paginationSecret: 'test-secret', now: () => new Date() };
  const context: RequestContext = { accountId: '123456789012', region: 'us-east-1', requestId: 'test' };
  return {
    deps,
    store,
    context,
    call: (action, input, overrides = {}) => dispatch(deps, { ...context, ...overrides }, action, input),
  };
}

/** An IPAM with one private IPv4 pool holding `cidr`, ready for allocations. */
export async function poolWithCidr(harness: UseCaseHarness, cidr: string, family: 'ipv4' | 'ipv6' = 'ipv4') {
  const { Ipam } = await harness.call('CreateIpam', {});
  const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: family });
  const { IpamPoolCidr } = await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: cidr });
  if (IpamPoolCidr.State !== 'provisioned') throw new Error(`provisioning ${cidr} ended in ${IpamPoolCidr.State}`);
  return { ipam: Ipam, pool: IpamPool };
}
