/**
 * Encryption keys from configuration, shared by the worker, the client, the codec server and the
 * tests so they can never disagree on how keys are read.
 *
 * - ONBOARDING_ENCRYPTION_KEYS="<id>:<base64 key>,<id>:<base64 key>"  (first one encrypts)
 * - ONBOARDING_ENCRYPTION_KEY_FILE=/path/keys.json  with {"keys":[{"id":"...","key":"<base64>"}]}
 * - neither: .local/encryption-keys.json in the repository, created with a fresh key on first use,
 *   so a local run works without setup (and its payloads are still encrypted).
 *
 * Error messages name the variable or file and the rule broken, never the key material.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { parseBase64 } from './base64';
import { AesGcmPayloadCodec, type EncryptionKey } from './codec';
import { ConfigError } from '../client/config-error';

export type { EncryptionKey } from './codec';

export const KEYS_VARIABLE = 'ONBOARDING_ENCRYPTION_KEYS';
export const KEY_FILE_VARIABLE = 'ONBOARDING_ENCRYPTION_KEY_FILE';
/** Encrypted failure messages too: client, worker and workflow bundle all load it from here. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');
export const DEFAULT_KEY_FILE = path.resolve(__dirname, '..', '.local', 'encryption-keys.json');

const KEY_BYTES = 32;
// Ids travel in payload metadata and error messages: keep them plain.
const KEY_ID = /^[A-Za-z0-9._-]+$/;

const KeyFile = z.object({ keys: z.array(z.object({ id: z.string(), key: z.string() })) });

interface KeyEntry {
  id: string;
  key: string;
}

/** Validates entries in order; `source` tells the operator where to fix them. */
function toKeys(source: string, entries: readonly KeyEntry[]): EncryptionKey[] {
  if (entries.length === 0) throw new ConfigError(`${source}: no keys configured; at least one is needed`);
  const seen = new Set<string>();
  return entries.map(({ id, key }, index) => {
    // The id is not echoed: a swapped "<key>:<id>" would otherwise print the key.
    if (!KEY_ID.test(id)) {
      throw new ConfigError(`${source}: key #${index + 1} has an invalid id; use letters, digits, ".", "_" or "-"`);
    }
    if (seen.has(id)) throw new ConfigError(`${source}: duplicate key id "${id}"; every key needs its own id`);
    seen.add(id);
    const bytes = parseBase64(key);
    if (!bytes) throw new ConfigError(`${source}: key "${id}" is not valid base64`);
    if (bytes.length !== KEY_BYTES) {
      throw new ConfigError(
        `${source}: key "${id}" must be ${KEY_BYTES} bytes (AES-256) once base64-decoded, got ${bytes.length}; ` +
          'generate one with `openssl rand -base64 32`',
      );
    }
    return { id, key: bytes };
  });
}

function parseKeyList(value: string): KeyEntry[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new ConfigError(`${KEYS_VARIABLE}: entry #${index + 1} is not of the form "<id>:<base64 key>"`);
    return { id: entry.slice(0, colon).trim(), key: entry.slice(colon + 1).trim() };
  });
}

function readKeyFile(source: string, file: string): EncryptionKey[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${source}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text, which holds the keys.
    throw new ConfigError(`${source}: ${file} is not valid JSON`);
  }
  const parsed = KeyFile.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`${source}: ${file} must have the shape {"keys":[{"id":"...","key":"<base64>"}]}`);
  }
  return toKeys(`${source} (${file})`, parsed.data.keys);
}

/** Creates the local key file atomically, so concurrent first starts (worker + client) agree on one key. */
function createLocalKeyFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const id = `local-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  const content = `${JSON.stringify({ keys: [{ id, key: randomBytes(KEY_BYTES).toString('base64') }] }, null, 2)}\n`;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * The configured keys, the encrypting one first. `defaultKeyFile` is where the local key lives
 * when nothing is configured (tests point it at a temporary folder).
 */
export function loadEncryptionKeys(
  env: NodeJS.ProcessEnv = process.env,
  defaultKeyFile: string = DEFAULT_KEY_FILE,
): EncryptionKey[] {
  const list = env[KEYS_VARIABLE];
  const file = env[KEY_FILE_VARIABLE];
  if (list && file) throw new ConfigError(`set either ${KEYS_VARIABLE} or ${KEY_FILE_VARIABLE}, not both`);
  if (list) return toKeys(KEYS_VARIABLE, parseKeyList(list));
  if (file) return readKeyFile(KEY_FILE_VARIABLE, file);
  if (!existsSync(defaultKeyFile)) createLocalKeyFile(defaultKeyFile);
  return readKeyFile('local encryption key file', defaultKeyFile);
}

/** The data converter for every Temporal Client and Worker of this project. */
export function createDataConverter(
  env: NodeJS.ProcessEnv = process.env,
  defaultKeyFile: string = DEFAULT_KEY_FILE,
): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(loadEncryptionKeys(env, defaultKeyFile))],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
