/**
 * Why this file exists: how an onboarding ends other than by success — a Google refusal after the
 * admin exists, a cancel while the customer is awaited, a customer who never acts — decides what is
 * undone at Google and what sales is told. This file provokes each ending with stub activities on
 * the time-skipping server (days pass with env.sleep) and checks the compensations, in reverse
 * order, the reminders, and the final status. Release 0.4: the subscriptions ordered are ended
 * (transfer_to_direct, one batch: endSubscriptions) before the administrator is removed — Google
 * bills the reseller from the order on — and after the customer accepted the terms nothing is ended.
 * (Runs of earlier releases keep their saga: test/histories/ replays them.)
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OrderInput } from '../../order/order';
import { cancellationReasonSignal, tosAcceptedSignal } from '../../workflows/messages';
import { startTimeSkippingServer, waitForStatus, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { refusal, stubActivities, type ActivityName } from '../support/stub-activities';
import { failureOf, stageReached, startOnboarding, statusOf, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const WORKSPACE = { skuId: '1010020028', plan: 'ANNUAL_MONTHLY_PAY', seats: 5 } as const;
/** An add-on: ended together with the Workspace edition, in the same batch. */
const VAULT = { skuId: 'Google-Vault', plan: 'FLEXIBLE', seats: 5 } as const;
const SOLD: NonNullable<OrderInput['subscriptions']> = [WORKSPACE, VAULT];

const COMPENSATIONS: ActivityName[] = ['endSubscriptions', 'cancelSubscription', 'revokeSuperAdmin', 'deleteUser'];
const ENDED = (domain: string) => `end subscription(s) 1010020028, Google-Vault of ${domain} (transfer_to_direct)`;

