/**
 * Why this file exists: retry budgets are time, not attempts (workflows/activity-stubs.ts). A Google
 * outage longer than the old 8 attempts (~5 minutes) must not fail the onboardings in flight, nor
 * have their compensations delete what they just created. Stub activities answer "503" while the
 * server's clock (skipped by the time-skipping server) is inside a 15-minute outage.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingServer, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { stubActivities } from '../support/stub-activities';
import { stageReached, startOnboarding, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const OUTAGE_MS = 15 * 60_000;

test('a 15-minute Google outage at create-admin: the onboarding waits it out, nothing is compensated', async () => {
  const domain = uniqueDomain('wf-outage');
  let outageEndsAt: number | undefined;
  let attempts = 0;
  const stubs = stubActivities({
    async createAdminUser(input) {
      attempts += 1;
      // The server's time of this attempt: skipped forward by the time-skipping server between retries.
      const now = activityInfo().currentAttemptScheduledTimestampMs;
      outageEndsAt ??= now + OUTAGE_MS;
      if (now < outageEndsAt)
        throw ApplicationFailure.retryable('users.insert failed: HTTP 503 backendError', 'Google.backendError');
      return {
        userId: 'u1',
        primaryEmail: input.admin.primaryEmail,
        outcome: 'created',
        createdAt: new Date(now).toISOString(),
        attempt: activityInfo().attempt,
      };
    },
  });
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    // Retry backoffs are server timers: let the server's clock run through the outage.
    await env.sleep('30 minutes');
    const waiting = await stageReached(handle, 'awaiting-tos');
    expect(waiting.steps.find((s) => s.name === 'create-admin')).toMatchObject({ outcome: 'created' });
    expect(attempts).toBeGreaterThan(8); // more than the old attempt budget allowed
    expect(stubs.names()).not.toContain('deleteUser');
    expect(stubs.names()).not.toContain('notifySales');
    await handle.cancel();
  });
}, 120_000);
