/**
 * Why this file exists: the sales system talks to an onboarding that lives for weeks and continues
 * as new; a retried request must be applied once even in a later run, and a cancel that meets a
 * transfer must end in one outcome the status states: cancelled with what had moved (all of it, or
 * part). Stub activities on the time-skipping server provoke each case.
 */
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  cancellationReasonSignal,
  extendDeadlineUpdate,
  provideTransferTokenUpdate,
  tosAcceptedSignal,
  type TransferredSubscription,
} from '../../workflows/messages';
import { startTimeSkippingServer, waitForStatus, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { stubActivities } from '../support/stub-activities';
import { stageReached, startOnboarding, statusOf, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const DAY = 86_400_000;

const WORKSPACE: TransferredSubscription = {
  subscriptionId: 'S1',
  skuId: '1010020028',
  planName: 'ANNUAL_MONTHLY_PAY',
  seats: 12,
};
const VAULT: TransferredSubscription = { subscriptionId: 'S2', skuId: 'Google-Vault', planName: 'FLEXIBLE', seats: 12 };

test('a retried extendDeadline (same request id) moves the deadline once, even after the onboarding continued as new', async () => {
  const domain = uniqueDomain('wf-once');
  const stubs = stubActivities();
  await withStubWorker(env, stubs, async () => {
    // Hourly checks: the history passes 1,000 events within days, and the wait continues as new.
    const handle = await startOnboarding(
      env,
      domain,
      domainOrder(domain, { verifyDomain: false, waitPolicy: { checkEvery: '1 hour', deadline: '30 days' } }),
    );
    const parked = await stageReached(handle, 'awaiting-tos');
    const first = await handle.executeUpdate(extendDeadlineUpdate, {
      args: [{ by: '7 days' }],
      updateId: 'sales-retry-1',
    });
    expect(Date.parse(first.deadline) - Date.parse(parked.waitingFor?.deadline ?? '')).toBe(7 * DAY);

    const firstRun = (await handle.describe()).runId;
    await env.sleep(6 * DAY);
    const later = await waitForStatus(
      async () => ({ runId: (await handle.describe()).runId, status: await statusOf(handle) }),
      (s) => s.runId !== firstRun && s.status.stage === 'awaiting-tos',
    );
    expect(later.runId).not.toBe(firstRun);

    const retried = await handle.executeUpdate(extendDeadlineUpdate, {
      args: [{ by: '7 days' }],
      updateId: 'sales-retry-1',
    });
    expect(retried).toEqual(first);
    expect((await statusOf(handle)).waitingFor?.deadline).toBe(first.deadline);

    const fresh = await handle.executeUpdate(extendDeadlineUpdate, {
      args: [{ by: '1 day' }],
      updateId: 'sales-retry-2',
    });
    expect(Date.parse(fresh.deadline) - Date.parse(first.deadline)).toBe(DAY);
    await handle.cancel();
  });
}, 120_000);

describe('a cancel during the transfer', () => {
  const heldElsewhere = (
    transferSubscriptions: () => Promise<{ transferred: TransferredSubscription[]; attempt: number }>,
  ) =>
    stubActivities({
      async createResoldCustomer() {
        return { outcome: 'managed-elsewhere', customerId: 'C-held-elsewhere', attempt: 1 };
      },
      transferSubscriptions,
      // Release 0.4: after the move the customer signs Google's new terms (here: at the first check).
      async checkTosAcceptance() {
        return { accepted: true, subscriptions: [] };
      },
    });

  test('stops between subscriptions: cancelled, and the status and sales say what had moved', async () => {
    const domain = uniqueDomain('wf-cancel-transfer');
    let started = false;
    const stubs = heldElsewhere(async () => {
      started = true;
      const ctx = Context.current();
      while (!ctx.cancellationSignal.aborted) {
        ctx.heartbeat();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new CancelledFailure('stopped after the first subscription', [{ transferred: [WORKSPACE] }]);
    });
    await withStubWorker(env, stubs, async () => {
      const handle = await startOnboarding(
        env,
        domain,
        domainOrder(domain, { transferToken: 'valid-token-0001', salesContactEmail: 'rep@reseller.example' }),
      );
      await stageReached(handle, 'transferring');
      await waitForStatus(
        async () => started,
        (s) => s,
      );
      await handle.signal(cancellationReasonSignal, { reason: 'customer changed their mind' });
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      const status = await statusOf(handle);
      expect(status.stage).toBe('cancelled');
      expect(status.transfer).toMatchObject({ stoppedByCancel: true, transferred: [WORKSPACE] });
      const told = stubs.inputs('notifySales')[0];
      expect(told?.outcome).toBe('cancelled');
      expect(told?.lines).toEqual(
        expect.arrayContaining([
          expect.stringContaining('Moved to this reseller before the cancel (they stay): 1010020028 (12 seats)'),
        ]),
      );
    });
  });

  test('that completes anyway: the transfer stands, the cancel then stops the wait for the new terms; sales hears what moved', async () => {
    const domain = uniqueDomain('wf-cancel-late');
    let release: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (release = resolve));
    const stubs = heldElsewhere(async () => {
      await finished; // a transfer whose last call is on its way: it completes, and never saw the cancel
      return { transferred: [WORKSPACE, VAULT], attempt: 1 };
    });
    await withStubWorker(env, stubs, async () => {
      const handle = await startOnboarding(env, domain, domainOrder(domain, { transferToken: 'valid-token-0001' }));
      await stageReached(handle, 'transferring');
      await handle.cancel();
      // Completes once the workflow asked for the activity's cancellation (it never heartbeats, so never hears of it).
      await waitForStatus(
        async () => (await handle.fetchHistory()).events ?? [],
        (events) => events.some((e) => e.activityTaskCancelRequestedEventAttributes),
      );
      release();
      await expect(handle.result()).rejects.toThrow();
      // Release 0.4: the transfer was not the end (the new terms are still to sign): the cancel takes effect after it.
      const status = await statusOf(handle);
      expect(status.stage).toBe('cancelled');
      expect(status.transfer?.transferred).toEqual([WORKSPACE, VAULT]);
      expect(stubs.names()).not.toContain('sendTransferTermsNotice');
      expect(stubs.inputs('notifySales')[0]?.lines).toEqual(
        expect.arrayContaining([expect.stringContaining('The transfer had completed before the cancel')]),
      );
    });
  });
});

test('the token update answers at once, and a retried token request (same id) is queued once', async () => {
  const domain = uniqueDomain('wf-token-once');
  const stubs = stubActivities({
    async createResoldCustomer() {
      return { outcome: 'managed-elsewhere', customerId: 'C-held-elsewhere', attempt: 1 };
    },
  });
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    await stageReached(handle, 'awaiting-transfer-token');
    const first = await handle.executeUpdate(provideTransferTokenUpdate, {
      args: ['valid-token-0001'],
      updateId: 'token-request-1',
    });
    expect(first).toMatchObject({ outcome: 'accepted', token: 1 });
    const again = await handle.executeUpdate(provideTransferTokenUpdate, {
      args: ['valid-token-0001'],
      updateId: 'token-request-1',
    });
    expect(again).toEqual(first);
    // Release 0.4: once transferred, it waits for Google's new terms (reported here by signal).
    await stageReached(handle, 'awaiting-tos');
    await handle.signal(tosAcceptedSignal, { reportedBy: 'test' });
    const result = await handle.result();
    expect(result.stage).toBe('completed');
    expect(result.transfer?.tokens).toEqual([expect.objectContaining({ token: 1, outcome: 'transferred' })]);
    expect(stubs.names().filter((n) => n === 'transferSubscriptions')).toHaveLength(1);
  });
});
