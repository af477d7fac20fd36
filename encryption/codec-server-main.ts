/**
 * `npm run codec-server`: the codec server for the Web UI and the temporal CLI, with the same keys
 * as the worker (see keys.ts). Settings: codec-server-config.ts and .env.example (CODEC_SERVER_*).
 */
import { pino } from 'pino';
import { startCodecServer } from './codec-server';
import { codecServerOptionsFromEnv } from './codec-server-config';
import { loadEncryptionKeys } from './keys';
import { loadEnvFile } from '../config/env-file';
import { localKeyFile } from '../config/local-state';
import { checkStartupMode, localKeyConvenience } from '../config/mode';

const logger = pino({ name: 'codec-server' });

async function main(): Promise<void> {
  loadEnvFile();
  // Production (the default) refuses to start without configured keys: never a generated one.
  const { warning } = checkStartupMode('The codec server', process.env, {
    temporal: false,
    conveniences: [localKeyConvenience(process.env)],
  });
  if (warning) logger.warn({ mode: 'local' }, warning);
  const options = codecServerOptionsFromEnv(process.env);
  const keys = loadEncryptionKeys(process.env, localKeyFile(), { warn: (message) => logger.warn(message) });
  const server = await startCodecServer({ ...options, keys, logger });
  const staticToken = options.accessToken !== undefined;
  logger.info(
    {
      url: server.url,
      corsOrigins: options.corsOrigins,
      keys: keys.length,
      auth: [...(staticToken ? ['static-token'] : []), ...(options.oidc ? ['oidc'] : [])],
    },
    `codec server ready: Web UI \`temporal server start-dev --ui-codec-endpoint ${server.url}\`, ` +
      `CLI \`temporal workflow show --codec-endpoint ${server.url}${staticToken ? ' --codec-auth "Bearer <token>"' : ''}\``,
  );

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      void server.close();
    });
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'codec server failed to start');
  process.exitCode = 1;
});
