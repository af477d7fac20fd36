/**
 * OpenTelemetry across client → workflow → activities: the client (connectFromEnv) and the compiled
 * worker both export to an OTLP/HTTP endpoint — here a tiny collector that keeps what it receives —
 * and one onboarding's spans, from the client's start to the activities, share one trace.
 */
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectFromEnv } from '../../client/connect-from-env';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { CompiledWorker, ensureBuilt } from '../support/compiled-worker';
import { startDevServer, waitForStatus } from '../support/onboarding-stack';
import { startOtlpCollector, type ReceivedSpan } from '../support/otlp-collector';
import { domainOrder, uniqueDomain } from '../support/orders';
import { fixtureKeysVariable } from '../support/worker-process';
import { DEFAULT_MAX_CACHED_WORKFLOWS_TRACING } from '../../worker/config';

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let collector: Server;
let endpoint: string;
const spans: ReceivedSpan[] = [];

beforeAll(async () => {
  ensureBuilt();
  [env, emulator, collector] = await Promise.all([startDevServer(), startEmulator(), startOtlpCollector(spans)]);
  endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
}, 240_000);

afterAll(async () => {
  await emulator?.close();
  await env?.teardown();
  await new Promise((resolve) => collector?.close(resolve));
});

test('one onboarding is one trace: client start, workflow run, activities', async () => {
  const worker = CompiledWorker.spawn({
    ONBOARDING_MODE: 'local',
    TEMPORAL_ADDRESS: env.address,
    GOOGLE_API_ROOT_URL: emulator.url,
    SMTP_URL: `smtp://127.0.0.1:${emulator.smtpPort}`,
    ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    LOG_LEVEL: 'info',
  });
  try {
    const started = await worker.waitForLog('worker started');
    // The tracing bundle's workflows are larger: a smaller default cache fits the capped heap.
    expect(started).toMatchObject({ tracing: 'on', maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS_TRACING });
    expect(String(started.workflowBundle)).toMatch(/dist\/workflow-bundle-tracing\.js$/);

    const client = await connectFromEnv(
      {
        ONBOARDING_MODE: 'local',
        TEMPORAL_ADDRESS: env.address,
        ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_SERVICE_NAME: 'sales-system',
      },
      { warn: () => undefined },
    );
    const domain = uniqueDomain('traced');
    try {
      await client.start(domainOrder(domain, { verifyDomain: false }));
      await waitForStatus(
        () => client.status(domain),
        (s) => s.stage === 'awaiting-tos',
        60_000,
      );
      await client.acceptTos(domain);
      expect((await client.result(domain)).stage).toBe('completed');
    } finally {
      await client.close(); // flushes the client's spans
    }
  } finally {
    expect(await worker.stop('SIGTERM')).toBe(0); // flushes the worker's spans
  }

  const start = spans.find((s) => s.service === 'sales-system' && s.name === 'StartWorkflow:onboardCustomer');
  expect(start).toBeDefined();
  const trace = spans.filter((s) => s.traceId === start?.traceId);
  const names = new Set(trace.map((s) => `${s.service} ${s.name}`));
  expect(names).toContain('workspace-onboarding-worker RunWorkflow:onboardCustomer');
  for (const activity of [
    'validateOrder',
    'createResoldCustomer',
    'setCustomerLanguage',
    'createAdminUser',
    'grantSuperAdmin',
    'sendSignInNotice',
  ]) {
    expect(names).toContain(`workspace-onboarding-worker RunActivity:${activity}`);
  }
});
