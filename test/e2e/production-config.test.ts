/**
 * ONBOARDING_MODE: production (also when unset) never falls back to a local convenience; local says
 * so. The compiled processes (worker, codec server, CLI) are run as an operator runs them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectFromEnv } from '../../client/connect-from-env';
import { ConfigError } from '../../config/config-error';
import { applyModeDefaults, onboardingMode, requireEncryptedPayloads } from '../../config/mode';
import {
  DEFAULT_MAX_CACHED_WORKFLOWS,
  WORKER_MALLOC_ARENA_MAX,
  WORKER_NODE_OPTIONS,
  loadWorkerConfig,
  smtpTlsProblem,
  workerProductionProblems,
} from '../../worker/config';
import { CompiledWorker, ensureBuilt, REPO_ROOT } from '../support/compiled-worker';
import { startDevServer } from '../support/onboarding-stack';
import { fixtureKeysVariable } from '../support/worker-process';

const FOUR = ['GOOGLE_SERVICE_ACCOUNT_KEY_FILE', 'GOOGLE_IMPERSONATE_ADMIN', 'ONBOARDING_ENCRYPTION_KEYS', 'SMTP_URL'];
const KEY_FILES = [
  path.join(REPO_ROOT, '.local', 'encryption-keys.json'),
  path.join(REPO_ROOT, 'dist', '.local', 'encryption-keys.json'),
];
const keyFileState = () => KEY_FILES.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 'absent'));

let workdir: string;
beforeAll(() => {
  ensureBuilt();
  workdir = mkdtempSync(path.join(tmpdir(), 'onboarding-prod-'));
}, 240_000);
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

function runCompiled(script: string, env: Record<string, string>, args: string[] = []) {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', script), ...args], {
    cwd: workdir,
    env: { PATH: process.env.PATH ?? '', HOME: workdir, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the compiled worker', () => {
  test.each([
    ['ONBOARDING_MODE=production', { ONBOARDING_MODE: 'production' }],
    ['ONBOARDING_MODE unset', {}],
  ])(
    '%s with nothing configured exits non-zero naming every missing setting, and creates no key file',
    (_name, env) => {
      const before = keyFileState();
      const { status, output } = runCompiled('worker/main.js', env);
      expect(status).not.toBe(0);
      for (const variable of [
        ...FOUR,
        'TEMPORAL_ADDRESS',
        'MAIL_FROM',
        'SALES_NOTIFY_EMAIL',
        'RESELLER_NAME',
        'RESELLER_PUBLIC_ID',
      ])
        expect(output).toContain(variable);
      expect(output).not.toMatch(/worker started/);
      expect(keyFileState()).toEqual(before);
      expect(readdirSync(workdir)).toEqual([]);
    },
  );

  test('names a plain-text SMTP server and the emulator backend without printing any value', () => {
    const { status, output } = runCompiled('worker/main.js', {
      ONBOARDING_MODE: 'production',
      SMTP_URL: 'smtp://mailer:hunter2-secret@mail.internal:25',
      GOOGLE_BACKEND: 'emulator',
      GOOGLE_IMPERSONATE_ADMIN: 'admin@reseller.test',
    });
    expect(status).not.toBe(0);
    expect(output).toMatch(/SMTP_URL: must use TLS/);
    expect(output).toMatch(/GOOGLE_BACKEND: must be "google"/);
    expect(output).not.toContain('GOOGLE_IMPERSONATE_ADMIN:');
    expect(output).not.toMatch(/hunter2|mail\.internal|admin@reseller\.test/);
  });

  describe('in production mode with everything configured', () => {
    let env: TestWorkflowEnvironment;
    let worker: CompiledWorker | undefined;
    beforeAll(async () => {
      env = await startDevServer();
    }, 120_000);
    afterAll(async () => {
      await worker?.stop();
      await env?.teardown();
    });

    test('starts on the prebuilt bundle, against Google, with no warning about local mode', async () => {
      const keyFile = path.join(workdir, 'service-account.json');
      writeFileSync(
        keyFile,
        JSON.stringify({
          type: 'service_account',
          client_email: 'sa@project.iam.gserviceaccount.com',
          private_key: 'unused',
        }),
      );
      const before = keyFileState();
      worker = CompiledWorker.spawn(
        {
          ONBOARDING_MODE: 'production',
          TEMPORAL_ADDRESS: env.address,
          GOOGLE_SERVICE_ACCOUNT_KEY_FILE: keyFile,
          GOOGLE_IMPERSONATE_ADMIN: 'admin@reseller.test',
          ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
          SMTP_URL: 'smtp://mailer:secret@127.0.0.1:1?requireTLS=true',
          MAIL_FROM: 'Onboarding <onboarding@reseller.test>',
          SALES_NOTIFY_EMAIL: 'sales@reseller.test',
          RESELLER_NAME: 'Reseller Test',
          RESELLER_PUBLIC_ID: 'reseller-test-public-id',
        },
        workdir,
      );
      const started = await worker.waitForLog('worker started');
      expect(started).toMatchObject({
        mode: 'production',
        google: 'google',
        maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
        mallocArenaMax: WORKER_MALLOC_ARENA_MAX,
      });
      // Capped heaps (WORKER_NODE_OPTIONS: old space + 3 semi-spaces of young generation), not V8's machine-sized default.
      const flag = (name: string) => Number(new RegExp(`--${name}=(\\d+)`).exec(WORKER_NODE_OPTIONS)?.[1]);
      expect(started.heapLimitMiB).toBe(flag('max-old-space-size') + 3 * flag('max-semi-space-size'));
      expect(String(started.workflowBundle)).toBe(path.join(REPO_ROOT, 'dist', 'workflow-bundle.js'));
      expect(worker.output.join('\n')).not.toMatch(/LOCAL MODE|secret/);
      expect(keyFileState()).toEqual(before);
      expect(await worker.stop('SIGTERM')).toBe(0);
    });
  });
});

test('the compiled codec server and CLI refuse production without keys, naming them', () => {
  const before = keyFileState();
  const codec = runCompiled('encryption/codec-server-main.js', {
    ONBOARDING_MODE: 'production',
    CODEC_SERVER_PORT: '0',
  });
  expect(codec.status).not.toBe(0);
  expect(codec.output).toContain('ONBOARDING_ENCRYPTION_KEYS');
  const cli = runCompiled('client/cli.js', {}, ['status', 'example.com']);
  expect(cli.status).toBe(2);
  expect(cli.output).toMatch(
    /TEMPORAL_ADDRESS[\s\S]*ONBOARDING_ENCRYPTION_KEYS|ONBOARDING_ENCRYPTION_KEYS[\s\S]*TEMPORAL_ADDRESS/,
  );
  expect(keyFileState()).toEqual(before);
});

test('the client library refuses production without Temporal address and keys', async () => {
  await expect(connectFromEnv({ ONBOARDING_MODE: 'production' })).rejects.toThrow(ConfigError);
  await expect(connectFromEnv({})).rejects.toThrow(/TEMPORAL_ADDRESS[\s\S]*ONBOARDING_ENCRYPTION_KEYS/);
});

describe('mode rules', () => {
  test('unset is production; anything but local or production is refused', () => {
    expect(onboardingMode({})).toBe('production');
    expect(onboardingMode({ ONBOARDING_MODE: 'local' })).toBe('local');
    expect(() => onboardingMode({ ONBOARDING_MODE: 'dev' })).toThrow(/must be "local" or "production"/);
  });

  test('encrypted payloads are required by default in production only; an explicit value wins', () => {
    expect(requireEncryptedPayloads({ ONBOARDING_MODE: 'production' })).toBe(true);
    expect(requireEncryptedPayloads({})).toBe(true);
    expect(requireEncryptedPayloads({ ONBOARDING_MODE: 'local' })).toBe(false);
    expect(
      requireEncryptedPayloads({ ONBOARDING_MODE: 'production', ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: 'false' }),
    ).toBe(false);
    expect(applyModeDefaults({}, 'production').ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS).toBe('true');
    expect(applyModeDefaults({}, 'local').ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS).toBe('false');
  });

  test('SMTP needs TLS: smtps://, or STARTTLS required, with the certificate checked', () => {
    expect(smtpTlsProblem('smtps://u:p@smtp.example.com:465')).toBeUndefined();
    expect(smtpTlsProblem('smtp://u:p@smtp.example.com:587?requireTLS=true')).toBeUndefined();
    expect(smtpTlsProblem('smtp://u:p@smtp.example.com:587')).toMatch(/must use TLS/);
    expect(smtpTlsProblem('smtp://smtp.example.com:587?requireTLS=true&ignoreTLS=true')).toMatch(/must use TLS/);
    expect(smtpTlsProblem('smtps://smtp.example.com?tls.rejectUnauthorized=false')).toMatch(/certificate/);
  });

  test('production with everything set has no problem and never points at the emulator', () => {
    const env = {
      ONBOARDING_MODE: 'production',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      GOOGLE_SERVICE_ACCOUNT_KEY_FILE: '/secrets/sa.json',
      GOOGLE_IMPERSONATE_ADMIN: 'admin@reseller.test',
      ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
      SMTP_URL: 'smtps://u:p@smtp.example.com:465',
      MAIL_FROM: 'Onboarding <onboarding@reseller.test>',
      SALES_NOTIFY_EMAIL: 'sales@reseller.test',
      RESELLER_NAME: 'Reseller Test',
      RESELLER_PUBLIC_ID: 'reseller-test-public-id',
    };
    expect(workerProductionProblems(env)).toEqual([]);
    const config = loadWorkerConfig(env);
    expect(config.google).toMatchObject({ auth: { kind: 'service-account' }, rootUrl: undefined });
    expect(config.localModeWarning).toBeUndefined();
  });

  test('local mode keeps the conveniences and says so', () => {
    const config = loadWorkerConfig({ ONBOARDING_MODE: 'local' });
    expect(config.google.rootUrl).toBe('http://127.0.0.1:8090');
    expect(config.smtpUrl).toBe('smtp://127.0.0.1:2525');
    expect(config.localModeWarning).toMatch(
      /LOCAL MODE[\s\S]*emulator[\s\S]*SMTP sink[\s\S]*\.local\/encryption-keys\.json/,
    );
  });
});
