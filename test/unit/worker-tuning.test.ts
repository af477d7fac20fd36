/** The worker's slots and pollers (worker/create-worker.ts): Temporal's defaults, overridable, workflow task slots within the cache. */
import { WORKER_TUNING, workerTuning } from '../../worker/create-worker';

test('the defaults, with the configured cache size and a shutdown grace time', () => {
  expect(workerTuning({ maxCachedWorkflows: 50 })).toEqual({
    ...WORKER_TUNING,
    maxCachedWorkflows: 50,
    shutdownGraceTime: '10 seconds',
  });
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
