/**
 * End-to-end onboardings on a real Temporal dev server, with the real worker, activities and
 * googleapis client over HTTP against the Google emulator, and real SMTP into its sink.
 */
import type { RequestLogEntry } from '../../emulator/faults';
import { domainVerifiedSignal, onboardingWorkflowId } from '../../workflows/messages';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, teamOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;
beforeAll(async () => {
  stack = await startOnboardingStack();
});
afterAll(async () => {
  await stack?.teardown();
});

const forDomain = (log: RequestLogEntry[], domain: string, customerId: string) =>
  log.filter(
    (r) =>
      r.path.includes(domain) ||
      r.path.includes(customerId) ||
      r.path.endsWith('/users') ||
      r.path.endsWith('/customers'),
  );

async function onboardToAwaitingTos(order: ReturnType<typeof domainOrder>) {
  const domain = order.customerDomain;
  await stack.client.start(order);
  return waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos' || s.stage === 'failed',
  );
}

/** The customer accepts and publishes the TXT record; the sales system and an operator report both. */
async function acceptAndComplete(domain: string) {
  await stack.google.acceptTos(domain);
  await stack.google.verifyDomain(domain);
  await stack.client.acceptTos(domain, { reportedBy: 'test' });
  await stack.client.handle(domain).signal(domainVerifiedSignal, { reportedBy: 'test' });
  return stack.client.result(domain);
}

test('a domain customer is created, language set before any user, admin made super admin, subscription ordered, notified, and completes on tosAccepted', async () => {
  const order = domainOrder(uniqueDomain(), {
    language: 'fr',
    subscriptions: [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 10 }],
  });
  const domain = order.customerDomain;
  const waiting = await onboardToAwaitingTos(order);
  expect(waiting.stage).toBe('awaiting-tos');
  expect(waiting.waitingFor?.what).toBe('tos-acceptance');

  // Waiting is visible to operators through the search attribute.
  const awaiting = await stack.client.list({ stage: 'awaiting-tos' });
  expect(awaiting.map((o) => o.customerDomain)).toContain(domain);

  const mail = await stack.google.waitForMail((m) => m.subject.includes(domain));
  expect(mail.to).toEqual(['owner@customer-mail.example.org']);
  expect(mail.text).toContain('https://admin.google.com');
  expect(mail.text).toMatch(/Temporary password: \S{16}/);
  expect(mail.text).toContain('Google Workspace Business Standard: 10 seat(s), FLEXIBLE');
  expect(waiting.subscriptions).toEqual([
    expect.objectContaining({
      skuId: '1010020028',
      plan: 'FLEXIBLE',
      seats: 10,
      status: 'SUSPENDED',
      suspensionReasons: ['PENDING_TOS_ACCEPTANCE'],
      outcome: 'ordered',
    }),
  ]);

  const final = await acceptAndComplete(domain);
  expect(final.stage).toBe('completed');
  expect(final.tosAccepted).toMatchObject({ via: 'signal', reportedBy: 'test' });
  expect(final.steps.map((s) => s.name)).toEqual([
    'validate-order',
    'create-customer',
    'set-language',
    'create-admin',
    'grant-admin',
    'order-subscription 1010020028',
    'prepare-domain-verification',
    'send-sign-in-notice',
  ]);

  const state = await stack.google.state();
  const customers = state.customers.filter((c) => c.customerDomain === domain);
  expect(customers).toHaveLength(1);
  expect(customers[0]).toMatchObject({ owner: 'this-reseller', language: 'fr', customerId: final.customerId });
  const users = state.users.filter((u) => u.customerId === final.customerId);
  expect(users).toHaveLength(1);
  expect(users[0]).toMatchObject({
    primaryEmail: `admin@${domain}`,
    isAdmin: true,
    changePasswordAtNextLogin: true,
    languageAtCreation: 'fr',
  });

  // Google's order, read from what the emulator received: the language PATCH precedes users.insert.
  const log = forDomain(await stack.google.requests(), domain, final.customerId ?? '');
  const patchLanguage = log.findIndex(
    (r) => r.method === 'PATCH' && r.path === `/admin/directory/v1/customers/${final.customerId}`,
  );
  const insertUser = log.findIndex(
    (r) => r.method === 'POST' && r.path === '/admin/directory/v1/users' && r.status === 200,
  );
  expect(patchLanguage).toBeGreaterThanOrEqual(0);
  expect(insertUser).toBeGreaterThan(patchLanguage);
  // ...and the subscription is ordered once the admin exists (Google's codelab order).
  const makeAdmin = log.findIndex((r) => r.method === 'POST' && r.path.endsWith('/makeAdmin') && r.status === 200);
  const insertSubscription = log.findIndex(
    (r) => r.method === 'POST' && r.path.endsWith('/subscriptions') && r.status === 200,
  );
  expect(insertSubscription).toBeGreaterThan(makeAdmin);
  expect(state.subscriptions.filter((x) => x.customerId === final.customerId)).toHaveLength(1);

  const [row] = await stack.client
    .list({ stage: 'completed' })
    .then((rows) => rows.filter((r) => r.customerDomain === domain));
  expect(row).toMatchObject({ executionStatus: 'COMPLETED', workflowId: onboardingWorkflowId(domain) });
});

