/**
 * The 409 branch (transfer with the customer's token) and the saga (compensations on a permanent
 * failure and on cancellation), on a real dev server with the real worker and the emulator.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { OrderValidationError } from '../../order/order';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;
beforeAll(async () => {
  stack = await startOnboardingStack();
});
afterAll(async () => {
  await stack?.teardown();
});

const DAY = 86_400_000;
async function seedExistingCustomer(domain: string) {
  await stack.google.seed({
    customers: [
      {
        customerDomain: domain,
        owner: 'google',
        transferTokens: [
          { token: `valid-token-${domain}` },
          { token: `expired-token-${domain}`, expiresAt: Date.now() - DAY },
          { token: `other-reseller-token-${domain}`, forReseller: 'other' },
        ],
        subscriptions: [
          { skuId: '1010020028', planName: 'ANNUAL_MONTHLY_PAY', seats: 12, minimumTransferableSeats: 10 },
          { skuId: 'Google-Drive-storage-20GB', planName: 'FLEXIBLE', seats: 12, minimumTransferableSeats: 1 },
        ],
      },
    ],
  });
}

/** Acceptance is checked every second in these tests (the worker's default is hourly). */
const QUICK_CHECKS = { waitPolicy: { checkEvery: '1s' } };

/** Release 0.4: a transfer ends once the customer's super admins signed Google's new terms. */
async function signNewTermsOnceTransferred(domain: string) {
  const waiting = await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos' && s.transfer?.transferred !== undefined,
  );
  await stack.google.acceptTos(domain);
  return waiting;
}

test('an existing customer with Workspace + Drive storage is transferred, all subscriptions, and completes only once its admins signed the new terms', async () => {
  const domain = uniqueDomain('transfer');
  await seedExistingCustomer(domain);
  await stack.google.clearRequests();
  await stack.client.start(domainOrder(domain, { transferToken: `valid-token-${domain}`, ...QUICK_CHECKS }));
  // Moved, then waiting: Google keeps the moved subscriptions suspended until the new terms are signed.
  const waiting = await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos' && s.transfer?.transferred !== undefined,
  );
  expect(waiting.waitingFor).toMatchObject({ what: 'tos-acceptance' });
  const notice = await stack.google.waitForMail((m) => m.subject.includes(`${domain} moved to`));
  expect(notice.to.sort()).toEqual([`admin@${domain}`, 'owner@customer-mail.example.org']);
  expect(notice.text).toContain('each super administrator of');
  expect(notice.text).toContain('https://admin.google.com');
  await new Promise((resolve) => setTimeout(resolve, 2500)); // a few checks: still pending at Google
  const pending = await stack.client.status(domain);
  expect(pending.stage).toBe('awaiting-tos');
  expect(pending.subscriptions?.every((s) => s.suspensionReasons?.includes('PENDING_TOS_ACCEPTANCE'))).toBe(true);

  await stack.google.acceptTos(domain);
  const final = await stack.client.result(domain);
  expect(final.stage).toBe('completed');
  expect(final.tosAccepted).toMatchObject({ via: 'detected' });
  expect(final.subscriptions?.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE']);
  expect(final.transfer?.transferred?.map((s) => s.skuId).sort()).toEqual(['1010020028', 'Google-Drive-storage-20GB']);
  expect(final.transfer?.transferred?.find((s) => s.skuId === '1010020028')).toMatchObject({
    planName: 'ANNUAL_MONTHLY_PAY',
    seats: 12,
  });

  const state = await stack.google.state();
  const customer = state.customers.find((c) => c.customerDomain === domain);
  expect(customer?.owner).toBe('this-reseller');
  expect(state.subscriptions.filter((s) => s.customerId === customer?.customerId).map((s) => s.owner)).toEqual([
    'this-reseller',
    'this-reseller',
  ]);
  expect(state.users.filter((u) => u.customerId === customer?.customerId)).toHaveLength(0);
  // Annual plans move with renewal settings ("We recommend always passing renewalSettings").
  expect(
    state.subscriptions.find((s) => s.customerId === customer?.customerId && s.skuId === '1010020028'),
  ).toMatchObject({ planName: 'ANNUAL_MONTHLY_PAY', renewalType: 'AUTO_RENEW_MONTHLY_PAY' });
  // Google's procedure: the customer is registered with the token, then Workspace and its Drive
  // storage add-on move together in ONE batch request (alone, Google refuses them), then a listing
  // without the token confirms.
  const log = await stack.google.requests();
  const posts = log.filter((r) => r.method === 'POST').map((r) => `${r.path} ${r.status}`);
  expect(posts).toEqual(expect.arrayContaining(['/apps/reseller/v1/customers 200', '/batch 200']));
  expect(posts.indexOf('/apps/reseller/v1/customers 200')).toBeLessThan(posts.indexOf('/batch 200'));
  // Each subscriptions.insert was a part of that one batch, none a request of its own.
  const inserts = log.filter((r) => r.method === 'POST' && r.path.endsWith('/subscriptions'));
  const batch = log.find((r) => r.path === '/batch');
  expect(inserts).toHaveLength(2);
  expect(inserts.every((r) => r.batchSeq !== undefined && r.batchSeq === batch?.seq)).toBe(true);
  expect(log.filter((r) => r.method === 'POST' && r.path === '/apps/reseller/v1/customers')[0]?.query).toMatchObject({
    customerAuthToken: '[redacted]',
  });
  // The token never reaches the emulator's log in clear (nor, below, the status).
  expect(JSON.stringify(log)).not.toContain(`valid-token-${domain}`);
  expect(JSON.stringify(final)).not.toContain(`valid-token-${domain}`);
});

