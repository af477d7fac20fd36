/**
 * `npm run emulator`: the Google API emulator and SMTP sink as a standalone process.
 * EMULATOR_HOST (127.0.0.1), EMULATOR_HTTP_PORT (8090), EMULATOR_SMTP_PORT (2525), EMULATOR_LOG_LEVEL (warn).
 * A non-loopback EMULATOR_HOST is refused unless EMULATOR_ALLOW_NON_LOOPBACK=true: the control
 * endpoints are unauthenticated and /_emulator/mail shows the passwords mailed to customers.
 */
import { startEmulator } from './server';
import { loadEnvFile } from '../config/env-file';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number, got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  loadEnvFile();
  const emulator = await startEmulator({
    host: process.env.EMULATOR_HOST || '127.0.0.1',
    httpPort: port('EMULATOR_HTTP_PORT', 8090),
    smtpPort: port('EMULATOR_SMTP_PORT', 2525),
  });
  console.log(`Google API emulator: ${emulator.url} (control: ${emulator.url}/_emulator/state)`);
  console.log(`SMTP sink: smtp://${emulator.host}:${emulator.smtpPort} (mail: ${emulator.url}/_emulator/mail)`);

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    // A second signal while closing means "now".
    if (closing) process.exit(1);
    closing = true;
    console.log(`${signal}: shutting down`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error('Emulator failed to start:', error);
  process.exit(1);
});
