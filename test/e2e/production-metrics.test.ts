/**
 * Observability of the compiled worker (`node dist/worker/main.js` with its prebuilt bundle) on a
 * real dev server against the emulator: after one real onboarding, whose first users.insert meets
 * a 503, its Prometheus endpoint serves Temporal's runtime metrics and the product's own.
 */
import { OnboardingClient } from '../../client/onboarding-client';
import { EmulatorControl } from '../../emulator/control-client';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CompiledWorker, ensureBuilt, freePort } from '../support/compiled-worker';
import { startDevServer, waitForStatus } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { fixtureKeysVariable } from '../support/worker-process';

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let worker: CompiledWorker;
let metricsUrl: string;

beforeAll(async () => {
  ensureBuilt();
  [env, emulator] = await Promise.all([startDevServer(), startEmulator()]);
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = CompiledWorker.spawn({
    ONBOARDING_MODE: 'local',
    TEMPORAL_ADDRESS: env.address,
    GOOGLE_API_ROOT_URL: emulator.url,
    SMTP_URL: `smtp://127.0.0.1:${emulator.smtpPort}`,
    ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
    METRICS_BIND_ADDRESS: `127.0.0.1:${port}`,
    LOG_LEVEL: 'info',
  });
  const started = await worker.waitForLog('worker started');
  expect(String(started.workflowBundle)).toMatch(/dist\/workflow-bundle\.js$/);
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  await emulator?.close();
  await env?.teardown();
});

/** `name{labels} value` lines of the exposition format, as [name, labels, value]. */
function series(text: string): { name: string; labels: string; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      return { name: match?.[1] ?? '', labels: match?.[2] ?? '', value: Number(match?.[3]) };
    });
}

test('one onboarding later, /metrics has temporal_* series and non-zero onboarding_* series', async () => {
  const client = new OnboardingClient(env.client);
  const google = new EmulatorControl(emulator.url);
  // The first users.insert answers 503: retried, and counted as a Google error.
  await google.addFault({ method: 'POST', path: '^/admin/directory/v1/users$', status: 503 });
  const domain = uniqueDomain('metrics');
  // The terms alone complete it (domain verification has its own tests).
  await client.start(domainOrder(domain, { verifyDomain: false }));
  await waitForStatus(
    () => client.status(domain),
    (s) => s.stage === 'awaiting-tos',
    60_000,
  );
  await client.acceptTos(domain, { reportedBy: 'metrics-test' });
  expect((await client.result(domain)).stage).toBe('completed');

  let all: ReturnType<typeof series> = [];
  // The runtime exports on scrape; give the last workflow task's metrics a moment to land.
  for (let tries = 0; tries < 50; tries++) {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    all = series(await response.text());
    if (all.some((s) => s.name.startsWith('onboarding_finished') && s.value > 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const named = (prefix: string) => all.filter((s) => s.name.startsWith(prefix));
  expect(named('temporal_').length).toBeGreaterThan(10);
  expect(named('temporal_workflow_completed').some((s) => s.value >= 1)).toBe(true);

  const started = named('onboarding_started').filter((s) => s.value > 0);
  expect(started.map((s) => s.labels).join()).toContain('customer_type="domain"');
  const finished = named('onboarding_finished').filter((s) => s.value > 0);
  expect(finished).toHaveLength(1);
  expect(finished[0]?.labels).toMatch(/outcome="completed"/);
  expect(finished[0]?.labels).toMatch(/branch="new"/);
  expect(finished[0]?.labels).toMatch(/customer_type="domain"/);

  const googleErrors = named('onboarding_google_errors').filter((s) => s.value > 0);
  expect(googleErrors).toHaveLength(1);
  expect(googleErrors[0]?.labels).toMatch(/api="directory"/);
  expect(googleErrors[0]?.labels).toMatch(/method="users\.insert"/);
  expect(googleErrors[0]?.labels).toMatch(/retryable="true"/);
  // No domain or address ever becomes a label.
  expect(named('onboarding_').some((s) => s.labels.includes(domain))).toBe(false);

  const waits = named('onboarding_customer_wait_seconds_count').filter((s) => s.value > 0);
  expect(waits.map((s) => s.labels).join()).toContain('what="tos-acceptance"');
});