test('a customer with two Workspace editions is stopped before the registration, with an outcome sales can act on', async () => {
  const domain = uniqueDomain('two-editions');
  await stack.google.seed({
    customers: [
      {
        customerDomain: domain,
        owner: 'other-reseller',
        transferTokens: [{ token: `valid-token-${domain}` }],
        subscriptions: [
          { skuId: '1010020027', planName: 'FLEXIBLE', seats: 5 },
          { skuId: '1010020028', planName: 'FLEXIBLE', seats: 7 },
        ],
      },
    ],
  });
  await stack.google.clearRequests();
  await stack.client.start(domainOrder(domain, { transferToken: `valid-token-${domain}` }));
  await expect(stack.client.result(domain)).rejects.toBeInstanceOf(WorkflowFailedError);
  const status = await stack.client.status(domain);
  expect(status).toMatchObject({ stage: 'failed', failure: { type: 'TransferNeedsGoogleSales' } });
  expect(status.failure?.message).toContain('Google Sales representative or Google Workspace support');
  // Nothing irreversible happened: no registration (customers.insert?customerAuthToken), no subscription moved.
  const log = await stack.google.requests();
  expect(log.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([]);
  expect(log.some((r) => r.method === 'GET' && r.path === '/apps/reseller/v1/subscriptions')).toBe(true);
  const customer = (await stack.google.state()).customers.find((c) => c.customerDomain === domain);
  expect(customer).toMatchObject({ owner: 'other-reseller', registeredWithThisReseller: false });
  const told = await stack.google.waitForMail((m) => m.subject === `Onboarding of ${domain} failed`);
  expect(told.text).toContain('TransferNeedsGoogleSales');
  expect(told.text).toContain('Nothing was registered or moved');
});

test('a token given later by update: a malformed one is rejected at once, an expired one refused, then a valid one transfers', async () => {
  const domain = uniqueDomain('later');
  await seedExistingCustomer(domain);
  await stack.client.start(domainOrder(domain, QUICK_CHECKS));
  const waiting = await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-transfer-token',
  );
  expect(waiting.waitingFor).toMatchObject({ what: 'transfer-token', remindersSent: 0 });
  const request = await stack.google.waitForMail(
    (m) => m.subject.includes(domain) && m.subject.includes('transfer token'),
  );
  expect(request.text).toContain('https://admin.google.com/TransferToken');
  // Google's procedure has the customer enter the reseller's Public Identifier (RESELLER_PUBLIC_ID).
  expect(request.text).toContain('test-reseller-public-id');

  // Malformed: refused by the library before sending, and by the workflow's validator when sent raw.
  await expect(stack.client.provideTransferToken(domain, 'no')).rejects.toBeInstanceOf(OrderValidationError);
  const raw = stack.client.handle(domain).executeUpdate('provideTransferToken', { args: ['bad token!'] });
  await expect(raw).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  expect((await stack.client.status(domain)).transfer?.tokensTried ?? 0).toBe(0);

  const expired = await stack.client.provideTransferToken(domain, `expired-token-${domain}`);
  expect(expired.outcome).toBe('refused');
  const back = await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-transfer-token',
  );
  expect(back.transfer).toMatchObject({ tokensTried: 1 });
  expect(back.transfer?.lastRefusal).toMatch(/403/);
  await stack.google.waitForMail((m) => m.subject.includes(domain) && m.subject.includes('refused'));

  const foreign = await stack.client.provideTransferToken(domain, `other-reseller-token-${domain}`);
  expect(foreign.outcome).toBe('refused');

  const valid = await stack.client.provideTransferToken(domain, `valid-token-${domain}`);
  expect(valid).toMatchObject({ outcome: 'transferred' });
  await signNewTermsOnceTransferred(domain);
  const final = await stack.client.result(domain);
  expect(final).toMatchObject({ stage: 'completed', transfer: { tokensTried: 3 } });
});

