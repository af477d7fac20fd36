/**
 * Finding: the worker accepted unencrypted input, so anyone who may start workflows in the
 * namespace (`temporal workflow start --input '<plain order>'`, any SDK without the codec) could
 * start orders and send transfer tokens without holding the key. With
 * ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS=true the worker's codec hands the workflow a sentinel
 * instead (encryption/plaintext-refusal.ts).
 *
 * Real dev server, real worker (requiring encryption), real emulator; the attacker is a Temporal
 * client with NO codec.
 *
 * NOTE FOR THE LEAD: the assertion on the failure type `UnencryptedInput` needs the workflow side
 * (fail at once on `isRefusedPlaintext(order)`), which is not in this branch: until it is merged that
 * one assertion fails (the workflow fails as an invalid order instead). Everything else here —
 * no Google request, the raw token update refused, own payloads still working — holds now.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { OnboardingClient } from '../../client/onboarding-client';
import { EmulatorControl } from '../../emulator/control-client';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { UNENCRYPTED_INPUT_FAILURE_TYPE } from '../../encryption/plaintext-refusal';
import { createOnboardingWorker } from '../../worker/create-worker';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../../workflows/messages';
import { fixtureDataConverter } from '../support/fixture-keys';
import { startDevServer, waitForStatus, workerSettingsFor, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let google: EmulatorControl;
let worker: Worker;
let running: Promise<void>;
let closeWorker: () => Promise<void>;
let attacker: Client;
let sales: OnboardingClient;

beforeAll(async () => {
  [env, emulator] = await Promise.all([startDevServer(), startEmulator()]);
  google = new EmulatorControl(emulator.url);
  const built = await createOnboardingWorker({
    config: workerSettingsFor(emulator),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await workflowBundle(),
    dataConverter: fixtureDataConverter({ requireEncrypted: true }),
  });
  worker = built.worker;
  closeWorker = built.close;
  running = worker.run();
  attacker = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' }); // no codec, no key
  sales = new OnboardingClient(env.client); // the fixture key, as the sales system has
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await closeWorker?.();
  await emulator?.close();
  await env?.teardown();
});

const googleRequests = async () => (await google.requests()).filter((r) => !r.path.startsWith('/_emulator'));

test('a plain order started without the key never reaches Google, and fails as UnencryptedInput', async () => {
  const domain = uniqueDomain('plain');
  await google.clearRequests();
  await attacker.workflow.start(WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: `onboarding:${domain}`,
    args: [domainOrder(domain)],
  });

  const failure = await env.client.workflow
    .getHandle(`onboarding:${domain}`)
    .result()
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect(await googleRequests()).toEqual([]);
  expect((await google.state()).customers.filter((c) => c.customerDomain === domain)).toEqual([]);
  // Needs the lead's workflow change (see the note at the top of this file).
  const cause = (failure as WorkflowFailedError).cause;
  expect(cause instanceof ApplicationFailure ? cause.type : cause?.name).toBe(UNENCRYPTED_INPUT_FAILURE_TYPE);
});

test('a plain transfer token sent without the key is refused; the worker’s own (encrypted) payloads still work', async () => {
  const domain = uniqueDomain('token');
  await google.seed({
    customers: [
      {
        customerDomain: domain,
        owner: 'google',
        transferTokens: [{ token: `valid-token-${domain}` }],
        subscriptions: [
          { skuId: '1010020028', planName: 'ANNUAL_MONTHLY_PAY', seats: 10, minimumTransferableSeats: 10 },
        ],
      },
    ],
  });
  await sales.start(domainOrder(domain)); // encrypted: runs normally under a worker that requires encryption
  await waitForStatus(
    () => sales.status(domain),
    (s) => s.stage === 'awaiting-transfer-token',
  );
  await google.clearRequests();

  const raw = attacker.workflow
    .getHandle(`onboarding:${domain}`)
    .executeUpdate('provideTransferToken', { args: [`valid-token-${domain}`] });
  await expect(raw).rejects.toThrow();
  const status = await sales.status(domain);
  expect(status.stage).toBe('awaiting-transfer-token');
  expect(status.transfer?.tokensTried ?? 0).toBe(0);
  expect((await googleRequests()).filter((r) => r.method !== 'GET')).toEqual([]);

  // The same token, encrypted by the sales system, is taken.
  const taken = await sales.provideTransferToken(domain, `valid-token-${domain}`);
  expect(taken.outcome).toBe('transferred');
});
