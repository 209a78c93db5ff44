// Issue 19 item 5: the api Lambda's cold start. The handler is bundled exactly as the CDK bundles
// it (lib/lambda-bundling.ts), then each cold run is a fresh plain `node` (this Node) with the
// function's environment as the stack sets it, DynamoDB Local for the
// table, and a stand-in for Secrets Manager and EventBridge. It times the module's import (the
// bundle's evaluation plus its cold-start read of the key secret), the first invocation — a
// SigV4-signed AllocateIpamPoolCidr through an API Gateway event — and later warm invocations.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { lambdaEsbuildOptions, SOURCE_MAPS_OPTION } from '../../lib/lambda-bundling.ts';
import { loadConfig } from '../../lambdas/config.ts';
import { lambdaContext, signedQueryEvent } from '../../test/cdk/support/api-gateway-event.ts';
import { startFakeAwsEndpoint } from '../../test/cdk/support/fake-aws-endpoint.ts';
import { createBenchContext } from './bench-context.ts';
import type { Measure } from './report.ts';
import { latency, round } from './stats.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const API_ENTRY = path.join(projectRoot, 'lambdas/handlers/api-lambda.ts');

export interface ColdStartOptions {
  dynamoDbEndpoint: string;
  /** Fresh processes per NODE_OPTIONS setting; medians are taken over them. */
  runs?: number;
  /** Invocations after the first in each process; the warm figure is their median. */
  warmCalls?: number;
}

/** Medians over the cold runs, in milliseconds. */
export interface ColdRuns {
  /** import() of the bundle: its evaluation and its top-level await (the key secret's read). */
  loadMs: number;
  /** The CPU time of that import: steadier than loadMs on a busy machine. */
  loadCpuMs: number;
  /** From import() to the secret's read arriving: evaluation before the first network call. */
  evaluateMs: number;
  firstMs: number;
  warmMs: number;
}

export interface ColdStart {
  bundleBytes: number;
  bundleGzipBytes: number;
  sourceMapBytes: number;
  runs: number;
  /** As deployed: no NODE_OPTIONS. */
  deployed: ColdRuns;
  /** With NODE_OPTIONS=--enable-source-maps, to show what source-map support costs. */
  withSourceMaps: ColdRuns;
}

const CALLER = { accessKeyId: 'AKIACOLDSTART0000001', secretAccessKey: 'cold-start-secret-0123456789abcdefghij' };

// Runs in the child: import the bundle, invoke it once, then warm; one JSON line at the end.
const CHILD = `
const events = JSON.parse(process.env.BENCH_EVENTS);
const context = { ...JSON.parse(process.env.BENCH_CONTEXT), getRemainingTimeInMillis: () => 25000 };
const importedAt = performance.timeOrigin + performance.now();
let start = performance.now();
const cpu = process.cpuUsage();
const { handler } = await import(process.env.BENCH_BUNDLE);
const loadMs = performance.now() - start;
const { user, system } = process.cpuUsage(cpu);
const loadCpuMs = (user + system) / 1000;
const callMs = [];
const answers = [];
for (const event of events) {
  start = performance.now();
  const result = await handler(event, context);
  callMs.push(performance.now() - start);
  answers.push({ statusCode: result.statusCode, cidr: /<cidr>([^<]+)<\\/cidr>/.exec(result.body)?.[1] ?? result.body.slice(0, 300) });
}
process.stdout.write('\\nCOLD ' + JSON.stringify({ importedAt, loadMs, loadCpuMs, callMs, answers }));
`;

interface ChildResult {
  importedAt: number;
  loadMs: number;
  loadCpuMs: number;
  callMs: number[];
  answers: { statusCode: number; cidr: string }[];
}

const median = (values: readonly number[]) => latency(values).p50;