/** A customer of this reseller with exactly the order's contact details, created by Google at `creationTime`. */
async function seedOwnCustomer(
  domain: string,
  creationTime: number,
  users: { primaryEmail: string; isAdmin: boolean }[] = [],
) {
  const order = domainOrder(domain);
  await stack.google.seed({
    customers: [
      {
        customerDomain: domain,
        owner: 'this-reseller',
        alternateEmail: order.alternateEmail,
        postalAddress: order.postalAddress,
        creationTime,
        users,
      },
    ],
  });
}

test("a customer already ours is not a transfer, and one created before this onboarding is never touched, even with the order's own details", async () => {
  const domain = uniqueDomain('ours');
  await seedOwnCustomer(domain, Date.now() - DAY);
  await stack.google.clearRequests();
  await stack.client.start(domainOrder(domain));
  const final = await stack.client.result(domain);
  expect(final).toMatchObject({
    stage: 'already-a-customer',
    alreadyACustomer: { reason: expect.stringContaining('before this onboarding started') },
  });
  expect(final.steps.map((s) => [s.name, s.outcome])).toEqual([
    ['validate-order', 'done'],
    ['create-customer', 'already-a-customer'],
  ]);
  expect((await stack.google.requests()).filter((r) => r.method !== 'GET')).toEqual([]);
});

test('a permanent failure at make-admin undoes the user, says what cannot be undone, and tells sales', async () => {
  const domain = uniqueDomain('broken');
  // googleapis sends the user key URL-encoded (@ as %40).
  await stack.google.addFault({
    method: 'POST',
    path: `^/admin/directory/v1/users/admin%40${domain.replace(/\./g, '\\.')}/makeAdmin$`,
    status: 400,
    times: 1,
  });
  await stack.client.start(domainOrder(domain, { salesContactEmail: 'rep@reseller.example' }));
  const error = await stack.client.result(domain).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowFailedError);

  const status = await stack.client.status(domain);
  expect(status.stage).toBe('failed');
  expect(status.failure?.type).toBe('Google.invalid');
  expect(status.compensation?.undone).toEqual([`delete user admin@${domain}`]); // the grant failed: nothing to revoke
  expect(status.compensation?.cannotUndo.join()).toContain('no API to delete a customer');

  const state = await stack.google.state();
  expect(state.users.filter((u) => u.primaryEmail === `admin@${domain}`)).toHaveLength(0);
  const deletes = (await stack.google.requests()).filter(
    (r) => r.method === 'DELETE' && decodeURIComponent(r.path).includes(`admin@${domain}`),
  );
  expect(deletes.map((r) => r.status)).toEqual([204]);
  const salesMail = await stack.google.waitForMail((m) => m.subject === `Onboarding of ${domain} failed`);
  expect(salesMail.to).toEqual(['rep@reseller.example']);
  expect(salesMail.text).toContain(`delete user admin@${domain}`);
});

test('cancelling while awaiting the terms undoes the admin and the user, with the reason', async () => {
  const domain = uniqueDomain('cancel');
  await stack.client.start(domainOrder(domain));
  await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  await stack.client.cancel(domain, 'customer changed their mind', 'test');
  await expect(stack.client.result(domain)).rejects.toBeInstanceOf(WorkflowFailedError);
  const status = await stack.client.status(domain);
  expect(status.stage).toBe('cancelled');
  expect(status.cancellation).toMatchObject({ reason: 'customer changed their mind', requestedBy: 'test' });
  expect(status.compensation?.undone).toEqual([`revoke super admin of admin@${domain}`, `delete user admin@${domain}`]);
  expect(status.compensation?.failed).toEqual([]);
  expect((await stack.google.state()).users.filter((u) => u.primaryEmail === `admin@${domain}`)).toHaveLength(0);
  const described = await stack.client.handle(domain).describe();
  expect(described.status.name).toBe('CANCELLED');
  await stack.google.waitForMail(
    (m) => m.subject === `Onboarding of ${domain} cancelled` && m.text.includes('customer changed their mind'),
  );
});

