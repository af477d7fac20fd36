/**
 * Why this file exists: `npm run replay` is the gate before a deploy — it must pass on what a real
 * cluster holds (onboardings completed, waiting, cancelled, and every run of a continue-as-new
 * chain) and fail, naming the onboardings, when the workflow code would break them. Real dev server
 * (told to suggest continue-as-new early, so a wait with frequent checks makes a chain in seconds),
 * real worker and activities against the Google emulator; the script once as `npm run replay`, as an
 * operator runs it, and otherwise in-process (sharing the bundle this file builds anyway).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { OnboardingClient } from '../client/onboarding-client';
import { startEmulator, type RunningEmulator } from '../emulator/server';
import { FAILURE_CONVERTER_PATH } from '../encryption/keys';
import { DEFAULT_WORKFLOWS_PATH, runReplay } from '../scripts/replay';
import { createOnboardingWorker } from '../worker/create-worker';
import { onboardingWorkflowId } from '../workflows/messages';
import { fixtureDataConverter } from './support/fixture-keys';
import { startDevServer, waitForStatus, workerSettingsFor, workflowBundle } from './support/onboarding-stack';
import { domainOrder, teamOrder, uniqueDomain } from './support/orders';
import { fixtureKeysVariable } from './support/worker-process';

const REPO = path.resolve(__dirname, '..');
const ALTERED = path.join(REPO, 'test', 'fixtures', 'altered-workflow.ts');
const SUGGEST_CONTINUE_AS_NEW_AFTER_EVENTS = 100;

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let client: OnboardingClient;

const onboardings = {
  completed: uniqueDomain('rp-completed'),
  waiting: uniqueDomain('rp-waiting'),
  cancelled: uniqueDomain('rp-cancelled'),
  chain: uniqueDomain('rp-chain'),
};
const ids = Object.values(onboardings).map(onboardingWorkflowId);
let chainRuns: string[] = [];

/** Settings as an operator's shell would hold them: the script reads nothing else. */
const settings = () => ({
  TEMPORAL_ADDRESS: env.address,
  TEMPORAL_NAMESPACE: env.namespace ?? 'default',
  ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
});

