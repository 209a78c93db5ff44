// Execution records in the store: created open with the pending state, found by id, listed while
// open (oldest first) for the local engine to resume, and dropped from that list once closed.
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import type { WorkflowExecution } from '../../lambdas/domain/model/execution.ts';
import { StoreConflict } from '../../lambdas/ports/store.ts';
import { createTestTable } from '../support/dynamodb.ts';

let store: DynamoDbStore;

beforeEach(async () => {
  const { doc, tableName } = await createTestTable();
  store = new DynamoDbStore(doc, tableName);
});

const execution = (executionId: string, startedAt: string): WorkflowExecution => ({
  executionId,
  workflow: 'provision-pool-cidr',
  args: { poolId: 'ipam-pool-0a', poolCidrId: 'ipam-pool-cidr-0b', nested: { list: [1, 2] } },
  status: 'open',
  startedAt,
  version: 1,
});

describe('workflow execution records', () => {
  it('are stored whole and read back by id', async () => {
    const record = execution('e-1', '2025-03-01T10:00:00.000Z');
    await store.commit([{ op: 'create', entity: { type: 'execution', value: record } }]);
    expect(await store.getExecution('e-1')).toEqual(record);
    expect(await store.getExecution('e-none')).toBeUndefined();
  });

  it('are listed while open, oldest first, and leave the list when closed', async () => {
    const later = execution('e-later', '2025-03-01T10:00:05.000Z');
    const earlier = execution('e-earlier', '2025-03-01T10:00:01.000Z');
    await store.commit([
      { op: 'create', entity: { type: 'execution', value: later } },
      { op: 'create', entity: { type: 'execution', value: earlier } },
    ]);
    expect((await store.listOpenExecutions()).map((record) => record.executionId)).toEqual(['e-earlier', 'e-later']);

    const closed: WorkflowExecution = { ...earlier, status: 'succeeded', finishedAt: '2025-03-01T10:00:02.000Z' };
    await store.commit([{ op: 'update', entity: { type: 'execution', value: closed } }]);
    expect(await store.listOpenExecutions()).toEqual([later]);
    expect(await store.getExecution('e-earlier')).toEqual({ ...closed, version: 2 });
  });

  it('cannot be created twice, nor closed twice from the same read', async () => {
    const record = execution('e-2', '2025-03-01T10:00:00.000Z');
    await store.commit([{ op: 'create', entity: { type: 'execution', value: record } }]);
    await expect(store.commit([{ op: 'create', entity: { type: 'execution', value: record } }])).rejects.toBeInstanceOf(StoreConflict);

    const failed: WorkflowExecution = { ...record, status: 'failed', finishedAt: '2025-03-01T10:00:01.000Z', error: 'IpamError: no space' };
    await store.commit([{ op: 'update', entity: { type: 'execution', value: failed } }]);
    await expect(store.commit([{ op: 'update', entity: { type: 'execution', value: failed } }])).rejects.toBeInstanceOf(StoreConflict);
    expect(await store.getExecution('e-2')).toMatchObject({ status: 'failed', error: 'IpamError: no space', version: 2 });
  });
});
