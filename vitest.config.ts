import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/src/**/*.test.ts', 'agent/src/**/*.test.ts', 'agent/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share two real database servers and 2 cores: a few files at a time.
    maxWorkers: 2,
  },
});
