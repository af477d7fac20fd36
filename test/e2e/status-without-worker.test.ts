/**
 * Why this file exists: operators read an onboarding's status when the worker is down (a deploy, an
 * outage) and after it ended. Without a worker the `status` query hangs ~30 s and then fails, so the
 * client reads the status the workflow publishes in its memo instead, and answers within seconds.
 * Real Temporal dev server, real worker and activities against the Google emulator; the worker is
 * started and stopped between phases, which run in order.
 */
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { EXIT, runCli } from '../../client/cli';
import { NoWorkerAnsweredError, OnboardingClient } from '../../client/onboarding-client';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { createOnboardingWorker } from '../../worker/create-worker';
import { onboardingWorkflowId, TASK_QUEUE, WORKFLOW_TYPE, type OnboardingStatus } from '../../workflows/messages';
import { STATUS_MEMO_KEY } from '../../workflows/progress';
import { fixtureDataConverter } from '../support/fixture-keys';
import { startDevServer, waitForStatus, workerSettingsFor, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, teamOrder, uniqueDomain } from '../support/orders';

const QUERY_TIMEOUT_MS = 3000; // the library's default, stated here so the timing assertions read plainly
/** describe() and the task-queue check on a loaded 2-core machine: generous, still far below the server's ~30 s. */
const SLACK_MS = 3000;

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let client: OnboardingClient;
let stopWorker: (() => Promise<void>) | undefined;

async function startWorker(): Promise<void> {
  const { worker, ...created } = await createOnboardingWorker({
    config: workerSettingsFor(emulator),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await workflowBundle(),
    dataConverter: fixtureDataConverter(),
  });
  const running = worker.run();
  stopWorker = async () => {
    stopWorker = undefined;
    worker.shutdown();
    await running;
    await created.close();
  };
}

beforeAll(async () => {
  const [server, google] = await Promise.all([startDevServer(), startEmulator(), workflowBundle()]);
  env = server;
  emulator = google;
  client = new OnboardingClient(env.client, {}, { statusQueryTimeoutMs: QUERY_TIMEOUT_MS });
});
afterAll(async () => {
  await stopWorker?.();
  await emulator?.close();
  await env?.teardown();
});

/** Runs the CLI over `using`, capturing what it prints; the connection stays open (the test owns it). */
async function cli(using: OnboardingClient, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0),
  ];
  const began = Date.now();
  try {
    const code = await runCli(argv, () =>
      Promise.resolve(Object.assign(Object.create(using) as OnboardingClient, { close: () => Promise.resolve() })),
    );
    return { code, stdout: out.join(''), stderr: err.join(''), ms: Date.now() - began };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const began = Date.now();
  const value = await call();
  return { value, ms: Date.now() - began };
}

// Shared between the phases below.
const withoutMemo = uniqueDomain('no-memo'); // started while no worker runs: never ran, so no memo
const parked = uniqueDomain('parked');
const completed = uniqueDomain('completed'); // a team customer: completed once the terms are accepted

describe('before any worker ever polled the task queue', () => {
  test('a running onboarding with a status memo answers from it at once, without waiting for a query', async () => {
    const domain = uniqueDomain('memo-only');
    const recorded: OnboardingStatus = { stage: 'creating-customer', customerDomain: domain, steps: [] };
    // The memo the workflow would have written, set at start (encrypted by the client's codec like any memo).
    await env.client.workflow.start(WORKFLOW_TYPE, {
      workflowId: onboardingWorkflowId(domain),
      taskQueue: TASK_QUEUE,
      args: [domainOrder(domain)],
      memo: { [STATUS_MEMO_KEY]: recorded },
    });
    // A query timeout far above the answer time: only the "nobody polls" check can explain a fast answer.
    const patient = new OnboardingClient(env.client, {}, { statusQueryTimeoutMs: 30_000 });
    const { value, ms } = await timed(() => patient.readStatus(domain));
    expect(value).toEqual({ status: recorded, source: 'memo', executionStatus: 'RUNNING' });
    expect(ms).toBeLessThan(SLACK_MS);
    await env.client.workflow.getHandle(onboardingWorkflowId(domain)).terminate('test done');
  });

  test('an onboarding without a memo gets no answer: NoWorkerAnsweredError within the timeout, CLI exit 1 (not 4: Temporal is reachable)', async () => {
    await client.start(domainOrder(withoutMemo));
    const failed = await timed(() => client.readStatus(withoutMemo).catch((err: unknown) => err));
    expect(failed.value).toBeInstanceOf(NoWorkerAnsweredError);
    expect(failed.ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 100);
    expect(failed.ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);

    const run = await cli(client, '--json', 'status', withoutMemo);
    expect(run.code).toBe(EXIT.error);
    expect(run.stdout).toBe('');
    const problem = JSON.parse(run.stderr) as { error: string; message: string };
    expect(problem.error).toBe('no-worker');
    expect(problem.message).toContain(`task queue ${TASK_QUEUE}`);
    expect(run.ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);
  });
});

