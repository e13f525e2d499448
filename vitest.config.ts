import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles .vue single-file components for the console's component tests.
  plugins: [vue()],
  test: {
    include: [
      'shared/src/**/*.test.ts',
      'agent/src/**/*.test.ts',
      'agent/test/**/*.test.ts',
      'agent/bench/**/*.test.ts',
      // The console: stores and components (happy-dom, per file), main-process modules (Node).
      'desktop/src/**/*.test.ts',
      'desktop/test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll's default of 1 s is short for a browser or a server on 2 busy cores.
    expect: { poll: { timeout: 15_000 } },
    // Integration tests share two real database servers and 2 cores: a few files at a time.
    maxWorkers: 2,
  },
});
