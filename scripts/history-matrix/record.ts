/**
 * Why this file exists: `npm run record-matrix` records the branch matrix (scenarios.ts) from a
 * released version's own code, so that today's code is checked against what each release really
 * did (issue 17). For each scenario: a fresh worker with that release's bundle and stubs on the
 * time-skipping server (days pass in milliseconds), the driver provokes the branch, and every run's
 * history is saved under test/histories/<release>/matrix/<scenario>.json (append-only).
 *
 *   npm run record-matrix -- --release 0.2          # a release of test/histories/releases.json
 *   npm run record-matrix -- --release current      # the working tree (package.json's major.minor)
 *   npm run record-matrix -- --release 0.2 --only cancelled-during-orderSubscription --out /tmp/x
 *   --missing records only the scenarios the folder lacks (a scenario added to the matrix, for every release)
 *   --force re-records a folder that exists (only while that release is unreleased)
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { fixtureDataConverter } from '../../test/support/fixture-keys';
import { startTimeSkippingServer, waitForStatus } from '../../test/support/onboarding-stack';
import { CustomerDomainAttribute, onboardingWorkflowId, OnboardingStageAttribute } from '../../workflows/messages';
import { bundleOf, HISTORIES, importFromTree, releaseTree, type ReleaseTree } from './release-tree';
import { defaultInput, SCENARIOS, type Drive, type Orders, type Scenario } from './scenarios';
import { type Activities, type Hold, scenarioStubs, type StubsModule } from './stubs';

// Stable contracts (unchanged since 0.1): the task queue, the workflow type, the status query.
export const TASK_QUEUE = 'onboarding';
export const WORKFLOW_TYPE = 'onboardCustomer';
const POLL_MS = 30_000;
/** A scenario that has not ended by then is reported and left out (run again with --missing). */
export const SCENARIO_TIMEOUT_MS = 120_000;

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface Loaded {
  tree: ReleaseTree;
  bundle: WorkflowBundleWithSourceMap;
  stubs: StubsModule;
  orders: Orders;
}

export async function load(release: string): Promise<Loaded> {
  const tree = releaseTree(release);
  const [bundle, stubs, orders] = await Promise.all([
    bundleOf(tree),
    importFromTree<StubsModule>(tree.stubsModule),
    importFromTree<Orders>(path.join(tree.root, 'test', 'support', 'orders.ts')),
  ]);
  return { tree, bundle, stubs, orders };
}

const until = async (what: string, ok: () => boolean): Promise<void> => {
  const started = Date.now();
  while (!ok()) {
    if (Date.now() - started > POLL_MS) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

export function driverFor(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  loaded: Loaded,
  stubs: Drive['stubs'],
): Drive {
  return {
    env,
    handle,
    features: loaded.tree.features,
    stubs,
    entered: (hold: Hold) => until(`${hold.activity} to be entered`, () => hold.entered),
    stage: async (stage) => {
      await waitForStatus(
        () => handle.query<{ stage: string }>('status'),
        (s) => s.stage === stage,
        POLL_MS,
      );
    },
    signal: (name, arg) => handle.signal(name, ...(arg === undefined ? [] : [arg])),
    update: async (name, arg, updateId) => {
      // Started and left to answer in its own time: the release decides when (0.1 and 0.2 after the transfer).
      const answered = handle
        .executeUpdate(name, { args: [arg], ...(updateId ? { updateId } : {}) })
        .catch((err: unknown) => ({ refused: String(err) }));
      return Promise.race([answered, new Promise((r) => setTimeout(r, 300))]);
    },
    cancel: async (reason) => {
      await handle.signal('cancellationReason', { reason, requestedBy: 'history-matrix' });
      await handle.cancel();
    },
    pause: (ms = 400) => new Promise((r) => setTimeout(r, ms)),
    settle: async () => {
      await handle.result().catch((err: unknown) => {
        if (!(err instanceof WorkflowFailedError)) throw err;
      });
    },
  };
}

/** A worker of `loaded`'s release with these activities (`extra`: options a recorder needs beside). */
export function matrixWorker(
  env: TestWorkflowEnvironment,
  loaded: Loaded,
  activities: Activities,
  extra: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: loaded.bundle,
    activities,
    dataConverter: fixtureDataConverter(),
    maxHeartbeatThrottleInterval: '1 second',
    ...extra,
  });
}

/** Starts an onboarding as the client library does (both search attributes set). */
export function startMatrixOnboarding(env: TestWorkflowEnvironment, domain: string, input: unknown) {
  return env.client.workflow.start(WORKFLOW_TYPE, {
    workflowId: onboardingWorkflowId(domain),
    taskQueue: TASK_QUEUE,
    args: [input],
    typedSearchAttributes: [
      { key: CustomerDomainAttribute, value: domain },
      { key: OnboardingStageAttribute, value: 'validating' },
    ],
  });
}

