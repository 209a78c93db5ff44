// CloudWatch metrics with the guide's names and dimensions (spec §15), written as EMF through
// Powertools: the discovery sweep publishes one set per IPAM per sweep.
import type { MetricDatum } from '../domain/monitoring.ts';

export type { MetricDatum };

export interface MetricsSink {
  publish(data: MetricDatum[]): Promise<void>;
}
