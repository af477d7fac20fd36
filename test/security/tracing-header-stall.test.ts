/**
 * Claim under test (docs/security.md): undecryptable payloads never stall a run — here with tracing
 * on. The payload codec skips headers (the SDK's codec runner), and OpenTelemetry's workflow
 * interceptor reads the `_tracer-data` header itself with the default payload converter. Someone
 * with access to the namespace but no key sends `tosAccepted` with a forged `_tracer-data` header
 * (an unknown encoding, or `json/plain` that is not JSON): the run must not fail its workflow tasks
 * over and over, and the genuine (traced) signal must still complete it and join the client's trace.
 * A start with such a header must end (its keyless input refused) instead of holding the workflow id.
 * Without workflows/tracing-header-guard.ts each of the first three cases and the start stall.
 *
 * The real stack: a dev server, the in-process worker with the production tracing bundle
 * (buildWorkflowBundle('tracing')) and codec settings, the Google emulator, SMTP, and a tiny OTLP
 * collector that keeps the spans it receives.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Payload } from '@temporalio/common';
import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { OnboardingClient } from '../../client/onboarding-client';
import { startTracing, type Tracing } from '../../config/tracing';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { createOnboardingWorker } from '../../worker/create-worker';
import { buildWorkflowBundle } from '../../worker/workflow-bundle';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../../workflows/messages';
import { fixtureDataConverter } from '../support/fixture-keys';
import { startOtlpCollector, type ReceivedSpan } from '../support/otlp-collector';
import { startDevServer, waitForStatus, workerSettingsFor } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let collector: Server;
let tracing: Tracing;
let worker: Worker;
let running: Promise<void>;
let closeWorker: () => Promise<void>;
let client: OnboardingClient;
const spans: ReceivedSpan[] = [];

beforeAll(async () => {
  let bundle;
  [env, emulator, collector, bundle] = await Promise.all([
    startDevServer(),
    startEmulator(),
    startOtlpCollector(spans),
    buildWorkflowBundle('tracing'),
  ]);
  const { port } = collector.address() as { port: number };
  // One global tracer provider for the test's client and the worker (as each process has its own).
  tracing = await startTracing({ otlpEndpoint: `http://127.0.0.1:${port}`, serviceName: 'tracing-header-test' });
  const namespace = env.namespace ?? 'default';
  const created = await createOnboardingWorker({
    config: workerSettingsFor(emulator),
    connection: env.nativeConnection,
    namespace,
    workflowBundle: bundle,
    tracing,
    // The production worker's codec: encrypted input required, undecryptable payloads refused.
    dataConverter: fixtureDataConverter({ requireEncrypted: true, refuseUndecryptable: true }),
  });
  worker = created.worker;
  closeWorker = created.close;
  running = worker.run();
  client = new OnboardingClient(
    new Client({
      connection: env.connection,
      namespace,
      dataConverter: fixtureDataConverter(),
      interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    }),
  );
}, 240_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await closeWorker?.();
  await tracing?.shutdown();
  await emulator?.close();
  await env?.teardown();
  await new Promise((resolve) => collector?.close(resolve));
});

const history = async (domain: string) =>
  (await env.client.workflow.getHandle(`onboarding:${domain}`).fetchHistory()).events ?? [];

/** A `tosAccepted` with no (keyless) input and the given `_tracer-data` header, as the raw gRPC API takes it. */
async function signalWithForgedHeader(domain: string, tracerData: Payload): Promise<void> {
  await env.client.workflowService.signalWorkflowExecution({
    namespace: env.namespace ?? 'default',
    workflowExecution: { workflowId: `onboarding:${domain}` },
    signalName: 'tosAccepted',
    input: { payloads: [] },
    header: { fields: { '_tracer-data': tracerData } },
    identity: 'attacker',
    requestId: randomUUID(),
  });
}

