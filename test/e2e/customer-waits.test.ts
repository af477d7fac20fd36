/**
 * Waiting for the customer for days and weeks, on Temporal's time-skipping test server: the real
 * worker, activities and emulator, with `env.sleep()` skipping workflow time. The worker keeps no
 * workflow in cache (maxCachedWorkflows 0), so every wake-up replays from history, as a parked,
 * evicted onboarding does in production.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;

/** Defaults (reminders day 3 and 7, deadline 30 days) but rare checks, so weeks pass in seconds. */
const RARE_CHECKS = { checkEvery: '100 days' };

const mailsFor = async (domain: string, subject: string) =>
  (await stack.google.mail()).filter((m) => m.subject.includes(domain) && m.subject.includes(subject));

async function startAndPark(
  order: ReturnType<typeof domainOrder>,
  stage: 'awaiting-tos' | 'awaiting-transfer-token' = 'awaiting-tos',
) {
  await stack.client.start(order);
  return waitForStatus(
    () => stack.client.status(order.customerDomain),
    (s) => s.stage === stage,
  );
}

describe('parked onboardings, replayed from history at every wake-up (no worker cache)', () => {
  beforeAll(async () => {
    stack = await startOnboardingStack({ server: 'time-skipping', maxCachedWorkflows: 0 });
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  // The terms wait alone is what these tests exercise (domain verification: test/e2e/domain-verification.test.ts).
  test("while the domain is to be verified the default deadline is day 20, ahead of Google's suspension of unverified accounts", async () => {
    const domain = uniqueDomain('verify-deadline');
    const parked = await startAndPark(domainOrder(domain, { waitPolicy: RARE_CHECKS }));
    const since = Date.parse(parked.waitingFor?.since ?? '');
    expect(Date.parse(parked.waitingFor?.deadline ?? '')).toBe(since + 20 * 86_400_000);
    const optedOut = await startAndPark(
      domainOrder(uniqueDomain('no-verify-deadline'), { verifyDomain: false, waitPolicy: RARE_CHECKS }),
    );
    expect(Date.parse(optedOut.waitingFor?.deadline ?? '') - Date.parse(optedOut.waitingFor?.since ?? '')).toBe(
      30 * 86_400_000,
    );
    await stack.client.cancel(domain, 'test done');
    await stack.client.cancel(optedOut.customerDomain, 'test done');
  });

  test('reminders go out on days 3 and 7, none after acceptance', async () => {
    const domain = uniqueDomain('remind');
    const parked = await startAndPark(domainOrder(domain, { verifyDomain: false, waitPolicy: RARE_CHECKS }));
    const since = Date.parse(parked.waitingFor?.since ?? '');
    expect(Date.parse(parked.waitingFor?.nextReminder ?? '')).toBe(since + 3 * 86_400_000);

    await stack.env.sleep('71 hours');
    expect(await mailsFor(domain, 'Reminder')).toHaveLength(0);
    await stack.env.sleep('2 hours');
    expect((await mailsFor(domain, 'Reminder')).map((m) => m.subject)).toEqual([expect.stringContaining('Reminder 1')]);
    const after1 = await stack.client.status(domain);
    expect(after1.waitingFor).toMatchObject({
      remindersSent: 1,
      nextReminder: new Date(since + 7 * 86_400_000).toISOString(),
    });

    await stack.env.sleep('4 days');
    expect((await mailsFor(domain, 'Reminder')).map((m) => m.subject)).toEqual([
      expect.stringContaining('Reminder 1'),
      expect.stringContaining('Reminder 2'),
    ]);

    await stack.client.acceptTos(domain, { reportedBy: 'sales' });
    expect((await stack.client.result(domain)).tosAccepted).toMatchObject({ via: 'signal', reportedBy: 'sales' });
    await stack.env.sleep('10 days');
    expect(await mailsFor(domain, 'Reminder')).toHaveLength(2);
  });

  test('no acceptance: expired on day 30 and not before; sales told; nothing deleted', async () => {
    const domain = uniqueDomain('expire');
    await startAndPark(
      domainOrder(domain, { verifyDomain: false, waitPolicy: RARE_CHECKS, salesContactEmail: 'rep@reseller.example' }),
    );
    await stack.env.sleep('719 hours');
    expect((await stack.client.status(domain)).stage).toBe('awaiting-tos');
    await stack.env.sleep('2 hours');
    const error = await stack.client.result(domain).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const status = await stack.client.status(domain);
    expect(status).toMatchObject({ stage: 'expired', expired: { what: 'tos-acceptance' } });
    expect(status.compensation).toBeUndefined();
    expect((await stack.google.state()).users.filter((u) => u.primaryEmail === `admin@${domain}`)).toHaveLength(1);
    const sales = await stack.google.waitForMail((m) => m.subject === `Onboarding of ${domain} expired`);
    expect(sales.to).toEqual(['rep@reseller.example']);

    expect(sales.text).toContain('already-a-customer');

    // Filed again: a new onboarding cannot prove it created the customer (the first one did), so it
    // touches nothing — a re-filed order must never take over a customer's admin.
    const again = await stack.client.start(domainOrder(domain, { verifyDomain: false, waitPolicy: RARE_CHECKS }));
    expect(again.alreadyExisted).toBe(false);
    const stopped = await stack.client.result(domain);
    expect(stopped).toMatchObject({
      stage: 'already-a-customer',
      alreadyACustomer: { reason: expect.stringContaining('before this onboarding started') },
    });
    expect(stopped.steps.map((s) => s.name)).toEqual(['validate-order', 'create-customer']);
  });

  test('acceptance is detected by polling Google, with no signal', async () => {
    const domain = uniqueDomain('detect');
    const parked = await startAndPark(
      domainOrder(domain, { verifyDomain: false, waitPolicy: { checkEvery: '1 hour' } }),
    );
    expect(parked.waitingFor?.nextCheck).toBeDefined();
    await stack.env.sleep('5 hours');
    expect((await stack.client.status(domain)).stage).toBe('awaiting-tos'); // checked, not accepted yet
    await stack.google.acceptTos(domain);
    const final = await stack.client.result(domain); // the client skips time until the next check
    expect(final).toMatchObject({ stage: 'completed', tosAccepted: { via: 'detected' } });
    const checks = (await stack.google.requests()).filter(
      (r) => r.method === 'GET' && decodeURIComponent(r.path).endsWith(`/users/admin@${domain}`),
    );
    expect(checks.length).toBeGreaterThanOrEqual(6);
  });

  test('the sales system moves the deadline with extendDeadline; bad extensions are refused', async () => {
    const domain = uniqueDomain('extend');
    const parked = await startAndPark(domainOrder(domain, { verifyDomain: false, waitPolicy: RARE_CHECKS }));
    const since = Date.parse(parked.waitingFor?.since ?? '');
    await expect(stack.client.extendDeadline(domain, { until: '2001-01-01T00:00:00Z' })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );
    await expect(stack.client.extendDeadline(domain, { by: 'whenever' })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );
    await stack.env.sleep('29 days');
    const moved = await stack.client.extendDeadline(domain, { by: '10 days' });
    expect(Date.parse(moved.deadline)).toBe(since + 40 * 86_400_000);
    await stack.env.sleep('2 days');
    const status = await stack.client.status(domain);
    expect(status.stage).toBe('awaiting-tos');
    expect(status.waitingFor?.deadline).toBe(moved.deadline);
    await stack.env.sleep('10 days');
    expect((await stack.client.status(domain)).stage).toBe('expired');
  });

  test('an early tosAccepted (before the wait) and duplicates change nothing wrong', async () => {
    const domain = uniqueDomain('early');
    await stack.client.start(domainOrder(domain, { verifyDomain: false, waitPolicy: RARE_CHECKS }));
    await stack.client.acceptTos(domain, { reportedBy: 'first' });
    await stack.client.acceptTos(domain, { reportedBy: 'second' });
    const final = await stack.client.result(domain);
    expect(final).toMatchObject({ stage: 'completed', tosAccepted: { via: 'signal', reportedBy: 'first' } });
    // Every step still ran, in order, once.
    expect(final.steps.map((s) => s.name)).toEqual([
      'validate-order',
      'create-customer',
      'set-language',
      'create-admin',
      'grant-admin',
      'send-sign-in-notice',
    ]);
    expect(await mailsFor(domain, 'Reminder')).toHaveLength(0);
  });

  test('the transfer-token wait reminds the customer and expires on its deadline', async () => {
    const domain = uniqueDomain('token-wait');
    await stack.google.seed({ customers: [{ customerDomain: domain, owner: 'other-reseller' }] });
    await startAndPark(domainOrder(domain, { verifyDomain: false }), 'awaiting-transfer-token');
    await stack.env.sleep('73 hours');
    expect((await mailsFor(domain, 'Reminder 1')).map((m) => m.subject)).toEqual([
      expect.stringContaining('transfer token'),
    ]);
    await stack.env.sleep('27 days');
    const status = await waitForStatus(
      () => stack.client.status(domain),
      (s) => s.stage !== 'awaiting-transfer-token',
    );
    expect(status).toMatchObject({ stage: 'expired', expired: { what: 'transfer-token' } });
  });
});

// Hourly checks for days: with a cache, each wake-up costs one task instead of a full replay.
describe('a long wait', () => {
  beforeAll(async () => {
    stack = await startOnboardingStack({ server: 'time-skipping' });
  });
  afterAll(async () => {
    await stack?.teardown();
  });

  test('a long wait continues as new, carrying status and compensations; a cancel afterwards still undoes', async () => {
    const domain = uniqueDomain('long');
    const started = await stack.client.start(
      domainOrder(domain, { verifyDomain: false, waitPolicy: { checkEvery: '1 hour' } }),
    );
    await waitForStatus(
      () => stack.client.status(domain),
      (s) => s.stage === 'awaiting-tos',
    );
    await stack.env.sleep('5 days');
    const described = await stack.client.handle(domain).describe();
    expect(described.runId).not.toBe(started.runId);
    const status = await stack.client.status(domain);
    expect(status).toMatchObject({ stage: 'awaiting-tos', waitingFor: { remindersSent: 1 } });
    expect(status.steps).toHaveLength(6);
    await stack.client.cancel(domain, 'test: cancel after continue-as-new');
    await expect(stack.client.result(domain)).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await stack.client.status(domain)).compensation?.undone).toEqual([
      `revoke super admin of admin@${domain}`,
      `delete user admin@${domain}`,
    ]);
    expect((await stack.google.state()).users.filter((u) => u.primaryEmail === `admin@${domain}`)).toHaveLength(0);
  });
});
