// The EventBridge schedule's stand-in under `npm start`: a timer that runs a discovery sweep every
// interval, and sweeps on demand (POST /local/discovery-sweeps, LocalService.sweep()). One sweep
// runs at a time in this process, and nothing queues: a tick while one runs is skipped, as a
// scheduled Lambda finding the lease taken would be, and an on-demand trigger while one runs joins
// it (the same id and report) instead of starting another.
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SweepReport } from '../../use-cases/sweep/discovery-sweep.ts';

const logger = new Logger({ serviceName: 'ipam-discovery' });

interface SweepSchedulerOptions {
  run: () => Promise<SweepReport>;
  /** Milliseconds between timer sweeps; 0 = no timer, on demand only. */
  intervalMs: number;
}

/** A sweep of this process: its id, and its report once it has finished. */
interface RunningSweep {
  sweepId: string;
  report: Promise<SweepReport>;
}

export interface TriggeredSweep extends RunningSweep {
  /** True when a sweep was already running and this trigger joined it. */
  joined: boolean;
}

export class SweepScheduler {
  private readonly run: () => Promise<SweepReport>;
  private readonly timer: NodeJS.Timeout | undefined;
  private running: RunningSweep | undefined;
  private stopped = false;

  constructor(options: SweepSchedulerOptions) {
    this.run = options.run;
    if (options.intervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), options.intervalMs);
      // The timer alone must not keep `npm start` (or a test run) alive.
      this.timer.unref();
    }
  }

  /** Starts a sweep, or joins the one running. Throws once the service is stopping. */
  trigger(): TriggeredSweep {
    if (this.stopped) throw new Error('The local service is stopping; no more sweeps');
    if (this.running) return { ...this.running, joined: true };
    const sweepId = `sweep-${randomUUID()}`;
    const report = this.run().finally(() => {
      this.running = undefined;
    });
    this.running = { sweepId, report };
    return { sweepId, report, joined: false };
  }

  /** The report of a sweep started now, or of the one already running. */
  async sweepNow(): Promise<SweepReport> {
    return this.trigger().report;
  }

  /** No more sweeps; resolves once the running one has settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.report.catch(() => {});
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    const { sweepId, report } = this.trigger();
    try {
      const done = await report;
      logger.info(done.skipped ? 'sweep skipped' : 'sweep done', { sweepId, report: done });
    } catch (error) {
      logger.error('sweep failed', { sweepId, error: error as Error });
    }
  }
}
