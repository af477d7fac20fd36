/** The worker's slots and pollers (worker/create-worker.ts): Temporal's defaults, overridable, workflow task slots within the cache. */
import { readFileSync } from 'node:fs';
import { msToNumber } from '@temporalio/common/lib/time';
import { CONTAINER_STOP_TIMEOUT_S, WORKER_TUNING, workerTuning } from '../../worker/create-worker';

test('the defaults, with the configured cache size and the shutdown times', () => {
  expect(workerTuning({ maxCachedWorkflows: 50 })).toEqual({
    ...WORKER_TUNING,
    maxCachedWorkflows: 50,
    shutdownGraceTime: '20 seconds',
    shutdownForceTime: '25 seconds',
  });
});

test("shutdown fits in the container's stop timeout: a Google call in flight < grace < force < stop timeout", () => {
  const { shutdownGraceTime, shutdownForceTime } = workerTuning();
  const longestGoogleCallMs = 10_000; // GOOGLE_REQUEST_TIMEOUT_MS's maximum (worker/config.ts)
  expect(msToNumber(shutdownGraceTime as string)).toBeGreaterThan(longestGoogleCallMs);
  expect(msToNumber(shutdownForceTime as string)).toBeGreaterThan(msToNumber(shutdownGraceTime as string));
  expect(msToNumber(shutdownForceTime as string)).toBeLessThan(CONTAINER_STOP_TIMEOUT_S * 1000);
  // The operators' documents say the same stop timeout.
  expect(readFileSync('Dockerfile', 'utf8')).toContain(`--stop-timeout ${CONTAINER_STOP_TIMEOUT_S}`);
  expect(readFileSync('docs/operations.md', 'utf8')).toContain(`stop_grace_period: ${CONTAINER_STOP_TIMEOUT_S}s`);
});

test('workflow task slots never exceed a small cache (Temporal would cap them, with a warning)', () => {
  expect(workerTuning({ maxCachedWorkflows: 10 }).maxConcurrentWorkflowTaskExecutions).toBe(10);
  // 0 disables the cache: no cap then.
  expect(workerTuning({ maxCachedWorkflows: 0 }).maxConcurrentWorkflowTaskExecutions).toBe(
    WORKER_TUNING.maxConcurrentWorkflowTaskExecutions,
  );
});

test('a caller may override any of them', () => {
  const tuning = workerTuning({ maxConcurrentActivityTaskExecutions: 7, shutdownGraceTime: '1 second' });
  expect(tuning.maxConcurrentActivityTaskExecutions).toBe(7);
  expect(tuning.shutdownGraceTime).toBe('1 second');
});
