// The run's file order (test/support/sequencer.ts): longest first from Vitest's cache of the last
// run, else from SLOW_FILES, else Vitest's own order (larger files first); projects stay apart.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { LongestFirstSequencer, SLOW_FILES } from '../support/sequencer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function spec(file: string, project = 'dynamodb-local'): TestSpecification {
  return {
    moduleId: path.join(ROOT, file),
    project: { name: project, config: { sequence: { groupOrder: 0 }, isolate: true } },
  } as unknown as TestSpecification;
}

/** The order the sequencer gives `files`, with `cachedMs` as Vitest's cache of the last run. */
async function order(files: TestSpecification[], cachedMs: Record<string, number> = {}) {
  const cache = {
    getTestSpecificationResult: (each: TestSpecification) => {
      const duration = cachedMs[path.relative(ROOT, each.moduleId)];
      return duration === undefined ? undefined : { failed: false, duration };
    },
  };
  const sequencer = new LongestFirstSequencer({ cache, config: { root: ROOT } } as unknown as Vitest);
  return (await sequencer.sort(files)).map((each) => `${each.project.name} ${path.relative(ROOT, each.moduleId)}`);
}

describe('LongestFirstSequencer', () => {
  it('starts the slow files first without a cache, by SLOW_FILES, then the rest by size', async () => {
    const files = [
      spec('test/e2e/aws-cli-scenarios.test.ts'), // a large file, not in SLOW_FILES
      spec('test/e2e/terraform-forwarding.test.ts'),
      spec('test/e2e/sts.test.ts'),
      spec('test/e2e/terraform-example.test.ts'),
    ];
    expect(await order(files)).toEqual([
      'dynamodb-local test/e2e/terraform-example.test.ts',
      'dynamodb-local test/e2e/terraform-forwarding.test.ts',
      'dynamodb-local test/e2e/aws-cli-scenarios.test.ts',
      'dynamodb-local test/e2e/sts.test.ts',
    ]);
  });

  it('prefers the cached durations of the last run, and keeps the projects apart', async () => {
    const files = [
      spec('test/unit/domain/cidr.test.ts', 'in-process'),
      spec('test/e2e/terraform-example.test.ts'),
      spec('test/e2e/sts.test.ts'),
    ];
    expect(await order(files, { 'test/e2e/sts.test.ts': 400_000, 'test/unit/domain/cidr.test.ts': 900_000 })).toEqual([
      'dynamodb-local test/e2e/sts.test.ts',
      'dynamodb-local test/e2e/terraform-example.test.ts',
      'in-process test/unit/domain/cidr.test.ts',
    ]);
  });

  it('names only files that exist', async () => {
    const { access } = await import('node:fs/promises');
    await Promise.all(Object.keys(SLOW_FILES).map((file) => access(path.join(ROOT, file))));
  });
});