/** Waits until the workflow has taken a task after the last signal: completed or failed. */
async function taskAfterLastSignal(domain: string): Promise<void> {
  await waitForStatus(
    () => history(domain),
    (events) => {
      const lastSignal = events.map((e) => Boolean(e.workflowExecutionSignaledEventAttributes)).lastIndexOf(true);
      return (
        lastSignal >= 0 &&
        events
          .slice(lastSignal)
          .some((e) => e.workflowTaskCompletedEventAttributes || e.workflowTaskFailedEventAttributes)
      );
    },
  );
}

const forgedHeaders: [string, Payload][] = [
  ['an unknown encoding', { metadata: { encoding: Buffer.from('binary/garbage') }, data: Buffer.from('x') }],
  [
    'json/plain that is not JSON',
    { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{not json') },
  ],
  ['no metadata at all', { data: Buffer.from('x') }],
  ['JSON null', { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('null') }],
  ['binary/null', { metadata: { encoding: Buffer.from('binary/null') } }],
];

test.each(forgedHeaders)(
  'a tosAccepted with a forged _tracer-data header (%s) does not stall the run',
  async (_what, tracerData) => {
    const domain = uniqueDomain('tracer-header');
    await client.start(domainOrder(domain, { verifyDomain: false }));
    await waitForStatus(
      () => client.status(domain),
      (s) => s.stage === 'awaiting-tos',
    );

    await signalWithForgedHeader(domain, tracerData);
    await taskAfterLastSignal(domain);
    // Give a failing task its retries (the dev server retries at once after the first failure).
    await new Promise((r) => setTimeout(r, 1500));
    expect((await history(domain)).filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
    const described = await env.client.workflow.getHandle(`onboarding:${domain}`).describe();
    expect(described.raw.pendingWorkflowTask?.attempt ?? 1).toBeLessThanOrEqual(1);
    expect((await client.status(domain)).stage).toBe('awaiting-tos'); // keyless: not accepted

    await client.acceptTos(domain, { reportedBy: 'genuine' });
    const result = await client.handle(domain).result();
    expect(result.stage).toBe('completed');
    expect(result.tosAccepted).toMatchObject({ reportedBy: 'genuine' });
    expect((await history(domain)).filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);

    // The genuine signal's header still joins the client's trace.
    await tracing.spanProcessor.forceFlush();
    const handled = await waitForStatus(
      async () => {
        await tracing.spanProcessor.forceFlush();
        return spans;
      },
      (all) =>
        all.some((s) => s.name === 'SignalWorkflow:tosAccepted') &&
        all.some((s) => s.name === 'HandleSignal:tosAccepted'),
    );
    const sent = new Set(handled.filter((s) => s.name === 'SignalWorkflow:tosAccepted').map((s) => s.traceId));
    expect(handled.some((s) => s.name === 'HandleSignal:tosAccepted' && sent.has(s.traceId))).toBe(true);
  },
  90_000,
);

test('a start with a forged _tracer-data header ends as refused input instead of stalling', async () => {
  const workflowId = `onboarding:${uniqueDomain('tracer-start')}`;
  await env.client.workflowService.startWorkflowExecution({
    namespace: env.namespace ?? 'default',
    workflowId,
    workflowType: { name: WORKFLOW_TYPE },
    taskQueue: { name: TASK_QUEUE },
    // Keyless input: the worker refuses it, and the run fails at once as UnencryptedInput.
    input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{}') }] },
    header: { fields: { '_tracer-data': forgedHeaders[0]![1] } },
    identity: 'attacker',
    requestId: randomUUID(),
  });
  const ended = env.client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => 'completed',
      (err: { cause?: { type?: string } }) => err.cause?.type,
    );
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise((resolve) => (timer = setTimeout(() => resolve('still running after 20 s'), 20_000)));
  const outcome = await Promise.race([ended, stalled]);
  clearTimeout(timer);
  expect(outcome).toBe('UnencryptedInput');
  const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
}, 60_000);
