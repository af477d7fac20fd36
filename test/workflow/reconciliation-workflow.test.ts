/**
 * The reconciliation workflow's decisions with stub activities on the time-skipping server: who
 * turns removal on (the run's input or the worker's setting), what is never removed, that a failed
 * removal or e-mail still yields the report, and that bad input fails before any lookup.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import type { ReconciliationActivities } from '../../activities';
import { TASK_QUEUE } from '../../workflows/messages';
import type { reconcileOnboardings } from '../../workflows/reconcile';
import {
  RECONCILE_WORKFLOW_TYPE,
  type LeftoverAdmin,
  type LeftoverSearch,
  type ReconciliationInput,
} from '../../workflows/reconcile-messages';
import { startTimeSkippingServer } from '../support/onboarding-stack';
import { withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkippingServer();
});
afterAll(async () => {
  await env?.teardown();
});

const leftover = (domain: string, extra: Partial<LeftoverAdmin> = {}): LeftoverAdmin => ({
  domain,
  user: `admin@${domain}`,
  customerId: `C-${domain}`,
  onboardingOutcome: 'TERMINATED',
  lastStage: 'awaiting-tos',
  workflowId: `onboarding:${domain}`,
  runId: 'run-1',
  closedAt: '2026-01-01T00:00:00.000Z',
  marker: `onboarding:${domain}/run-0`,
  why: 'terminated',
  ...extra,
});

interface Calls {
  find: unknown[];
  remove: string[];
  report: unknown[];
}

async function reconcile(
  found: Omit<LeftoverSearch, 'since' | 'notReported' | 'notReportedTotal' | 'unchecked'>,
  input: ReconciliationInput,
  overrides: Partial<ReconciliationActivities> = {},
): Promise<{ result: Awaited<ReturnType<typeof reconcileOnboardings>> | WorkflowFailedError; calls: Calls }> {
  const calls: Calls = { find: [], remove: [], report: [] };
  const activities: ReconciliationActivities = {
    async findLeftoverAdmins(args) {
      calls.find.push(args);
      return { since: '2026-01-01T00:00:00.000Z', notReported: [], notReportedTotal: 0, unchecked: [], ...found };
    },
    async removeLeftoverAdmin(l) {
      calls.remove.push(l.user);
      return { outcome: 'deleted' };
    },
    async reportLeftoverAdmins(args) {
      calls.report.push(args);
      return { messageId: 'm-1' };
    },
    ...overrides,
  };
  const result = await withStubWorker(env, { activities }, () =>
    env.client.workflow
      .execute<typeof reconcileOnboardings>(RECONCILE_WORKFLOW_TYPE, {
        workflowId: `reconcile-test-${Math.random()}`,
        taskQueue: TASK_QUEUE,
        args: [input],
      })
      .catch((err: unknown) => {
        if (err instanceof WorkflowFailedError) return err;
        throw err;
      }),
  );
  return { result, calls };
}

test('report only by default: nothing removed, sales told, the report lists each admin as reported', async () => {
  const { result, calls } = await reconcile({ leftovers: [leftover('a.example')], removalConfigured: false }, {});
  expect(calls.remove).toEqual([]);
  expect(calls.report).toHaveLength(1);
  expect(result).toMatchObject({
    removeUsers: false,
    salesNotified: true,
    leftovers: [{ domain: 'a.example', action: 'reported' }],
  });
});

test("the worker's RECONCILE_REMOVE_USERS turns removal on; a not-removable admin is kept; a failed removal or e-mail still yields the report", async () => {
  const tried: string[] = [];
  const { result } = await reconcile(
    {
      leftovers: [
        leftover('a.example'),
        leftover('b.example', { notRemovable: 'release 0.1 marker' }),
        leftover('c.example'),
      ],
      removalConfigured: true,
    },
    {},
    {
      async removeLeftoverAdmin(l) {
        tried.push(l.domain);
        if (l.domain === 'c.example')
          throw ApplicationFailure.nonRetryable('users.delete: forbidden', 'Google.forbidden');
        return { outcome: 'deleted' };
      },
      async reportLeftoverAdmins() {
        throw ApplicationFailure.nonRetryable('SMTP down', 'MailFailed');
      },
    },
  );
  expect(tried).toEqual(['a.example', 'c.example']); // b.example is never tried
  expect(result).toMatchObject({
    removeUsers: true,
    salesNotified: false,
    leftovers: [
      { domain: 'a.example', action: 'removed' },
      { domain: 'b.example', action: 'not removed: release 0.1 marker' },
      { domain: 'c.example', action: 'removal failed: users.delete: forbidden' },
    ],
  });
});

test("the run's input turns removal on; nothing found: no e-mail", async () => {
  const removing = await reconcile(
    { leftovers: [leftover('a.example')], removalConfigured: false },
    { removeUsers: true, lookback: '2 days' },
  );
  expect(removing.calls.find).toEqual([{ lookback: '2 days' }]);
  expect(removing.calls.remove).toEqual(['admin@a.example']);
  const empty = await reconcile({ leftovers: [], removalConfigured: false }, {});
  expect(empty.calls.report).toEqual([]);
  expect(empty.result).toMatchObject({ leftovers: [], salesNotified: false });
});

test('a bad lookback fails the run before anything is looked up', async () => {
  const { result, calls } = await reconcile(
    { leftovers: [leftover('a.example')], removalConfigured: true },
    { lookback: 'forever' },
  );
  expect(result).toBeInstanceOf(WorkflowFailedError);
  expect((result as WorkflowFailedError).cause).toMatchObject({
    type: 'InvalidReconciliationInput',
    message: expect.stringContaining('lookback') as string,
  });
  expect(calls.find).toEqual([]);
});
