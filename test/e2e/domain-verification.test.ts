/**
 * Domain verification, end to end on a real dev server with the real worker and the emulator's Site
 * Verification endpoints: the sign-in notice carries the exact TXT record, accepting the terms alone
 * does not complete a domain onboarding, and publishing the record completes it without any signal —
 * in either order; the insert names the customer's admin as an owner (Google's codelab), and a
 * customer who verifies in the Admin console by itself is noticed from the Reseller record. Team customers and `"verifyDomain": false` have no such step.
 */
import { OAuth2Client } from 'google-auth-library';
import { siteVerification } from 'googleapis/build/src/apis/siteVerification';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, teamOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;
beforeAll(async () => {
  stack = await startOnboardingStack();
});
afterAll(async () => {
  await stack?.teardown();
});

const QUICK_CHECKS = { waitPolicy: { checkEvery: '1s' } };
const statusOf = (domain: string) => stack.client.status(domain);
/** The `webResource.insert` calls Google received: each one a verification attempt. */
const verificationAttempts = async () =>
  (await stack.google.requests()).filter((r) => r.method === 'POST' && r.path === '/siteVerification/v1/webResource');

test('a domain order: TXT record in the notice and the status; terms alone do not complete it; the published record does, with no signal', async () => {
  const domain = uniqueDomain('verify');
  await stack.client.start(domainOrder(domain, QUICK_CHECKS));
  const waiting = await waitForStatus(
    () => statusOf(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  const record = waiting.domainVerification?.record;
  expect(waiting.domainVerification).toMatchObject({
    required: true,
    record: { host: domain, type: 'TXT', value: expect.stringMatching(/^google-site-verification=/) },
  });
  expect(waiting.domainVerification?.verified).toBeUndefined();

  const notice = await stack.google.waitForMail((m) => m.subject.includes(domain) && m.subject.includes('sign in'));
  expect(notice.text).toContain(`Value: ${record?.value}`);
  expect(notice.text).toContain('Type:  TXT');

  await stack.google.acceptTos(domain);
  const half = await waitForStatus(
    () => statusOf(domain),
    (s) => s.stage === 'awaiting-domain-verification',
    20_000,
  );
  expect(half.tosAccepted).toMatchObject({ via: 'detected' });
  // Observed, not slept: three more verification attempts reach Google (the only onboarding on this
  // stack now), each refused since no record is published; after them it is still not complete.
  const refusedBefore = (await verificationAttempts()).length;
  const refused = await waitForStatus(verificationAttempts, (tries) => tries.length >= refusedBefore + 3, 20_000);
  expect(refused.every((r) => r.status >= 400)).toBe(true);
  expect((await statusOf(domain)).stage).toBe('awaiting-domain-verification');

  await stack.google.verifyDomain(domain);
  const final = await stack.client.result(domain);
  expect(final).toMatchObject({ stage: 'completed', domainVerification: { verified: { via: 'detected' } } });
  expect((await stack.google.state()).customers.find((c) => c.customerDomain === domain)).toMatchObject({
    domainVerified: true,
  });
}, 60_000);

test("the verification names the customer's admin as an owner of the domain (Google's codelab), so it reaches Workspace at once", async () => {
  const domain = uniqueDomain('verify-owner');
  await stack.client.start(domainOrder(domain, QUICK_CHECKS));
  await waitForStatus(
    () => statusOf(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  await stack.google.clearRequests();
  await stack.google.verifyDomain(domain);
  await stack.google.acceptTos(domain);
  expect(await stack.client.result(domain)).toMatchObject({ stage: 'completed' });
  const inserts = (await stack.google.requests()).filter(
    (r) => r.method === 'POST' && r.path === '/siteVerification/v1/webResource',
  );
  expect(inserts.at(-1)?.status).toBe(200);
  // What Google recorded from that insert: the reseller's admin (the caller) and the customer's admin own the domain.
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-token' }); // the worker's own credentials (the token is tied to the caller)
  const api = siteVerification({ version: 'v1', rootUrl: stack.emulator.url, auth, fetchImplementation: fetch });
  const { data } = await api.webResource.get({ id: encodeURIComponent(`dns://${domain}`) });
  expect(data.owners).toEqual(expect.arrayContaining([`admin@${domain}`]));
  // The default propagation delay is ~3 hours: shown at once only because the admin is an owner.
  expect((await stack.google.state()).customers.find((c) => c.customerDomain === domain)?.domainVerified).toBe(true);
}, 60_000);

test('a customer who verifies the domain in the Admin console by itself is noticed: completed without a signal', async () => {
  const domain = uniqueDomain('verify-self');
  await stack.client.start(domainOrder(domain, QUICK_CHECKS));
  await waitForStatus(
    () => statusOf(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  await stack.google.acceptTos(domain);
  await waitForStatus(
    () => statusOf(domain),
    (s) => s.stage === 'awaiting-domain-verification',
    20_000,
  );
  // Our TXT record is never published: only the Reseller record says the domain is verified.
  await stack.google.clearRequests();
  await stack.google.customerVerifiesDomain(domain);
  const final = await stack.client.result(domain);
  expect(final).toMatchObject({ stage: 'completed', domainVerification: { verified: { via: 'detected' } } });
  const inserts = (await stack.google.requests()).filter(
    (r) => r.method === 'POST' && r.path === '/siteVerification/v1/webResource',
  );
  expect(inserts.length).toBeGreaterThan(0);
  expect(inserts.every((r) => r.status === 400)).toBe(true);
}, 60_000);

test('the other order: the record published first, then the terms accepted', async () => {
  const domain = uniqueDomain('verify-first');
  await stack.client.start(domainOrder(domain, QUICK_CHECKS));
  await waitForStatus(
    () => statusOf(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  await stack.google.verifyDomain(domain);
  const verified = await waitForStatus(
    () => statusOf(domain),
    (s) => s.domainVerification?.verified !== undefined,
    20_000,
  );
  expect(verified.stage).toBe('awaiting-tos');
  await stack.google.acceptTos(domain);
  expect(await stack.client.result(domain)).toMatchObject({ stage: 'completed', tosAccepted: { via: 'detected' } });
}, 60_000);

test('reminders name only what is still missing', async () => {
  const domain = uniqueDomain('verify-remind');
  await stack.client.start(
    domainOrder(domain, { waitPolicy: { checkEvery: '1s', reminders: ['4s'], deadline: '10 minutes' } }),
  );
  await waitForStatus(
    () => statusOf(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  await stack.google.acceptTos(domain);
  await waitForStatus(
    () => statusOf(domain),
    (s) => s.stage === 'awaiting-domain-verification',
    20_000,
  );
  const reminder = await stack.google.waitForMail(
    (m) => m.subject.includes(domain) && m.subject.startsWith('Reminder 1'),
    15_000,
  );
  expect(reminder.subject).toContain('verify the domain');
  expect(reminder.subject).not.toContain('terms');
  expect(reminder.text).toContain('google-site-verification=');
  await stack.client.cancel(domain, 'test done');
}, 60_000);

test('a team order has no verification step, and "verifyDomain": false skips it', async () => {
  const team = teamOrder(undefined, {
    subscriptions: [{ skuId: '1010060001', plan: 'FLEXIBLE', seats: 1 }],
    ...QUICK_CHECKS,
  });
  const optedOut = domainOrder(uniqueDomain('no-verify'), { verifyDomain: false, ...QUICK_CHECKS });
  for (const order of [team, optedOut]) {
    await stack.client.start(order);
    await waitForStatus(
      () => statusOf(order.customerDomain),
      (s) => s.stage === 'awaiting-tos',
    );
    await stack.google.acceptTos(order.customerDomain);
    const final = await stack.client.result(order.customerDomain);
    expect(final.stage).toBe('completed');
    expect(final.steps.map((s) => s.name)).not.toContain('prepare-domain-verification');
  }
  const log = await stack.google.requests();
  expect(
    log.filter(
      (r) =>
        r.path.startsWith('/siteVerification') &&
        (r.path.includes(team.customerDomain) || JSON.stringify(r).includes(optedOut.customerDomain)),
    ),
  ).toEqual([]);
}, 60_000);
