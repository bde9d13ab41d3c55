import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{model,impl,conformance,cli,bench,scripts}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/*.slow.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
