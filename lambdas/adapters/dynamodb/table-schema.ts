// The single table's shape as plain data: its key names, its one global secondary index and its
// TTL attribute. The runtime (table.ts: DynamoDB Local and the tests) and the CDK stack both build
// the table from here, so neither restates it and the CDK app loads no SDK client. Every key
// attribute is a string; the index projects every attribute. Keys themselves are built in keys.ts.

export const PARTITION_KEY = 'PK';
export const SORT_KEY = 'SK';
export const GSI1 = { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' } as const;

/** Every global secondary index of the table. */
export const GLOBAL_SECONDARY_INDEXES = [GSI1] as const;

/**
 * Epoch seconds after which DynamoDB may delete an item (client tokens, address history, finished
 * pool CIDRs, closed workflow executions; docs/deploy-and-operations.md#retention). Deletion is lazy
 * (typically within days) and DynamoDB Local ignores it, so readers of items that expire must treat
 * expired ones as gone themselves.
 */
export const TIME_TO_LIVE_ATTRIBUTE = 'expiresAt';
