/**
 * Why this file exists: signals that change nothing the wait watches (a CRM re-sending `tosAccepted`
 * in a loop while the onboarding waits for a transfer token) never woke the wait, so its history grew
 * until the server's event limit terminated it and the saga never ran. Since 0.4 the wait's condition
 * watches `continueAsNewSuggested` (and the history length) itself (`waitWakesToContinueAsNew`).
 * The dev server, told to suggest continue-as-new early; the real workflow bundle, stub activities.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { onboardingWorkflowId, tosAcceptedSignal } from '../../workflows/messages';
import { startDevServer, waitForStatus, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { stubActivities } from '../support/stub-activities';
import { stageReached, startOnboarding, statusOf, withStubWorker } from './harness';

const SUGGEST_AFTER_EVENTS = 60;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([
    startDevServer({ suggestContinueAsNewAfterEvents: SUGGEST_AFTER_EVENTS }),
    workflowBundle(),
  ]);
});
afterAll(async () => {
  await env?.teardown();
});

test('150 signals that change nothing during the transfer-token wait: the wait continues as new, no run grows past the suggestion', async () => {
  const domain = uniqueDomain('wf-noop-signals');
  const stubs = stubActivities({
    async createResoldCustomer() {
      return { outcome: 'managed-elsewhere', customerId: 'C-held-by-google', attempt: 1 };
    },
  });
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    await stageReached(handle, 'awaiting-transfer-token');
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 150; i += 1) await handle.signal(tosAcceptedSignal, { reportedBy: `crm-loop-${i}` });

    const runs: { runId: string; events: number }[] = [];
    await waitForStatus(
      async () => {
        runs.length = 0;
        for await (const run of env.client.workflow.list({ query: `WorkflowId='${onboardingWorkflowId(domain)}'` })) {
          const history = await env.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
          runs.push({ runId: run.runId, events: history.events?.length ?? 0 });
        }
        return runs;
      },
      (r) => r.length >= 2 && r.some((x) => x.runId === firstRun),
    );
    // Each run ended soon after the server's suggestion (a workflow task's signals may overshoot a little).
    for (const run of runs) expect(run.events).toBeLessThan(SUGGEST_AFTER_EVENTS + 40);
    const status = await statusOf(handle);
    expect(status.stage).toBe('awaiting-transfer-token');
    expect(status.tosReportedEarly).toMatchObject({ via: 'signal', reportedBy: 'crm-loop-0' });
    expect(status.tosAccepted).toBeUndefined();
    await handle.cancel();
  });
}, 120_000);
