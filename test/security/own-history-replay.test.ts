/**
 * Security review of release 0.4 (attacker with namespace access, no key). The binding of issue 19
 * is to the workflow only ("the SDK context does not say what a payload is", docs/security.md §1):
 * every ciphertext already in an onboarding's own history — its start input, activity results, an
 * earlier run's signal — is bound to that workflow id and decrypts in any of its messages. These
 * tests send such a ciphertext, unchanged, as the argument of the onboarding's own signals.
 *
 * Found broken at 4a91d12 (the terms counted as accepted, the onboarding completed); fixed in 0.4: a
 * report signal takes only its own shape, `{ reportedBy?: string }` (workflows/onboarding/handlers.ts).
 * A genuine report replayed from an earlier run of the same domain still decodes: docs/security.md.
 */
import { randomUUID } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { fixtureDataConverter } from '../support/fixture-keys';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;

beforeAll(async () => {
  stack = await startOnboardingStack({
    dataConverter: fixtureDataConverter({
      requireEncrypted: true,
      refuseUndecryptable: true,
      acceptUnbound: false,
    }),
  });
});
afterAll(async () => {
  await stack?.teardown();
});

const namespace = () => stack.env.namespace ?? 'default';

async function toAwaitingTos(domain: string) {
  const started = await stack.client.start(domainOrder(domain, { verifyDomain: false }));
  await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  return started;
}

/** Sends payloads exactly as given (no key: nothing re-encoded). */
async function signalRaw(workflowId: string, signalName: string, payloads: Payload[]) {
  await stack.env.client.workflowService.signalWorkflowExecution({
    namespace: namespace(),
    workflowExecution: { workflowId },
    signalName,
    input: { payloads },
    requestId: randomUUID(),
  });
}

/** Signals `payload` back, unchanged, as tosAccepted; once the signal is in the history, the status after it. */
async function sentBackAsTosAccepted(domain: string, payload: Payload) {
  const id = `onboarding:${domain}`;
  await signalRaw(id, 'tosAccepted', [payload]);
  await waitForStatus(
    async () => (await stack.env.client.workflow.getHandle(id).fetchHistory()).events ?? [],
    (events) => events.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'tosAccepted'),
  );
  await new Promise((r) => setTimeout(r, 2000)); // the worker's task for it (an ignored signal leaves no mark)
  return stack.client.status(domain);
}

test("the onboarding's own start input (encrypted order) sent back as tosAccepted does not accept the terms", async () => {
  const domain = uniqueDomain('selfreplay');
  const id = `onboarding:${domain}`;
  await toAwaitingTos(domain);
  const history = await stack.env.client.workflow.getHandle(id).fetchHistory();
  const order = (history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []) as Payload[];
  expect(order.length).toBeGreaterThan(0);
  const status = await sentBackAsTosAccepted(domain, order[0]!);
  // Claim 2: "what they send without the key must change nothing".
  expect({ stage: status.stage, tosAccepted: status.tosAccepted }).toEqual({
    stage: 'awaiting-tos',
    tosAccepted: undefined,
  });
  await stack.client.cancel(domain, 'end of test').catch(() => undefined);
});

test("an activity result from the onboarding's own history sent as domainVerified/tosAccepted changes nothing", async () => {
  const domain = uniqueDomain('resreplay');
  const id = `onboarding:${domain}`;
  await toAwaitingTos(domain);
  const history = await stack.env.client.workflow.getHandle(id).fetchHistory();
  const result = history.events?.find((e) => e.activityTaskCompletedEventAttributes?.result?.payloads?.length)
    ?.activityTaskCompletedEventAttributes?.result?.payloads as Payload[] | undefined;
  expect(result?.length).toBeGreaterThan(0);
  const status = await sentBackAsTosAccepted(domain, result![0]!);
  expect({ stage: status.stage, tosAccepted: status.tosAccepted }).toEqual({
    stage: 'awaiting-tos',
    tosAccepted: undefined,
  });
  await stack.client.cancel(domain, 'end of test').catch(() => undefined);
});
