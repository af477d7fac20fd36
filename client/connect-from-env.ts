/**
 * The client as the CLI and scripts build it: mode check (config/mode.ts), Temporal settings,
 * encryption keys, order policy and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, tracing that follows
 * each call into the workflow and its activities.
 *
 * Production mode (the default when ONBOARDING_MODE is unset) refuses to connect without
 * TEMPORAL_ADDRESS and ONBOARDING_ENCRYPTION_KEYS, and never creates a key file; local mode warns.
 */
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { checkStartupMode, localKeyConvenience } from '../config/mode';
import { temporalSettingsFromEnv } from '../config/temporal';
import { startTracing, tracingFromEnv } from '../config/tracing';
import { createDataConverter } from '../encryption/keys';
import { orderPolicyFromEnv } from '../order/policy-env';
import { OnboardingClient } from './onboarding-client';

export async function connectFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { warn?: (line: string) => void; connectTimeoutMs?: number } = {},
): Promise<OnboardingClient & { close(): Promise<void> }> {
  const { warning } = checkStartupMode('The onboarding client', env, {
    temporal: true,
    conveniences: [`Temporal at ${env.TEMPORAL_ADDRESS || 'localhost:7233'} unless configured`, localKeyConvenience(env)],
  });
  if (warning) (options.warn ?? ((line: string) => process.stderr.write(`${line}\n`)))(warning);
  const temporal = temporalSettingsFromEnv(env);
  const policy = orderPolicyFromEnv(env);
  const dataConverter = createDataConverter(env);
  const tracingSettings = tracingFromEnv(env, 'workspace-onboarding-client');
  const tracing = tracingSettings ? startTracing(tracingSettings) : undefined;
  const connection = await Connection.connect({ connectTimeout: options.connectTimeoutMs ?? 5000, ...(temporal.connectionOptions as ConnectionOptions) });
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    dataConverter,
    ...(tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
  });
  return Object.assign(new OnboardingClient(client, policy), {
    close: async () => {
      await connection.close();
      await tracing?.shutdown();
    },
  });
}
