/**
 * The reconciliation and a continue-as-new chain, on a real dev server (visibility queries need
 * one) told to suggest continue-as-new after a few dozen events, with the real worker and the
 * Google emulator: the run that ends terminated is the chain's LAST, while the admin's marker names
 * its FIRST run. The reconciliation must take the marker the workflow carried, find the admin, and
 * remove it only as that onboarding's.
 */
import { runReconciliation } from '../../client/reconciliation';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;
beforeAll(async () => {
  // Every wake-up of the wait sees continueAsNewSuggested after a few dozen events: a chain in seconds.
  // Removal is the worker's setting (0.4): the run's input alone cannot turn it on.
  stack = await startOnboardingStack({
    devServer: { suggestContinueAsNewAfterEvents: 40 },
    reconciliation: { removeUsers: true, lookbackMs: 86_400_000 },
  });
});
afterAll(async () => {
  await stack?.teardown();
});

test('a chain terminated after continue-as-new: its admin (marked with the first run id) is found and removed', async () => {
  const { client, google, env } = stack;
  const domain = uniqueDomain('chain');
  const started = await client.start(
    domainOrder(domain, { verifyDomain: false, waitPolicy: { checkEvery: '1 second' } }),
  );
  await waitForStatus(
    async () => (await client.handle(domain).describe()).runId,
    (runId) => runId !== started.runId,
  );
  await waitForStatus(
    () => client.status(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  const [admin] = (await google.state()).users.filter((u) => u.primaryEmail === `admin@${domain}`);
  expect(admin?.externalIds).toEqual([expect.objectContaining({ value: `onboarding:${domain}/${started.runId}` })]);

  await client.handle(domain).terminate('test: terminated after continue-as-new');
  const last = await client.handle(domain).describe();
  expect(last.runId).not.toBe(started.runId);
  await waitForStatus(
    async () => {
      for await (const e of env.client.workflow.list({
        query: `WorkflowId = 'onboarding:${domain}' AND ExecutionStatus = 'Terminated'`,
      }))
        return e.runId;
      return '';
    },
    (runId) => runId === last.runId,
  );
  const report = await runReconciliation(env.client, { removeUsers: true });

  expect(report.leftovers).toEqual([
    expect.objectContaining({
      domain,
      user: `admin@${domain}`,
      runId: last.runId,
      marker: `onboarding:${domain}/${started.runId}`,
      onboardingOutcome: 'TERMINATED',
      lastStage: 'awaiting-tos',
      action: 'removed',
    }),
  ]);
  expect((await google.state()).users.filter((u) => u.primaryEmail === `admin@${domain}`)).toEqual([]);
});
