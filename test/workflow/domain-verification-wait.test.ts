/**
 * Why this file exists: after the terms are accepted, a domain customer may still have to verify
 * its domain (stage awaiting-domain-verification). That stage is the same customer wait as
 * awaiting-tos — same deadline, same reminders — so what the sales system may do during the one it
 * must be able to do during the other. Checked with stub activities on the time-skipping server.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { domainVerifiedSignal, extendDeadlineUpdate, tosAcceptedSignal } from '../../workflows/messages';
import { startTimeSkippingServer, waitForStatus, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { unverifiedDomainStubs } from '../support/stub-activities';
import { stageReached, startOnboarding, statusOf, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const DAY = 86_400_000;

const unverifiedDomain = unverifiedDomainStubs;

test('terms accepted, domain not verified: the onboarding waits on, and the domainVerified signal completes it', async () => {
  const domain = uniqueDomain('wf-dv');
  const stubs = unverifiedDomain();
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    const parked = await stageReached(handle, 'awaiting-tos');
    expect(parked.domainVerification).toEqual({
      required: true,
      record: { host: domain, type: 'TXT', value: 'google-site-verification=stub-token' },
    });
    expect(stubs.inputs('sendSignInNotice')[0]?.dnsRecord).toEqual(parked.domainVerification?.record);

    await handle.signal(tosAcceptedSignal);
    const accepted = await stageReached(handle, 'awaiting-domain-verification');
    expect(accepted.waitingFor?.deadline).toBe(parked.waitingFor?.deadline); // the same wait goes on

    await handle.signal(domainVerifiedSignal, { reportedBy: 'ops' });
    const result = await handle.result();
    expect(result.stage).toBe('completed');
    expect(result.domainVerification?.verified).toMatchObject({ via: 'signal', reportedBy: 'ops' });
  });
});

test('extendDeadline is accepted during awaiting-tos', async () => {
  const domain = uniqueDomain('wf-dv-ext-tos');
  await withStubWorker(env, unverifiedDomain(), async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    const parked = await stageReached(handle, 'awaiting-tos');
    const { deadline } = await handle.executeUpdate(extendDeadlineUpdate, { args: [{ by: '7 days' }] });
    expect(Date.parse(deadline)).toBe(Date.parse(parked.waitingFor?.deadline ?? '') + 7 * DAY);
    await handle.terminate('test over');
  });
});

/** The wait goes on after the terms are accepted, with the same deadline: it can be extended there too. */
test('extendDeadline is accepted during awaiting-domain-verification (the same wait)', async () => {
  const domain = uniqueDomain('wf-dv-ext');
  await withStubWorker(env, unverifiedDomain(), async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    const parked = await stageReached(handle, 'awaiting-tos');
    await handle.signal(tosAcceptedSignal);
    await stageReached(handle, 'awaiting-domain-verification');
    try {
      const { deadline } = await handle.executeUpdate(extendDeadlineUpdate, { args: [{ by: '7 days' }] });
      expect(Date.parse(deadline)).toBe(Date.parse(parked.waitingFor?.deadline ?? '') + 7 * DAY);
      await waitForStatus(
        () => statusOf(handle),
        (s) => s.waitingFor?.deadline === deadline,
      );
    } finally {
      await handle.terminate('test over');
    }
  });
});

test("each check names the customer's admin (the owner to add) and the customer (re-read for a verification it did itself)", async () => {
  const domain = uniqueDomain('wf-dv-owner');
  const stubs = unverifiedDomain();
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain, { waitPolicy: { checkEvery: '1 hour' } }));
    await stageReached(handle, 'awaiting-tos');
    await env.sleep('2 hours');
    await waitForStatus(
      () => Promise.resolve(stubs.inputs('tryDomainVerification').length),
      (n) => n > 0,
    );
    await handle.terminate('test over');
  });
  expect(stubs.inputs('tryDomainVerification')[0]).toEqual({
    domain,
    customerId: `C-${domain}`,
    adminEmail: `admin@${domain}`,
  });
});
