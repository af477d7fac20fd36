/**
 * `npm run codec-server`: the codec server for the Web UI and the temporal CLI, with the same keys
 * as the worker (see keys.ts).
 *
 * CODEC_SERVER_PORT (8888), CODEC_SERVER_HOST (127.0.0.1), CODEC_SERVER_CORS_ORIGINS (the dev
 * Web UI: http://localhost:8233,http://127.0.0.1:8233), CODEC_SERVER_ACCESS_TOKEN (optional).
 */
import { pino } from 'pino';
import { startCodecServer } from './codec-server';
import { loadEncryptionKeys } from './keys';
import { loadEnvFile } from '../config/env-file';
import { localKeyFile } from '../config/local-state';
import { checkStartupMode, localKeyConvenience } from '../config/mode';

const DEFAULT_CORS_ORIGINS = 'http://localhost:8233,http://127.0.0.1:8233';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const logger = pino({ name: 'codec-server' });

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new Error(`CODEC_SERVER_PORT must be a port number (0-65535), got "${value}"`);
  }
  return port;
}

async function main(): Promise<void> {
  loadEnvFile();
  const env = process.env;
  // Production (the default) refuses to start without configured keys: never a generated one.
  const { warning } = checkStartupMode('The codec server', env, { temporal: false, conveniences: [localKeyConvenience(env)] });
  if (warning) logger.warn({ mode: 'local' }, warning);
  const port = parsePort(env.CODEC_SERVER_PORT || '8888');
  const host = env.CODEC_SERVER_HOST || '127.0.0.1';
  const corsOrigins = (env.CODEC_SERVER_CORS_ORIGINS ?? DEFAULT_CORS_ORIGINS)
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  const accessToken = env.CODEC_SERVER_ACCESS_TOKEN || undefined;
  const keys = loadEncryptionKeys(env, localKeyFile());

  if (!accessToken && !LOOPBACK_HOSTS.has(host)) {
    logger.warn({ host }, 'listening beyond loopback without CODEC_SERVER_ACCESS_TOKEN: anyone who reaches it can decrypt');
  }
  const server = await startCodecServer({ port, host, keys, accessToken, corsOrigins, logger });
  logger.info(
    { url: server.url, corsOrigins, keyIds: keys.map((key) => key.id), tokenRequired: accessToken !== undefined },
    `codec server ready: Web UI \`temporal server start-dev --ui-codec-endpoint ${server.url}\`, ` +
      `CLI \`temporal workflow show --codec-endpoint ${server.url}${accessToken ? ' --codec-auth "Bearer <token>"' : ''}\``,
  );

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      void server.close();
    });
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'codec server failed to start');
  process.exitCode = 1;
});
