/**
 * Why this file exists: a credential incident (a rotated service-account key, domain-wide delegation
 * removed and granted again) makes every Google call answer 401 at once. It must not fail the
 * onboardings in flight — nor have their compensations fail the same way — when it is fixed within
 * the step's time budget (workflows/activity-stubs.ts). Here the real worker and activities call the
 * emulator, which answers 401 to every call of an onboarding's make-admin step for more than
 * 15 minutes of the server's time (the time-skipping server runs the retry backoffs through).
 */
import { startOnboardingStack, waitForStatus, type OnboardingStack } from './support/onboarding-stack';
import { domainOrder, uniqueDomain } from './support/orders';

let stack: OnboardingStack;
beforeAll(async () => {
  stack = await startOnboardingStack({ server: 'time-skipping' });
});
afterAll(async () => {
  await stack?.teardown();
});

const MINUTE = 60_000;
/** Backoff 2 s doubling to 5 min: twelve refused attempts span ~28 minutes. */
const REFUSED_ATTEMPTS = 12;
const escaped = (domain: string) => domain.replace(/\./g, '\\.');

test('credentials refused (401) for more than 15 minutes at make-admin: the onboarding waits it out, nothing is undone', async () => {
  const domain = uniqueDomain('creds');
  await stack.google.addFault({
    method: 'POST',
    path: `^/admin/directory/v1/users/admin%40${escaped(domain)}/makeAdmin$`,
    status: 401,
    reason: 'authError',
    message: 'Request had invalid authentication credentials.',
    times: REFUSED_ATTEMPTS,
  });
  await stack.client.start(domainOrder(domain, { verifyDomain: false }));

  await stack.env.sleep('40 minutes'); // the retry timers are the server's: let its clock run through the incident
  const waiting = await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos',
    60_000,
  );
  const grant = waiting.steps.find((s) => s.name === 'grant-admin');
  expect(grant).toMatchObject({ outcome: 'granted', attempts: REFUSED_ATTEMPTS + 1 });
  expect(Date.parse(grant?.finishedAt ?? '') - Date.parse(grant?.startedAt ?? '')).toBeGreaterThan(15 * MINUTE);
  expect(waiting.compensation).toBeUndefined();

  const refused = (await stack.google.requests()).filter((r) => r.path.endsWith('/makeAdmin') && r.status === 401);
  expect(refused).toHaveLength(REFUSED_ATTEMPTS);
  expect((await stack.google.requests()).some((r) => r.method === 'DELETE')).toBe(false);
  const state = await stack.google.state();
  expect(state.users.find((u) => u.primaryEmail === `admin@${domain}`)).toMatchObject({ isAdmin: true });
  await stack.client.cancel(domain, 'end of test');
}, 180_000);
