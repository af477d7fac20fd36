/**
 * OpenTelemetry across client → workflow → activities: the client (connectFromEnv) and the compiled
 * worker both export to an OTLP/HTTP endpoint — here a tiny collector that keeps what it receives —
 * and one onboarding's spans, from the client's start to the activities, share one trace.
 */
import { createServer, type Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectFromEnv } from '../../client/connect-from-env';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { CompiledWorker, ensureBuilt } from '../support/compiled-worker';
import { startDevServer, waitForStatus } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { fixtureKeysVariable } from '../support/worker-process';

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
}

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let collector: Server;
let endpoint: string;
const spans: ReceivedSpan[] = [];

function startCollector(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: { name: string; traceId: string }[] }[];
          }[];
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const scope of rs.scopeSpans)
            for (const span of scope.spans) spans.push({ service, name: span.name, traceId: span.traceId });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  ensureBuilt();
  [env, emulator, collector] = await Promise.all([startDevServer(), startEmulator(), startCollector()]);
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
    expect(started).toMatchObject({ tracing: 'on' });
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
