// DryRun and ClientToken (protocol §5): a dry run answers DryRunOperation and changes nothing; a
// retry with the same token gets the first result; other parameters with it are refused; racing
// retries create one resource.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runOnce } from '../../lambdas/use-cases/kernel/idempotency.ts';
import { createUseCaseHarness, poolWithCidr } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

describe('DryRun', () => {
  it('answers DryRunOperation and creates nothing, without using up the ClientToken', async () => {
    const harness = await createUseCaseHarness();
    await expectRefusal(harness.call('CreateIpam', { DryRun: true, ClientToken: 'token-1' }), 'DryRunOperation', 'DryRun');
    expect((await harness.call('DescribeIpams', {})).Ipams).toEqual([]);

    const { Ipam } = await harness.call('CreateIpam', { DryRun: false, ClientToken: 'token-1' });
    await expectRefusal(
      harness.call('CreateIpamPool', { DryRun: true, IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' }),
      'DryRunOperation',
    );
    expect((await harness.call('DescribeIpamPools', {})).IpamPools).toEqual([]);
    await expectRefusal(harness.call('DeleteIpam', { DryRun: true, IpamId: Ipam.IpamId }), 'DryRunOperation');
    expect((await harness.call('DescribeIpams', {})).Ipams).toHaveLength(1);
  });

  it('allocates nothing on a dry run', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    await expectRefusal(
      harness.call('AllocateIpamPoolCidr', { DryRun: true, IpamPoolId: pool.IpamPoolId, NetmaskLength: 24 }),
      'DryRunOperation',
    );
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId })).IpamPoolAllocations).toEqual([]);
    expect((await harness.store.listFreeBlocks(pool.IpamPoolId, 'ipv4')).map((block) => block.cidr)).toEqual(['10.0.0.0/24']);
  });
});

