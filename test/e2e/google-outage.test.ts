/**
 * Why this file exists: retry budgets are time, not attempts (workflows/activity-stubs.ts). A Google
 * incident longer than a few minutes must not fail the onboardings in flight — nor have their
 * compensations delete the admins just created. Here the real worker and activities call the
 * emulator, which answers 503 to every make-admin call of three onboardings for more than 15 minutes
 * of the server's time (the time-skipping server runs the retry backoffs through in seconds).
 */
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;
beforeAll(async () => {
  stack = await startOnboardingStack({ server: 'time-skipping' });
});
afterAll(async () => {
  await stack?.teardown();
});

const MINUTE = 60_000;
/** Backoff 2 s doubling to 5 min: twelve failed attempts span ~28 minutes. */
const FAILED_ATTEMPTS = 12;
const escaped = (domain: string) => domain.replace(/\./g, '\\.');

test('a Google outage of more than 15 minutes at make-admin: every onboarding waits it out, nothing is compensated', async () => {
  const domains = [1, 2, 3].map(() => uniqueDomain('outage'));
  for (const domain of domains) {
    await stack.google.addFault({
      method: 'POST',
      path: `^/admin/directory/v1/users/admin%40${escaped(domain)}/makeAdmin$`,
      status: 503,
      times: FAILED_ATTEMPTS,
    });
  }
  for (const domain of domains) await stack.client.start(domainOrder(domain, { verifyDomain: false }));

  await stack.env.sleep('40 minutes'); // the retry timers are the server's: let its clock run through the outage
  for (const domain of domains) {
    const waiting = await waitForStatus(
      () => stack.client.status(domain),
      (s) => s.stage === 'awaiting-tos',
      60_000,
    );
    const grant = waiting.steps.find((s) => s.name === 'grant-admin');
    expect(grant).toMatchObject({ outcome: 'granted', attempts: FAILED_ATTEMPTS + 1 });
    expect(Date.parse(grant?.finishedAt ?? '') - Date.parse(grant?.startedAt ?? '')).toBeGreaterThan(15 * MINUTE);
    expect(waiting.compensation).toBeUndefined();
  }
  const state = await stack.google.state();
  for (const domain of domains)
    expect(state.users.find((u) => u.primaryEmail === `admin@${domain}`)).toMatchObject({ isAdmin: true });
  const failedGrants = (await stack.google.requests()).filter((r) => r.path.endsWith('/makeAdmin') && r.status === 503);
  expect(failedGrants).toHaveLength(FAILED_ATTEMPTS * domains.length);
  expect((await stack.google.requests()).some((r) => r.method === 'DELETE')).toBe(false);
  for (const domain of domains) await stack.client.cancel(domain, 'end of test');
}, 180_000);
