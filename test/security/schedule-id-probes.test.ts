/**
 * Security review of release 0.4 on the real stack: an attacker-named schedule-style id reusing a
 * real onboarding's start ciphertext, and an activity completed by id with plaintext / a copied
 * ciphertext (anyone with namespace access may RespondActivityTaskCompletedById).
 */
import { randomUUID } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import type { PayloadRefusal } from '../../encryption/codec';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../../workflows/messages';
import { fixtureDataConverter } from '../support/fixture-keys';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;
const refusals: PayloadRefusal[] = [];

beforeAll(async () => {
  stack = await startOnboardingStack({
    dataConverter: fixtureDataConverter({
      requireEncrypted: true,
      refuseUndecryptable: true,
      onRefused: (refusal) => refusals.push(refusal),
    }),
  });
});
afterAll(async () => {
  await stack?.teardown();
});

const namespace = () => stack.env.namespace ?? 'default';

test('a schedule-style id onboarding:<victim>-<time> reusing the victim start input decrypts but is refused', async () => {
  const victim = uniqueDomain('suffix');
  await stack.client.start(domainOrder(victim, { verifyDomain: false }));
  await waitForStatus(
    () => stack.client.status(victim),
    (s) => s.stage === 'awaiting-tos',
  );
  const history = await stack.env.client.workflow.getHandle(`onboarding:${victim}`).fetchHistory();
  const input = (history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []) as Payload[];
  const customersBefore = (await stack.google.state()).customers.length;
  const id = `onboarding:${victim}-2026-01-01T00:00:00Z`;
  refusals.length = 0;
  await stack.env.client.workflowService.startWorkflowExecution({
    namespace: namespace(),
    workflowId: id,
    workflowType: { name: WORKFLOW_TYPE },
    taskQueue: { name: TASK_QUEUE },
    input: { payloads: input },
    requestId: randomUUID(),
  });
  const failure = (await stack.env.client.workflow
    .getHandle(id)
    .result()
    .catch((err: unknown) => err)) as { cause?: { type?: string } };
  // Not refused by the codec (the suffix is accepted) ...
  expect(refusals.filter((r) => r.workflowId === id)).toEqual([]);
  // ... but by the validation's "domain must match the workflow id".
  expect(failure.cause?.type).toBe('InvalidOrder');
  expect((await stack.google.state()).customers.length).toBe(customersBefore);
  await stack.client.cancel(victim, 'end of test').catch(() => undefined);
});

test('no activity is pending while awaiting the terms; completing by id with plaintext changes nothing', async () => {
  const domain = uniqueDomain('pending');
  await stack.client.start(domainOrder(domain, { verifyDomain: false }));
  await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  const d = await stack.env.client.workflow.getHandle(`onboarding:${domain}`).describe();
  const pending = (d.raw.pendingActivities ?? []).map((a) => `${a.activityType?.name}#${a.activityId}:${a.state}`);
  console.log('pending at awaiting-tos:', pending);
  for (const a of d.raw.pendingActivities ?? []) {
    const res = await stack.env.client.workflowService
      .respondActivityTaskCompletedById({
        namespace: namespace(),
        workflowId: `onboarding:${domain}`,
        activityId: a.activityId!,
        result: {
          payloads: [
            {
              metadata: { encoding: Buffer.from('json/plain') },
              data: Buffer.from('{"accepted":true,"agreedToTerms":true}'),
            },
          ],
        },
        identity: 'attacker',
      })
      .then(() => 'completed')
      .catch((e: Error) => `refused by server: ${e.message}`);
    console.log('complete-by-id', a.activityType?.name, res);
  }
  await new Promise((r) => setTimeout(r, 3000));
  const status = await stack.client.status(domain);
  console.log('after:', status.stage, JSON.stringify(status.tosAccepted), JSON.stringify(refusals.slice(-3)));
  expect(status.tosAccepted).toBeUndefined();
  await stack.client.cancel(domain, 'end of test').catch(() => undefined);
});
