/** Builds the onboarding worker; used by the worker process and, with the same code, by the tests. */
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createGoogleClients } from '../activities/google-clients';
import { createSmtpMailer, type Mailer } from '../activities/mailer';
import { reconciliationSettingsFromEnv, type ReconciliationSettings } from '../activities/reconciliation-settings';
import type { Tracing } from '../config/tracing';
import { TASK_QUEUE } from '../workflows/messages';
import type { WorkerConfig } from './config';
import { googleErrorMetricsInterceptor } from './google-error-metrics';
import { buildWorkflowBundle } from './workflow-bundle';

export interface OnboardingWorker {
  worker: Worker;
  /** Closes what the worker opened (SMTP pool); call after `worker.run()` returns. */
  close(): Promise<void>;
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
  tuning?: Partial<Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'shutdownGraceTime' | 'identity'>>;
}): Promise<OnboardingWorker> {
  const { config, tracing } = options;
  const mailer: Mailer = createSmtpMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
  const activities = createActivities({
    google: createGoogleClients(config.google),
    mailer,
    policy: { allowedCountries: config.allowedCountries, ...(config.minCheckEveryMs ? { minCheckEveryMs: config.minCheckEveryMs } : {}) },
    mail: { resellerName: config.resellerName, salesNotifyEmail: config.salesNotifyEmail, salesEmailDomains: config.salesEmailDomains ?? [] },
    waits: config.waits,
    // The reconciliation reads ended onboardings over the worker's own connection, decrypting as it does.
    temporal: new Client({ connection: options.connection, namespace: options.namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) }),
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
    shutdownGraceTime: '10 seconds',
    // Only the transfer heartbeats: a cancel reaches it within a second or two, so it stops between subscriptions.
    maxHeartbeatThrottleInterval: '1 second',
    ...options.tuning,
  });
  return { worker, close: async () => mailer.close() };
}