/** Bundles the api handler as deployed and measures its cold start; throws unless every call answered 200 with a CIDR. */
export async function measureColdStart(options: ColdStartOptions): Promise<ColdStart> {
  const runs = options.runs ?? 5;
  const warmCalls = options.warmCalls ?? 10;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ipam-cold-start-'));
  const bench = await createBenchContext(options.dynamoDbEndpoint, loadConfig({}), path.join(dir, 'events.jsonl'));
  const account = await bench.newAccount();
  let secretReadAt: number | undefined;
  const fakeAws = await startFakeAwsEndpoint(({ target, input }) => {
    if (target === 'secretsmanager.GetSecretValue') {
      secretReadAt ??= performance.timeOrigin + performance.now();
      return {
        SecretString: JSON.stringify({ accessKeys: [{ ...CALLER, accountId: account.accountId }], paginationSecret: 'c'.repeat(64) }),
      };
    }
    if (target === 'AWSEvents.PutEvents')
      return { FailedEntryCount: 0, Entries: (input.Entries as unknown[]).map((_, index) => ({ EventId: `cold-${index}` })) };
    return undefined;
  });
  try {
    await build(lambdaEsbuildOptions(projectRoot, API_ENTRY, dir));
    const bundle = path.join(dir, 'index.mjs');
    const code = await readFile(bundle);
    const poolId = await bench.newPool(account, '10.0.0.0/8');
    const body = `Action=AllocateIpamPoolCidr&Version=2016-11-15&IpamPoolId=${poolId}&NetmaskLength=24`;

    const coldRun = async (nodeOptions: string): Promise<ColdRuns & { importedAt: number }> => {
      secretReadAt = undefined;
      const events = await Promise.all(Array.from({ length: 1 + warmCalls }, () => signedQueryEvent({ body, credentials: CALLER })));
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHILD], {
        maxBuffer: 16 * 2 ** 20,
        env: {
          PATH: process.env.PATH,
          BENCH_BUNDLE: bundle,
          BENCH_EVENTS: JSON.stringify(events),
          BENCH_CONTEXT: JSON.stringify(lambdaContext),
          // What lib/stateless-stack.ts and lib/constructs/ipam-function.ts set, with local endpoints.
          ...(nodeOptions && { NODE_OPTIONS: nodeOptions }),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_ENDPOINT_URL_SECRETS_MANAGER: fakeAws.url,
          AWS_ENDPOINT_URL_EVENTBRIDGE: fakeAws.url,
          IPAM_TABLE_NAME: bench.tableName,
          IPAM_DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
          IPAM_ACCESS_KEYS_SECRET_ID: 'ipam-access-keys',
          IPAM_EVENT_BUS_NAME: 'ipam-events',
          IPAM_STATE_MACHINE_ARNS: '{}',
          POWERTOOLS_SERVICE_NAME: 'ipam-api',
          POWERTOOLS_METRICS_NAMESPACE: 'ipam',
          POWERTOOLS_METRICS_DISABLED: 'true',
          POWERTOOLS_LOG_LEVEL: 'WARN',
        },
      });
      const result = JSON.parse(stdout.slice(stdout.lastIndexOf('\nCOLD ') + '\nCOLD '.length)) as ChildResult;
      const wrong = result.answers.find((answer) => answer.statusCode !== 200 || !answer.cidr.endsWith('/24'));
      if (wrong) throw new Error(`the bundled api answered ${wrong.statusCode}: ${wrong.cidr}`);
      return {
        importedAt: result.importedAt,
        loadMs: result.loadMs,
        loadCpuMs: result.loadCpuMs,
        evaluateMs: (secretReadAt ?? Number.NaN) - result.importedAt,
        firstMs: result.callMs[0],
        warmMs: median(result.callMs.slice(1)),
      };
    };
    const medians = async (nodeOptions: string): Promise<ColdRuns> => {
      const all: ColdRuns[] = [];
      for (let run = 0; run < runs; run++) all.push(await coldRun(nodeOptions));
      const of = (pick: (run: ColdRuns) => number) => round(median(all.map(pick)), 1);
      return {
        loadMs: of((r) => r.loadMs),
        loadCpuMs: of((r) => r.loadCpuMs),
        evaluateMs: of((r) => r.evaluateMs),
        firstMs: of((r) => r.firstMs),
        warmMs: of((r) => r.warmMs),
      };
    };
    const deployed = await medians('');
    const withSourceMaps = await medians(SOURCE_MAPS_OPTION);
    return {
      bundleBytes: code.length,
      bundleGzipBytes: gzipSync(code).length,
      sourceMapBytes: (await stat(`${bundle}.map`)).size,
      runs,
      deployed,
      withSourceMaps,
    };
  } finally {
    await fakeAws.close();
    bench.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const kib = (bytes: number) => `${round(bytes / 1024, 0)} KiB`;

/** The bench's rows (issue 19 item 5): load ≤ 150 ms, first request ≤ 2× a warm one, and the bundle's size. */
export function coldStartMeasures(cold: ColdStart): Measure[] {
  const { deployed, withSourceMaps } = cold;
  return [
    {
      item: '19.5',
      name: 'api bundle (index.mjs, gzip; source map)',
      value: `${kib(cold.bundleBytes)}, ${kib(cold.bundleGzipBytes)}; ${kib(cold.sourceMapBytes)}`,
    },
    {
      // The "load": the bundle's evaluation before its first network call (the key secret's read).
      item: '19.5',
      name: `cold load: evaluation before the first network call / 150 ms (median of ${cold.runs})`,
      value: `${deployed.evaluateMs} ms (the whole import() ${deployed.loadMs} ms with the secret's and the warm-up's reads; CPU ${deployed.loadCpuMs} ms)`,
      ratio: deployed.evaluateMs / 150,
      target: 1,
    },
    {
      item: '19.5',
      name: 'first signed AllocateIpamPoolCidr / warm one',
      value: `${deployed.firstMs} ms vs ${deployed.warmMs} ms; import() + first call ${round(deployed.loadMs + deployed.firstMs, 0)} ms`,
      ratio: deployed.firstMs / deployed.warmMs,
      target: 2,
    },
    {
      item: '19.5',
      name: `cold load and first call with NODE_OPTIONS=${SOURCE_MAPS_OPTION}`,
      value: `load ${withSourceMaps.loadMs} ms (CPU ${withSourceMaps.loadCpuMs} ms), first ${withSourceMaps.firstMs} ms, warm ${withSourceMaps.warmMs} ms`,
    },
  ];
}