describe('a failure after the admin was made super admin', () => {
  test('ends the subscriptions first (one call for all), then revokes and deletes the admin, tells sales', async () => {
    const domain = uniqueDomain('wf-fail');
    const stubs = stubActivities({
      async sendSignInNotice() {
        return refusal('mail relay refused the sign-in notice', 'MailRejected');
      },
    });
    await withStubWorker(env, stubs, async () => {
      const handle = await startOnboarding(
        env,
        domain,
        domainOrder(domain, { subscriptions: SOLD, salesContactEmail: 'rep@reseller.example' }),
      );
      const error = await failureOf(handle);
      expect(error.cause).toBeInstanceOf(ApplicationFailure);
      expect((error.cause as ApplicationFailure).type).toBe('MailRejected');

      const status = await statusOf(handle);
      expect(status.stage).toBe('failed');
      expect(status.failure).toEqual({ type: 'MailRejected', message: 'mail relay refused the sign-in notice' });
      expect(status.compensation?.undone).toEqual([
        ENDED(domain),
        `revoke super admin of admin@${domain}`,
        `delete user admin@${domain}`,
      ]);
      expect(status.compensation?.failed).toEqual([]);
      expect(status.compensation?.stillBilling).toBeUndefined();
      // Only the customer record stays: no Workspace subscription is "cannot be undone" any more.
      expect(status.compensation?.cannotUndo).toEqual([expect.stringContaining(`customer C-${domain}`)]);
    });

    expect(stubs.names().filter((n) => COMPENSATIONS.includes(n))).toEqual([
      'endSubscriptions',
      'revokeSuperAdmin',
      'deleteUser',
    ]);
    // The compensations run after the failing step, then sales hears of it, last.
    expect(stubs.names().slice(-5)).toEqual([
      'sendSignInNotice',
      'endSubscriptions',
      'revokeSuperAdmin',
      'deleteUser',
      'notifySales',
    ]);
    expect(stubs.inputs('endSubscriptions')).toEqual([
      {
        customerId: `C-${domain}`,
        customerDomain: domain,
        customerType: 'domain',
        skuIds: ['1010020028', 'Google-Vault'],
        onboardingKey: expect.stringMatching(/^onboarding:/),
      },
    ]);
    expect(stubs.inputs('cancelSubscription')).toEqual([]);
    const [deletion] = stubs.inputs('deleteUser');
    expect(deletion).toMatchObject({ userKey: `admin@${domain}`, customerId: `C-${domain}` });

    const [sales] = stubs.inputs('notifySales');
    expect(sales).toMatchObject({ customerDomain: domain, to: 'rep@reseller.example', outcome: 'failed' });
    expect(sales?.lines).toEqual(
      expect.arrayContaining([
        'Reason: MailRejected: mail relay refused the sign-in notice',
        expect.stringMatching(
          /^Undone: end subscription\(s\) 1010020028, Google-Vault.*; revoke super admin.*; delete user/,
        ),
      ]),
    );
  });

  test('a subscription Google refused: the ending is asked anyway (it ends what exists); the steps before it are undone', async () => {
    const domain = uniqueDomain('wf-fail-sku');
    const stubs = stubActivities({
      async orderSubscription({ subscription }) {
        if (subscription.skuId === VAULT.skuId)
          return refusal('subscriptions.insert failed: HTTP 400 invalid: Invalid sku', 'Google.invalid');
        return {
          skuId: subscription.skuId,
          plan: subscription.plan,
          seats: subscription.seats,
          subscriptionId: 'S-1',
          status: 'SUSPENDED',
          outcome: 'ordered',
          attempt: 1,
        };
      },
    });
    await withStubWorker(env, stubs, async () => {
      const handle = await startOnboarding(env, domain, domainOrder(domain, { subscriptions: SOLD }));
      expect(((await failureOf(handle)).cause as ApplicationFailure).type).toBe('Google.invalid');
      const status = await statusOf(handle);
      expect(status).toMatchObject({ stage: 'failed', failure: { type: 'Google.invalid' } });
      // Registered before the first (uninterruptible) order: it runs anyway and ends what Google took.
      expect(status.compensation?.undone).toEqual([
        ENDED(domain),
        `revoke super admin of admin@${domain}`,
        `delete user admin@${domain}`,
      ]);
      expect(status.compensation?.cannotUndo).toHaveLength(1); // the customer
    });
    expect(stubs.inputs('sendSignInNotice')).toEqual([]);
    expect(stubs.names().slice(-4)).toEqual(['endSubscriptions', 'revokeSuperAdmin', 'deleteUser', 'notifySales']);
  });

  test('subscriptions that cannot be ended: named as still billing the reseller, and the admin is kept (Google needs one)', async () => {
    const domain = uniqueDomain('wf-fail-billing');
    const stubs = stubActivities({
      async sendSignInNotice() {
        return refusal('mail relay refused the sign-in notice', 'MailRejected');
      },
      async endSubscriptions() {
        return refusal(
          'subscriptions.delete failed: HTTP 412 conditionNotMet: no administrator on the account',
          'NoAdministrator',
        );
      },
    });
    await withStubWorker(env, stubs, async () => {
      const handle = await startOnboarding(env, domain, domainOrder(domain, { subscriptions: SOLD }));
      await failureOf(handle);
      const status = await statusOf(handle);
      expect(status.compensation).toEqual({
        undone: [],
        failed: [expect.stringMatching(/^end subscription\(s\) 1010020028, Google-Vault .*412/)],
        cannotUndo: [
          expect.stringContaining(`customer C-${domain}`),
          expect.stringMatching(/^revoke super admin .*not done, so that the subscriptions still billing can be ended/),
          expect.stringMatching(/^delete user .*not done/),
        ],
        stillBilling: [`subscription 1010020028 of ${domain}`, `subscription Google-Vault of ${domain}`],
        // The admin kept on purpose is data too: the reconciliation does not count it as a leftover to remove.
        results: [
          { kind: 'endSubscriptions', result: 'failed', line: expect.stringContaining('412') },
          { kind: 'revokeSuperAdmin', result: 'kept', line: expect.stringContaining('not done') },
          { kind: 'deleteUser', result: 'kept', line: expect.stringContaining('not done') },
        ],
      });
    });
    expect(stubs.names().filter((n) => COMPENSATIONS.includes(n))).toEqual(['endSubscriptions']);
    expect(stubs.inputs('notifySales')[0]?.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^STILL BILLING THE RESELLER .*subscription 1010020028 of .*subscription Google-Vault of/,
        ),
      ]),
    );
  });
});

