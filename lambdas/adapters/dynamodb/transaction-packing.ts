// Commits of one process that wait for their turn share TransactWriteItems calls.
//
// Up to MAX_IN_FLIGHT transactions are sent at once; commits that arrive meanwhile queue, and the
// next call packs the queue in arrival order into one transaction (at most 100 items, no item
// named twice: a commit naming an item already packed waits for a later call). A lone commit goes
// out at once, alone, as before. Packed commits land together or not at all; when DynamoDB
// cancels the call, its reasons name the items that failed: the commits holding them get their
// own answer (a lost race, a throttled item), the others are sent again without them. So one
// commit's lost race never fails another, and concurrent commits of a process (allocations in
// many pools, each its own group commit) cost one round trip and one request instead of one each.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** A cancellation reason's code per item ('None' for an item that did not fail). */
export type Reasons = string[];

/** DynamoDB's limit of items in one TransactWriteItems. */
export const TRANSACTION_LIMIT = 100;
/**
 * Transactions of one process in flight at once; more commits wait and are packed. On a 2-core
 * machine 1 gave the most allocations per second over 16 pools (docs/performance.md).
 */
const MAX_IN_FLIGHT = 1;

interface Queued {
  items: TransactItem[];
  keys: string[];
  /** Sent alone from now on: a packed call failed and told no reason of its own for it. */
  alone?: boolean;
  resolve: () => void;
  /** Fails the commit with `error`, and its own items' reasons when the call was cancelled. */
  reject: (error: unknown, reasons?: Reasons) => void;
}

export class TransactionPacker {
  private readonly send: (items: TransactItem[]) => Promise<void>;
  private readonly queue: Queued[] = [];
  private inFlight = 0;

  constructor(send: (items: TransactItem[]) => Promise<void>) {
    this.send = send;
  }

  /**
   * Commits `items` (one commit's, at most TRANSACTION_LIMIT). A failed call rejects with
   * `failure` of its error and, when it was cancelled, of the reasons of this commit's own items.
   */
  commit(items: TransactItem[], failure: (error: unknown, reasons?: Reasons) => unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, keys: items.map(itemKey), resolve, reject: (error, reasons) => reject(failure(error, reasons)) });
      this.sendQueued();
    });
  }

  private sendQueued(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const packed = this.pack();
      this.inFlight++;
      void this.sendPacked(packed).finally(() => {
        this.inFlight--;
        this.sendQueued();
      });
    }
  }

  /** The queue's commits that fit one call, in arrival order, taken off the queue. */
  private pack(): Queued[] {
    const first = this.queue[0];
    if (first.alone) return this.queue.splice(0, 1);
    const packed: Queued[] = [];
    const keys = new Set<string>();
    let count = 0;
    for (const queued of this.queue) {
      if (queued.alone || count + queued.items.length > TRANSACTION_LIMIT) continue;
      if (queued.keys.some((key) => keys.has(key))) continue;
      for (const key of queued.keys) keys.add(key);
      count += queued.items.length;
      packed.push(queued);
    }
    for (const queued of packed) this.queue.splice(this.queue.indexOf(queued), 1);
    return packed;
  }

  private async sendPacked(packed: Queued[]): Promise<void> {
    try {
      await this.send(packed.flatMap((queued) => queued.items));
    } catch (error) {
      if (packed.length === 1) return packed[0].reject(error);
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
      if (!reasons || reasons.length !== packed.reduce((sum, queued) => sum + queued.items.length, 0)) {
        // Not a cancellation (the store unavailable, a timeout): the call may have landed, all
        // of it or none, so every commit packed in it meets this failure, as it would alone.
        for (const queued of packed) queued.reject(error);
        return;
      }
      const innocent: Queued[] = [];
      let offset = 0;
      for (const queued of packed) {
        const own = reasons.slice(offset, offset + queued.items.length).map((reason) => reason.Code ?? 'None');
        offset += queued.items.length;
        if (own.every((code) => code === 'None')) innocent.push(queued);
        else queued.reject(error, own);
      }
      // Nothing was written: the others go again, first in line; alone if no commit was to blame.
      const blameless = innocent.length === packed.length;
      this.queue.unshift(...innocent.map((queued) => Object.assign(queued, { alone: queued.alone || blameless })));
      return;
    }
    for (const queued of packed) queued.resolve();
  }
}

/** The item a transaction item names. */
function itemKey(item: TransactItem): string {
  const key = item.Put?.Item ?? item.Delete?.Key ?? item.Update?.Key ?? item.ConditionCheck?.Key ?? {};
  return JSON.stringify([key.PK, key.SK]);
}
