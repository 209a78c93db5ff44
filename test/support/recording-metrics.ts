// A MetricsSink that keeps what was published, so tests can read the metrics a sweep produced.
import type { MetricDatum, MetricsSink } from '../../lambdas/ports/metrics.ts';

export class RecordingMetrics implements MetricsSink {
  /** One entry per publish call, in order. */
  readonly publications: MetricDatum[][] = [];

  async publish(data: MetricDatum[]): Promise<void> {
    this.publications.push(structuredClone(data));
  }

  /** Every datum published so far. */
  all(): MetricDatum[] {
    return this.publications.flat();
  }
}