test('a team customer: Google makes its primary admin (no user created here), Essentials ordered, acceptance detected from the subscriptions', async () => {
  const order = teamOrder(undefined, {
    subscriptions: [{ skuId: '1010060001', plan: 'FLEXIBLE', seats: 5 }],
    waitPolicy: { checkEvery: '1s' },
  });
  const domain = order.customerDomain;
  const waiting = await onboardToAwaitingTos(order);
  expect(waiting.stage).toBe('awaiting-tos');
  expect(waiting.adminEmail).toBeUndefined();
  const mail = await stack.google.waitForMail((m) => m.subject.includes(domain));
  expect(mail.to).toEqual(['founder@gmail.example']);
  expect(mail.text).toContain('verification e-mail');
  expect(mail.text).not.toContain('password');

  await stack.google.acceptTos(domain);
  const final = await stack.client.result(domain);
  expect(final).toMatchObject({ stage: 'completed', tosAccepted: { via: 'detected' } });
  expect(final.subscriptions).toEqual([
    expect.objectContaining({ skuId: '1010060001', status: 'ACTIVE', suspensionReasons: [] }),
  ]);
  expect(final.steps.map((s) => s.name)).toEqual([
    'validate-order',
    'create-customer',
    'order-subscription 1010060001',
    'send-sign-in-notice',
  ]);

  const state = await stack.google.state();
  expect(state.customers.filter((c) => c.customerDomain === domain)).toEqual([
    expect.objectContaining({ customerType: 'team', primaryAdminEmail: 'founder@gmail.example' }),
  ]);
  // No users.insert, no makeAdmin, no language PATCH for a team customer.
  const log = await stack.google.requests();
  const touched = log.filter(
    (r) =>
      r.path.startsWith('/admin/directory/v1/') &&
      r.method !== 'GET' &&
      (r.path.includes(final.customerId ?? '?') || r.path.includes(domain)),
  );
  expect(touched).toEqual([]);
  expect(state.users.filter((u) => u.customerId === final.customerId)).toEqual([]);
});

