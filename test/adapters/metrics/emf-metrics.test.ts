// The EMF the sweep's metrics become: the guide's metric names, units and case-exact dimension
// names, one CloudWatch directive per dimension set, in our own namespace — appended to a file
// locally, written to stdout (where Lambda's log agent picks EMF up) in the cloud.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { EmfMetrics } from '../../../lambdas/adapters/metrics/emf-metrics.ts';
import type { MetricDatum } from '../../../lambdas/ports/metrics.ts';

interface Emf {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }>;
  };
  [member: string]: unknown;
}

const POOL = { PoolID: 'ipam-pool-0123456789abcdef0', ScopeID: 'ipam-scope-0123456789abcdef0', Locale: 'us-east-1', AddressFamily: 'IPv4' };
const SCOPE = { ScopeID: 'ipam-scope-0123456789abcdef0', AddressFamily: 'IPv4' };
const VPC = { AddressFamily: 'IPv4', OwnerID: '123456789012', Region: 'us-east-1', ScopeID: SCOPE.ScopeID, VpcID: 'vpc-0123456789abcdef0' };

const DATA: MetricDatum[] = [
  { name: 'PercentAllocated', unit: 'Percent', value: 50, dimensions: POOL },
  { name: 'ManagedResourceCidrs', unit: 'Count', value: 3, dimensions: SCOPE },
  { name: 'PercentAssigned', unit: 'Percent', value: 12.5, dimensions: POOL },
  { name: 'PercentAvailable', unit: 'Percent', value: 37.5, dimensions: POOL },
  { name: 'TotalActiveIpCount', unit: 'Count', value: 7, dimensions: { IpamId: 'ipam-0123456789abcdef0' } },
  { name: 'VpcIPUsage', unit: 'Percent', value: 25, dimensions: VPC },
  { name: 'OverlappingResourceCidrs', unit: 'Count', value: 0, dimensions: SCOPE },
];

async function publishToFile(data: MetricDatum[], namespace = 'SelfHostedIPAM'): Promise<Emf[]> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'ipam-metrics-')), 'metrics.jsonl');
  await new EmfMetrics({ namespace, file }).publish(data);
  return (await readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Emf);
}

/** Each object's metrics as `name unit value`, and its one dimension set with the values. */
const summary = (emf: Emf) => {
  const [directive] = emf._aws.CloudWatchMetrics;
  expect(emf._aws.CloudWatchMetrics).toHaveLength(1);
  expect(directive.Dimensions).toHaveLength(1);
  return {
    namespace: directive.Namespace,
    metrics: directive.Metrics.map((metric) => `${metric.Name} ${metric.Unit} ${String(emf[metric.Name])}`),
    dimensions: Object.fromEntries(directive.Dimensions[0].map((name) => [name, emf[name]])),
  };
};

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('EMF objects', () => {
  test('one per dimension set, with exactly the names, units and dimensions given, in the configured namespace', async () => {
    const objects = await publishToFile(DATA);
    expect(objects.map(summary)).toEqual([
      {
        namespace: 'SelfHostedIPAM',
        metrics: ['PercentAllocated Percent 50', 'PercentAssigned Percent 12.5', 'PercentAvailable Percent 37.5'],
        dimensions: POOL,
      },
      { namespace: 'SelfHostedIPAM', metrics: ['ManagedResourceCidrs Count 3', 'OverlappingResourceCidrs Count 0'], dimensions: SCOPE },
      { namespace: 'SelfHostedIPAM', metrics: ['TotalActiveIpCount Count 7'], dimensions: { IpamId: 'ipam-0123456789abcdef0' } },
      { namespace: 'SelfHostedIPAM', metrics: ['VpcIPUsage Percent 25'], dimensions: VPC },
    ]);
  });

  test('no Powertools `service` dimension or anything else rides along', async () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'ipam-discovery');
    const [pool] = await publishToFile(DATA.slice(0, 1));
    expect(pool._aws.CloudWatchMetrics[0].Dimensions).toEqual([['PoolID', 'ScopeID', 'Locale', 'AddressFamily']]);
    expect(Object.keys(pool).sort()).toEqual(['AddressFamily', 'Locale', 'PercentAllocated', 'PoolID', 'ScopeID', '_aws'].sort());
  });

  test('the namespace is the configured one', async () => {
    const [object] = await publishToFile(DATA.slice(0, 1), 'team-a-ipam');
    expect(object._aws.CloudWatchMetrics[0].Namespace).toBe('team-a-ipam');
  });

  test('successive publishes append; nothing leaks from one group into the next', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'ipam-metrics-')), 'metrics.jsonl');
    const sink = new EmfMetrics({ namespace: 'SelfHostedIPAM', file });
    await sink.publish(DATA.slice(0, 1));
    await sink.publish([DATA[1]]);
    const lines = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Emf);
    expect(lines.map(summary)).toEqual([
      { namespace: 'SelfHostedIPAM', metrics: ['PercentAllocated Percent 50'], dimensions: POOL },
      { namespace: 'SelfHostedIPAM', metrics: ['ManagedResourceCidrs Count 3'], dimensions: SCOPE },
    ]);
  });
});

test('without a file, each object is one line on stdout', async () => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  await new EmfMetrics({ namespace: 'SelfHostedIPAM' }).publish(DATA.slice(0, 2));
  vi.restoreAllMocks();
  const objects = written
    .join('')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Emf);
  expect(objects.map((emf) => summary(emf).dimensions)).toEqual([POOL, SCOPE]);
});
