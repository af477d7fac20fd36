/** Builds the onboarding worker; used by the worker process and, with the same code, by the tests. */
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import {
  type NativeConnection,
  Worker,
  type ActivityInterceptorsFactory,
  type WorkerOptions,
} from '@temporalio/worker';
import { createActivities } from '../activities';
import { codecRequiresEncryption } from '../encryption/codec';
import { createGoogleClients } from '../activities/google-clients';
import { createSmtpMailer, type Mailer } from '../activities/mailer';
import { reconciliationSettingsFromEnv, type ReconciliationSettings } from '../activities/reconciliation-settings';
import type { Tracing } from '../config/tracing';
import { TASK_QUEUE } from '../workflows/messages';
import type { WorkerConfig, WorkerDeployment } from './config';
import { googleErrorMetricsInterceptor } from './google-error-metrics';
import { buildWorkflowBundle } from './workflow-bundle';

/**
 * Slots and pollers of the onboarding worker (the cache size comes from the configuration,
 * WORKER_MAX_CACHED_WORKFLOWS). These are Temporal's own defaults, written out so that the bench's
 * bare worker runs with the same ones (and the bench prints them). Measured with
 * bench/throughput.ts (docs/benchmarks.md, "Throughput"): they do not limit a burst — 200 onboardings at once
 * keep a few workflow task slots and a handful of activity slots busy on average (~6 a second ×
 * 8 workflow tasks of a few ms, × 6 activities of tens of ms) while the cores are saturated by the
 * dev server and the worker's own CPU, and a cache of 250 instead of 50 left the worker's CPU per
 * onboarding within the noise (61–71 vs 63–74 ms). More would not help while the cores are the limit.
 */
export const WORKER_TUNING = {
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentActivityTaskExecutions: 100,
  workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
  activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
} as const satisfies Partial<WorkerOptions>;

/**
 * Shutdown, within the container's stop timeout (SIGTERM, then SIGKILL after it): the platform must
 * give the worker CONTAINER_STOP_TIMEOUT_S (Docker's default is 10 s: `docker run --stop-timeout 30`,
 * compose `stop_grace_period: 30s`; Kubernetes' default 30 s; docs/operations.md "Shutdown"). On
 * SIGTERM the worker stops polling and lets running activities finish for SHUTDOWN_GRACE — longer than
 * one Google call (GOOGLE_REQUEST_TIMEOUT_MS ≤ 10 s) — then cancels them (the transfer then fails
 * retryably so another worker resumes it, activities/transfer.ts); SHUTDOWN_FORCE ends the worker
 * before the platform's SIGKILL would, with room to close connections and flush telemetry.
 */
export const CONTAINER_STOP_TIMEOUT_S = 30;
export const SHUTDOWN_GRACE = '20 seconds';
export const SHUTDOWN_FORCE = '25 seconds';

export type WorkerTuning = Partial<
  Pick<
    WorkerOptions,
    | 'maxCachedWorkflows'
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'workflowTaskPollerBehavior'
    | 'activityTaskPollerBehavior'
    | 'shutdownGraceTime'
    | 'shutdownForceTime'
    | 'identity'
  >
>;

/** The options every worker of this project runs with (the bench's bare worker too): WORKER_TUNING, then `tuning`. */
export function workerTuning(tuning: WorkerTuning = {}): WorkerTuning {
  const merged: WorkerTuning = {
    ...WORKER_TUNING,
    shutdownGraceTime: SHUTDOWN_GRACE,
    shutdownForceTime: SHUTDOWN_FORCE,
    ...tuning,
  };
  const { maxCachedWorkflows, maxConcurrentWorkflowTaskExecutions } = merged;
  // Temporal caps workflow task slots at the cache size (and warns): say it here instead.
  if (
    maxCachedWorkflows &&
    maxConcurrentWorkflowTaskExecutions &&
    maxConcurrentWorkflowTaskExecutions > maxCachedWorkflows
  ) {
    merged.maxConcurrentWorkflowTaskExecutions = Math.max(2, maxCachedWorkflows);
  }
  return merged;
}

