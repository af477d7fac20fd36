/**
 * Records the workflow histories that `npm test` replays: each scenario runs for real on a Temporal
 * dev server with the worker and the Google emulator, then its history is saved as JSON under
 * test/histories/<release>/ (release = major.minor of package.json). Payloads are encrypted with
 * the public test fixture key, as in the tests.
 *
 *   npm run record-histories            # records the current release's folder, if it has none yet
 *   npm run record-histories -- --force # re-records it (only while that release is unreleased)
 *
 * Append-only: a released version's folder is the record of onboardings that may still be running
 * on it; it is never re-recorded to make a replay failure go away. The branch matrix, recorded from
 * any release's own commit with stubs, is `npm run record-matrix` (scripts/history-matrix/).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../test/support/onboarding-stack';
import { domainOrder, teamOrder } from '../test/support/orders';
import { domainVerifiedSignal, onboardingWorkflowId, TASK_QUEUE, WORKFLOW_TYPE } from '../workflows/messages';

import { version } from '../package.json';

const RELEASE = version.split('.').slice(0, 2).join('.');
const OUT = path.resolve(__dirname, '..', 'test', 'histories', RELEASE);

type Scenario = (stack: OnboardingStack, domain: string) => Promise<void>;

const awaitStage = (stack: OnboardingStack, domain: string, stage: string) =>
  waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === stage,
    60_000,
  );
const settle = (stack: OnboardingStack, domain: string) => stack.client.result(domain).catch(() => undefined);

const scenarios: Record<string, Scenario> = {
  'domain-completed-by-signal': async (stack, domain) => {
    await stack.client.start(
      domainOrder(domain, { subscriptions: [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 10 }] }),
    );
    await awaitStage(stack, domain, 'awaiting-tos');
    await stack.client.acceptTos(domain, { reportedBy: 'recording' });
    await stack.client.handle(domain).signal(domainVerifiedSignal, { reportedBy: 'recording' });
    await settle(stack, domain);
  },
  'team-completed-detected': async (stack, domain) => {
    await stack.client.start(
      teamOrder(domain, {
        subscriptions: [{ skuId: '1010060001', plan: 'FLEXIBLE', seats: 5 }],
        waitPolicy: { checkEvery: '1s' },
      }),
    );
    await awaitStage(stack, domain, 'awaiting-tos');
    await stack.client.acceptTos(domain);
    await settle(stack, domain);
  },
  'retried-steps-completed': async (stack, domain) => {
    await stack.google.addFault({ method: 'POST', path: '^/apps/reseller/v1/customers$', status: 503, mode: 'after' });
    await stack.google.updateSettings({ adminPropagationCalls: 1 });
    await stack.client.start(domainOrder(domain));
    await awaitStage(stack, domain, 'awaiting-tos');
    await stack.google.updateSettings({ adminPropagationCalls: 0 });
    await stack.client.acceptTos(domain);
    await stack.client.handle(domain).signal(domainVerifiedSignal);
    await settle(stack, domain);
  },
  'transfer-refused-then-transferred': async (stack, domain) => {
    await stack.google.seed({
      customers: [
        {
          customerDomain: domain,
          owner: 'google',
          transferTokens: [
            { token: 'recorded-valid-token' },
            { token: 'recorded-expired-token', expiresAt: Date.now() - 86_400_000 },
          ],
          subscriptions: [
            { skuId: '1010020028', planName: 'ANNUAL_MONTHLY_PAY', seats: 10, minimumTransferableSeats: 10 },
            { skuId: 'Google-Drive-storage-20GB', planName: 'FLEXIBLE', seats: 10, minimumTransferableSeats: 1 },
          ],
        },
      ],
    });
    await stack.client.start(domainOrder(domain, { transferToken: 'recorded-expired-token' }));
    await awaitStage(stack, domain, 'awaiting-transfer-token');
    await stack.client.provideTransferToken(domain, 'recorded-valid-token');
    // Release 0.4: after the move each super admin signs Google's new terms (reported by the sales system).
    await awaitStage(stack, domain, 'awaiting-tos');
    await stack.client.acceptTos(domain);
    await settle(stack, domain);
  },
  'failed-and-compensated': async (stack, domain) => {
    await stack.google.addFault({ method: 'POST', path: '/makeAdmin$', status: 400 });
    await stack.client.start(domainOrder(domain));
    await settle(stack, domain);
  },
  'cancelled-while-awaiting-tos': async (stack, domain) => {
    await stack.client.start(domainOrder(domain));
    await awaitStage(stack, domain, 'awaiting-tos');
    await stack.client.cancel(domain, 'recording a cancellation');
    await settle(stack, domain);
  },
  'domain-verified-and-terms-detected': async (stack, domain) => {
    await stack.client.start(domainOrder(domain, { waitPolicy: { checkEvery: '1s' } }));
    await awaitStage(stack, domain, 'awaiting-tos');
    await stack.client.acceptTos(domain);
    await awaitStage(stack, domain, 'awaiting-domain-verification');
    await stack.google.verifyDomain(domain);
    await settle(stack, domain);
  },
  'already-a-customer': async (stack, domain) => {
    await stack.google.seed({
      customers: [{ customerDomain: domain, owner: 'this-reseller', creationTime: Date.now() - 86_400_000 }],
    });
    await stack.client.start(domainOrder(domain));
    await settle(stack, domain);
  },
  'invalid-order-raw-start': async (stack, domain) => {
    // Started without the client's validation (as `temporal workflow start` would): the validation activity refuses it.
    await stack.client.temporal.workflow.start(WORKFLOW_TYPE, {
      workflowId: onboardingWorkflowId(domain),
      taskQueue: TASK_QUEUE,
      args: [{ ...domainOrder(domain), language: 'klingon' }],
    });
    await settle(stack, domain);
  },
  'reminded-then-expired': async (stack, domain) => {
    await stack.client.start(
      domainOrder(domain, { waitPolicy: { checkEvery: '1s', reminders: ['2s'], deadline: '4s' } }),
    );
    await settle(stack, domain);
  },
  // Release 0.3 on: the branches a deploy must not break while onboardings wait in them.
  'transfer-token-expired': async (stack, domain) => {
    await seedHeldElsewhere(stack, domain);
    await stack.client.start(domainOrder(domain, { waitPolicy: { reminders: ['2s'], deadline: '4s' } }));
    await settle(stack, domain);
  },
  'deadline-extended-then-completed': async (stack, domain) => {
    await stack.client.start(domainOrder(domain, { verifyDomain: false }));
    await awaitStage(stack, domain, 'awaiting-tos');
    await stack.client.extendDeadline(domain, { by: '7 days' }, { requestId: 'recorded-request-1' });
    await stack.client.extendDeadline(domain, { by: '7 days' }, { requestId: 'recorded-request-1' }); // a retry: applied once
    await stack.client.acceptTos(domain);
    await settle(stack, domain);
  },
  'cancelled-during-create-admin': async (stack, domain) => {
    await stack.google.addFault({ method: 'POST', path: '^/admin/directory/v1/users$', delayMs: 2000 });
    await stack.client.start(domainOrder(domain));
    await awaitStage(stack, domain, 'creating-admin');
    await stack.client.cancel(domain, 'recording a cancel while the admin is created');
    await settle(stack, domain);
  },
  'cancelled-during-transfer': async (stack, domain) => {
    await seedHeldElsewhere(stack, domain);
    await stack.google.addFault({ method: 'POST', path: '^/batch$', delayMs: 2000 });
    await stack.client.start(domainOrder(domain));
    await awaitStage(stack, domain, 'awaiting-transfer-token');
    await stack.client.provideTransferToken(domain, 'recorded-valid-token', {
      wait: false,
      requestId: 'recorded-token-1',
    });
    await waitForStatus(
      () => stack.client.status(domain),
      (s) => s.steps.some((step) => step.name === 'transfer-subscriptions'),
      60_000,
    );
    await stack.client.cancel(domain, 'recording a cancel during the transfer');
    await settle(stack, domain);
  },
  'cancelled-while-registering': async (stack, domain) => {
    await seedHeldElsewhere(stack, domain);
    await stack.google.addFault({ method: 'POST', path: '^/apps/reseller/v1/customers$', delayMs: 2000, times: 1 });
    await stack.client.start(domainOrder(domain, { transferToken: 'recorded-valid-token' }));
    await waitForStatus(
      () => stack.client.status(domain),
      (s) => s.steps.some((step) => step.name === 'register-customer'),
      60_000,
    );
    await stack.client.cancel(domain, 'recording a cancel during the registration');
    await settle(stack, domain);
  },
  'compensation-failed': async (stack, domain) => {
    await stack.google.addFault({ method: 'POST', path: '/makeAdmin$', status: 400 });
    await stack.google.addFault({ method: 'DELETE', path: '^/admin/directory/v1/users/', status: 400 });
    await stack.client.start(domainOrder(domain));
    await settle(stack, domain);
  },
};

/** A customer of Google's with Workspace and a Drive storage add-on, and one valid transfer token. */
async function seedHeldElsewhere(stack: OnboardingStack, domain: string): Promise<void> {
  await stack.google.seed({
    customers: [
      {
        customerDomain: domain,
        owner: 'google',
        transferTokens: [{ token: 'recorded-valid-token' }],
        subscriptions: [
          { skuId: '1010020028', planName: 'ANNUAL_MONTHLY_PAY', seats: 10, minimumTransferableSeats: 10 },
          { skuId: 'Google-Drive-storage-20GB', planName: 'FLEXIBLE', seats: 10, minimumTransferableSeats: 1 },
        ],
      },
    ],
  });
}

