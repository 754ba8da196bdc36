import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/ensure-built.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: one worker per core keeps the packaging test from starving the rest.
    maxWorkers: 2,
    allowOnly: false,
    // The default output, plus the figures tests report with annotate() (fuzz counts, memory).
    reporters: ['default', './test/support/annotation-reporter.ts'],
  },
});
