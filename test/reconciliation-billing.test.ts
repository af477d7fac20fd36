/**
 * Why this file exists: a terminated onboarding skips its saga, so the subscriptions it ordered go on
 * billing the reseller (Google bills from the order on, terms signed or not). The reconciliation must
 * say so. Real stack: dev server, real worker and activities, emulator, SMTP sink. A cancelled
 * onboarding (which ends its subscriptions, release 0.4) and one without subscriptions are not reported.
 */
import { runReconciliation } from '../client/reconciliation';
import { onboardingWorkflowId } from '../workflows/messages';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from './support/onboarding-stack';
import { domainOrder, uniqueDomain } from './support/orders';

let stack: OnboardingStack;
beforeAll(async () => {
  stack = await startOnboardingStack();
});
afterAll(async () => {
  await stack?.teardown();
});

const SOLD = [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 5 }] as const;

async function toAwaitingTos(domain: string, withSubscriptions = true): Promise<void> {
  await stack.client.start(
    domainOrder(domain, { verifyDomain: false, ...(withSubscriptions ? { subscriptions: [...SOLD] } : {}) }),
  );
  await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos',
    30_000,
  );
}

async function visiblyEnded(domain: string, status: string): Promise<void> {
  const query = `WorkflowId = '${onboardingWorkflowId(domain)}' AND ExecutionStatus = '${status}'`;
  await waitForStatus(
    async () => {
      for await (const execution of stack.env.client.workflow.list({ query })) return execution.status.name;
      return 'not yet';
    },
    (found) => found !== 'not yet',
    30_000,
  );
}

test('subscriptions left billing by a terminated onboarding are reported (report and e-mail); ended ones are not', async () => {
  const [terminated, cancelled, noSubscriptions] = [
    uniqueDomain('bill-terminated'),
    uniqueDomain('bill-cancelled'),
    uniqueDomain('bill-none'),
  ];
  await toAwaitingTos(terminated);
  await stack.client.handle(terminated).terminate('test: terminated by an operator');
  await toAwaitingTos(cancelled);
  await stack.client.cancel(cancelled, 'test: customer withdrew');
  await stack.client.result(cancelled).catch(() => undefined);
  await toAwaitingTos(noSubscriptions, false);
  await stack.client.handle(noSubscriptions).terminate('test: terminated by an operator');
  await Promise.all([
    visiblyEnded(terminated, 'Terminated'),
    visiblyEnded(cancelled, 'Canceled'),
    visiblyEnded(noSubscriptions, 'Terminated'),
  ]);

  const report = await runReconciliation(stack.env.client, {});
  const billed = (report.leftBilling ?? []).map((b) => b.domain);
  expect(billed).toContain(terminated);
  expect(billed).not.toContain(cancelled);
  expect(billed).not.toContain(noSubscriptions);
  expect(report.leftBilling?.find((b) => b.domain === terminated)).toMatchObject({
    onboardingOutcome: 'TERMINATED',
    lastStage: 'awaiting-tos',
    subscriptions: [expect.stringMatching(/1010020028, SUSPENDED/)],
  });
  expect(report.salesNotified).toBe(true);
  const mail = await stack.google.waitForMail((m) => m.subject.includes('still billing'));
  expect(mail.text).toMatch(/STILL BILLING THE RESELLER/);
  expect(mail.text).toContain(terminated);
  expect(mail.text).not.toContain(cancelled);
});
