// Counts DynamoDB requests and the capacity they consumed, by asking every request made through
// the client for ReturnConsumedCapacity: TOTAL (DynamoDB Local reports it like the cloud does).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

interface ConsumedCapacity {
  CapacityUnits?: number;
}

export interface CapacityTotals {
  requests: number;
  capacityUnits: number;
  /** Requests per DynamoDB operation, e.g. { Query: 2, TransactWriteItems: 1 }. */
  byOperation: Record<string, number>;
  /** Items written (put, updated, deleted; a transaction's condition checks are not writes). */
  writeItems: number;
}

export class CapacityMeter {
  private totals: CapacityTotals = { requests: 0, capacityUnits: 0, byOperation: {}, writeItems: 0 };

  /** Installs the meter on `client` (the document client shares its middleware stack). */
  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        this.totals.writeItems += itemsWritten(String(context.commandName ?? ''), args.input as Record<string, unknown>);
        this.record(
          String(context.commandName ?? 'unknown').replace(/Command$/, ''),
          (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity,
        );
        return result;
      },
      { step: 'initialize', name: 'benchConsumedCapacity' },
    );
  }

  private record(operation: string, consumed: unknown): void {
    this.totals.requests++;
    this.totals.byOperation[operation] = (this.totals.byOperation[operation] ?? 0) + 1;
    // One object for single-item calls, a list (one per table) for transactions and batches.
    const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as ConsumedCapacity[];
    for (const entry of entries) this.totals.capacityUnits += entry.CapacityUnits ?? 0;
  }

  snapshot(): CapacityTotals {
    return structuredClone(this.totals);
  }

  /** What was used since `before`, per operation of `operations` (e.g. per allocation). */
  static per(before: CapacityTotals, after: CapacityTotals, operations: number) {
    const byOperation: Record<string, number> = {};
    for (const [name, count] of Object.entries(after.byOperation)) {
      const delta = count - (before.byOperation[name] ?? 0);
      if (delta > 0) byOperation[name] = delta / operations;
    }
    return {
      capacityUnits: (after.capacityUnits - before.capacityUnits) / operations,
      writeItems: (after.writeItems - before.writeItems) / operations,
      requests: (after.requests - before.requests) / operations,
      byOperation,
    };
  }
}

const SINGLE_ITEM_WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
]);

function itemsWritten(command: string, input: Record<string, unknown>): number {
  if (SINGLE_ITEM_WRITES.has(command)) return 1;
  if (Array.isArray(input.TransactItems))
    return (input.TransactItems as Record<string, unknown>[]).filter((item) => item.ConditionCheck === undefined).length;
  if (input.RequestItems && /BatchWrite/.test(command))
    return Object.values(input.RequestItems as Record<string, unknown[]>).reduce((sum, requests) => sum + requests.length, 0);
  return 0;
}
