// The order test files start in: longest first, so the slow end-to-end files overlap one another
// and the short ones fill the end of the run. Vitest's own sequencer does this from its cache of
// the last run's durations (node_modules/.vite/vitest), but a fresh checkout (CI) has no cache, and
// Vitest then starts the largest files first: the Terraform files are small, slow ones, and started
// late they made the run's tail. For a file without a cached duration, SLOW_FILES gives one.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each file of more than 20 s took in a full run on 2 cores (three workers), from its
 * per-file durations (2026-12-08); only the order matters, so rough numbers serve.
 */
export const SLOW_FILES: Readonly<Record<string, number>> = {
  'test/e2e/terraform-organization.test.ts': 200,
  'test/e2e/terraform-example.test.ts': 190,
  'test/e2e/terraform-forwarding.test.ts': 90,
  'test/e2e/local-service-safety.test.ts': 62,
  'test/e2e/local-service.test.ts': 62,
  'test/e2e/soak.test.ts': 54,
  'test/e2e/command-line-tools.test.ts': 45,
  'test/e2e/vpc-crash.test.ts': 31,
  'test/e2e/public-space-cli-scenarios.test.ts': 25,
  'test/e2e/console-resources.test.ts': 25,
  'test/e2e/console-pools.test.ts': 23,
  'test/e2e/set-up-errors.test.ts': 23,
};

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Vitest's order: projects one after another, and within one the cached durations, else sizes.
    const base = await super.sort(files);
    const projectRank = new Map<string, number>();
    for (const spec of base) if (!projectRank.has(spec.project.name)) projectRank.set(spec.project.name, projectRank.size);
    const expectedMs = (spec: TestSpecification) =>
      this.ctx.cache.getTestSpecificationResult(spec)?.duration ??
      (SLOW_FILES[path.relative(this.ctx.config.root, spec.moduleId).split(path.sep).join('/')] ?? 0) * 1000;
    // Array.prototype.sort is stable: files with no expected duration keep Vitest's order among themselves.
    return [...base].sort((a, b) => projectRank.get(a.project.name)! - projectRank.get(b.project.name)! || expectedMs(b) - expectedMs(a));
  }
}
