/**
 * The embedded default (`npm start`): a Temporal dev server (SQLite state in .local/, Web UI on
 * :8233, search attributes registered, payloads decoded through the codec server), the Google
 * emulator with its SMTP sink, the codec server and the worker — all on this machine.
 * `startLocalStack()` is also used by the demo.
 *
 * Its security settings are the documented ones (issue 19), read from the environment and `.env`:
 * CODEC_SERVER_ACCESS_TOKEN / CODEC_SERVER_OIDC_* protect its codec server's /decode (the Web UI of
 * the dev server then needs OIDC to show payloads), and ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS makes
 * its worker refuse unencrypted input, exactly as `npm run codec-server` and `npm run worker` do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { startCodecServer } from '../encryption/codec-server';
import { codecServerOptionsFromEnv } from '../encryption/codec-server-config';
import { acceptUnboundFromEnv, createDataConverter, loadEncryptionKeys } from '../encryption/keys';
import { startEmulator } from '../emulator/server';
import { loadWorkerConfig } from '../worker/config';
import { createOnboardingWorker } from '../worker/create-worker';
import { SEARCH_ATTRIBUTES } from '../workflows/messages';
import { provisionTemporal } from './provision-temporal';
import { loadEnvFile } from '../config/env-file';
import { MODE_VARIABLE, requireEncryptedPayloads } from '../config/mode';

export const LOCAL = {
  temporalPort: 7233,
  uiPort: 8233,
  emulatorPort: 8090,
  smtpPort: 2525,
  codecPort: 8888,
  dbFile: path.resolve(__dirname, '..', '.local', 'temporal.sqlite'),
} as const;

export interface LocalStack {
  temporalAddress: string;
  webUiUrl: string;
  emulatorUrl: string;
  codecServerUrl: string;
  stop(): Promise<void>;
}

async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function waitForTemporal(address: string, server: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${server.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal dev server not ready after ${timeoutMs / 1000}s: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function startDevServer(cli: string, codecServerUrl: string): ChildProcess {
  mkdirSync(path.dirname(LOCAL.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    LOCAL.dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(LOCAL.temporalPort),
    '--ui-port',
    String(LOCAL.uiPort),
    '--ui-codec-endpoint',
    codecServerUrl,
    '--log-level',
    'error',
  ];
  for (const attribute of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${attribute.name}=Keyword`);
  const server = spawn(cli, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return server;
}

/** The security settings `npm start` takes from the environment (and .env): the codec server's callers, the worker's input. */
export function localSecuritySettings(env: NodeJS.ProcessEnv = process.env) {
  const { accessToken, oidc } = codecServerOptionsFromEnv(env);
  return {
    codec: { ...(accessToken ? { accessToken } : {}), ...(oidc ? { oidc } : {}) },
    worker: {
      requireEncrypted: requireEncryptedPayloads(env),
      refuseUndecryptable: true,
      acceptUnbound: acceptUnboundFromEnv(env),
    },
  };
}

export async function startLocalStack(options: { log?: (line: string) => void } = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  // Everything here is local by definition (emulator, SMTP sink, dev server): so is every part's mode.
  process.env[MODE_VARIABLE] = 'local';
  const busy = [];
  for (const port of [LOCAL.temporalPort, LOCAL.uiPort, LOCAL.emulatorPort, LOCAL.smtpPort, LOCAL.codecPort]) {
    if (await portInUse(port)) busy.push(port);
  }
  if (busy.length) throw new Error(`port(s) ${busy.join(', ')} already in use: is \`npm start\` already running?`);

  const { cli } = provisionTemporal();
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const keys = loadEncryptionKeys();
    const security = localSecuritySettings();
    const codec = await startCodecServer({
      ...security.codec,
      host: '127.0.0.1',
      port: LOCAL.codecPort,
      keys,
      corsOrigins: [`http://localhost:${LOCAL.uiPort}`, `http://127.0.0.1:${LOCAL.uiPort}`],
      logger: pino({ level: 'warn', name: 'codec-server' }),
    });
    stops.push(() => codec.close());

    const server = startDevServer(cli, codec.url);
    stops.push(async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    });
    const temporalAddress = `127.0.0.1:${LOCAL.temporalPort}`;
    log(`Temporal dev server starting (state: ${path.relative(process.cwd(), LOCAL.dbFile)}) ...`);

    const emulator = await startEmulator({ host: '127.0.0.1', httpPort: LOCAL.emulatorPort, smtpPort: LOCAL.smtpPort });
    stops.push(() => emulator.close());
    await waitForTemporal(temporalAddress, server);

    // The worker runs in this process; its configuration defaults already point at the emulator.
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] }); // this script owns Ctrl-C
    const config = loadWorkerConfig({ ...process.env, TEMPORAL_ADDRESS: temporalAddress });
    if (config.localModeWarning) log(config.localModeWarning);
    const connection = await NativeConnection.connect({ address: temporalAddress });
    const { worker, close } = await createOnboardingWorker({
      config,
      connection,
      namespace: 'default',
      dataConverter: createDataConverter(process.env, undefined, security.worker),
      tuning: { maxCachedWorkflows: config.maxCachedWorkflows },
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
      await close();
      await connection.close();
    });
    return {
      temporalAddress,
      webUiUrl: `http://localhost:${LOCAL.uiPort}`,
      emulatorUrl: emulator.url,
      codecServerUrl: codec.url,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

if (require.main === module) {
  loadEnvFile();
  startLocalStack({ log: (line) => console.log(line) })
    .then((stack) => {
      console.log(
        [
          '',
          'Local onboarding stack is up:',
          `  Temporal          ${stack.temporalAddress}  (namespace default, task queue customer-onboarding)`,
          `  Web UI            ${stack.webUiUrl}  (payloads decoded by the codec server)`,
          `  Google emulator   ${stack.emulatorUrl}  (state: ${stack.emulatorUrl}/_emulator/state, mail: ${stack.emulatorUrl}/_emulator/mail)`,
          `  SMTP sink         smtp://127.0.0.1:${LOCAL.smtpPort}`,
          `  Codec server      ${stack.codecServerUrl}`,
          '',
          'Try:  npm run cli -- start examples/order.json   then   npm run cli -- status example.com',
          'Ctrl-C stops everything.',
        ].join('\n'),
      );
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        console.log('\nStopping ...');
        void stack.stop().then(() => process.exit(0));
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    })
    .catch((err: unknown) => {
      console.error(`Cannot start the local stack: ${(err as Error).message}`);
      process.exit(1);
    });
}