test('cancelled while awaiting the terms: subscriptions ended before the admin is removed (one failing does not stop the rest)', async () => {
  const domain = uniqueDomain('wf-cancel');
  const stubs = stubActivities({
    async revokeSuperAdmin({ userKey }) {
      return refusal(`users.update ${userKey} failed: HTTP 403 forbidden: Not Authorized`, 'Google.forbidden');
    },
    async deleteUser() {
      return { outcome: 'kept: not created by this onboarding' };
    },
  });
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain, { subscriptions: SOLD }));
    await stageReached(handle, 'awaiting-tos');
    expect(stubs.names().filter((n) => COMPENSATIONS.includes(n))).toEqual([]);

    await handle.signal(cancellationReasonSignal, { reason: 'the customer withdrew the order', requestedBy: 'sales' });
    await waitForStatus(
      () => statusOf(handle),
      (s) => s.cancellation !== undefined,
    );
    await handle.cancel();
    const error = await failureOf(handle);
    expect(error.cause).toBeInstanceOf(CancelledFailure);

    const status = await statusOf(handle);
    expect(status.stage).toBe('cancelled');
    expect(status.cancellation).toMatchObject({ reason: 'the customer withdrew the order', requestedBy: 'sales' });
    expect(status.waitingFor).toBeUndefined();
    expect(status.compensation).toEqual({
      undone: [ENDED(domain), `delete user admin@${domain} (kept: not created by this onboarding)`],
      failed: [
        expect.stringMatching(
          new RegExp(`^revoke super admin of admin@${domain.replace(/\./g, '\\.')}: .*Not Authorized`),
        ),
      ],
      cannotUndo: [expect.stringContaining(`customer C-${domain}`)],
      // Release 0.4: each compensation's kind and result as data, in the order they ran.
      results: [
        { kind: 'endSubscriptions', result: 'undone', line: ENDED(domain) },
        { kind: 'revokeSuperAdmin', result: 'failed', line: expect.stringContaining('Not Authorized') },
        {
          kind: 'deleteUser',
          result: 'undone',
          line: `delete user admin@${domain} (kept: not created by this onboarding)`,
        },
      ],
    });
  });
  expect(stubs.names().slice(-4)).toEqual(['endSubscriptions', 'revokeSuperAdmin', 'deleteUser', 'notifySales']);
  expect(stubs.inputs('notifySales')[0]).toMatchObject({
    outcome: 'cancelled',
    lines: expect.arrayContaining(['Reason: the customer withdrew the order']),
  });
});

test('cancelled after the customer accepted the terms: nothing is ended, and the status and sales say so', async () => {
  const domain = uniqueDomain('wf-cancel-accepted');
  const stubs = stubActivities({
    async prepareDomainVerification({ domain: d }) {
      return { verified: false, record: { host: d, type: 'TXT', value: 'google-site-verification=x' }, attempt: 1 };
    },
    async tryDomainVerification() {
      return { verified: false };
    },
  });
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain, { subscriptions: SOLD }));
    await stageReached(handle, 'awaiting-tos');
    await handle.signal(tosAcceptedSignal, { reportedBy: 'crm-webhook' });
    await stageReached(handle, 'awaiting-domain-verification');
    await handle.cancel();
    expect((await failureOf(handle)).cause).toBeInstanceOf(CancelledFailure);
    const status = await statusOf(handle);
    expect(status.stage).toBe('cancelled');
    expect(status.compensation?.undone).toEqual([]);
    expect(status.compensation?.cannotUndo).toEqual(
      expect.arrayContaining([expect.stringMatching(/customer accepted the terms.*theirs now and were kept/)]),
    );
  });
  expect(stubs.names().filter((n) => COMPENSATIONS.includes(n))).toEqual([]);
  expect(stubs.inputs('notifySales')[0]?.lines.join('\n')).toMatch(/customer accepted the terms/);
});

