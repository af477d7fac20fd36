/**
 * The worker process (`npm run worker`): polls the `customer-onboarding` task queue and runs the
 * onboarding workflow and its activities. SIGINT/SIGTERM drain it gracefully (Temporal's runtime
 * stops polling, lets running activities finish within the grace time, then exits).
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { createDataConverter } from '../encryption/keys';
import { ConfigError } from '../client/config-error';
import { loadWorkerConfig } from './config';
import { createOnboardingWorker } from './create-worker';
import { loadEnvFile } from '../client/env-file';

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadWorkerConfig();
  const logger = pino({ level: config.logLevel, base: { component: 'worker' } });
  // Route the SDK's logs (workflow `log`, activity `log`, core) through one structured logger.
  Runtime.install({
    logger: new DefaultLogger(config.logLevel.toUpperCase() as 'INFO', ({ level, message, meta }) => {
      logger[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'info')]({ ...meta }, message);
    }),
  });
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  const { worker, close } = await createOnboardingWorker({
    config,
    connection,
    namespace: config.temporal.namespace,
    dataConverter: createDataConverter(process.env, undefined, { requireEncrypted: config.requireEncryptedPayloads ?? false }),
    tuning: { maxCachedWorkflows: config.maxCachedWorkflows },
  });
  logger.info(
    { address: config.temporal.connectionOptions.address, namespace: config.temporal.namespace, google: config.google.rootUrl ?? 'google' },
    'worker started',
  );
  try {
    await worker.run();
  } finally {
    await close();
    await connection.close();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? 'Configuration error' : 'Worker failed'}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
