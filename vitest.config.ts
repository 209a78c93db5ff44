import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer.ts';
import { TEST_STORE } from './test/support/test-store.ts';

// Test files that never reach DynamoDB Local. Vitest runs a project's global setup only when the
// run selected one of its files, so a run of only these starts no Java (test/global-setup.ts).
// A file here that asks for DynamoDB Local anyway fails at once (test/support/dynamodb.ts).
const WITHOUT_DYNAMODB_LOCAL = [
  'test/unit/**/*.test.ts',
  'test/adapters/memory/**/*.test.ts',
  // The use-case rule tests, on the store IPAM_TEST_STORE selects (test/support/test-store.ts).
  ...(TEST_STORE === 'memory' ? ['test/integration/**/*.test.ts'] : []),
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Vitest's default on 2 cores is one worker, but the end-to-end files spend most of their time
    // waiting on other processes (Terraform's pollers, the AWS CLI, Java): a third worker overlaps
    // those waits with CPU-bound files. Measured on 2 cores: 13.8 min with one worker.
    maxWorkers: 3,
    // No fresh module graph per file: a worker imports the service, the SDK clients and Vitest's
    // transforms once. Re-importing them for each file was most of the in-process project's CPU
    // (77 s → 27 s alone) and a third of a full run's (11 min → under 8). The files share no
    // process state they do not set up and put back themselves (--sequence.shuffle.files passes);
    // per-file clean-up lives in test/support/each-file.ts.
    isolate: false,
    // Longest files first, with or without Vitest's cache of the last run (test/support/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    hookTimeout: 120_000,
    // One JSON line per request is useful from `npm start`, noise in a test run.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
    projects: [
      {
        extends: true,
        test: {
          name: 'dynamodb-local',
          include: ['test/**/*.test.ts'],
          exclude: WITHOUT_DYNAMODB_LOCAL,
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/support/each-file.ts'],
        },
      },
      { extends: true, test: { name: 'in-process', include: WITHOUT_DYNAMODB_LOCAL } },
    ],
  },
});
