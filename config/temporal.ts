/**
 * Temporal connection settings, read the way the Temporal ecosystem does (@temporalio/envconfig):
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, or a TOML profile
 * (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE). Shared by worker, client and CLI.
 * Local mode: localhost:7233 and namespace `default` when nothing says otherwise.
 * Production mode: the address must be configured (see config/mode.ts); the namespace defaults to
 * `default`, as in every Temporal tool.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

export const LOCAL_TEMPORAL_ADDRESS = 'localhost:7233';

export interface TemporalSettings {
  connectionOptions: NativeConnectionOptions;
  namespace: string;
}

function loadConfig(env: NodeJS.ProcessEnv) {
  return loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
}

/** The address the environment or a TOML profile names, if any. */
export function configuredTemporalAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return loadConfig(env).connectionOptions.address || undefined;
}

export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const config = loadConfig(env);
  return {
    connectionOptions: { address: LOCAL_TEMPORAL_ADDRESS, ...config.connectionOptions },
    namespace: config.namespace ?? 'default',
  };
}
