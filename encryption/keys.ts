/**
 * Encryption keys from configuration, shared by the worker, the client, the codec server and the
 * tests so they can never disagree on how keys are read.
 *
 * - ONBOARDING_ENCRYPTION_KEYS="<id>:<base64 key>,<id>:<base64 key>"  (first one encrypts)
 * - ONBOARDING_ENCRYPTION_KEY_FILE=/path/keys.json  with {"keys":[{"id":"...","key":"<base64>"}]}
 * - neither: .local/encryption-keys.json in the repository, created with a fresh key on first use,
 *   so a local run works without setup (and its payloads are still encrypted).
 *
 * The local key file is created exclusively and without following links (O_CREAT|O_EXCL|O_NOFOLLOW),
 * mode 0600, in a folder of mode 0700, and is only ever read as a regular file of ours: a link
 * planted in its place is refused, never followed. A configured key file may be a link (Kubernetes
 * mounts secrets so); it is refused when others may write it and reported when others may read it.
 *
 * Error messages name the variable or file and the rule broken, never the key material.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import { parseBase64 } from './base64';
import { AesGcmPayloadCodec, type CodecOptions, type EncryptionKey } from './codec';
import { ConfigError } from '../config/config-error';

export type { EncryptionKey } from './codec';

export const KEYS_VARIABLE = 'ONBOARDING_ENCRYPTION_KEYS';
export const KEY_FILE_VARIABLE = 'ONBOARDING_ENCRYPTION_KEY_FILE';
/** Worker only: refuse (replace by a sentinel) payloads that arrive unencrypted. See plaintext-refusal.ts. */
export const REQUIRE_ENCRYPTED_VARIABLE = 'ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS';
/**
 * Worker only, release 0.4's transition: decrypt payloads written before 0.4 (bound to no workflow).
 * `true` (default) until no run started before 0.4 is open; then `false` (docs/security.md).
 */
export const ACCEPT_UNBOUND_VARIABLE = 'ONBOARDING_ACCEPT_UNBOUND_PAYLOADS';
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
    if (colon < 0)
      throw new ConfigError(`${KEYS_VARIABLE}: entry #${index + 1} is not of the form "<id>:<base64 key>"`);
    return { id: entry.slice(0, colon).trim(), key: entry.slice(colon + 1).trim() };
  });
}

export interface KeyLoadOptions {
  /** Where permission warnings go (default: a Node process warning, printed on stderr). */
  warn?: (message: string) => void;
}

const defaultWarn = (message: string) => process.emitWarning(message, { code: 'ONBOARDING_KEY_FILE_PERMISSIONS' });
const fileError = (source: string, file: string, err: unknown) =>
  new ConfigError(`${source}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unknown error'}`);

