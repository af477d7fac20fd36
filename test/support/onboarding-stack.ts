/**
 * The real parts, wired for a test file: a Temporal dev server (the provisioned CLI), the Google
 * emulator with its SMTP sink, and the real worker with the real activities and googleapis
 * clients pointed at the emulator. Nothing is mocked.
 */
import type { DataConverter } from '@temporalio/common';
import type { ReconciliationSettings } from '../../activities/reconciliation-settings';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { OnboardingClient } from '../../client/onboarding-client';
import { EmulatorControl } from '../../emulator/control-client';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { FAILURE_CONVERTER_PATH } from '../../encryption/keys';
import { provisionTemporal } from '../../scripts/provision-temporal';
import type { PacingConfig } from '../../activities/google-pacer';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/config';
import { createOnboardingWorker } from '../../worker/create-worker';
import { SEARCH_ATTRIBUTES } from '../../workflows/messages';
import { fixtureDataConverter } from './fixture-keys';

export type WorkerSettings = Omit<WorkerConfig, 'mode' | 'temporal' | 'logLevel' | 'maxCachedWorkflows'>;

/** `pacing`: Google's quotas for the worker to pace itself at (none by default: the emulator enforces none). */
export function workerSettingsFor(
  emulator: RunningEmulator,
  overrides: Partial<WorkerSettings> = {},
  pacing?: PacingConfig,
): WorkerSettings {
  return {
    google: {
      auth: { kind: 'static-token', accessToken: 'test-token' },
      rootUrl: emulator.url,
      requestTimeoutMs: 5000,
      ...(pacing ? { pacing } : {}),
    },
    smtpUrl: `smtp://127.0.0.1:${emulator.smtpPort}`,
    mailFrom: 'Onboarding tests <onboarding@reseller.example>',
    resellerName: 'Test Reseller',
    resellerPublicId: 'test-reseller-public-id',
    salesNotifyEmail: 'sales@reseller.example',
    waits: loadWorkerConfig({ ONBOARDING_MODE: 'local' }).waits, // the defaults a worker has with nothing configured
    allowedCountries: [],
    ...overrides,
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file (webpack takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  return bundle;
}

/** Temporal's Java test server: timers fire as soon as the workflow is only waiting (`env.sleep` skips time). */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: provisionTemporal().testServer } },
    client: { dataConverter: fixtureDataConverter() },
  });
  // Unlike the dev server, it takes no search attributes on its command line.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((a) => [a.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

export interface DevServerOptions {
  /** The server suggests continue-as-new after this many events (a long wait's chain in seconds). */
  suggestContinueAsNewAfterEvents?: number;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  const after = options.suggestContinueAsNewAfterEvents;
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: provisionTemporal().cli },
      searchAttributes: SEARCH_ATTRIBUTES,
      ip: '127.0.0.1',
      ...(after ? { extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${after}`] } : {}),
    },
    client: { dataConverter: fixtureDataConverter() },
  });
}

export interface OnboardingStack {
  env: TestWorkflowEnvironment;
  emulator: RunningEmulator;
  google: EmulatorControl;
  client: OnboardingClient;
  teardown(): Promise<void>;
}

export async function startOnboardingStack(
  options: {
    worker?: Partial<WorkerSettings>;
    server?: 'dev' | 'time-skipping';
    /** 0 makes every workflow task replay from history, as after an eviction. */
    maxCachedWorkflows?: number;
    /** Google's quotas for the worker's pacer (activities/google-pacer.ts); unset: no pacing. */
    pacing?: PacingConfig;
    /** Dev server only: see DevServerOptions. */
    devServer?: DevServerOptions;
    /** The worker's data converter (default: the fixture key, nothing refused). */
    dataConverter?: DataConverter;
    /** The worker's reconciliation settings (default: from the environment: report only). */
    reconciliation?: ReconciliationSettings;
  } = {},
): Promise<OnboardingStack> {
  const server = options.server === 'time-skipping' ? startTimeSkippingServer() : startDevServer(options.devServer);
  const [env, emulator, workflowBundleCode] = await Promise.all([server, startEmulator(), workflowBundle()]);
  const { worker, close } = await createOnboardingWorker({
    config: workerSettingsFor(emulator, options.worker, options.pacing),
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowBundle: workflowBundleCode,
    dataConverter: options.dataConverter ?? fixtureDataConverter(),
    ...(options.reconciliation ? { reconciliation: options.reconciliation } : {}),
    ...(options.maxCachedWorkflows !== undefined ? { tuning: { maxCachedWorkflows: options.maxCachedWorkflows } } : {}),
  });
  const running = worker.run();
  return {
    env,
    emulator,
    google: new EmulatorControl(emulator.url),
    client: new OnboardingClient(env.client),
    async teardown() {
      worker.shutdown();
      await running;
      await close();
      await emulator.close();
      await env.teardown();
    },
  };
}

/** Polls (a status, or anything the test reads) until `predicate` holds (the workflow exposes no push channel, by design). */
export async function waitForStatus<T>(
  read: () => Promise<T>,
  predicate: (status: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (predicate(last)) return last;
    } catch {
      // the workflow may not have run its first task yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not reached within ${timeoutMs} ms; last status: ${JSON.stringify(last)}`);
}
