/** Jest runs TypeScript through SWC (fast, no type-check: `npm run typecheck` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // The suites share one Temporal dev server per file and real processes: keep them serial on 2 cores.
  maxWorkers: 1,
  testTimeout: 120_000,
};