test("an order for a domain that already is this reseller's customer writes nothing at Google and mails nothing to the order", async () => {
  const domain = uniqueDomain('existing');
  await stack.google.seed({
    customers: [
      {
        customerDomain: domain,
        owner: 'this-reseller',
        alternateEmail: 'real-owner@elsewhere.example.org',
        users: [{ primaryEmail: `admin@${domain}`, isAdmin: true }],
      },
    ],
  });
  await stack.google.clearRequests();
  // An order with another contact: whoever filed it must not get the customer's admin.
  const order = domainOrder(domain, {
    alternateEmail: 'attacker@evil.example.org',
    salesContactEmail: 'sales@reseller.example',
  });
  await stack.client.start(order);
  const final = await stack.client.result(domain);
  expect(final.stage).toBe('already-a-customer');
  expect(final.alreadyACustomer?.reason).toMatch(/before this onboarding started|not the order's/);

  const log = await stack.google.requests();
  expect(log.filter((r) => r.method !== 'GET')).toEqual([]);
  const mails = (await stack.google.mail()).filter((m) => m.subject.includes(domain) || m.text.includes(domain));
  expect(mails.flatMap((m) => m.to)).toEqual(['sales@reseller.example']);
  expect(mails[0]?.text).toContain('Nothing was changed at Google');
});

test('an order that supplies the password gets no temporary one', async () => {
  const domain = uniqueDomain('own-password');
  const order = domainOrder(domain, {
    admin: { givenName: 'Ann', familyName: 'Lee', primaryEmail: `ann@${domain}`, password: 'Chosen-by-customer-1' },
  });
  await onboardToAwaitingTos(order);
  const mail = await stack.google.waitForMail((m) => m.subject.includes(domain));
  expect(mail.text).not.toContain('Temporary password');
  const user = (await stack.google.state()).users.find((u) => u.primaryEmail === `ann@${domain}`);
  expect(user).toMatchObject({ changePasswordAtNextLogin: false, passwordSet: true });
});

test('starting the same domain twice returns the onboarding already running', async () => {
  const order = domainOrder();
  const first = await stack.client.start(order);
  const second = await stack.client.start({ ...order, customerDomain: order.customerDomain.toUpperCase() });
  expect(first.alreadyExisted).toBe(false);
  expect(second).toMatchObject({ alreadyExisted: true, workflowId: first.workflowId, runId: first.runId });
  // Let it settle, so that its Google calls do not meet the faults the next test injects.
  await waitForStatus(
    () => stack.client.status(order.customerDomain),
    (s) => s.stage === 'awaiting-tos',
  );
});

test('a 503 whose work Google already did, and a timed-out call, are retried without duplicating anything', async () => {
  const order = domainOrder();
  const domain = order.customerDomain;
  // customers.insert succeeds at Google but the answer is lost as a 503; users.insert answers too late.
  await stack.google.addFault({
    method: 'POST',
    path: '^/apps/reseller/v1/customers$',
    status: 503,
    mode: 'after',
    times: 1,
  });
  await stack.google.addFault({
    method: 'POST',
    path: '^/admin/directory/v1/users$',
    delayMs: 6000,
    mode: 'after',
    times: 1,
  });
  const waiting = await onboardToAwaitingTos(order);
  expect(waiting.stage).toBe('awaiting-tos');
  const step = (name: string) => waiting.steps.find((s) => s.name === name);
  // The customer Google created on the first attempt is recognised as this onboarding's own.
  expect(step('create-customer')).toMatchObject({ attempts: 2, outcome: 'resumed' });
  expect(step('create-admin')).toMatchObject({ attempts: 2, outcome: 'already-existed' });

  const state = await stack.google.state();
  const customer = state.customers.filter((c) => c.customerDomain === domain);
  expect(customer).toHaveLength(1);
  expect(state.users.filter((u) => u.customerId === customer[0]?.customerId)).toHaveLength(1);
}, 60_000);

test("makeAdmin right after creation is retried past Google's eventual consistency", async () => {
  await stack.google.updateSettings({ adminPropagationCalls: 2 });
  try {
    const waiting = await onboardToAwaitingTos(domainOrder());
    expect(waiting.steps.find((s) => s.name === 'grant-admin')).toMatchObject({ attempts: 3, outcome: 'granted' });
  } finally {
    await stack.google.updateSettings({ adminPropagationCalls: 0 });
  }
}, 60_000);

test('calls right after the customer was created are retried while Google propagates it (a window in minutes, not attempts)', async () => {
  await stack.google.updateSettings({ customerPropagationCalls: 2 });
  try {
    const waiting = await onboardToAwaitingTos(domainOrder());
    expect(waiting.stage).toBe('awaiting-tos');
    // The language PATCH met "Not Authorized" twice while the new customer propagated.
    expect(waiting.steps.find((s) => s.name === 'set-language')).toMatchObject({ attempts: 3, outcome: 'done' });
  } finally {
    await stack.google.updateSettings({ customerPropagationCalls: 0 });
  }
}, 60_000);

test('in real time, with short waits: a reminder goes out and acceptance is detected without a signal', async () => {
  const domain = uniqueDomain('realtime');
  await onboardToAwaitingTos(
    domainOrder(domain, { waitPolicy: { checkEvery: '2s', reminders: ['3s'], deadline: '5 minutes' } }),
  );
  const reminder = await stack.google.waitForMail(
    (m) => m.subject.includes(domain) && m.subject.startsWith('Reminder 1'),
    10_000,
  );
  expect(reminder.text).toContain('accept the terms');
  await stack.google.acceptTos(domain);
  await stack.google.verifyDomain(domain);
  const final = await stack.client.result(domain);
  expect(final).toMatchObject({ stage: 'completed', tosAccepted: { via: 'detected' } });
  expect(Date.parse(final.tosAccepted?.at ?? '') - Date.parse(reminder.receivedAt)).toBeLessThan(10_000);
}, 60_000);
