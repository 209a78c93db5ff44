// Synthesises the real CDK app (lib/ipam-app.ts) offline into a temporary folder, with cdk.json's
// feature flags, and hands out Template objects. Bundling is off unless asked for: esbuild then
// runs for every Lambda (~2 s); without it NodejsFunction stages a placeholder asset.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { createIpamApp, type IpamApp } from '../../../lib/ipam-app.ts';
import type { LambdaSources } from '../../../lib/stateless-stack.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../../..');
const temporaryDirs: string[] = [];

export function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temporaryDirs.push(dir);
  return dir;
}

/** Deletes every cloud assembly and fixture folder this file made (call from afterAll). */
export function removeTemporaryDirs(): void {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
const CDK_JSON_CONTEXT = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

export interface SynthOptions {
  /** Extra context (deployment settings such as stageName). */
  context?: Record<string, unknown>;
  bundling?: boolean;
  sources?: Partial<LambdaSources>;
}

export interface Synthesised extends IpamApp {
  assembly: CloudAssembly;
  stateful: IpamApp['stateful'];
  statefulTemplate: Template;
  statelessTemplate: Template;
  outdir: string;
}

/** A fresh output folder and the context `cdk synth` would use (cdk.json), plus the given settings. */
export function synthesiseContext(options: Pick<SynthOptions, 'context' | 'bundling'> = {}): {
  outdir: string;
  context: Record<string, unknown>;
} {
  return {
    outdir: temporaryDir('ipam-cdk-'),
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  };
}

export function synthesise(options: SynthOptions = {}): Synthesised {
  const { outdir, context } = synthesiseContext(options);
  // Settings come from context only (env: {}): the developer's IPAM_* variables must not leak in.
  const ipamApp = createIpamApp({ outdir, env: {}, context, sources: options.sources });
  const assembly = ipamApp.app.synth();
  return {
    ...ipamApp,
    assembly,
    outdir,
    statefulTemplate: Template.fromStack(ipamApp.stateful),
    statelessTemplate: Template.fromStack(ipamApp.stateless),
  };
}

export interface WorkflowFixture {
  stateMachinesDir: string;
  workflowTaskEntry: string;
  /** name → the file's text */
  definitions: Record<string, string>;
}

/** A throwaway statemachines/ folder and a stub task handler, so the tests never depend on (or touch) the real ones. */
export function workflowFixture(): WorkflowFixture {
  const dir = temporaryDir('ipam-workflows-');
  const stateMachinesDir = path.join(dir, 'statemachines');
  mkdirSync(stateMachinesDir);
  const definitions: Record<string, string> = {};
  for (const name of ['alpha-flow', 'beta-flow']) {
    const text = `${JSON.stringify(
      {
        Comment: `test workflow ${name}`,
        StartAt: 'Work',
        States: {
          Work: {
            Type: 'Task',
            Resource: '${WorkflowTaskFunctionArn}',
            Parameters: { task: `${name}-work`, 'executionId.$': '$.executionId', 'args.$': '$.args' },
            End: true,
          },
        },
      },
      null,
      2,
    )}\n`;
    writeFileSync(path.join(stateMachinesDir, `${name}.asl.json`), text);
    definitions[name] = text;
  }
  writeFileSync(path.join(stateMachinesDir, 'README.md'), 'not a state machine\n');
  const workflowTaskEntry = path.join(PROJECT_ROOT, 'test/cdk/fixtures/workflow-task-stub.ts');
  return { stateMachinesDir, workflowTaskEntry, definitions };
}
