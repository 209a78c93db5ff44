// The DiscoveryChanges port in one process (`npm start`, the test harness): changed accounts are
// refreshed in the background, one refresh at a time and never beside a sweep, so the call that
// changed them answers as soon as its own commit is done. Changes reported while a refresh runs
// are gathered into the next one, so a burst of creates costs a few refreshes, not one each.
// settled() is the read barrier: discovery reads wait on it, so a read sent after a change sees it.
import type { DiscoveryChanges } from '../../ports/discovery-changes.ts';
import type { Log } from '../../ports/log.ts';
import type { AccountRegion } from '../../use-cases/sweep/discovery-sweep.ts';

export class DiscoveryRefresher implements DiscoveryChanges {
  private readonly refresh: (changed: AccountRegion[]) => Promise<unknown>;
  private readonly log: Log;
  private readonly pending = new Map<string, AccountRegion>();
  private draining: Promise<void> | undefined;
  /** Changes reported so far, and how many of them a finished refresh has covered. */
  private reported = 0;
  private refreshed = 0;
  private readonly waiting: { upTo: number; resolve: () => void }[] = [];
  /** The end of the one lane refreshes and sweeps run in. */
  private lane: Promise<unknown> = Promise.resolve();

  constructor(refresh: (changed: AccountRegion[]) => Promise<unknown>, log: Log) {
    this.refresh = refresh;
    this.log = log;
  }

  changed(accountId: string, region: string): void {
    this.pending.set(`${accountId}#${region}`, { accountId, region });
    this.reported++;
    this.draining ??= this.drain();
  }

  /** Waits for the changes reported before this call only: a reader is not held up by a burst that goes on after it. */
  settled(): Promise<void> {
    const upTo = this.reported;
    if (this.refreshed >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ upTo, resolve }));
  }

  /** Runs `work` (a sweep) once the refresh running has finished, holding later refreshes until it is done. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lane.then(work);
    this.lane = run.catch(() => {});
    return run;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const changed = [...this.pending.values()];
        const upTo = this.reported;
        this.pending.clear();
        try {
          await this.exclusive(() => this.refresh(changed));
        } catch (error) {
          // The change is committed; only its discovery is late: the next sweep brings it.
          this.log.error('could not refresh discovery', { changed, error });
        }
        this.refreshed = upTo;
        for (const waiter of this.waiting.filter((each) => each.upTo <= upTo)) {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    } finally {
      this.draining = undefined;
    }
  }
}