describe('ClientToken', () => {
  it('returns the first result to a retry and creates nothing more', async () => {
    const harness = await createUseCaseHarness();
    const first = await harness.call('CreateIpam', { Description: 'main', ClientToken: 'create-ipam' });
    const retry = await harness.call('CreateIpam', { Description: 'main', ClientToken: 'create-ipam' });
    expect(retry.Ipam.IpamId).toBe(first.Ipam.IpamId);
    expect(retry).toEqual(first);

    const scopeId = first.Ipam.PrivateDefaultScopeId;
    const pool = await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4', ClientToken: 'create-pool' });
    const poolRetry = await harness.call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4', ClientToken: 'create-pool' });
    expect(poolRetry.IpamPool.IpamPoolId).toBe(pool.IpamPool.IpamPoolId);
    expect((await harness.call('DescribeIpamPools', {})).IpamPools).toHaveLength(1);

    const poolId = pool.IpamPool.IpamPoolId;
    const provision = { IpamPoolId: poolId, Cidr: '10.0.0.0/16', ClientToken: 'provision' };
    const provisioned = await harness.call('ProvisionIpamPoolCidr', provision);
    expect((await harness.call('ProvisionIpamPoolCidr', provision)).IpamPoolCidr.IpamPoolCidrId).toBe(
      provisioned.IpamPoolCidr.IpamPoolCidrId,
    );
    expect((await harness.call('GetIpamPoolCidrs', { IpamPoolId: poolId })).IpamPoolCidrs).toHaveLength(1);

    const allocate = { IpamPoolId: poolId, NetmaskLength: 24, ClientToken: 'allocate' };
    const allocated = await harness.call('AllocateIpamPoolCidr', allocate);
    expect(await harness.call('AllocateIpamPoolCidr', allocate)).toEqual(allocated);
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: poolId })).IpamPoolAllocations).toHaveLength(1);

    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: first.Ipam.IpamId, ClientToken: 'scope' });
    expect((await harness.call('CreateIpamScope', { IpamId: first.Ipam.IpamId, ClientToken: 'scope' })).IpamScope.IpamScopeId).toBe(
      IpamScope.IpamScopeId,
    );
    expect((await harness.call('DescribeIpams', {})).Ipams[0].ScopeCount).toBe(3);
  });

  it('refuses the same token with other parameters', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { ClientToken: 'same' });
    const pool = { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', ClientToken: 'pool-token' };
    await harness.call('CreateIpamPool', pool);
    await expectRefusal(harness.call('CreateIpamPool', { ...pool, Description: 'changed' }), 'IdempotentParameterMismatch', 'pool-token');
    await expectRefusal(harness.call('CreateIpamPool', { ...pool, AddressFamily: 'ipv6' }), 'IdempotentParameterMismatch');
    expect((await harness.call('DescribeIpamPools', {})).IpamPools).toHaveLength(1);
  });

  it('does not remember a refused request: a retry with the token runs again', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const request = { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-west-2', ClientToken: 'after-fix' };
    await expectRefusal(harness.call('CreateIpamPool', request), 'InvalidParameterValue', 'us-west-2');
    await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, AddOperatingRegions: [{ RegionName: 'us-west-2' }] });
    expect((await harness.call('CreateIpamPool', request)).IpamPool.Locale).toBe('us-west-2');
  });

  it('creates exactly one resource when identical requests race with one token', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const request = { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', ClientToken: 'racing' };
    const results = await Promise.all(Array.from({ length: 8 }, () => harness.call('CreateIpamPool', request)));
    expect(new Set(results.map((result) => result.IpamPool.IpamPoolId)).size).toBe(1);
    expect((await harness.call('DescribeIpamPools', {})).IpamPools).toHaveLength(1);
    expect((await harness.call('DescribeIpamScopes', { IpamScopeIds: [Ipam.PrivateDefaultScopeId] })).IpamScopes[0].PoolCount).toBe(1);
  });

  it("records an allocation's token in the allocation's own commit, and answers retries from it", async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    const commits: unknown[][] = [];
    const commit = harness.store.commit.bind(harness.store);
    harness.store.commit = async (writes) => {
      commits.push(writes.map((write) => `${write.op} ${write.entity.type}`));
      return commit(writes);
    };
    const request = { IpamPoolId: pool.IpamPoolId, NetmaskLength: 24, ClientToken: 'whole-pool' };
    const first = await harness.call('AllocateIpamPoolCidr', request);
    expect(commits).toEqual([['delete free-block', 'create allocation', 'create client-token', 'create outbox-entry']]);

    // The pool is full now, yet the retry gets the first answer; other parameters are refused.
    expect(await harness.call('AllocateIpamPoolCidr', request)).toEqual(first);
    await expectRefusal(
      harness.call('AllocateIpamPoolCidr', { ...request, NetmaskLength: 25 }),
      'IdempotentParameterMismatch',
      'whole-pool',
    );
    await expectRefusal(
      harness.call('AllocateIpamPoolCidr', { ...request, ClientToken: 'other' }),
      'InvalidParameterValue',
      'too big for the pool',
    );
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId })).IpamPoolAllocations).toHaveLength(1);
  });

  it("does not use up an allocation's token when the allocation is refused", async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    const request = { IpamPoolId: pool.IpamPoolId, NetmaskLength: 25, ClientToken: 'after-release' };
    const blocker = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 24 });
    await expectRefusal(harness.call('AllocateIpamPoolCidr', request), 'InvalidParameterValue', 'too big for the pool');
    const { Cidr, IpamPoolAllocationId } = blocker.IpamPoolAllocation;
    await harness.call('ReleaseIpamPoolAllocation', { IpamPoolId: pool.IpamPoolId, Cidr, IpamPoolAllocationId });
    expect((await harness.call('AllocateIpamPoolCidr', request)).IpamPoolAllocation.Cidr).toBe('10.0.0.0/25');
  });

  it('allocates once when identical allocations race with one token', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const request = { IpamPoolId: pool.IpamPoolId, NetmaskLength: 28, ClientToken: 'racing-allocation' };
    const results = await Promise.all(Array.from({ length: 8 }, () => harness.call('AllocateIpamPoolCidr', request)));
    expect(new Set(results.map((result) => result.IpamPoolAllocation.IpamPoolAllocationId)).size).toBe(1);
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId })).IpamPoolAllocations).toHaveLength(1);
    expect(harness.events.published().filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change')).toHaveLength(1);
    expect((await harness.store.listFreeBlocks(pool.IpamPoolId, 'ipv4')).map((block) => block.cidr)).toHaveLength(12);
  });

  // DynamoDB's TTL deletes a token late (DynamoDB Local and memory never): the day is the rule either way.
  it('honours a token for a day; then it is forgotten and a request with it runs anew', async () => {
    const harness = await createUseCaseHarness();
    let now = Date.parse('2030-01-01T00:00:00Z');
    harness.deps.now = () => new Date(now);
    const { Ipam } = await harness.call('CreateIpam', {});
    const request = { IpamId: Ipam.IpamId, Description: 'first', ClientToken: 'scope-token' };
    const first = await harness.call('CreateIpamScope', request);

    now += 24 * 3600_000 - 1;
    expect(await harness.call('CreateIpamScope', request)).toEqual(first);
    await expectRefusal(
      harness.call('CreateIpamScope', { ...request, Description: 'second' }),
      'IdempotentParameterMismatch',
      'scope-token',
    );

    now += 1;
    const second = await harness.call('CreateIpamScope', { ...request, Description: 'second' });
    expect(second.IpamScope.IpamScopeId).not.toBe(first.IpamScope.IpamScopeId);
    // The new request's answer is the token's now, for another day.
    now += 3600_000;
    expect(await harness.call('CreateIpamScope', { ...request, Description: 'second' })).toEqual(second);
    await expectRefusal(harness.call('CreateIpamScope', request), 'IdempotentParameterMismatch', 'scope-token');
  });

  it("forgets an allocation's token after a day too, though it was written in the allocation's commit", async () => {
    const harness = await createUseCaseHarness();
    let now = Date.parse('2030-01-01T00:00:00Z');
    harness.deps.now = () => new Date(now);
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    const request = { IpamPoolId: pool.IpamPoolId, NetmaskLength: 25, ClientToken: 'daily' };
    const first = await harness.call('AllocateIpamPoolCidr', request);
    now += 24 * 3600_000 - 1;
    expect(await harness.call('AllocateIpamPoolCidr', request)).toEqual(first);

    now += 1;
    const second = await harness.call('AllocateIpamPoolCidr', request);
    expect(second.IpamPoolAllocation.Cidr).not.toBe(first.IpamPoolAllocation.Cidr);
    expect(await harness.call('AllocateIpamPoolCidr', request)).toEqual(second);
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId })).IpamPoolAllocations).toHaveLength(2);
    // With the pool full, an expired token no longer answers: the request is refused like any other.
    now += 24 * 3600_000;
    await expectRefusal(harness.call('AllocateIpamPoolCidr', request), 'InvalidParameterValue', 'too big for the pool');
  });

  it('keeps tokens per account', async () => {
    const harness = await createUseCaseHarness();
    const mine = await harness.call('CreateIpam', { ClientToken: 'shared-token' });
    const theirs = await harness.call('CreateIpam', { ClientToken: 'shared-token' }, { accountId: '111122223333' });
    expect(theirs.Ipam.IpamId).not.toBe(mine.Ipam.IpamId);
    expect(theirs.Ipam.OwnerId).toBe('111122223333');
  });
});