const bundles = new Map<string, Promise<WorkflowBundle>>();
/** The bundle this file's worker uses for workflows/, built once for anything else. */
function bundleFor(workflowsPath: string): Promise<WorkflowBundle> {
  if (workflowsPath === DEFAULT_WORKFLOWS_PATH) return workflowBundle();
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

async function replayInProcess(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runReplay(argv, {
    env: settings(),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    bundle: bundleFor,
  });
  return { code, out, err };
}

beforeAll(async () => {
  const [server, google] = await Promise.all([
    startDevServer({ suggestContinueAsNewAfterEvents: SUGGEST_CONTINUE_AS_NEW_AFTER_EVENTS }),
    startEmulator(),
  ]);
  env = server;
  emulator = google;
  client = new OnboardingClient(env.client);
  const onboardingWorker = await createOnboardingWorker({
    config: workerSettingsFor(emulator),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: await workflowBundle(),
    dataConverter: fixtureDataConverter(),
  });
  const parked = (domain: string) =>
    waitForStatus(
      () => client.status(domain),
      (s) => s.stage === 'awaiting-tos',
      60_000,
    );
  // The histories are what the replay reads: make them with the real worker, then stop it (replay needs none).
  await onboardingWorker.worker.runUntil(async () => {
    const { completed, waiting, cancelled, chain } = onboardings;
    await Promise.all([
      client.start(teamOrder(completed)),
      client.start(domainOrder(waiting)),
      client.start(domainOrder(cancelled)),
    ]);
    const chainStart = await client.start(teamOrder(chain, { waitPolicy: { checkEvery: '1s' } }));
    await Promise.all([parked(completed), parked(waiting), parked(cancelled)]);

    await client.acceptTos(completed, { reportedBy: 'replay-test' });
    await client.cancel(cancelled, 'replay test');
    // Checks every second grow the history past the suggestion: the wait continues as new.
    await waitForStatus(
      async () => ({
        stage: (await client.handle(chain).describe()).runId === chainStart.runId ? 'first run' : 'continued',
      }),
      (s) => s.stage === 'continued',
      90_000,
    );
    await client.acceptTos(chain, { reportedBy: 'replay-test' }); // to the chain's latest run
    await Promise.all([
      client.result(completed),
      client.result(chain),
      client.result(cancelled).catch(() => undefined),
    ]);
    // Every run of the chain, as visibility lists them (it may lag a moment behind).
    await waitForStatus(
      async () => {
        chainRuns = [];
        for await (const run of env.client.workflow.list({ query: `WorkflowId = '${onboardingWorkflowId(chain)}'` }))
          chainRuns.push(`${run.runId}  ${run.status.name}`);
        return {
          stage:
            chainRuns.some((r) => r.endsWith(' COMPLETED')) && chainRuns.some((r) => r.endsWith(' CONTINUED_AS_NEW'))
              ? 'listed'
              : 'not yet',
        };
      },
      (s) => s.stage === 'listed',
    );
  });
  await onboardingWorker.close();
}, 240_000);

afterAll(async () => {
  await emulator?.close();
  await env?.teardown();
});

test('against the current workflow code every run replays: exit 0, one line per run, each run of the chain included', async () => {
  const run = await replayInProcess();
  expect(run.err).toEqual([]);
  expect(run.code).toBe(0);
  // Every run the cluster holds (this server holds only this file's onboardings), each once, by its run id.
  const everyRun: string[] = [];
  for await (const execution of env.client.workflow.list({ query: "WorkflowType = 'onboardCustomer'" }))
    everyRun.push(`${execution.workflowId}  run ${execution.runId}  ${execution.status.name}`);
  const lines = run.out.filter((l) => /^(ok|FAIL|skip) /.test(l));
  expect(lines.map((l) => l.replace(/^ok {4}/, '').replace(/ {2}\d+ events$/, '')).sort()).toEqual(everyRun.sort());
  expect(chainRuns.length).toBeGreaterThanOrEqual(2);
  for (const chainRun of chainRuns)
    expect(everyRun).toContain(`${onboardingWorkflowId(onboardings.chain)}  run ${chainRun}`);
  for (const id of ids) expect(lines.some((l) => l.startsWith(`ok    ${id}  run `))).toBe(true);
  expect(run.out.at(-1)).toBe(
    `Replayed ${lines.length} run(s) from the cluster against workflows/index.ts: ${lines.length} ok, 0 failed.`,
  );
});

test('--query and --limit narrow what is replayed', async () => {
  const waitingOnly = await replayInProcess('--query', `CustomerDomain = '${onboardings.waiting}'`);
  expect(waitingOnly.code).toBe(0);
  const waitingLines = waitingOnly.out.filter((l) => l.startsWith('ok '));
  expect(waitingLines.length).toBeGreaterThanOrEqual(1);
  expect(waitingLines.every((l) => l.startsWith(`ok    ${onboardingWorkflowId(onboardings.waiting)}  run `))).toBe(
    true,
  );
  expect(waitingLines).toContainEqual(expect.stringMatching(/ {2}RUNNING {2}\d+ events$/));

  const two = await replayInProcess('--limit', '2');
  expect(two.code).toBe(0);
  expect(two.out.filter((l) => l.startsWith('ok '))).toHaveLength(2);

  const bad = await replayInProcess('--limit', 'many');
  expect(bad.code).toBe(2);
  expect(bad.err[0]).toBe('Error: --limit: must be a whole number ≥ 1');
});

test('with a non-deterministic change (`npm run replay -- --workflows <altered>`), it exits 1 and names every onboarding it would break', async () => {
  const child = spawn('npm', ['run', '--silent', 'replay', '--', '--workflows', path.relative(REPO, ALTERED)], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...settings() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const out = stdout.join('');
  const failedLine = stderr
    .join('')
    .split('\n')
    .find((l) => l.startsWith('Replay failed for '));

  expect(code).toBe(1);
  expect(failedLine).toMatch(/^Replay failed for \d+ workflow\(s\): /);
  for (const id of ids) {
    expect(failedLine).toContain(id);
    expect(out).toMatch(new RegExp(`^FAIL  ${id}  run \\S+  \\S+  \\d+ events: \\S*(Nondeterminism|Determinism)`, 'm'));
  }
  expect(out).not.toMatch(/^ok /m);
  expect(out).toMatch(
    /^Replayed \d+ run\(s\) from the cluster against test\/fixtures\/altered-workflow\.ts: 0 ok, \d+ failed\.$/m,
  );
}, 180_000);

test('--dir replays a folder of JSON histories and its subfolders (as CI does with test/histories/<release>/); the altered code fails them by file name', async () => {
  const histories = path.join(REPO, 'test', 'histories');
  // Release 0.1's onboardings finish on frozen code (workflows/legacy/): they replay whatever else changes.
  const legacy = await replayInProcess('--dir', path.join(histories, '0.1'));
  expect(legacy.err).toEqual([]);
  expect(legacy.code).toBe(0);
  expect(legacy.out).toContainEqual(
    expect.stringMatching(/^ok {4}domain-completed-by-signal {2}run \S+ {2}\d+ events$/),
  );
  expect(legacy.out.at(-1)).toMatch(
    /^Replayed (\d+) run\(s\) from .*0\.1 against workflows\/index\.ts: \1 ok, 0 failed\.$/,
  );

  // Subfolders are read too, each history named by its path in the folder (pass or fail: that is replay.test.ts's business).
  const all = await replayInProcess('--dir', histories, '--limit', '100');
  const named = all.out.filter((l) => /^(ok|FAIL) /.test(l)).map((l) => l.slice(6).split('  ')[0]);
  expect(named).toEqual(
    expect.arrayContaining([
      '0.1/domain-completed-by-signal',
      '0.2/domain-completed-by-signal',
      '0.2/continued-as-new-then-completed',
    ]),
  );

  const altered = await replayInProcess('--dir', path.join(histories, '0.2'), '--workflows', ALTERED);
  expect(altered.code).toBe(1);
  expect(altered.out).toContainEqual(
    expect.stringMatching(/^FAIL {2}domain-completed-by-signal {2}run \S+ {2}\d+ events: \S*Determinism/),
  );
  expect(altered.err).toContainEqual(
    expect.stringMatching(/^Replay failed for \d+ workflow\(s\): .*domain-completed-by-signal/),
  );

  const missing = await replayInProcess('--dir', path.join(histories, 'no-such-release'));
  expect(missing.code).toBe(2);
  expect(missing.err[0]).toMatch(/^Error: --dir: .*no-such-release does not exist$/);
});
