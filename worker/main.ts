/**
 * The worker process. `npm run worker` runs it compiled (dist/worker/main.js) with the workflow
 * bundle prebuilt by `npm run build`; `npm run dev:worker` runs it from source (tsx), bundling at
 * start. It polls the `customer-onboarding` task queue and runs the onboarding workflow and its
 * activities. SIGINT/SIGTERM drain it gracefully (Temporal's runtime stops polling, lets running
 * activities finish within the grace time, then exits).
 *
 * Observability: structured logs (pino) through Temporal's runtime logger; Prometheus metrics on
 * METRICS_BIND_ADDRESS (temporal_* from the runtime, onboarding_* from the interceptors); traces to
 * OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import { DefaultLogger, NativeConnection, Runtime, type WorkerOptions } from '@temporalio/worker';
import { getHeapStatistics } from 'node:v8';
import pino from 'pino';
import { ConfigError } from '../config/config-error';
import { loadEnvFile } from '../config/env-file';
import { localKeyFile } from '../config/local-state';
import { applyModeDefaults, type OnboardingMode } from '../config/mode';
import { startTracing } from '../config/tracing';
import { acceptUnboundFromEnv, createDataConverter } from '../encryption/keys';
import { payloadRefusalReporter } from './payload-refusals';
import { runtimeLogFunction } from './runtime-log';
import { loadWorkerConfig, type WorkerConfig } from './config';
import { createOnboardingWorker } from './create-worker';
import { prebuiltBundlePath, type BundleVariant } from './workflow-bundle';

/** As glibc saw it when the process started: a value loaded later from a .env file never reaches malloc. */
const MALLOC_ARENA_MAX_AT_START = process.env.MALLOC_ARENA_MAX;

const DAY_SECONDS = 86_400;
/** onboarding_customer_wait_seconds spans minutes to the 30-day deadline. */
const CUSTOMER_WAIT_BUCKETS = [
  60,
  600,
  3600,
  6 * 3600,
  DAY_SECONDS,
  3 * DAY_SECONDS,
  7 * DAY_SECONDS,
  14 * DAY_SECONDS,
  30 * DAY_SECONDS,
];

function installRuntime(config: WorkerConfig, logger: pino.Logger): void {
  Runtime.install({
    // Route the SDK's logs (workflow `log`, activity `log`, core) through one structured logger.
    // Personal data (e-mails in failure messages and stacks) is scrubbed before it is logged.
    logger: new DefaultLogger(config.logLevel.toUpperCase() as 'INFO', runtimeLogFunction(logger)),
    ...(config.metricsBindAddress
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: config.metricsBindAddress,
                histogramBucketOverrides: { onboarding_customer_wait_seconds: CUSTOMER_WAIT_BUCKETS },
              },
            },
          },
        }
      : {}),
  });
}

/** The prebuilt bundle; from source in local mode, none (the worker bundles at start). */
function workflowBundleFor(variant: BundleVariant, mode: OnboardingMode): WorkerOptions['workflowBundle'] {
  const codePath = prebuiltBundlePath(variant);
  if (codePath) return { codePath };
  if (mode === 'local' && __filename.endsWith('.ts')) return undefined;
  throw new ConfigError(
    `no prebuilt workflow bundle (${variant}): run \`npm run build\` first, or set WORKFLOW_BUNDLE_PATH`,
  );
}

async function main(): Promise<void> {
  const since = (t: number) => Math.round(process.uptime() * 1000 - t);
  const loadedMs = Math.round(process.uptime() * 1000); // Node start + loading the modules
  loadEnvFile();
  const config = loadWorkerConfig();
  applyModeDefaults(process.env, config.mode);
  const logger = pino({ level: config.logLevel, base: { component: 'worker' } });
  if (config.localModeWarning) logger.warn({ mode: 'local' }, config.localModeWarning);
  const variant: BundleVariant = config.tracing ? 'tracing' : 'plain';
  const workflowBundle = workflowBundleFor(variant, config.mode);
  installRuntime(config, logger);
  // OpenTelemetry is loaded only when tracing is on (it would add to every start-up).
  const tracing = config.tracing ? await startTracing(config.tracing) : undefined;
  const connectStart = process.uptime() * 1000;
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  const connectMs = since(connectStart);
  const createStart = process.uptime() * 1000;
  const { worker, close } = await createOnboardingWorker({
    config,
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(process.env, localKeyFile(), {
      requireEncrypted: config.requireEncryptedPayloads ?? false,
      refuseUndecryptable: true,
      acceptUnbound: acceptUnboundFromEnv(),
      onRefused: payloadRefusalReporter(logger),
    }),
    ...(workflowBundle ? { workflowBundle } : {}),
    ...(tracing ? { tracing } : {}),
    tuning: { maxCachedWorkflows: config.maxCachedWorkflows },
  });
  logger.info(
    {
      mode: config.mode,
      address: config.temporal.connectionOptions.address,
      namespace: config.temporal.namespace,
      google: config.google.rootUrl ?? 'google',
      workflowBundle: workflowBundle && 'codePath' in workflowBundle ? workflowBundle.codePath : 'built at start',
      maxCachedWorkflows: config.maxCachedWorkflows,
      // Each isolate's limit (NODE_OPTIONS, config.ts WORKER_NODE_OPTIONS).
      heapLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      // glibc's arenas (config.ts WORKER_MALLOC_ARENA_MAX); "default" when the runner did not set it.
      mallocArenaMax: MALLOC_ARENA_MAX_AT_START ?? 'default',
      metrics: config.metricsBindAddress ?? 'off',
      tracing: config.tracing ? 'on' : 'off',
      versioning: config.deployment
        ? `${config.deployment.deploymentName}:${config.deployment.buildId} (${config.deployment.defaultVersioningBehavior})`
        : 'unversioned',
      startupMs: Math.round(process.uptime() * 1000),
      startup: { loadedMs, connectMs, createWorkerMs: since(createStart) },
    },
    'worker started',
  );
  try {
    await worker.run();
  } finally {
    await close();
    await connection.close();
    await tracing?.shutdown();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${err instanceof ConfigError ? 'Configuration error' : 'Worker failed'}: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(err instanceof ConfigError ? 2 : 1);
});