// The soak (scripts/soak/) found retries after a kill -9 waiting a minute for the dead request's
// claim to be abandoned. Under `npm start` one process alone serves the store, so a claim older
// than that process is a dead one (Dependencies.soleServerSince).
describe('ClientToken claims of a process that is gone', () => {
  const request = { action: 'CreateIpamPool', clientToken: 'claimed', params: { Description: 'x' }, inCommit: false };

  /** A request that claims the token and runs until `finish` is called, as one cut off by a kill would stay. */
  async function claimHeld(harness: Awaited<ReturnType<typeof createUseCaseHarness>>) {
    let finish!: (output: Record<string, unknown>) => void;
    const first = runOnce(harness.deps, harness.context, request, () => new Promise((resolve) => (finish = resolve)));
    while (!(await harness.store.getClientToken(harness.context.accountId, request.action, request.clientToken))) await sleep(5);
    return { first, finish: (output: Record<string, unknown>) => finish(output) };
  }

  it('a claim taken before the sole server started is taken over at once', async () => {
    const harness = await createUseCaseHarness();
    await claimHeld(harness);
    // The clock stands still: waiting for the claim to be a minute old would never end.
    const now = new Date();
    const restarted = { ...harness.deps, now: () => now, soleServerSince: new Date(now.getTime() + 1) };
    expect(await runOnce(restarted, harness.context, request, async () => ({ answer: 'retry' }))).toEqual({ answer: 'retry' });
  });

  it('a claim taken since the sole server started is waited for, and its answer returned', async () => {
    const harness = await createUseCaseHarness();
    const since = new Date(Date.now() - 1000);
    const { first, finish } = await claimHeld(harness);
    const retry = runOnce({ ...harness.deps, soleServerSince: since }, harness.context, request, async () => ({ answer: 'retry' }));
    await sleep(300); // the retry is waiting on the claim
    finish({ answer: 'first' });
    expect(await first).toEqual({ answer: 'first' });
    expect(await retry).toEqual({ answer: 'first' });
  });
});
