// The metrics port as CloudWatch Embedded Metric Format, through Powertools Metrics: one EMF
// object per dimension set (each datum keeps exactly its own dimensions). In Lambda the objects
// go to stdout, where CloudWatch Logs turns them into metrics; locally they are appended to
// <data dir>/metrics.jsonl instead. Powertools 2.36 has no option to redirect EMF output (its
// `logger` option covers only its own warnings), so the local sink serialises and appends.
import { appendFile } from 'node:fs/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricDatum, MetricsSink } from '../../ports/metrics.ts';
import { PRIVATE_FILE_MODE } from '../local/private-files.ts';

const logger = new Logger({ serviceName: 'ipam-metrics' });

const UNITS = { Count: MetricUnit.Count, Percent: MetricUnit.Percent, Seconds: MetricUnit.Seconds } as const satisfies Record<
  MetricDatum['unit'],
  string
>;

/** Powertools flushes on its own at 100 metrics per object (EMF's limit); flush before it would. */
const METRICS_PER_OBJECT = 100;

interface EmfMetricsOptions {
  /**
   * CloudWatch namespace. Not AWS/IPAM: namespaces starting with AWS/ are reserved for AWS's own
   * services, so ours is configurable (IPAM_METRICS_NAMESPACE, default SelfHostedIPAM).
   */
  namespace: string;
  /** Append the EMF objects here as JSON lines instead of writing them to stdout (local mode). */
  file?: string;
}

export class EmfMetrics implements MetricsSink {
  private readonly metrics: Metrics;
  private readonly file: string | undefined;

  constructor(options: EmfMetricsOptions) {
    this.metrics = new Metrics({ namespace: options.namespace, logger });
    // Powertools gives every metric a `service` dimension; the guide's dimension sets are exact,
    // and a Metrics Insights SCHEMA(...) query only matches series with exactly those names.
    this.metrics.clearDefaultDimensions();
    this.file = options.file;
  }

  async publish(data: MetricDatum[]): Promise<void> {
    const objects: string[] = [];
    for (const group of byDimensionSet(data)) {
      for (let i = 0; i < group.length; i += METRICS_PER_OBJECT) {
        const chunk = group.slice(i, i + METRICS_PER_OBJECT);
        for (const [name, value] of Object.entries(chunk[0].dimensions)) this.metrics.addDimension(name, value);
        for (const datum of chunk) this.metrics.addMetric(datum.name, UNITS[datum.unit], datum.value);
        if (this.file) objects.push(this.takeSerialised());
        else this.metrics.publishStoredMetrics();
      }
    }
    if (this.file && objects.length > 0) await this.append(this.file, objects);
  }

  /** The stored metrics as one EMF JSON text, and the store emptied for the next group. */
  private takeSerialised(): string {
    try {
      return JSON.stringify(this.metrics.serializeMetrics());
    } finally {
      this.metrics.clearMetrics();
      this.metrics.clearDimensions();
    }
  }

  private async append(file: string, objects: string[]): Promise<void> {
    try {
      await appendFile(file, objects.map((object) => `${object}\n`).join(''), { mode: PRIVATE_FILE_MODE });
    } catch (error) {
      // Metrics are observations, not state: losing one batch must not fail a sweep.
      logger.error('could not append metrics', { file, error: error as Error });
    }
  }
}

/** Data grouped by their dimension set (same names and values), in first-seen order. */
function byDimensionSet(data: MetricDatum[]): MetricDatum[][] {
  const groups = new Map<string, MetricDatum[]>();
  for (const datum of data) {
    const key = JSON.stringify(Object.entries(datum.dimensions).sort(([a], [b]) => a.localeCompare(b)));
    const group = groups.get(key);
    if (group) group.push(datum);
    else groups.set(key, [datum]);
  }
  return [...groups.values()];
}
