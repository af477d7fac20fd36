/**
 * The client as the CLI and scripts build it: mode check (config/mode.ts), Temporal settings,
 * encryption keys, order policy and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, tracing that follows
 * each call into the workflow and its activities.
 *
 * Production mode (the default when ONBOARDING_MODE is unset) refuses to connect without
 * TEMPORAL_ADDRESS and ONBOARDING_ENCRYPTION_KEYS, and never creates a key file; local mode warns.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { checkStartupMode, localKeyConvenience } from '../config/mode';
import { localKeyFile } from '../config/local-state';
import { temporalSettingsFromEnv } from '../config/temporal';
import { startTracing } from '../config/tracing';
import { tracingFromEnv } from '../config/tracing-settings';
import { createDataConverter } from '../encryption/keys';
import { orderPolicyFromEnv } from '../order/policy-env';
import { OnboardingClient } from './onboarding-client';

export async function connectFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { warn?: (line: string) => void; connectTimeoutMs?: number } = {},
): Promise<OnboardingClient & { close(): Promise<void> }> {
  const { warning } = checkStartupMode('The onboarding client', env, {
    temporal: true,
    conveniences: [
      `Temporal at ${env.TEMPORAL_ADDRESS || 'localhost:7233'} unless configured`,
      localKeyConvenience(env),
    ],
  });
  if (warning) (options.warn ?? ((line: string) => process.stderr.write(`${line}\n`)))(warning);
  const temporal = temporalSettingsFromEnv(env);
  const policy = orderPolicyFromEnv(env);
  const dataConverter = createDataConverter(env, localKeyFile());
  const tracingSettings = tracingFromEnv(env, 'workspace-onboarding-client');
  // OpenTelemetry is loaded only when tracing is on.
  const tracing = tracingSettings ? await startTracing(tracingSettings) : undefined;
  const interceptors = tracing
    ? {
        workflow: [
          new (await import('@temporalio/interceptors-opentelemetry')).OpenTelemetryWorkflowClientInterceptor(),
        ],
      }
    : undefined;
  const connection = await Connection.connect({
    connectTimeout: options.connectTimeoutMs ?? 5000,
    ...(temporal.connectionOptions as ConnectionOptions),
  });
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    dataConverter,
    ...(interceptors ? { interceptors } : {}),
  });
  return Object.assign(new OnboardingClient(client, policy), {
    close: async () => {
      await connection.close();
      await tracing?.shutdown();
    },
  });
}
