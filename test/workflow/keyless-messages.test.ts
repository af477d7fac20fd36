/**
 * Release 0.4's `keylessMessagesIgnored` (issue 19, finding 3), with stub activities on the
 * time-skipping server: where the validation recorded that the worker requires encrypted input, a
 * `tosAccepted` or `domainVerified` signal with no argument changes nothing, and the same signal
 * with an argument still does; where it is not required, a keyless signal works as before — also
 * when it arrives before the validation has answered (held until then).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { validateOrder } from '../../order/order';
import { domainVerifiedSignal, tosAcceptedSignal } from '../../workflows/messages';
import { startTimeSkippingServer, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { stubActivities, unverifiedDomainStubs } from '../support/stub-activities';
import { stageReached, startOnboarding, statusOf, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const encryptionRequired = async (input: unknown) => ({
  order: validateOrder(input),
  attempt: 1,
  encryptionRequired: true,
});

test('encryption required: a keyless tosAccepted is ignored, an argument accepts', async () => {
  const domain = uniqueDomain('wf-keyless');
  await withStubWorker(env, stubActivities({ validateOrder: encryptionRequired }), async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain, { verifyDomain: false }));
    await stageReached(handle, 'awaiting-tos');
    await handle.signal(tosAcceptedSignal);
    const after = await statusOf(handle);
    expect(after.stage).toBe('awaiting-tos');
    expect(after.tosAccepted).toBeUndefined();
    await handle.signal(tosAcceptedSignal, { reportedBy: 'crm' });
    expect(await handle.result()).toMatchObject({ stage: 'completed', tosAccepted: { reportedBy: 'crm' } });
  });
});

test('encryption required: a keyless domainVerified is ignored', async () => {
  const domain = uniqueDomain('wf-keyless-dv');
  const stubs = unverifiedDomainStubs();
  stubs.activities.validateOrder = encryptionRequired;
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    await stageReached(handle, 'awaiting-tos');
    await handle.signal(tosAcceptedSignal, {});
    await stageReached(handle, 'awaiting-domain-verification');
    await handle.signal(domainVerifiedSignal);
    const after = await statusOf(handle);
    expect(after.stage).toBe('awaiting-domain-verification');
    expect(after.domainVerification?.verified).toBeUndefined();
    // Updates without an argument are rejected by their validators (nothing is written to history).
    await expect(handle.executeUpdate('extendDeadline', { args: [] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/takes one argument/) },
    });
    await handle.terminate('test over');
  });
});

test('encryption not required: a keyless tosAccepted sent before the validation answered still counts', async () => {
  const domain = uniqueDomain('wf-keyless-early');
  let release: () => void = () => undefined;
  const validated = new Promise<void>((resolve) => (release = resolve));
  const slowValidation = async (input: unknown) => {
    await validated;
    return { order: validateOrder(input), attempt: 1, encryptionRequired: false };
  };
  await withStubWorker(env, stubActivities({ validateOrder: slowValidation }), async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain, { verifyDomain: false }));
    await handle.signal(tosAcceptedSignal);
    release();
    expect(await handle.result()).toMatchObject({ stage: 'completed', tosAccepted: { via: 'signal' } });
  });
});
