/**
 * Finding (issue 19): `npm start` ignored its own security settings — its codec server answered
 * /decode without CODEC_SERVER_ACCESS_TOKEN, and its worker ran plaintext orders with
 * ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS=true, both documented in .env.example. The settings it
 * builds from a .env file are checked here, and the codec server they configure really refuses a
 * caller without the token. (The whole stack takes fixed ports shared by everyone on this machine.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import pino from 'pino';
import { startCodecServer, type CodecServer } from '../../encryption/codec-server';
import { localSecuritySettings } from '../../scripts/local-stack';
import { FIXTURE_KEYS } from '../support/fixture-keys';

const TOKEN = 'local-stack-token-0123456789';
let dir: string;
let codec: CodecServer | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
});
afterAll(async () => {
  await codec?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The .env file as npm start reads it (dotenv syntax, Node's own parser). */
function envFrom(file: string): NodeJS.ProcessEnv {
  return { ONBOARDING_MODE: 'local', ...parseEnv(readFileSync(file, 'utf8')) };
}

test('the .env settings reach the codec server and the worker of npm start', async () => {
  const file = join(dir, '.env');
  writeFileSync(file, `CODEC_SERVER_ACCESS_TOKEN=${TOKEN}\nONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS=true\n`);
  const settings = localSecuritySettings(envFrom(file));
  expect(settings.worker).toMatchObject({ requireEncrypted: true, refuseUndecryptable: true });
  expect(settings.codec).toEqual({ accessToken: TOKEN });

  codec = await startCodecServer({
    ...settings.codec,
    host: '127.0.0.1',
    port: 0,
    keys: FIXTURE_KEYS,
    corsOrigins: [],
    logger: pino({ level: 'silent' }),
  });
  const decode = (headers: Record<string, string>) =>
    fetch(`${codec!.url}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ payloads: [] }),
    });
  expect((await decode({})).status).toBe(401);
  expect((await decode({ Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
});

test('without them, npm start stays the local default (no token, plaintext accepted)', () => {
  expect(localSecuritySettings({ ONBOARDING_MODE: 'local' })).toMatchObject({
    codec: {},
    worker: { requireEncrypted: false },
  });
});
