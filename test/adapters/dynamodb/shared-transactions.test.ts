// Concurrent commits share TransactWriteItems calls (lambdas/adapters/dynamodb/shared-transactions.ts),
// on DynamoDB Local through the real adapter: disjoint commits land together, a lost race fails
// only its own commit, two commits of one item never share, and a failure that may have landed
// reaches every commit of the shared transaction.
import { describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../../lambdas/adapters/dynamodb/store.ts';
import type { IpamPoolCidr } from '../../../lambdas/domain/model/pool.ts';
import { StoreConflict, type Write } from '../../../lambdas/ports/store.ts';
import { createTestTable } from '../../support/dynamodb.ts';

async function recordedStore() {
  const { client, doc, tableName } = await createTestTable();
  const transactions: number[] = [];
  // A failure the SDK does not tell apart from an answer lost on the way back, for transactions of more than one item.
  let sharedFailure: Error | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        const count = (args.input as { TransactItems: unknown[] }).TransactItems.length;
        transactions.push(count);
        if (sharedFailure && count > 1) throw sharedFailure;
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordTransactions' },
  );
  return {
    store: new DynamoDbStore(doc, tableName),
    transactions,
    failSharedTransactions: (error: Error) => {
      sharedFailure = error;
    },
  };
}

// Pool CIDR records: one item each, nothing written beside them.
const poolCidr = (id: string): IpamPoolCidr => ({
  IpamPoolCidrId: id,
  State: 'provisioned',
  NetmaskLength: 24,
  ipamPoolId: 'ipam-pool-shared',
  sourceSpaceId: 'space',
  version: 1,
});
const create = (id: string): Write[] => [{ op: 'create', entity: { type: 'pool-cidr', value: poolCidr(id) } }];

describe('DynamoDbStore: concurrent commits share transactions', () => {
  it('commits 24 disjoint commits in fewer transactions than commits, and every one lands', async () => {
    const { store, transactions } = await recordedStore();
    const commits = Array.from({ length: 24 }, (_, index) => create(`space-${index}`));
    await Promise.all(commits.map((writes) => store.commit(writes)));
    expect(transactions.length).toBeLessThan(24);
    expect(Math.max(...transactions)).toBeGreaterThan(1);
    for (let index = 0; index < 24; index++) expect(await store.getPoolCidr('ipam-pool-shared', `space-${index}`)).toBeDefined();
  });

  it('fails only the commit that lost its race; the others of its shared transaction land', async () => {
    const { store, transactions } = await recordedStore();
    await store.commit(create('taken'));
    transactions.length = 0;
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 6 }, (_, index) => store.commit(create(`fresh-${index}`))),
      // Its condition (the block must not exist yet) fails.
      store.commit(create('taken')),
      ...Array.from({ length: 6 }, (_, index) => store.commit(create(`later-${index}`))),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([...Array(6).fill('fulfilled'), 'rejected', ...Array(6).fill('fulfilled')]);
    expect((outcomes[6] as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflict);
    for (let index = 0; index < 6; index++) {
      expect(await store.getPoolCidr('ipam-pool-shared', `fresh-${index}`)).toBeDefined();
      expect(await store.getPoolCidr('ipam-pool-shared', `later-${index}`)).toBeDefined();
    }
    expect(Math.max(...transactions)).toBeGreaterThan(1);
  });

  it('never puts two commits of one item in one transaction: the second meets the first as a lost race', async () => {
    const { store, transactions } = await recordedStore();
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.commit(create('contested'))));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((outcome) => outcome.status === 'rejected'))
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflict);
    expect(Math.max(...transactions)).toBe(1);
  });

  it('gives a failure that may have landed to every commit of the shared transaction, and tries none of them again', async () => {
    const { store, transactions, failSharedTransactions } = await recordedStore();
    const lost = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    failSharedTransactions(lost);
    // The first two take the two lanes at once; the next four queue and go out together.
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, index) => store.commit(create(`s-${index}`))));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes.slice(2)) expect((outcome as PromiseRejectedResult).reason).toBe(lost);
    expect(transactions).toEqual([1, 1, 4]);
  });
});