async function save(stack: OnboardingStack, name: string, domain: string): Promise<void> {
  const status = await stack.client.status(domain);
  const history = await stack.client.handle(domain).fetchHistory(); // the latest run
  writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
  console.log(`${name.padEnd(36)} ${status.stage.padEnd(24)} ${history.events?.length} events`);
}

async function main(): Promise<void> {
  // Its own files only: matrix/ and upgrade-from-*/ are recorded by record-matrix.
  if (existsSync(OUT) && readdirSync(OUT).some((f) => f.endsWith('.json')) && !process.argv.includes('--force')) {
    throw new Error(
      `${OUT} already holds release ${RELEASE}'s histories: they are append-only (use --force only while ${RELEASE} is unreleased)`,
    );
  }
  mkdirSync(OUT, { recursive: true });
  const stack = await startOnboardingStack();
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      await scenario(stack, `${name}.example.com`);
      await save(stack, name, `${name}.example.com`);
    }
  } finally {
    await stack.teardown();
  }
  // A run that a long wait continued as new starts from carried state: days of hourly checks, so on
  // the time-skipping server.
  const skipping = await startOnboardingStack({ server: 'time-skipping' });
  try {
    const name = 'continued-as-new-then-completed';
    const domain = `${name}.example.com`;
    const started = await skipping.client.start(domainOrder(domain, { waitPolicy: { checkEvery: '1 hour' } }));
    await awaitStage(skipping, domain, 'awaiting-tos');
    await skipping.env.sleep('5 days');
    const { runId } = await skipping.client.handle(domain).describe();
    if (runId === started.runId) throw new Error('expected the wait to have continued as new');
    await skipping.client.acceptTos(domain, { reportedBy: 'recording' });
    await skipping.client.handle(domain).signal(domainVerifiedSignal, { reportedBy: 'recording' });
    await settle(skipping, domain);
    await save(skipping, name, domain);
  } finally {
    await skipping.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
