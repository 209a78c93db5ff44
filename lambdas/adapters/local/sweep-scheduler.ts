// The EventBridge schedule's stand-in under `npm start`: a timer that runs a discovery sweep every
// interval, and sweeps on demand (POST /local/discovery-sweeps, LocalService.sweep()). Sweeps in
// this process never overlap: a tick while one runs is skipped, as a scheduled Lambda finding the
// lease taken would be, and an on-demand sweep waits for the running one, then runs its own.
import { Logger } from '@aws-lambda-powertools/logger';
import type { SweepReport } from '../../use-cases/discovery-sweep.ts';

const logger = new Logger({ serviceName: 'ipam-discovery' });

export interface SweepSchedulerOptions {
  run: () => Promise<SweepReport>;
  /** Milliseconds between timer sweeps; 0 = no timer, on demand only. */
  intervalMs: number;
}

export class SweepScheduler {
  private readonly run: () => Promise<SweepReport>;
  private readonly timer: NodeJS.Timeout | undefined;
  /** The last sweep asked for; each one starts after the one before it settles. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Sweeps running or waiting to run. */
  private pending = 0;
  private stopped = false;

  constructor(options: SweepSchedulerOptions) {
    this.run = options.run;
    if (options.intervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), options.intervalMs);
      // The timer alone must not keep `npm start` (or a test run) alive.
      this.timer.unref();
    }
  }

  /** One sweep now, after any sweep already running; resolves with its report. */
  sweepNow(): Promise<SweepReport> {
    if (this.stopped) return Promise.reject(new Error('The local service is stopping; no more sweeps'));
    this.pending++;
    const sweep = this.queue.then(() => this.run());
    // The queue only orders sweeps: a failed one is its caller's to handle, not the next one's.
    this.queue = sweep.finally(() => this.pending--).catch(() => {});
    return sweep;
  }

  /** No more timer sweeps; resolves once the running (and waiting) sweeps have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.queue;
  }

  private async tick(): Promise<void> {
    if (this.pending > 0 || this.stopped) return;
    try {
      const report = await this.sweepNow();
      logger.info(report.skipped ? 'sweep skipped' : 'sweep done', { report });
    } catch (error) {
      logger.error('sweep failed', error as Error);
    }
  }
}
