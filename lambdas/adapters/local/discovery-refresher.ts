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
  /** The end of the one lane refreshes and sweeps run in. */
  private lane: Promise<unknown> = Promise.resolve();

  constructor(refresh: (changed: AccountRegion[]) => Promise<unknown>, log: Log) {
    this.refresh = refresh;
    this.log = log;
  }

  changed(accountId: string, region: string): void {
    this.pending.set(`${accountId}#${region}`, { accountId, region });
    this.draining ??= this.drain();
  }

  settled(): Promise<void> {
    return this.draining ?? Promise.resolve();
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
        this.pending.clear();
        try {
          await this.exclusive(() => this.refresh(changed));
        } catch (error) {
          // The change is committed; only its discovery is late: the next sweep brings it.
          this.log.error('could not refresh discovery', { changed, error });
        }
      }
    } finally {
      this.draining = undefined;
    }
  }
}