function parseKeyFile(source: string, file: string, text: string): EncryptionKey[] {
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

/** A configured key file: others must not be able to change it, and should not be able to read it. */
function checkConfiguredFile(source: string, file: string, stats: Stats, warn: (message: string) => void): void {
  if (!stats.isFile()) throw new ConfigError(`${source}: ${file} is not a regular file`);
  const mode = stats.mode & 0o777;
  if (mode & 0o022) {
    throw new ConfigError(
      `${source}: ${file} is writable by group or others (mode ${mode.toString(8)}): anyone could replace the keys; chmod 600 it`,
    );
  }
  if (mode & 0o044) warn(`${source}: ${file} is readable by group or others (mode ${mode.toString(8)}); chmod 600 it`);
}

function readConfiguredKeyFile(source: string, file: string, warn: (message: string) => void): EncryptionKey[] {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY);
  } catch (err) {
    throw fileError(source, file, err);
  }
  try {
    checkConfiguredFile(source, file, fstatSync(fd), warn);
    return parseKeyFile(source, file, readFileSync(fd, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

/** The local key file: ours, a regular file (never a link), mode 0600. */
function readLocalKeyFile(source: string, file: string): EncryptionKey[] {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new ConfigError(`${source}: ${file} is a symbolic link; refusing to follow it (remove it and restart)`);
    }
    throw fileError(source, file, err);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ConfigError(`${source}: ${file} is not a regular file`);
    if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) {
      throw new ConfigError(`${source}: ${file} belongs to another user; refusing to use it`);
    }
    if (stats.mode & 0o077) {
      throw new ConfigError(
        `${source}: ${file} is accessible by group or others (mode ${(stats.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    return parseKeyFile(source, file, readFileSync(fd, 'utf8'));
  } finally {
    closeSync(fd);
  }
}

/** The key folder: created 0700; an existing one must be a real folder of ours, and is made 0700. */
function prepareKeyFolder(source: string, folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stats = lstatSync(folder);
  if (!stats.isDirectory())
    throw new ConfigError(`${source}: ${folder} is not a folder (a symbolic link?); refusing to keep a key there`);
  if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) {
    throw new ConfigError(`${source}: ${folder} belongs to another user; refusing to keep a key there`);
  }
  if (stats.mode & 0o077) chmodSync(folder, 0o700);
}

/**
 * Creates the local key file atomically, so concurrent first starts (worker + client) agree on one
 * key: a private temporary file (exclusive, no-follow, 0600) hard-linked into place. link() never
 * follows a link at its destination: a planted one makes it fail with EEXIST, and the read refuses it.
 */
function createLocalKeyFile(source: string, file: string): void {
  prepareKeyFolder(source, path.dirname(file));
  const id = `local-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  const content = `${JSON.stringify({ keys: [{ id, key: randomBytes(KEY_BYTES).toString('base64') }] }, null, 2)}\n`;
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
  } catch (err) {
    // Another process created it first (or something sits there): the read decides.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
}

function exists(file: string): boolean {
  try {
    lstatSync(file); // a dangling link exists too
    return true;
  } catch {
    return false;
  }
}

/**
 * The configured keys, the encrypting one first. `defaultKeyFile` is where the local key lives
 * when nothing is configured (tests point it at a temporary folder).
 */
export function loadEncryptionKeys(
  env: NodeJS.ProcessEnv = process.env,
  defaultKeyFile: string = DEFAULT_KEY_FILE,
  options: KeyLoadOptions = {},
): EncryptionKey[] {
  const list = env[KEYS_VARIABLE];
  const file = env[KEY_FILE_VARIABLE];
  if (list && file) throw new ConfigError(`set either ${KEYS_VARIABLE} or ${KEY_FILE_VARIABLE}, not both`);
  if (list) return toKeys(KEYS_VARIABLE, parseKeyList(list));
  if (file) return readConfiguredKeyFile(KEY_FILE_VARIABLE, file, options.warn ?? defaultWarn);
  const source = 'local encryption key file';
  if (!exists(defaultKeyFile)) createLocalKeyFile(source, defaultKeyFile);
  return readLocalKeyFile(source, defaultKeyFile);
}

/** ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: `true` or `false` (unset: `fallback`). */
export function requireEncryptedFromEnv(env: NodeJS.ProcessEnv = process.env, fallback = false): boolean {
  const value = env[REQUIRE_ENCRYPTED_VARIABLE]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${REQUIRE_ENCRYPTED_VARIABLE}: must be "true" or "false"`);
}

/** ONBOARDING_ACCEPT_UNBOUND_PAYLOADS: `true` (default) or `false`. */
export function acceptUnboundFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[ACCEPT_UNBOUND_VARIABLE]?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`${ACCEPT_UNBOUND_VARIABLE}: must be "true" or "false"`);
}

/**
 * The data converter for every Temporal Client and Worker of this project. Only a worker sets
 * `requireEncrypted` (a client must still read what others wrote in plain, e.g. query results of old runs),
 * `refuseUndecryptable`, `acceptUnbound` and `onRefused` (encryption/codec.ts).
 */
export function createDataConverter(
  env: NodeJS.ProcessEnv = process.env,
  defaultKeyFile: string = DEFAULT_KEY_FILE,
  options: KeyLoadOptions & CodecOptions = {},
): DataConverter {
  const { requireEncrypted, refuseUndecryptable, acceptUnbound, onRefused, ...keyOptions } = options;
  const codecOptions = { requireEncrypted, refuseUndecryptable, acceptUnbound, onRefused };
  return {
    payloadCodecs: [new AesGcmPayloadCodec(loadEncryptionKeys(env, defaultKeyFile, keyOptions), codecOptions)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
