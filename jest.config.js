/**
 * Jest runs TypeScript through SWC (fast, no type-check: `npm run typecheck` does that), in three tiers
 * chosen by folder (docs/testing.md): `unit` (test/unit/: starts nothing), `workflow` (test/workflow/: the
 * workflow on the time-skipping server with stub activities) and `e2e` (everything else under test/: real
 * servers, worker and processes). `npm run test:<tier>` runs one; `npm test` runs all three.
 */
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Recorded histories and bad-order fixtures are data, not suites.
  testPathIgnorePatterns: ['/node_modules/', '/test/histories/', '/test/fixtures/'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    { ...shared, displayName: 'workflow', roots: ['<rootDir>/test/workflow'] },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '/test/unit/', '/test/workflow/'],
    },
  ],
  // Two files at once: each starts its own servers on free ports, and dist/ is built once per run
  // (test/support/test-run.js). On the 2-core machine the whole suite took 220 s so, 418 s serially.
  maxWorkers: 2,
  // Global only: Jest reads no per-project timeout.
  testTimeout: 120_000,
  globalSetup: '<rootDir>/test/support/test-run.js',
};
