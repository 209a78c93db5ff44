// Forgetting delivered outbox entries (outbox.ts): deleting them once their events went out.
// Under `npm start` the process lives on, so the deletes leave the response path: entries are
// collected and deleted in the background, those delivered meanwhile together (the store batches
// 25 to a request), and flushed when the service stops. A process killed first leaves them in
// the outbox, and the reconciler offers them again with the same eventIds: at least once, as
// docs/events.md promises. A Lambda environment may be frozen or ended as soon as it answers,
// so there each delivery deletes its entries before the use case returns.
// The same batches put each delivered event as a recent-event record (ListRecentEvents): no
// request of its own, and nothing added to the commit of the change (the allocation hot path).
import { setImmediate as afterIo } from 'node:timers/promises';
import { DEFAULT_RECENT_EVENT_RETENTION_DAYS, recentEventOf } from '../../domain/expiry.ts';
import type { OutboxEntry } from '../../domain/model/events.ts';
import type { Log } from '../../ports/log.ts';
import type { OutboxStore } from '../../ports/store.ts';

/** `at-once`: before the caller goes on (Lambda). `in-background`: after it, coalesced (`npm start`). */
export type ForgettingMode = 'at-once' | 'in-background';

export class OutboxForgetter {
  private readonly store: OutboxStore;
  private readonly log: Log;
  readonly mode: ForgettingMode;
  private pending: OutboxEntry[] = [];
  private draining: Promise<void> | undefined;
  private readonly recentEventRetentionMs: number;

  constructor(store: OutboxStore, log: Log, mode: ForgettingMode, recentEventRetentionDays = DEFAULT_RECENT_EVENT_RETENTION_DAYS) {
    this.store = store;
    this.log = log;
    this.mode = mode;
    this.recentEventRetentionMs = recentEventRetentionDays * 24 * 3600 * 1000;
  }

  /** Deletes delivered entries, now or in the background (see the mode). Never throws: what is not deleted is delivered again. */
  async forget(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.mode === 'at-once') return this.delete(entries);
    this.pending.push(...entries);
    this.draining ??= this.drain();
  }

  /** Resolves once every entry handed to forget so far is deleted (or its delete failed, logged). */
  async flush(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    // After the I/O callbacks of this turn: the answer of the request that delivered goes out first.
    await afterIo();
    while (this.pending.length > 0) {
      const entries = this.pending;
      this.pending = [];
      await this.delete(entries);
    }
    this.draining = undefined;
  }

  private async delete(entries: readonly OutboxEntry[]): Promise<void> {
    try {
      const recentEvents = entries.flatMap((entry) => entry.events.map((event) => recentEventOf(event, this.recentEventRetentionMs)));
      await this.store.deleteOutboxEntries(entries, recentEvents);
    } catch (error) {
      // They will be delivered a second time, with the same eventIds.
      this.log.error('delivered events could not be forgotten', { outboxIds: entries.map((entry) => entry.outboxId), error });
    }
  }
}