test('no acceptance by the deadline: reminders at their offsets (none past the deadline), then expired, nothing undone', async () => {
  const domain = uniqueDomain('wf-expire');
  const stubs = stubActivities();
  const reminders = () => stubs.inputs('sendReminder');
  let deadline: string | undefined;
  await withStubWorker(env, stubs, async () => {
    const order = domainOrder(domain, {
      subscriptions: SOLD,
      waitPolicy: { reminders: ['3 days', '1 day', '10 days'], deadline: '5 days', checkEvery: '100 days' },
    });
    const handle = await startOnboarding(env, domain, order);
    const parked = await stageReached(handle, 'awaiting-tos');
    const since = Date.parse(parked.waitingFor?.since ?? '');
    deadline = parked.waitingFor?.deadline;
    expect(deadline).toBe(new Date(since + 5 * DAY).toISOString());
    expect(parked.waitingFor?.nextReminder).toBe(new Date(since + DAY).toISOString()); // offsets are sorted

    await env.sleep(DAY - HOUR);
    expect(reminders()).toHaveLength(0);
    expect((await statusOf(handle)).waitingFor?.remindersSent).toBe(0);
    await env.sleep(2 * HOUR);
    const after1 = await waitForStatus(
      () => statusOf(handle),
      (s) => s.waitingFor?.remindersSent === 1,
    );
    expect(after1.waitingFor?.nextReminder).toBe(new Date(since + 3 * DAY).toISOString());

    await env.sleep(2 * DAY);
    const after2 = await waitForStatus(
      () => statusOf(handle),
      (s) => s.waitingFor?.remindersSent === 2,
    );
    expect(after2.stage).toBe('awaiting-tos');
    expect(after2.waitingFor?.nextReminder).toBeUndefined(); // the 10-day reminder falls after the deadline

    await env.sleep(2 * DAY + HOUR);
    const error = await failureOf(handle);
    expect(error.cause).toBeInstanceOf(ApplicationFailure);
    expect((error.cause as ApplicationFailure).type).toBe('OnboardingExpired');
    const status = await statusOf(handle);
    expect(status).toMatchObject({ stage: 'expired', expired: { what: 'tos-acceptance' } });
    expect(status.compensation).toBeUndefined();
    expect(status.failure).toBeUndefined();
  });

  expect(deadline).toBeDefined();
  expect(reminders().map((r) => [r.what, r.reminderNumber, r.deadline])).toEqual([
    ['tos-acceptance', 1, deadline],
    ['tos-acceptance', 2, deadline],
  ]);
  expect(reminders()[0]).toMatchObject({
    customerDomain: domain,
    to: 'owner@customer-mail.example.org',
    adminEmail: `admin@${domain}`,
  });
  expect(stubs.names().filter((n) => COMPENSATIONS.includes(n))).toEqual([]);
  expect(stubs.inputs('notifySales')).toEqual([
    expect.objectContaining({ customerDomain: domain, outcome: 'expired' }),
  ]);
  expect(stubs.names().at(-1)).toBe('notifySales');
});

describe('no transfer token by the deadline', () => {
  /** A domain held elsewhere whose customer never sends a token; returns what sales was told. */
  async function expireTransferWait(domain: string) {
    const stubs = stubActivities({
      async createResoldCustomer() {
        return { outcome: 'managed-elsewhere', customerId: 'C-held-by-google', attempt: 1 };
      },
    });
    await withStubWorker(env, stubs, async () => {
      const handle = await startOnboarding(
        env,
        domain,
        domainOrder(domain, { waitPolicy: { reminders: ['1 day'], deadline: '2 days' } }),
      );
      const parked = await stageReached(handle, 'awaiting-transfer-token');
      expect(parked.waitingFor).toMatchObject({
        what: 'transfer-token',
        nextReminder: new Date(Date.parse(parked.waitingFor?.since ?? '') + DAY).toISOString(),
      });
      expect(parked.waitingFor?.nextCheck).toBeUndefined(); // a token cannot be asked of Google
      await env.sleep(2 * DAY + HOUR);
      expect(((await failureOf(handle)).cause as ApplicationFailure).type).toBe('OnboardingExpired');
      expect(await statusOf(handle)).toMatchObject({ stage: 'expired', expired: { what: 'transfer-token' } });
    });
    return stubs;
  }

  test('expires as OnboardingExpired after one reminder; sales is told; nothing was created or undone', async () => {
    const domain = uniqueDomain('wf-expire-token');
    const stubs = await expireTransferWait(domain);
    expect(stubs.names()).toEqual([
      'validateOrder',
      'createResoldCustomer',
      'sendTransferTokenRequest',
      'sendReminder',
      'notifySales',
    ]);
    expect(stubs.inputs('sendReminder')).toEqual([
      expect.objectContaining({ what: 'transfer-token', reminderNumber: 1, customerDomain: domain }),
    ]);
    expect(stubs.inputs('notifySales')).toEqual([
      expect.objectContaining({ outcome: 'expired', customerDomain: domain }),
    ]);
  });

  /** Sales hears what fits the wait that expired: nothing was created for a transfer-token wait. */
  test('what sales is told about an expired transfer-token wait does not speak of terms or already-a-customer', async () => {
    const domain = uniqueDomain('wf-expire-token-lines');
    const stubs = await expireTransferWait(domain);
    const lines = stubs.inputs('notifySales')[0]?.lines.join('\n') ?? '';
    expect(lines).toContain('Deadline:');
    expect(lines).not.toMatch(/accept the terms/);
    expect(lines).not.toMatch(/already-a-customer/);
  });
});