test('a user this onboarding did not create is never taken over, reset or deleted, however recent', async () => {
  const domain = uniqueDomain('has-admin');
  // The customer is this onboarding's own (created by Google after it started, with the order's
  // details, as when an insert's answer was lost) — but the user is someone else's.
  await seedOwnCustomer(domain, Date.now() + 5_000, [{ primaryEmail: `admin@${domain}`, isAdmin: true }]);
  await stack.client.start(domainOrder(domain));
  await expect(stack.client.result(domain)).rejects.toBeInstanceOf(WorkflowFailedError);
  const status = await stack.client.status(domain);
  expect(status).toMatchObject({ stage: 'failed', failure: { type: 'AdminUserExists' } });
  expect(status.compensation?.undone).toEqual([`delete user admin@${domain} (kept: not created by this onboarding)`]);
  const admin = (await stack.google.state()).users.find((u) => u.primaryEmail === `admin@${domain}`);
  expect(admin).toMatchObject({ isAdmin: true, changePasswordAtNextLogin: false });
  const touched = (await stack.google.requests()).filter(
    (r) => r.method !== 'GET' && decodeURIComponent(r.path).includes(`admin@${domain}`),
  );
  expect(touched).toEqual([]);
});

test("a token sent while the order's own token is being used is answered, and nothing hangs", async () => {
  const domain = uniqueDomain('two-tokens');
  await seedExistingCustomer(domain);
  await stack.client.start(domainOrder(domain, { transferToken: `valid-token-${domain}`, ...QUICK_CHECKS }));
  const early = await stack.client.provideTransferToken(domain, `expired-token-${domain}`).catch((e: unknown) => e);
  // Depending on timing it is refused by the validator (already transferring), or answered "not needed".
  if (!(early instanceof WorkflowUpdateFailedError)) expect(early).toMatchObject({ outcome: 'not-needed' });
  await signNewTermsOnceTransferred(domain);
  expect((await stack.client.result(domain)).stage).toBe('completed');
});

describe('a cancel during a transfer ends in one outcome, which the status states and Google confirms', () => {
  const ownersAtGoogle = async (domain: string) => {
    const state = await stack.google.state();
    const customer = state.customers.find((c) => c.customerDomain === domain);
    return state.subscriptions
      .filter((s) => s.customerId === customer?.customerId)
      .map((s) => `${s.skuId}:${s.owner}`)
      .sort();
  };

  test('while the subscriptions move: the call in flight completes, the transfer stands, then the cancel ends the wait for the new terms', async () => {
    const domain = uniqueDomain('cancel-moving');
    await seedExistingCustomer(domain);
    await stack.google.addFault({ method: 'POST', path: '^/batch$', delayMs: 3000, times: 1 });
    await stack.client.start(domainOrder(domain, { transferToken: `valid-token-${domain}` }));
    await waitForStatus(
      () => stack.client.status(domain),
      (s) => s.steps.some((step) => step.name === 'transfer-subscriptions'),
    );
    await stack.client.cancel(domain, 'changed their mind mid-transfer', 'test');
    await expect(stack.client.result(domain)).rejects.toBeInstanceOf(WorkflowFailedError);
    const final = await stack.client.status(domain);
    expect(final.stage).toBe('cancelled');
    expect(final.transfer?.transferred?.map((s) => s.skuId).sort()).toEqual([
      '1010020028',
      'Google-Drive-storage-20GB',
    ]);
    expect(await ownersAtGoogle(domain)).toEqual([
      '1010020028:this-reseller',
      'Google-Drive-storage-20GB:this-reseller',
    ]);
    const told = await stack.google.waitForMail((m) => m.subject === `Onboarding of ${domain} cancelled`);
    expect(told.text).toContain('The transfer had completed before the cancel');
  });

  test('while the customer is being registered: it is let finish, then nothing moves, reported cancelled', async () => {
    const domain = uniqueDomain('cancel-registering');
    await seedExistingCustomer(domain);
    await stack.google.addFault({ method: 'POST', path: '^/apps/reseller/v1/customers$', delayMs: 3000, times: 1 });
    await stack.client.start(domainOrder(domain, { transferToken: `valid-token-${domain}` }));
    await waitForStatus(
      () => stack.client.status(domain),
      (s) => s.steps.some((step) => step.name === 'register-customer'),
    );
    await stack.client.cancel(domain, 'changed their mind while registering', 'test');
    await expect(stack.client.result(domain)).rejects.toBeInstanceOf(WorkflowFailedError);
    const status = await stack.client.status(domain);
    expect(status.stage).toBe('cancelled');
    expect(status.steps.find((s) => s.name === 'register-customer')?.outcome).toBe('done');
    expect(status.compensation?.cannotUndo).toEqual([expect.stringContaining(`registration of ${domain}`)]);
    expect(status.steps.some((s) => s.name === 'transfer-subscriptions')).toBe(false);
    expect(status.transfer?.transferred ?? []).toEqual([]);
    expect(await ownersAtGoogle(domain)).toEqual(['1010020028:google', 'Google-Drive-storage-20GB:google']);
    await stack.google.waitForMail(
      (m) =>
        m.subject === `Onboarding of ${domain} cancelled` && m.text.includes('changed their mind while registering'),
    );
  });
});
