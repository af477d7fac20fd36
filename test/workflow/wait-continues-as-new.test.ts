/**
 * Why this file exists: signals that change nothing the wait watches (a CRM re-sending `tosAccepted`
 * in a loop while the onboarding waits for a transfer token) never woke the wait, so its history grew
 * until the server's event limit terminated it and the saga never ran. Since 0.4 the wait's condition
 * watches `continueAsNewSuggested` (and the history length) itself (`waitWakesToContinueAsNew`).
 * The dev server, told to suggest continue-as-new early; the real workflow bundle, stub activities.
 */
import type { temporal } from '@temporalio/proto';
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

interface RunShape {
  runId: string;
  suggested: boolean;
  tasksCompletedAfterSuggestion: number;
  continuedAsNew: boolean;
  signals: number;
}

function shapeOf(events: temporal.api.history.v1.IHistoryEvent[]): Omit<RunShape, 'runId'> {
  let suggested = false;
  let tasksCompletedAfterSuggestion = 0;
  for (const event of events) {
    if (event.workflowTaskStartedEventAttributes?.suggestContinueAsNew) suggested = true;
    if (suggested && event.workflowTaskCompletedEventAttributes) tasksCompletedAfterSuggestion += 1;
  }
  const continuedAsNew = events.some((e) => e.workflowExecutionContinuedAsNewEventAttributes);
  const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
  return { suggested, tasksCompletedAfterSuggestion, continuedAsNew, signals };
}

test('150 signals that change nothing during the transfer-token wait: the wait continues as new at the first task after the suggestion', async () => {
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

    const runs: RunShape[] = [];
    await waitForStatus(
      async () => {
        runs.length = 0;
        for await (const run of env.client.workflow.list({ query: `WorkflowId='${onboardingWorkflowId(domain)}'` })) {
          const history = await env.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
          runs.push({ runId: run.runId, ...shapeOf(history.events ?? []) });
        }
        return runs;
      },
      // Settled: every signal is in some run's history, and no run told to continue as new is still at it.
      (r) => r.reduce((n, x) => n + x.signals, 0) === 150 && r.every((x) => !x.suggested || x.continuedAsNew),
      90_000,
    );
    // Without the fix the wait never wakes, the first run never continues as new, and the wait above times
    // out. With it, a run told to continue as new does so in the very next workflow task it completes (a
    // task the server refuses for signals that arrived meanwhile is failed, not completed, and replayed).
    // How many signals a task carries depends on the machine's load, so the run's length is not the measure.
    for (const run of runs.filter((r) => r.suggested)) {
      expect(run).toMatchObject({ continuedAsNew: true, tasksCompletedAfterSuggestion: 1 });
    }
    expect(runs.find((r) => r.runId === firstRun)).toMatchObject({ suggested: true, continuedAsNew: true });
    const status = await statusOf(handle);
    expect(status.stage).toBe('awaiting-transfer-token');
    expect(status.tosReportedEarly).toMatchObject({ via: 'signal', reportedBy: 'crm-loop-0' });
    expect(status.tosAccepted).toBeUndefined();
    await handle.cancel();
  });
}, 120_000);
