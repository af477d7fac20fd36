/**
 * A second client, in another language: the Python sales-system example (examples/python/, written
 * from docs/contract.md alone, with the `temporalio` SDK) runs every contract scenario against the
 * real stack — dev server, worker requiring encrypted input, emulator, and the codec server it
 * encrypts through — and this test checks what it reports. The venv is provisioned here (pinned
 * requirements from PyPI), so a clean machine with python3 runs it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { startEmulator, type RunningEmulator } from '../emulator/server';
import { startCodecServer, type CodecServer } from '../encryption/codec-server';
import { normalizeDomain } from '../order/order';
import { provisionPythonClient, PYTHON_CLIENT_DIR } from '../scripts/provision-python-client';
import { createOnboardingWorker } from '../worker/create-worker';
import { onboardingWorkflowId } from '../workflows/messages';
import { contractExample, contractExamplesNamed } from './support/contract-doc';
import { FIXTURE_KEYS, fixtureDataConverter } from './support/fixture-keys';
import { startDevServer, workerSettingsFor, workflowBundle } from './support/onboarding-stack';
import { uniqueDomain } from './support/orders';

jest.setTimeout(600_000); // a first run installs the SDK from PyPI

const CODEC_TOKEN = 'python-client-test-token-0123456789';

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let codecServer: CodecServer;
let worker: Worker;
let running: Promise<void>;
let closeWorker: () => Promise<void>;
let python: string;
let dir: string;

beforeAll(async () => {
  python = provisionPythonClient();
  dir = mkdtempSync(path.join(tmpdir(), 'python-client-'));
  [env, emulator, codecServer] = await Promise.all([
    startDevServer(),
    startEmulator(),
    startCodecServer({
      port: 0,
      host: '127.0.0.1',
      keys: FIXTURE_KEYS,
      corsOrigins: [],
      accessToken: CODEC_TOKEN,
      logger: pino({ level: 'silent' }),
    }),
  ]);
  const built = await createOnboardingWorker({
    config: workerSettingsFor(emulator),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await workflowBundle(),
    // As in production with ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS=true: plaintext is refused; and after the
    // 0.4 transition (ONBOARDING_ACCEPT_UNBOUND_PAYLOADS=false): a payload not bound to its workflow too, so
    // every scenario below also proves that the Python codec binds what it encodes (X-Workflow-Id).
    dataConverter: fixtureDataConverter({ requireEncrypted: true, acceptUnbound: false }),
  });
  worker = built.worker;
  closeWorker = built.close;
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await closeWorker?.();
  await codecServer?.close();
  await emulator?.close();
  await env?.teardown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runPython(config: object): Promise<Record<string, unknown>> {
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ['contract_run.py', file],
      {
        cwd: PYTHON_CLIENT_DIR,
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`the Python client failed: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as Record<string, unknown>);
      },
    );
  });
}

test('the Python client drives every scenario of the contract through the codec server', async () => {
  const vectors = contractExample<{ domain: string; workflowId: string }[]>('id-vectors');
  const domains = {
    complete: uniqueDomain('py'),
    cancel: uniqueDomain('py-cancel'),
    transfer: uniqueDomain('py-transfer'),
    plaintext: uniqueDomain('py-plain'),
    invalid: uniqueDomain('py-invalid'),
  };
  const order = { ...contractExamplesNamed<Record<string, unknown>>('order')[0], waitPolicy: { checkEvery: '1s' } };
  const report = await runPython({
    address: env.address,
    namespace: env.namespace ?? 'default',
    codecUrl: codecServer.url,
    codecToken: CODEC_TOKEN,
    emulatorUrl: emulator.url,
    order,
    domains,
    idVectors: vectors.map((v) => v.domain),
  });

  // The id rule, in Python, gives every documented id.
  expect(report.workflowIds).toEqual(Object.fromEntries(vectors.map((v) => [v.domain, v.workflowId])));
  const id = onboardingWorkflowId(normalizeDomain(domains.complete));
  expect(report).toMatchObject({
    start: { workflowId: id },
    duplicateStart: 'refused: already started',
    status: { stage: 'awaiting-tos' },
    listed: [{ workflowId: id, customerDomain: domains.complete, stage: 'awaiting-tos', executionStatus: 'RUNNING' }],
    completed: { result: { stage: 'completed', tosAccepted: { via: 'signal', reportedBy: 'python-crm' } } },
    startAfterCompleted: 'refused: already started',
    memoAfterCompleted: 'completed',
    cancelled: { failure: 'cancelled' },
    cancelledMemo: {
      stage: 'cancelled',
      cancellation: { reason: 'customer withdrew the order', requestedBy: 'python-crm' },
    },
    transfer: {
      first: { outcome: 'accepted', token: 1 },
      retried: { outcome: 'accepted', token: 1 }, // the same request: queued once, not as token 2
      tokens: [{ token: 1, outcome: 'transferred' }],
      // Release 0.4: after the move the customer signs Google's new terms, then the onboarding completes.
      outcome: { result: { stage: 'completed', transfer: { tokensTried: 1 } } },
    },
    plaintext: { failure: 'application', type: 'UnencryptedInput' },
    invalidOrder: { failure: 'application', type: 'InvalidOrder' },
  });
  // One request id, sent twice: applied once, the same answer twice.
  const extension = report.extendDeadline as { first: { deadline: string }; retried: unknown; statusDeadline: string };
  const before = Date.parse((report.status as { deadline: string }).deadline);
  expect(Date.parse(extension.first.deadline)).toBe(before + 7 * 86_400_000);
  expect(extension.retried).toEqual(extension.first);
  expect(extension.statusDeadline).toBe(extension.first.deadline);
  // The failure message came back decrypted, naming the fields and rules.
  expect((report.invalidOrder as { message: string }).message).toBe(
    'Invalid order: postalAddress.countryCode: must be an ISO 3166-1 alpha-2 country code such as US or FR; subscriptions.0.plan: must be one of ANNUAL_MONTHLY_PAY, ANNUAL_YEARLY_PAY, FLEXIBLE, TRIAL',
  );
});