interface Recorded {
  name: string;
  stage: string;
  runs: number;
  events: number;
}

async function record(
  env: TestWorkflowEnvironment,
  loaded: Loaded,
  scenario: Scenario,
  out: string,
): Promise<Recorded> {
  const { features } = loaded.tree;
  const holds: Record<string, Hold> = scenario.holds?.(features) ?? {};
  const overrides = scenario.stubs?.(features) ?? {};
  for (const hold of Object.values(holds)) {
    const after = overrides[hold.activity];
    overrides[hold.activity] = (base) => hold.wrap(after ? after(base) : base);
  }
  const stubs = scenarioStubs(loaded.stubs, overrides);
  const domain = `${scenario.name.toLowerCase()}.example.com`;
  const input = (scenario.input ?? defaultInput)(loaded.orders, domain, features);
  const worker = await matrixWorker(env, loaded, stubs.activities);
  const recorded = await worker.runUntil(async () => {
    const started = await startMatrixOnboarding(env, domain, input);
    const hold = (name: string): Hold => {
      const held = holds[name];
      if (!held) throw new Error(`scenario ${scenario.name} holds no ${name}`);
      return held;
    };
    const drive = scenario.drive(driverFor(env, started, loaded, stubs), hold);
    await withTimeout(drive, SCENARIO_TIMEOUT_MS, scenario.name); // rejecting here stops the worker
    return save(env, started, scenario, out); // while the worker runs: the status query needs it
  });
  return recorded;
}

export async function save(env: TestWorkflowEnvironment, handle: WorkflowHandle, scenario: Scenario, out: string) {
  const latest = await handle.describe();
  const runIds = [latest.runId];
  if (scenario.chain) {
    // Walk back from the last run to the first: each run's first event names the run it continued.
    for (;;) {
      const history = await env.client.workflow.getHandle(handle.workflowId, runIds[0]).fetchHistory();
      const previous =
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
      if (!previous) break;
      runIds.unshift(previous);
    }
  }
  let events = 0;
  for (const [i, runId] of runIds.entries()) {
    const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    events += history.events?.length ?? 0;
    const file = runIds.length === 1 ? scenario.name : `${scenario.name}.run${i + 1}`;
    writeFileSync(path.join(out, `${file}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
  }
  const { stage } = await handle.query<{ stage: string }>('status').catch(() => ({ stage: '(no status)' }));
  return { name: scenario.name, stage, runs: runIds.length, events };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // A scenario that timed out leaves its client calls retrying against a server already torn down.
  process.on('uncaughtException', (err) => {
    if (/Channel has been shut down/.test(String(err))) return;
    console.error(err);
    process.exit(1);
  });
  const { values } = parseArgs({
    options: {
      release: { type: 'string', default: 'current' },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      missing: { type: 'boolean', default: false },
    },
  });
  const loaded = await load(values.release);
  const out = values.out ?? path.join(HISTORIES, loaded.tree.release, 'matrix');
  if (existsSync(out) && readdirSync(out).length > 0 && !values.force && !values.missing && !values.out) {
    throw new Error(
      `${out} exists: histories are append-only (--force only while ${loaded.tree.release} is unreleased)`,
    );
  }
  mkdirSync(out, { recursive: true });
  const present = existsSync(out) ? readdirSync(out) : [];
  const recordedAlready = (name: string) => present.includes(`${name}.json`) || present.includes(`${name}.run1.json`);
  const chosen = SCENARIOS.filter(
    (s) =>
      (s.when?.(loaded.tree.features) ?? true) &&
      (!values.only || values.only.includes(s.name)) &&
      !(values.missing && recordedAlready(s.name)),
  );
  console.log(`release ${loaded.tree.release} from ${loaded.tree.commit}: ${chosen.length} scenarios → ${out}`);
  const started = Date.now();
  const failed: string[] = [];
  try {
    for (const scenario of chosen) {
      // A server per scenario: an activity a cancel left behind would keep the next one's time from skipping.
      const env = await startTimeSkippingServer();
      try {
        const r = await record(env, loaded, scenario, out);
        console.log(`${r.name.padEnd(52)} ${r.stage.padEnd(28)} ${r.runs} run(s) ${r.events} events`);
      } catch (err) {
        failed.push(scenario.name);
        console.error(`${scenario.name}: NOT RECORDED: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        await env.teardown();
      }
    }
  } finally {
    loaded.tree.remove();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${chosen.length - failed.length}/${chosen.length} recorded in ${seconds} s`);
  if (failed.length) throw new Error(`not recorded: ${failed.join(', ')}`);
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