describe('an onboarding that never wrote a memo (as one started before the memo existed)', () => {
  // A worker with the workflow code and no activities: the onboarding runs its first task, then
  // waits for its validation activity forever — at `validating`, which it never publishes.
  let workflowsOnly: Worker;
  let running: Promise<void>;
  beforeAll(async () => {
    workflowsOnly = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      dataConverter: fixtureDataConverter(),
    });
    running = workflowsOnly.run();
  });
  afterAll(async () => {
    workflowsOnly.shutdown();
    await running;
  });

  test('running or ended, its status falls back to the query, which a worker answers', async () => {
    const domain = uniqueDomain('memo-less');
    await client.start(domainOrder(domain));
    const handle = client.handle(domain);
    // Its first task is done (the validation activity scheduled) and it published nothing.
    await waitForStatus(
      async () => ({
        stage: (await handle.fetchHistory()).events?.some((e) => e.activityTaskScheduledEventAttributes)
          ? 'scheduled'
          : 'not yet',
      }),
      (s) => s.stage === 'scheduled',
    );
    expect((await handle.describe()).memo?.[STATUS_MEMO_KEY]).toBeUndefined();
    expect(await client.readStatus(domain)).toMatchObject({
      source: 'query',
      executionStatus: 'RUNNING',
      status: { customerDomain: domain, stage: 'validating' },
    });

    await handle.terminate('test: an ended onboarding without a memo');
    expect(await client.readStatus(domain)).toMatchObject({
      source: 'query',
      executionStatus: 'TERMINATED',
      status: { customerDomain: domain, stage: 'validating' },
    });
  });
});

describe('with a worker', () => {
  beforeAll(startWorker);

  test('a running onboarding is answered by its query (the freshest answer)', async () => {
    await client.start(domainOrder(parked));
    await waitForStatus(
      () => client.status(parked),
      (s) => s.stage === 'awaiting-tos',
      60_000,
    );
    const reading = await client.readStatus(parked);
    expect(reading).toMatchObject({
      source: 'query',
      executionStatus: 'RUNNING',
      status: { stage: 'awaiting-tos', waitingFor: { what: 'tos-acceptance' } },
    });
    // The onboarding started with no worker went on once one came, and answers by query too.
    await waitForStatus(
      () => client.status(withoutMemo),
      (s) => s.stage === 'awaiting-tos',
      60_000,
    );
  });

  test('an onboarding taken to completed, for the phase without a worker', async () => {
    await client.start(teamOrder(completed));
    await waitForStatus(
      () => client.status(completed),
      (s) => s.stage === 'awaiting-tos',
      60_000,
    );
    await client.acceptTos(completed, { reportedBy: 'status-test' });
    expect(await client.result(completed)).toMatchObject({ stage: 'completed' });
  });

  afterAll(async () => {
    await stopWorker?.();
  });
});

describe('after the worker stopped', () => {
  test('status of an onboarding parked at awaiting-tos still answers, from its memo, within a few seconds', async () => {
    const { value, ms } = await timed(() => client.readStatus(parked));
    expect(value).toMatchObject({
      source: 'memo',
      executionStatus: 'RUNNING',
      status: { customerDomain: parked, stage: 'awaiting-tos' },
    });
    expect(ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);

    const json = await cli(client, '--json', 'status', parked);
    expect(json).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(JSON.parse(json.stdout)).toMatchObject({ customerDomain: parked, stage: 'awaiting-tos' });
    expect(json.ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);

    const text = await cli(client, 'status', parked);
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout.split('\n').slice(0, 2)).toEqual([
      `${parked}: awaiting-tos`,
      expect.stringContaining('no worker answered'),
    ]);
  });

  test("a completed onboarding's status is read from its result (0.4; before, its memo), with no query at all", async () => {
    const { value, ms } = await timed(() => client.readStatus(completed));
    expect(value).toMatchObject({
      source: 'result',
      executionStatus: 'COMPLETED',
      status: { stage: 'completed', tosAccepted: { via: 'signal', reportedBy: 'status-test' } },
    });
    expect(value.status.summary).toBeUndefined(); // the whole status, with its step log
    expect(value.status.steps.length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(QUERY_TIMEOUT_MS); // a query would have waited out the whole timeout

    const text = await cli(client, 'status', completed);
    expect(text.code).toBe(EXIT.ok);
    expect(text.stdout).toMatch(new RegExp(`^${completed.replace(/\./g, '\\.')}: completed\n`));
    expect(text.stdout).not.toContain('no worker answered'); // an ended onboarding's memo is its final word
  });
});
