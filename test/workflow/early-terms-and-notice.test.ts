/**
 * Why this file exists: release 0.4's two edges around the terms, on the time-skipping server with
 * stub activities. A `tosAccepted` reported before the customer could accept (no admin, no notice
 * yet) is recorded, but neither completes the onboarding nor keeps the admin from a cancel's
 * compensation until the wait for the terms starts (`earlyTermsReportHeld`). A cancel during the
 * sign-in notice lets the mail attempt end before the admin is deleted, so no temporary password is
 * mailed for a user the compensation already removed (`noticeCancelWaitsForMail`).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { tosAcceptedSignal } from '../../workflows/messages';
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

const gates: (() => void)[] = [];
/** A promise the test resolves: an activity that waits for it is "in flight" until then (opened after each test anyway). */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  gates.push(open);
  return { opened, open };
}
/** Opens every gate when `body` ends: a failed expectation must not leave an activity waiting (the worker would wait for it). */
function openingGatesAfter(body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } finally {
      gates.splice(0).forEach((open) => open());
    }
  };
}

test('tosAccepted while the admin is being created: recorded, and a cancel still deletes the admin', async () => {
  const domain = uniqueDomain('wf-early-cancel');
  const creating = gate();
  const base = stubActivities();
  const stubs = stubActivities({
    async createAdminUser(input) {
      await creating.opened;
      return base.activities.createAdminUser(input);
    },
  });
  await withStubWorker(
    env,
    stubs,
    openingGatesAfter(async () => {
      const handle = await startOnboarding(env, domain, domainOrder(domain, { verifyDomain: false }));
      await stageReached(handle, 'creating-admin');
      await handle.signal(tosAcceptedSignal, { reportedBy: 'crm-webhook' });
      const reported = await waitForStatus(
        () => statusOf(handle),
        (s) => s.tosReportedEarly !== undefined,
      );
      expect(reported.tosReportedEarly).toMatchObject({ via: 'signal', reportedBy: 'crm-webhook' });
      expect(reported.tosAccepted).toBeUndefined();

      await handle.cancel();
      creating.open();
      await expect(handle.result()).rejects.toThrow('Workflow execution cancelled');
      const final = await statusOf(handle);
      expect(final.stage).toBe('cancelled');
      expect(final.tosAccepted).toBeUndefined();
      expect(stubs.names()).toContain('deleteUser');
    }),
  );
}, 60_000);

test('tosAccepted reported early counts once the onboarding waits for the terms: after the sign-in notice', async () => {
  const domain = uniqueDomain('wf-early-taken');
  const creating = gate();
  const base = stubActivities();
  const stubs = stubActivities({
    async createAdminUser(input) {
      await creating.opened;
      return base.activities.createAdminUser(input);
    },
  });
  await withStubWorker(
    env,
    stubs,
    openingGatesAfter(async () => {
      const handle = await startOnboarding(env, domain, domainOrder(domain, { verifyDomain: false }));
      await stageReached(handle, 'creating-admin');
      await handle.signal(tosAcceptedSignal, { reportedBy: 'crm-webhook' });
      await waitForStatus(
        () => statusOf(handle),
        (s) => s.tosReportedEarly !== undefined,
      );
      creating.open();
      const final = await handle.result();
      expect(final.stage).toBe('completed');
      expect(final.tosAccepted).toMatchObject({ via: 'signal', reportedBy: 'crm-webhook' });
      expect(final.tosAccepted?.at).toBe(final.tosReportedEarly?.at);
      const names = stubs.names();
      expect(names).toContain('sendSignInNotice');
      expect(names).not.toContain('deleteUser');
    }),
  );
}, 60_000);

test('a cancel during the sign-in notice: the admin is deleted only after the mail attempt ended', async () => {
  const domain = uniqueDomain('wf-notice-cancel');
  const mailing = gate();
  const events: string[] = [];
  const base = stubActivities();
  const stubs = stubActivities({
    async sendSignInNotice(input) {
      events.push('notice started');
      await mailing.opened;
      const sent = await base.activities.sendSignInNotice(input);
      events.push('notice mailed');
      return sent;
    },
    async deleteUser(input) {
      events.push('admin deleted');
      return base.activities.deleteUser(input);
    },
  });
  await withStubWorker(
    env,
    stubs,
    openingGatesAfter(async () => {
      const handle = await startOnboarding(env, domain, domainOrder(domain, { verifyDomain: false }));
      await stageReached(handle, 'notifying');
      await waitForStatus(
        async () => events,
        (e) => e.includes('notice started'),
      );
      await handle.cancel();
      await new Promise((r) => setTimeout(r, 1500)); // the compensation must not start meanwhile
      expect(events).toEqual(['notice started']);
      mailing.open();
      await expect(handle.result()).rejects.toThrow('Workflow execution cancelled');
      const final = await statusOf(handle);
      expect(final.stage).toBe('cancelled');
      expect(events).toEqual(['notice started', 'notice mailed', 'admin deleted']);
    }),
  );
}, 60_000);
