import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One JSON line per request is useful from `npm start`, noise in a test run.
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
  },
});
