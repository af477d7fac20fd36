/**
 * Why this file exists: what a caller with access to the namespace (but no business doing so) can
 * send must not take the onboarding anywhere: a forged second argument (continue-as-new state) on a
 * fresh start, a malformed cancellationReason signal, and a cancel after the customer accepted the
 * terms (what was created is theirs then, and must not be undone).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import {
  CustomerDomainAttribute,
  onboardingWorkflowId,
  OnboardingStageAttribute,
  TASK_QUEUE,
  tosAcceptedSignal,
  WORKFLOW_TYPE,
} from '../../workflows/messages';
import { startTimeSkippingServer, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { stubActivities, unverifiedDomainStubs } from '../support/stub-activities';
import { stageReached, startOnboarding, statusOf, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const unverified = unverifiedDomainStubs;

test('a forged carried state on a fresh start is refused before any activity', async () => {
  const domain = uniqueDomain('wf-forged');
  const stubs = stubActivities();
  await withStubWorker(env, stubs, async () => {
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      workflowId: onboardingWorkflowId(domain),
      taskQueue: TASK_QUEUE,
      args: [
        domainOrder(domain),
        {
          version: 2,
          status: { stage: 'awaiting-tos', customerDomain: domain, steps: [] },
          saga: { compensations: [], cannotUndo: [] },
        },
      ],
      typedSearchAttributes: [
        { key: CustomerDomainAttribute, value: domain },
        { key: OnboardingStageAttribute, value: 'validating' },
      ],
    });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('InvalidOrder');
  });
  expect(stubs.names()).toEqual([]);
});

test('a cancellationReason signal without its argument is ignored, and the onboarding goes on', async () => {
  const domain = uniqueDomain('wf-bad-signal');
  await withStubWorker(env, unverified(), async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    await stageReached(handle, 'awaiting-tos');
    await handle.signal('cancellationReason');
    await handle.signal(tosAcceptedSignal, { reportedBy: 'test' });
    const status = await stageReached(handle, 'awaiting-domain-verification');
    expect(status.cancellation).toBeUndefined();
    await handle.terminate('test over');
  });
});

test('a cancel after the customer accepted the terms keeps the admin: nothing is undone', async () => {
  const domain = uniqueDomain('wf-cancel-accepted');
  const stubs = unverified();
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    await stageReached(handle, 'awaiting-tos');
    await handle.signal(tosAcceptedSignal, { reportedBy: 'test' });
    await stageReached(handle, 'awaiting-domain-verification');
    await handle.cancel();
    await handle.result().catch(() => undefined);
    const status = await statusOf(handle);
    expect(status.stage).toBe('cancelled');
    expect(status.compensation?.undone).toEqual([]);
    expect(status.compensation?.cannotUndo.join()).toContain('the customer accepted the terms');
  });
  expect(stubs.names()).not.toContain('deleteUser');
  expect(stubs.names()).not.toContain('revokeSuperAdmin');
});
