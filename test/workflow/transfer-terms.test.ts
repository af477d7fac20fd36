/**
 * Why this file exists: Google requires each super administrator of a transferred customer to sign
 * Google's new terms, and keeps the moved subscriptions PENDING_TOS_ACCEPTANCE until then. Release
 * 0.4 waits for it after the move, with the reminders and deadline of a new customer's wait. These
 * tests drive that wait with stub activities on the time-skipping server: detected acceptance,
 * reminders that say "new terms, every super admin", and the expiry when nobody signs.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { provideTransferTokenUpdate, tosAcceptedSignal, type TransferredSubscription } from '../../workflows/messages';
import { startTimeSkippingServer, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { stubActivities } from '../support/stub-activities';
import { failureOf, stageReached, startOnboarding, statusOf, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const DAY = 86_400_000;
const MOVED: TransferredSubscription[] = [
  { subscriptionId: 'S1', skuId: '1010020028', planName: 'FLEXIBLE', seats: 12 },
  { subscriptionId: 'S2', skuId: 'Google-Drive-storage-20GB', planName: 'FLEXIBLE', seats: 12 },
];

/** A customer held elsewhere, transferred with the order's token; `signedAfter` checks find the terms signed. */
function transferredCustomer(signedAfter: number) {
  let checks = 0;
  return stubActivities({
    async createResoldCustomer() {
      return { outcome: 'managed-elsewhere', customerId: 'C-moved', attempt: 1 };
    },
    async transferSubscriptions() {
      return { transferred: MOVED, attempt: 1 };
    },
    async checkTosAcceptance() {
      checks += 1;
      const signed = checks > signedAfter;
      return {
        accepted: signed,
        subscriptions: MOVED.map((s) => ({
          skuId: s.skuId,
          plan: s.planName,
          seats: s.seats,
          status: signed ? 'ACTIVE' : 'SUSPENDED',
          suspensionReasons: signed ? [] : ['PENDING_TOS_ACCEPTANCE'],
        })),
      };
    },
  });
}

test('after the move the super admins are told to sign the new terms; Google shows it, and the onboarding completes', async () => {
  const domain = uniqueDomain('wf-transfer-terms');
  const stubs = transferredCustomer(2);
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(
      env,
      domain,
      domainOrder(domain, { transferToken: 'valid-token-0001', waitPolicy: { checkEvery: '1 hour' } }),
    );
    const result = await handle.result();
    expect(result.stage).toBe('completed');
    expect(result.tosAccepted).toMatchObject({ via: 'detected' });
    // The branch taken stays visible: the transfer and its steps, then the notice.
    expect(result.transfer).toMatchObject({ transferred: MOVED });
    expect(result.steps.map((s) => s.name)).toEqual([
      'validate-order',
      'create-customer',
      'register-customer',
      'transfer-subscriptions',
      'send-transfer-terms-notice',
    ]);
    expect(result.subscriptions?.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE']);
  });
  // Asked without an admin address: the customer's own super admins sign; the moved subscriptions say when.
  expect(stubs.inputs('checkTosAcceptance')).toEqual([
    { customerId: 'C-moved' },
    { customerId: 'C-moved' },
    { customerId: 'C-moved' },
  ]);
  expect(stubs.inputs('sendTransferTermsNotice')).toEqual([
    expect.objectContaining({ customerDomain: domain, to: 'owner@customer-mail.example.org' }),
  ]);
});

test('nobody signs: reminders name the new terms for every super admin, then it expires like a new customer (nothing undone)', async () => {
  const domain = uniqueDomain('wf-transfer-unsigned');
  const stubs = transferredCustomer(Number.POSITIVE_INFINITY);
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(
      env,
      domain,
      domainOrder(domain, {
        transferToken: 'valid-token-0001',
        waitPolicy: { checkEvery: '1 day', reminders: ['2 days', '5 days'], deadline: '7 days' },
      }),
    );
    const waiting = await stageReached(handle, 'awaiting-tos');
    expect(waiting.transfer).toMatchObject({ transferred: MOVED });
    const error = await failureOf(handle);
    expect(error.cause?.message).toContain('did not accept the terms');
    const status = await statusOf(handle);
    expect(status.stage).toBe('expired');
    expect(Date.parse(status.expired?.at ?? '') - Date.parse(waiting.waitingFor?.since ?? '')).toBeGreaterThanOrEqual(
      7 * DAY - 1000,
    );
  });
  expect(stubs.inputs('sendReminder')).toEqual([
    expect.objectContaining({ what: 'tos-acceptance', reminderNumber: 1, transferred: true }),
    expect.objectContaining({ what: 'tos-acceptance', reminderNumber: 2, transferred: true }),
  ]);
  expect(stubs.names()).not.toContain('transferToDirect');
  expect(stubs.inputs('notifySales')).toEqual([expect.objectContaining({ outcome: 'expired' })]);
  // Nothing is ended on expiry, so sales hears what keeps billing the reseller.
  expect(stubs.inputs('notifySales')[0]?.lines).toContainEqual(
    expect.stringMatching(/^STILL BILLING THE RESELLER: 1010020028, Google-Drive-storage-20GB of /),
  );
});

test('terms reported before the move are not the new ones: after it, the onboarding still waits for them', async () => {
  const domain = uniqueDomain('wf-transfer-early-terms');
  const stubs = transferredCustomer(Number.POSITIVE_INFINITY);
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    await stageReached(handle, 'awaiting-transfer-token');
    await handle.signal(tosAcceptedSignal, { reportedBy: 'crm-too-early' });
    await handle.executeUpdate(provideTransferTokenUpdate, { args: ['valid-token-0001'] });
    const waiting = await stageReached(handle, 'awaiting-tos');
    expect(waiting.tosAccepted).toBeUndefined();
    expect(waiting.transfer).toMatchObject({ transferred: MOVED });
    await handle.signal(tosAcceptedSignal, { reportedBy: 'crm' });
    const result = await handle.result();
    expect(result).toMatchObject({ stage: 'completed', tosAccepted: { via: 'signal', reportedBy: 'crm' } });
  });
});
