/**
 * The reconciliation and a continue-as-new chain, on a real dev server (visibility queries need
 * one) told to suggest continue-as-new after a few dozen events, with the real worker and the
 * Google emulator: the run that ends terminated is the chain's LAST, while the admin's marker names
 * its FIRST run. The reconciliation must take the marker the workflow carried, find the admin, and
 * remove it only as that onboarding's.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { runReconciliation } from '../client/reconciliation';
import { EmulatorControl } from '../emulator/control-client';
import { startEmulator, type RunningEmulator } from '../emulator/server';
import { provisionTemporal } from '../scripts/provision-temporal';
import { OnboardingClient } from '../client/onboarding-client';
import { createOnboardingWorker, type OnboardingWorker } from '../worker/create-worker';
import { SEARCH_ATTRIBUTES } from '../workflows/messages';
import { fixtureDataConverter } from './support/fixture-keys';
import { waitForStatus, workerSettingsFor, workflowBundle } from './support/onboarding-stack';
import { domainOrder, uniqueDomain } from './support/orders';

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let worker: OnboardingWorker;
let running: Promise<void>;
beforeAll(async () => {
  [env, emulator] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: provisionTemporal().cli },
        searchAttributes: SEARCH_ATTRIBUTES,
        ip: '127.0.0.1',
        // Every wake-up of the wait sees continueAsNewSuggested after a few dozen events: a chain in seconds.
        extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
      },
      client: { dataConverter: fixtureDataConverter() },
    }),
    startEmulator(),
  ]);
  worker = await createOnboardingWorker({
    config: workerSettingsFor(emulator),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await workflowBundle(),
    dataConverter: fixtureDataConverter(),
  });
  running = worker.worker.run();
});
afterAll(async () => {
  worker?.worker.shutdown();
  await running;
  await worker?.close();
  await emulator?.close();
  await env?.teardown();
});

test('a chain terminated after continue-as-new: its admin (marked with the first run id) is found and removed', async () => {
  const client = new OnboardingClient(env.client);
  const google = new EmulatorControl(emulator.url);
  const domain = uniqueDomain('chain');
  const started = await client.start(domainOrder(domain, { verifyDomain: false, waitPolicy: { checkEvery: '1 second' } }));
  await waitForStatus(
    async () => ({ stage: (await client.handle(domain).describe()).runId }),
    (s) => s.stage !== started.runId,
  );
  await waitForStatus(() => client.status(domain), (s) => s.stage === 'awaiting-tos');
  const [admin] = (await google.state()).users.filter((u) => u.primaryEmail === `admin@${domain}`);
  expect(admin?.externalIds).toEqual([expect.objectContaining({ value: `onboarding:${domain}/${started.runId}` })]);

  await client.handle(domain).terminate('test: terminated after continue-as-new');
  const last = await client.handle(domain).describe();
  expect(last.runId).not.toBe(started.runId);
  await waitForStatus(
    async () => {
      for await (const e of env.client.workflow.list({ query: `WorkflowId = 'onboarding:${domain}' AND ExecutionStatus = 'Terminated'` })) return { stage: e.runId };
      return { stage: '' };
    },
    (s) => s.stage === last.runId,
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
