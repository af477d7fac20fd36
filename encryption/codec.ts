/**
 * AES-256-GCM payload codec: every payload the client or worker sends to Temporal is encrypted,
 * so order data (names, addresses, e-mails) never rests in the Temporal server in clear text.
 *
 * The whole serialized Payload (metadata included) is encrypted, so not even the original
 * encoding leaks. An encrypted payload looks like:
 *
 *   metadata: { encoding: "binary/encrypted", encryption-key-id: "<key id>" }
 *   data:     iv (12 bytes) || ciphertext || GCM auth tag (16 bytes)
 *
 * Key rotation: the first key encrypts, every configured key decrypts (chosen by the key id in
 * the metadata), so old histories stay readable after a new key is put first.
 *
 * `requireEncrypted` (the worker with ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS=true): a payload that
 * is not encrypted is not passed through but replaced by the sentinel of plaintext-refusal.ts, so
 * input from someone without the key never reaches workflow code as data.
 *
 * Error messages never list the configured key ids nor quote payload bytes: they may reach callers
 * (the codec server, failure messages).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { REFUSED_PLAINTEXT } from './plaintext-refusal';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const ProtoPayload = temporal.api.common.v1.Payload;

/** The sentinel as a `json/plain` payload, built once (the default payload converter's format). */
function refusedPlaintextPayload(): Payload {
  return {
    metadata: { encoding: Buffer.from('json/plain') },
    data: Buffer.from(JSON.stringify(REFUSED_PLAINTEXT)),
  };
}

export interface CodecOptions {
  /** Replace payloads that are not encrypted by the refusal sentinel instead of passing them through. */
  requireEncrypted?: boolean;
}

export interface EncryptionKey {
  /** Stored in every payload it encrypts; must stay stable for as long as those payloads live. */
  id: string;
  /** 32 bytes of key material. */
  key: Uint8Array;
}

function utf8(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly encryptWith: { id: string; key: Buffer };
  private readonly keysById = new Map<string, Buffer>();

  private readonly requireEncrypted: boolean;

  constructor(keys: readonly EncryptionKey[], options: CodecOptions = {}) {
    this.requireEncrypted = options.requireEncrypted ?? false;
    if (keys.length === 0) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const [index, { id, key }] of keys.entries()) {
      if (!id) throw new Error(`encryption key #${index + 1} has an empty id`);
      if (this.keysById.has(id)) throw new Error(`encryption key #${index + 1} has a duplicate id`);
      if (key.length !== KEY_BYTES) {
        throw new Error(`encryption key #${index + 1} must be ${KEY_BYTES} bytes (AES-256), got ${key.length}`);
      }
      // A private copy: later changes to the caller's buffer must not change the key.
      this.keysById.set(id, Buffer.from(key));
    }
    const first = keys[0]!;
    this.encryptWith = { id: first.id, key: this.keysById.get(first.id)! };
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.encryptWith;
    const plaintext = ProtoPayload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA_KEY]: Buffer.from(id),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    if (utf8(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) {
      return this.requireEncrypted ? refusedPlaintextPayload() : payload;
    }

    const id = utf8(payload.metadata?.[KEY_ID_METADATA_KEY]);
    if (id === undefined) throw new Error(`encrypted payload has no ${KEY_ID_METADATA_KEY} metadata`);
    const key = this.keysById.get(id);
    // Neither the id it carries (input) nor the configured ids are named: this may reach a caller.
    if (!key) throw new Error('cannot decrypt payload: its encryption key id is not configured here');

    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new Error('cannot decrypt payload: data too short');
    const iv = data.subarray(0, IV_BYTES);
    const ciphertext = data.subarray(IV_BYTES, data.length - TAG_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, key, iv);
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      // GCM's tag check fails alike for a wrong key and for altered bytes; node's message says neither.
      throw new Error('cannot decrypt payload: authentication failed (wrong key or altered data)');
    }
    return ProtoPayload.decode(plaintext);
  }
}
