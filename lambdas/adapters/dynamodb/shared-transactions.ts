// Concurrent commits of one process share TransactWriteItems calls (group commit across pools).
//
// While a transaction is in flight, later commits queue; when it ends, the queued ones go out
// together in one transaction, as many as fit (DynamoDB's 100 items) and touch no item twice. A
// commit that finds the lane idle goes out at once, alone: a lone caller pays nothing. Sharing is
// safe because the commits are disjoint: the shared transaction is all of them applied at one
// instant, which is one of the orders they could have committed in one after the other. Each
// keeps its own conditions, so each keeps its invariants. Under `npm start` many requests of one
// process commit at once (allocations in 16 pools at 16 callers made a request each); in Lambda
// an environment serves one request at a time, so its commits hardly ever meet here.
//
// When a shared transaction is refused (cancelled, or invalid), nothing of it was written, and
// each commit goes out again alone to meet its own outcome: one lost race fails only its own
// commit. Any other failure (the store unavailable, an answer lost) may have landed, so each
// commit gets that failure, as it would alone.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit of items in one TransactWriteItems. */
export const TRANSACTION_LIMIT = 100;
/** Shared transactions in flight at once: one being served while the next one gathers. */
const LANES = 2;

interface Queued {
  items: TransactItem[];
  keys: string[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class SharedTransactions {
  private readonly send: (items: TransactItem[]) => Promise<void>;
  private readonly queue: Queued[] = [];
  private inFlight = 0;

  /** `send` is one TransactWriteItems of `items`, throwing the SDK's error. */
  constructor(send: (items: TransactItem[]) => Promise<void>) {
    this.send = send;
  }

  /** Commits `items` in one transaction: at once while a lane is free, else with the commits queued beside it. */
  commit(items: TransactItem[]): Promise<void> {
    const committed = new Promise<void>((resolve, reject) => this.queue.push({ items, keys: items.map(itemKey), resolve, reject }));
    this.next();
    return committed;
  }

  /** Sends the next shared transaction while a lane is free. */
  private next(): void {
    while (this.inFlight < LANES && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight++;
      void this.sendGroup(group).finally(() => {
        this.inFlight--;
        this.next();
      });
    }
  }

  /** The queue's commits, in order, that fit one transaction together and name no item twice; the rest wait. */
  private takeGroup(): Queued[] {
    const group: Queued[] = [];
    const keys = new Set<string>();
    let count = 0;
    for (let index = 0; index < this.queue.length; index++) {
      const queued = this.queue[index];
      if (count + queued.items.length > TRANSACTION_LIMIT) {
        if (group.length === 0) {
          // Larger than a transaction on its own: it goes alone, and the store's answer says why.
          this.queue.splice(index, 1);
          return [queued];
        }
        continue;
      }
      if (queued.keys.some((key) => keys.has(key))) continue;
      for (const key of queued.keys) keys.add(key);
      count += queued.items.length;
      group.push(queued);
      this.queue.splice(index--, 1);
    }
    return group;
  }

  private async sendGroup(group: Queued[]): Promise<void> {
    if (group.length === 1) {
      await this.sendAlone(group[0]);
      return;
    }
    try {
      await this.send(group.flatMap((queued) => queued.items));
    } catch (error) {
      if (!nothingWritten(error)) {
        for (const queued of group) queued.reject(error);
        return;
      }
      await Promise.all(group.map((queued) => this.sendAlone(queued)));
      return;
    }
    for (const queued of group) queued.resolve();
  }

  private async sendAlone(queued: Queued): Promise<void> {
    try {
      await this.send(queued.items);
      queued.resolve();
    } catch (error) {
      queued.reject(error);
    }
  }
}

/** A refusal that wrote nothing: a cancelled transaction, or one DynamoDB found invalid before applying it. */
function nothingWritten(error: unknown): boolean {
  return error instanceof TransactionCanceledException || (error instanceof Error && error.name === 'ValidationException');
}

/** The table key an item of a transaction names. */
function itemKey(item: TransactItem): string {
  const key = item.Put?.Item ?? item.Delete?.Key ?? item.Update?.Key ?? item.ConditionCheck?.Key;
  return `${key?.PK}\u0000${key?.SK}`;
}