/**
 * Worker Versioning (docs/operations.md "Deploying with Worker Versioning"): the runs this build
 * starts stay on it (PINNED) while they provision, and a run parked in a customer wait moves to the
 * deployment's new current build at its next wake-up, by continue-as-new (workflows/onboarding/waiting.ts):
 * old builds drain within hours, not the 30 days a wait may last. Patches still guard fixes to runs
 * in flight, and unversioned workers.
 */
export function deploymentOptions(deployment: WorkerDeployment): NonNullable<WorkerOptions['workerDeploymentOptions']> {
  return {
    version: { deploymentName: deployment.deploymentName, buildId: deployment.buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: deployment.defaultVersioningBehavior,
  };
}

export interface OnboardingWorker {
  worker: Worker;
  /** Closes what the worker opened (SMTP pool); call after `worker.run()` returns. */
  close: () => Promise<void>;
}

export async function createOnboardingWorker(options: {
  config: Omit<WorkerConfig, 'mode' | 'temporal' | 'logLevel' | 'maxCachedWorkflows'>;
  connection: NativeConnection;
  namespace: string;
  dataConverter?: DataConverter;
  /**
   * The workflow bundle: the prebuilt one (`{ codePath }`, production) or one the tests built. Without
   * it the worker bundles ../workflows itself at start (running from source only: takes seconds).
   * A prebuilt bundle must hold the interceptors of its variant (tracing or not): see workflow-bundle.ts.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** OpenTelemetry: activity spans, and workflow spans exported through a sink. */
  tracing?: Tracing;
  /** RECONCILE_REMOVE_USERS / RECONCILE_LOOKBACK; default: read from the environment. */
  reconciliation?: ReconciliationSettings;
  tuning?: WorkerTuning;
}): Promise<OnboardingWorker> {
  const { config, tracing } = options;
  const mailer: Mailer = createSmtpMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
  const activities = createActivities({
    google: createGoogleClients(config.google),
    mailer,
    policy: {
      allowedCountries: config.allowedCountries,
      ...(config.minCheckEveryMs ? { minCheckEveryMs: config.minCheckEveryMs } : {}),
      requireEncryptedInput: config.requireEncryptedPayloads === true || codecRequiresEncryption(options.dataConverter),
    },
    mail: {
      resellerName: config.resellerName,
      resellerPublicId: config.resellerPublicId,
      salesNotifyEmail: config.salesNotifyEmail,
      salesEmailDomains: config.salesEmailDomains ?? [],
    },
    waits: config.waits,
    // The reconciliation reads ended onboardings over the worker's own connection, decrypting as it does.
    temporal: new Client({
      connection: options.connection,
      namespace: options.namespace,
      ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    }),
    reconciliation: options.reconciliation ?? reconciliationSettingsFromEnv(),
  });
  const activityInterceptors: ActivityInterceptorsFactory[] = [googleErrorMetricsInterceptor];
  let sinks: WorkerOptions['sinks'];
  if (tracing) {
    // Loaded only when tracing is on: OpenTelemetry adds hundreds of modules to the start-up.
    const otel = await import('@temporalio/interceptors-opentelemetry');
    activityInterceptors.push((ctx) => ({
      inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
      outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
    }));
    sinks = { exporter: otel.makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  }
  const workflowBundle = options.workflowBundle ?? (await buildWorkflowBundle(tracing ? 'tracing' : 'plain'));
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: TASK_QUEUE,
    activities,
    workflowBundle,
    interceptors: { activity: activityInterceptors },
    ...(sinks ? { sinks } : {}),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(config.deployment ? { workerDeploymentOptions: deploymentOptions(config.deployment) } : {}),
    // Only the transfer heartbeats: a cancel reaches it within a second or two, so it stops between subscriptions.
    maxHeartbeatThrottleInterval: '1 second',
    ...workerTuning(options.tuning),
  });
  return { worker, close: async () => mailer.close() };
}
