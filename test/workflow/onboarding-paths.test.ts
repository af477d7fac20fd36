/**
 * Why this file exists: the end-to-end suites prove the onboarding against the Google emulator, but
 * take minutes. This file runs the real workflow bundle with stub activities on the time-skipping
 * server, so each way an onboarding can go (new domain or team customer, already a customer, held
 * elsewhere and transferred, refused plaintext input) is checked in seconds by the calls it makes,
 * in order, and by the status it ends with.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { REFUSED_PLAINTEXT, UNENCRYPTED_INPUT_FAILURE_TYPE } from '../../encryption/plaintext-refusal';
import type { OrderInput } from '../../order/order';
import { provideTransferTokenUpdate, tosAcceptedSignal, type TransferredSubscription } from '../../workflows/messages';
import { startTimeSkippingServer, waitForStatus, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, teamOrder, uniqueDomain } from '../support/orders';
import { refusal, stubActivities } from '../support/stub-activities';
import { failureOf, stageReached, startOnboarding, statusOf, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const WORKSPACE = { skuId: '1010020028', plan: 'ANNUAL_MONTHLY_PAY', seats: 5 } as const;
const SOLD: NonNullable<OrderInput['subscriptions']> = [
  WORKSPACE,
  { skuId: 'Google-Vault', plan: 'FLEXIBLE', seats: 5 },
];

describe('a new domain customer', () => {
  test("is provisioned in Google's order, then completes on the tosAccepted signal", async () => {
    const domain = uniqueDomain('wf-domain');
    const order = domainOrder(domain, { subscriptions: SOLD });
    // Asked once after the signal, to show the subscriptions as they stand now.
    const stubs = stubActivities({
      async checkTosAcceptance() {
        return {
          accepted: true,
          subscriptions: SOLD.map((s) => ({
            skuId: s.skuId,
            plan: s.plan,
            seats: s.seats,
            status: 'ACTIVE',
            suspensionReasons: [],
          })),
        };
      },
    });
    await withStubWorker(env, stubs, async () => {
      const handle = await startOnboarding(env, domain, order);
      const parked = await stageReached(handle, 'awaiting-tos');
      expect(stubs.names()).toEqual([
        'validateOrder',
        'createResoldCustomer',
        'setCustomerLanguage',
        'createAdminUser',
        'grantSuperAdmin',
        'orderSubscription',
        'orderSubscription',
        'prepareDomainVerification', // the stub answers "already verified": nothing more to wait for
        'sendSignInNotice',
      ]);
      expect(parked).toMatchObject({
        customerType: 'domain',
        customerId: `C-${domain}`,
        adminEmail: `admin@${domain}`,
        waitingFor: { what: 'tos-acceptance', remindersSent: 0 },
      });

      await handle.signal(tosAcceptedSignal, { reportedBy: 'crm-webhook' });
      const result = await handle.result();
      expect(result.stage).toBe('completed');
      expect(result.tosAccepted).toMatchObject({ via: 'signal', reportedBy: 'crm-webhook' });
      expect(result.waitingFor).toBeUndefined();
      expect(result.steps.map((s) => s.name)).toEqual([
        'validate-order',
        'create-customer',
        'set-language',
        'create-admin',
        'grant-admin',
        'order-subscription 1010020028',
        'order-subscription Google-Vault',
        'prepare-domain-verification',
        'send-sign-in-notice',
      ]);
      expect(result.subscriptions?.map((s) => [s.skuId, s.status])).toEqual([
        ['1010020028', 'ACTIVE'],
        ['Google-Vault', 'ACTIVE'],
      ]);
    });
    // Reported by signal, the acceptance is not re-decided by the check (via stays "signal"); the check only refreshes.
    expect(stubs.inputs('checkTosAcceptance')).toEqual([{ customerId: `C-${domain}`, adminEmail: `admin@${domain}` }]);

    // What each step was given: the customer Google created, the order's language and admin.
    const [created] = stubs.inputs('createResoldCustomer');
    expect(created?.order.customerDomain).toBe(domain);
    expect(created?.onboarding?.key).toMatch(new RegExp(`^onboarding:${domain.replace(/\./g, '\\.')}/`));
    expect(stubs.inputs('setCustomerLanguage')).toEqual([
      expect.objectContaining({ customerId: `C-${domain}`, language: 'fr' }),
    ]);
    expect(stubs.inputs('createAdminUser')[0]).toMatchObject({
      customerId: `C-${domain}`,
      admin: { primaryEmail: `admin@${domain}` },
    });
    expect(stubs.inputs('grantSuperAdmin')).toEqual([expect.objectContaining({ userKey: `admin@${domain}` })]);
    expect(stubs.inputs('orderSubscription').map((i) => [i.customerId, i.subscription.skuId])).toEqual([
      [`C-${domain}`, '1010020028'],
      [`C-${domain}`, 'Google-Vault'],
    ]);
    expect(stubs.inputs('sendSignInNotice')).toEqual([
      expect.objectContaining({
        to: 'owner@customer-mail.example.org',
        adminEmail: `admin@${domain}`,
        issueTemporaryPassword: true,
      }),
    ]);
    expect(stubs.inputs('sendSignInNotice')[0]?.subscriptions?.map((s) => s.skuId)).toEqual([
      '1010020028',
      'Google-Vault',
    ]);
    expect(stubs.inputs('notifySales')).toEqual([]);
    expect(stubs.inputs('sendReminder')).toEqual([]);
  });

  test('completes by itself when the periodic check finds the terms accepted', async () => {
    const domain = uniqueDomain('wf-detect');
    let checks = 0;
    const stubs = stubActivities({
      async checkTosAcceptance() {
        checks += 1;
        const accepted = checks >= 2;
        return {
          accepted,
          subscriptions: [
            {
              skuId: '1010020028',
              plan: 'ANNUAL_MONTHLY_PAY',
              seats: 5,
              status: accepted ? 'ACTIVE' : 'SUSPENDED',
              suspensionReasons: accepted ? [] : ['PENDING_TOS_ACCEPTANCE'],
            },
          ],
        };
      },
    });
    await withStubWorker(env, stubs, async () => {
      const handle = await startOnboarding(
        env,
        domain,
        domainOrder(domain, { subscriptions: [WORKSPACE], waitPolicy: { checkEvery: '1 hour' } }),
      );
      const parked = await stageReached(handle, 'awaiting-tos');
      // checkEvery plus up to a quarter more (spread-checks): never sooner than asked.
      const firstCheckAfter =
        Date.parse(parked.waitingFor?.nextCheck ?? '') - Date.parse(parked.waitingFor?.since ?? '');
      expect(firstCheckAfter).toBeGreaterThanOrEqual(3_600_000);
      expect(firstCheckAfter).toBeLessThan(1.25 * 3_600_000);
      expect(stubs.inputs('checkTosAcceptance')).toHaveLength(0); // no check before the first interval
      const result = await handle.result(); // lets the time-skipping server run the clock
      expect(result.stage).toBe('completed');
      expect(result.tosAccepted?.via).toBe('detected');
      expect(result.subscriptions).toEqual([expect.objectContaining({ skuId: '1010020028', status: 'ACTIVE' })]);
    });
    expect(stubs.inputs('checkTosAcceptance')).toEqual([
      { customerId: `C-${domain}`, adminEmail: `admin@${domain}` },
      { customerId: `C-${domain}`, adminEmail: `admin@${domain}` },
    ]);
    expect(stubs.inputs('sendReminder')).toEqual([]); // accepted on hour 2, long before the first reminder
  });
});

test('a team customer gets no language, no user, no super admin: Google makes its primaryAdmin the admin', async () => {
  const domain = uniqueDomain('wf-team');
  const stubs = stubActivities();
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(
      env,
      domain,
      teamOrder(domain, { subscriptions: [{ skuId: '1010060001', plan: 'FLEXIBLE', seats: 3 }] }),
    );
    await stageReached(handle, 'awaiting-tos');
    await handle.signal(tosAcceptedSignal);
    const result = await handle.result();
    expect(result).toMatchObject({ stage: 'completed', customerType: 'team', tosAccepted: { via: 'signal' } });
    expect(result.adminEmail).toBeUndefined();
  });
  // After the signal, one check refreshes the subscriptions (no admin to ask about: the team's are all there is).
  expect(stubs.names()).toEqual([
    'validateOrder',
    'createResoldCustomer',
    'orderSubscription',
    'sendSignInNotice',
    'checkTosAcceptance',
  ]);
  expect(stubs.inputs('checkTosAcceptance')).toEqual([{ customerId: `C-${domain}` }]);
  const [notice] = stubs.inputs('sendSignInNotice');
  expect(notice).toMatchObject({ to: 'founder@gmail.example', customerId: `C-${domain}` });
  expect(notice?.adminEmail).toBeUndefined();
});

test('a team customer with nothing ordered completes on the signal with no check (nothing to refresh)', async () => {
  const domain = uniqueDomain('wf-team-bare');
  const stubs = stubActivities();
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, teamOrder(domain));
    await stageReached(handle, 'awaiting-tos');
    await handle.signal(tosAcceptedSignal);
    expect((await handle.result()).stage).toBe('completed');
  });
  expect(stubs.names()).toEqual(['validateOrder', 'createResoldCustomer', 'sendSignInNotice']);
});

test('already a customer of this reseller: nothing but a note to sales, stage already-a-customer', async () => {
  const domain = uniqueDomain('wf-existing');
  const reason = 'it was created (2025-01-01T00:00:00.000Z) before this onboarding started';
  const stubs = stubActivities({
    async createResoldCustomer() {
      return { outcome: 'already-a-customer', customerId: 'C-existing-42', reason, attempt: 1 };
    },
  });
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(
      env,
      domain,
      domainOrder(domain, { subscriptions: SOLD, salesContactEmail: 'rep@reseller.example' }),
    );
    const result = await handle.result();
    expect(result.stage).toBe('already-a-customer');
    expect(result.alreadyACustomer).toEqual({ customerId: 'C-existing-42', reason });
    expect(result.compensation).toBeUndefined();
  });
  expect(stubs.names()).toEqual(['validateOrder', 'createResoldCustomer', 'notifySales']);
  expect(stubs.inputs('notifySales')).toEqual([
    expect.objectContaining({
      customerDomain: domain,
      to: 'rep@reseller.example',
      outcome: 'already-a-customer',
      lines: expect.arrayContaining(['Customer: C-existing-42']),
    }),
  ]);
});

test('managed elsewhere: a refused token asks for a new one, and a valid token by update transfers', async () => {
  const domain = uniqueDomain('wf-transfer');
  const moved: TransferredSubscription[] = [
    { subscriptionId: 'S1', skuId: '1010020028', planName: 'ANNUAL_MONTHLY_PAY', seats: 12 },
    { subscriptionId: 'S2', skuId: 'Google-Drive-storage-20GB', planName: 'FLEXIBLE', seats: 12 },
  ];
  const stubs = stubActivities({
    async createResoldCustomer() {
      return { outcome: 'managed-elsewhere', customerId: 'C-held-by-google', attempt: 1 };
    },
    async registerTransferredCustomer({ order, transferToken }) {
      if (transferToken !== 'valid-token-0002')
        refusal(
          `customers.insert ${order.customerDomain} (with transfer token): Google refused the transfer token (403)`,
          'TransferTokenRefused',
        );
      return { outcome: 'registered', attempt: 1 };
    },
    async transferSubscriptions() {
      return { transferred: moved, attempt: 1 };
    },
    // Release 0.4: the moved subscriptions stay PENDING_TOS_ACCEPTANCE until the super admins sign Google's new terms.
    async checkTosAcceptance() {
      return {
        accepted: false,
        subscriptions: moved.map((s) => ({
          skuId: s.skuId,
          plan: s.planName,
          seats: s.seats,
          status: 'SUSPENDED',
          suspensionReasons: ['PENDING_TOS_ACCEPTANCE'],
        })),
      };
    },
  });
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    const waiting = await stageReached(handle, 'awaiting-transfer-token');
    expect(waiting.waitingFor).toMatchObject({ what: 'transfer-token', remindersSent: 0 });
    expect(stubs.names()).toEqual(['validateOrder', 'createResoldCustomer', 'sendTransferTokenRequest']);

    // A malformed token never reaches the workflow: the validator refuses it.
    await expect(handle.executeUpdate(provideTransferTokenUpdate, { args: ['short'] })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );

    // The update answers once the token is queued; its outcome shows in the status under its number.
    const first = await handle.executeUpdate(provideTransferTokenUpdate, { args: ['expired-token-0001'] });
    expect(first).toMatchObject({ outcome: 'accepted', token: 1 });
    const refused = await waitForStatus(
      () => statusOf(handle),
      (s) => s.stage === 'awaiting-transfer-token' && s.waitingFor !== undefined,
    );
    expect(refused.transfer).toMatchObject({
      tokensTried: 1,
      lastRefusal: expect.stringContaining('refused the transfer token'),
    });
    expect(refused.transfer?.tokens).toEqual([expect.objectContaining({ token: 1, outcome: 'refused' })]);

    const second = await handle.executeUpdate(provideTransferTokenUpdate, { args: ['valid-token-0002'] });
    expect(second).toMatchObject({ outcome: 'accepted', token: 2 });
    // Transferred, then waiting for the customer's super admins to sign Google's new terms.
    const awaiting = await stageReached(handle, 'awaiting-tos');
    expect(awaiting.transfer).toMatchObject({ transferred: moved });
    expect(awaiting.waitingFor).toMatchObject({ what: 'tos-acceptance' });
    await handle.signal(tosAcceptedSignal, { reportedBy: 'crm-webhook' });
    const result = await handle.result();
    expect(result.stage).toBe('completed');
    expect(result.tosAccepted).toMatchObject({ via: 'signal' });
    expect(result.transfer).toMatchObject({ tokensTried: 2, transferred: moved });
    expect(result.transfer?.tokens?.map((t) => [t.token, t.outcome])).toEqual([
      [1, 'refused'],
      [2, 'transferred'],
    ]);
  });
  expect(stubs.names()).toEqual([
    'validateOrder',
    'createResoldCustomer',
    'sendTransferTokenRequest',
    'registerTransferredCustomer',
    'sendTransferTokenRequest',
    'registerTransferredCustomer',
    'transferSubscriptions',
    'sendTransferTermsNotice',
  ]);
  expect(stubs.inputs('sendTransferTermsNotice')).toEqual([
    expect.objectContaining({
      customerId: 'C-held-by-google',
      to: 'owner@customer-mail.example.org',
      adminEmail: `admin@${domain}`,
      subscriptions: moved.map(({ skuId, planName, seats }) => ({ skuId, planName, seats })),
    }),
  ]);
  expect(stubs.inputs('registerTransferredCustomer').map((i) => [i.customerId, i.transferToken])).toEqual([
    ['C-held-by-google', 'expired-token-0001'],
    ['C-held-by-google', 'valid-token-0002'],
  ]);
  const requests = stubs.inputs('sendTransferTokenRequest');
  expect(requests[0]?.refusal).toBeUndefined();
  expect(requests[1]?.refusal).toContain('refused the transfer token');
  expect(stubs.inputs('transferSubscriptions')).toEqual([
    { customerId: 'C-held-by-google', customerDomain: domain, transferToken: 'valid-token-0002' },
  ]);
});

test('input that arrived as refused plaintext fails as UnencryptedInput; only sales hears of it', async () => {
  const domain = uniqueDomain('wf-plaintext');
  const stubs = stubActivities();
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, REFUSED_PLAINTEXT);
    const error = await failureOf(handle);
    expect(error.cause).toBeInstanceOf(ApplicationFailure);
    expect((error.cause as ApplicationFailure).type).toBe(UNENCRYPTED_INPUT_FAILURE_TYPE);
    const status = await statusOf(handle);
    expect(status).toMatchObject({ stage: 'failed', failure: { type: UNENCRYPTED_INPUT_FAILURE_TYPE } });
  });
  // Not even the validation activity nor the local waitDefaults ran.
  expect(stubs.calls.map((c) => c.name)).toEqual(['notifySales']);
  expect(stubs.inputs('notifySales')[0]).toMatchObject({
    outcome: 'failed',
    lines: expect.arrayContaining([expect.stringContaining(UNENCRYPTED_INPUT_FAILURE_TYPE)]),
  });
});
