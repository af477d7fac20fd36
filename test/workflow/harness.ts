/**
 * Why this file exists: the workflow test files share one way of running the real workflow bundle
 * with stub activities on the time-skipping server — a fresh Worker per test (its own stubs),
 * stopped with runUntil, the same data converter as the client — and of starting and reading an
 * onboarding the way the client library does (workflow id, task queue, search attributes).
 */
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  CustomerDomainAttribute,
  onboardingWorkflowId,
  OnboardingStageAttribute,
  statusQuery,
  TASK_QUEUE,
  WORKFLOW_TYPE,
  type OnboardingStatus,
  type Stage,
} from '../../workflows/messages';
import type { onboardCustomer } from '../../workflows/onboard-customer';
import { fixtureDataConverter } from '../support/fixture-keys';
import { waitForStatus, workflowBundle } from '../support/onboarding-stack';
import type { StubActivities } from '../support/stub-activities';

export type OnboardingHandle = WorkflowHandle<typeof onboardCustomer>;

/** Runs `fn` while a Worker with the real workflow bundle and these stub activities polls the task queue. */
export async function withStubWorker<T>(
  env: TestWorkflowEnvironment,
  stubs: Pick<StubActivities, 'activities'> | { activities: object },
  fn: () => Promise<T>,
): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: stubs.activities,
    dataConverter: fixtureDataConverter(),
    // As the product's worker: a cancel reaches a heartbeating activity within a second.
    maxHeartbeatThrottleInterval: '1 second',
  });
  return worker.runUntil(fn);
}

/** Starts an onboarding as the client library does; `input` may be anything (the workflow judges it). */
export function startOnboarding(
  env: TestWorkflowEnvironment,
  customerDomain: string,
  input: unknown,
): Promise<OnboardingHandle> {
  return env.client.workflow.start<typeof onboardCustomer>(WORKFLOW_TYPE, {
    workflowId: onboardingWorkflowId(customerDomain),
    taskQueue: TASK_QUEUE,
    args: [input],
    typedSearchAttributes: [
      { key: CustomerDomainAttribute, value: customerDomain },
      { key: OnboardingStageAttribute, value: 'validating' },
    ],
  });
}

export const statusOf = (handle: OnboardingHandle): Promise<OnboardingStatus> => handle.query(statusQuery);

/** Polls the status query (which never skips time) until the onboarding reaches `stage`. */
export function stageReached(handle: OnboardingHandle, stage: Stage): Promise<OnboardingStatus> {
  return waitForStatus(
    () => statusOf(handle),
    (s) => s.stage === stage,
  );
}

/** The error the workflow failed with; fails the test if it completed. */
export async function failureOf(handle: OnboardingHandle): Promise<WorkflowFailedError> {
  const outcome = await handle.result().then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  if ('result' in outcome)
    throw new Error(`expected the onboarding to fail; it ended ${JSON.stringify(outcome.result.stage)}`);
  if (!(outcome.error instanceof WorkflowFailedError)) throw outcome.error;
  return outcome.error;
}
