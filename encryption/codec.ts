/**
 * AES-256-GCM payload codec: every payload the client or worker sends to Temporal is encrypted,
 * so order data (names, addresses, e-mails) never rests in the Temporal server in clear text.
 *
 * The whole serialized Payload (metadata included) is encrypted, so not even the original
 * encoding leaks. An encrypted payload looks like:
 *
 *   metadata: { encoding: "binary/encrypted", encryption-key-id: "<key id>",
 *               encryption-namespace: "<namespace>", encryption-workflow-id: "<workflow id>" }
 *   data:     iv (12 bytes) || ciphertext || GCM auth tag (16 bytes)
 *
 * Bound to its workflow (release 0.4, docs/security.md): the SDK hands the codec a serialization
 * context naming the workflow a payload belongs to (an activity's payloads belong to the workflow
 * that scheduled it). The namespace and workflow id are the GCM associated data, so a ciphertext
 * copied into another workflow's start, signal or update fails its tag check there. They are also
 * written in clear in the metadata, so that readers without a context (the codec server, a listing)
 * can still decrypt what they are shown. Where a context is given, the context decides, never the
 * metadata. Payloads written before 0.4 carry no binding: accepted while `acceptUnbound` (the
 * transition), refused after.
 *
 * Key rotation: the first key encrypts, every configured key decrypts (chosen by the key id in
 * the metadata), so old histories stay readable after a new key is put first.
 *
 * `requireEncrypted` (the worker with ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS=true): a payload that
 * is not encrypted is not passed through but replaced by the sentinel of plaintext-refusal.ts, so
 * input from someone without the key never reaches workflow code as data.
 *
 * `refuseUndecryptable` (every worker): a payload that claims to be encrypted but cannot be
 * decrypted here (unknown key id, bad tag, truncated, bound elsewhere) becomes the same sentinel
 * instead of an error: an error would fail every workflow task of the run it was sent to, so one
 * forged signal would stall the onboarding. `onRefused` counts and logs it (never its bytes).
 *
 * Error messages never list the configured key ids nor quote payload bytes: they may reach callers
 * (the codec server, failure messages).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { REFUSED_PLAINTEXT_MARKER, type RefusalReason } from './plaintext-refusal';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';
export const NAMESPACE_METADATA_KEY = 'encryption-namespace';
export const WORKFLOW_ID_METADATA_KEY = 'encryption-workflow-id';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Versions the associated data, so that a later binding can never be mistaken for this one. */
const BINDING_LABEL = 'customer-onboarding/payload-binding/v1';
/**
 * A Temporal Schedule encodes its action's arguments for the action's workflow id, then starts each
 * run as `<that id>-<scheduled time>` (e.g. the reconciliation's schedule).
 */
const SCHEDULED_RUN_SUFFIX = /^-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const ProtoPayload = temporal.api.common.v1.Payload;

export interface CodecOptions {
  /** Replace payloads that are not encrypted by the refusal sentinel instead of passing them through. */
  requireEncrypted?: boolean;
  /** Replace payloads that claim encryption but cannot be decrypted here by the sentinel instead of throwing. */
  refuseUndecryptable?: boolean;
  /** Decrypt pre-0.4 payloads that carry no workflow binding (default true: the 0.4 transition). */
  acceptUnbound?: boolean;
  /** Told of every payload replaced by the sentinel (for a metric and a log line). */
  onRefused?: (refusal: PayloadRefusal) => void;
}

/** What `onRefused` hears: why, and for which workflow (never the payload). */
export interface PayloadRefusal {
  reason: RefusalReason;
  workflowId?: string;
}

export interface EncryptionKey {
  /** Stored in every payload it encrypts; must stay stable for as long as those payloads live. */
  id: string;
  /** 32 bytes of key material. */
  key: Uint8Array;
}

/** The workflow a payload is bound to. */
interface Binding {
  namespace: string;
  workflowId: string;
}

/** Thrown inside the codec only: turned into the sentinel, or into a plain Error for a caller. */
class Undecryptable extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

function utf8(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}

function bindingOfContext(context: SerializationContext | undefined): Binding | undefined {
  const workflowId = context?.workflowId;
  return context && workflowId ? { namespace: context.namespace, workflowId } : undefined;
}

function bindingOfMetadata(payload: Payload): Binding | undefined {
  const workflowId = utf8(payload.metadata?.[WORKFLOW_ID_METADATA_KEY]);
  if (workflowId === undefined) return undefined;
  return { namespace: utf8(payload.metadata?.[NAMESPACE_METADATA_KEY]) ?? '', workflowId };
}

function associatedData({ namespace, workflowId }: Binding): Buffer {
  // Length-prefixed, so no two different bindings give the same bytes.
  const parts = [BINDING_LABEL, namespace, workflowId].map((part) => Buffer.from(part, 'utf8'));
  return Buffer.concat(parts.flatMap((part) => [Buffer.from(`${part.length}:`), part]));
}

/** The payload's claimed binding is this context's workflow, or the schedule that starts it. */
function sameWorkflow(claimed: Binding, context: Binding): boolean {
  if (claimed.namespace !== context.namespace) return false;
  if (claimed.workflowId === context.workflowId) return true;
  return (
    context.workflowId.startsWith(claimed.workflowId) &&
    SCHEDULED_RUN_SUFFIX.test(context.workflowId.slice(claimed.workflowId.length))
  );
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly encryptWith: { id: string; key: Buffer };
  private readonly keysById = new Map<string, Buffer>();
  private readonly options: CodecOptions;

  constructor(keys: readonly EncryptionKey[], options: CodecOptions = {}) {
    this.options = options;
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

  /** This codec refuses unencrypted payloads (a worker with ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS=true). */
  get requiresEncryption(): boolean {
    return this.options.requireEncrypted === true;
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const binding = bindingOfContext(context);
    return payloads.map((payload) => this.encrypt(payload, binding));
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const binding = bindingOfContext(context);
    return payloads.map((payload) => this.decodeOne(payload, binding));
  }

  /** Encrypts for `binding` (the workflow the payload belongs to); without one, unbound (pre-0.4 form). */
  encrypt(payload: Payload, binding?: Binding): Payload {
    const { id, key } = this.encryptWith;
    const plaintext = ProtoPayload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    if (binding) cipher.setAAD(associatedData(binding));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        encoding: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA_KEY]: Buffer.from(id),
        ...(binding
          ? {
              [NAMESPACE_METADATA_KEY]: Buffer.from(binding.namespace),
              [WORKFLOW_ID_METADATA_KEY]: Buffer.from(binding.workflowId),
            }
          : {}),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decodeOne(payload: Payload, context: Binding | undefined): Payload {
    if (utf8(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) {
      return this.options.requireEncrypted ? this.refuse('plaintext', context) : payload;
    }
    try {
      return this.decrypt(payload, context);
    } catch (err) {
      if (!(err instanceof Undecryptable) || !this.options.refuseUndecryptable) throw plainError(err);
      return this.refuse(err.reason, context);
    }
  }

  private refuse(reason: RefusalReason, context: Binding | undefined): Payload {
    this.options.onRefused?.({ reason, ...(context ? { workflowId: context.workflowId } : {}) });
    return refusedPayload(reason);
  }

  /**
   * Decrypts one payload. `context`: the workflow the payload is being read for (the worker, the
   * client); absent for readers shown payloads out of context (codec server, listings), which then
   * trust the binding the payload names.
   */
  decrypt(payload: Payload, context?: Binding): Payload {
    const id = utf8(payload.metadata?.[KEY_ID_METADATA_KEY]);
    if (id === undefined)
      throw new Undecryptable('undecryptable', `encrypted payload has no ${KEY_ID_METADATA_KEY} metadata`);
    const key = this.keysById.get(id);
    // Neither the id it carries (input) nor the configured ids are named: this may reach a caller.
    if (!key)
      throw new Undecryptable('undecryptable', 'cannot decrypt payload: its encryption key id is not configured here');

    const claimed = bindingOfMetadata(payload);
    if (claimed && context && !sameWorkflow(claimed, context))
      throw new Undecryptable('bound-elsewhere', 'cannot decrypt payload: it was encrypted for another workflow');
    if (!claimed && context && this.options.acceptUnbound === false)
      throw new Undecryptable('unbound', 'cannot decrypt payload: it is bound to no workflow (written before 0.4)');

    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new Undecryptable('undecryptable', 'cannot decrypt payload: data too short');
    const iv = data.subarray(0, IV_BYTES);
    const ciphertext = data.subarray(IV_BYTES, data.length - TAG_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, key, iv);
    decipher.setAuthTag(tag);
    // The claimed binding is authenticated: altering the metadata fails the tag check like altering the data.
    if (claimed) decipher.setAAD(associatedData(claimed));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      // GCM's tag check fails alike for a wrong key and for altered bytes; node's message says neither.
      throw new Undecryptable(
        'undecryptable',
        'cannot decrypt payload: authentication failed (wrong key or altered data)',
      );
    }
    try {
      return ProtoPayload.decode(plaintext);
    } catch {
      throw new Undecryptable('undecryptable', 'cannot decrypt payload: its content is not a payload');
    }
  }
}

/** Whether a data converter's codecs refuse unencrypted payloads (what the workflow is told at validation). */
export function codecRequiresEncryption(converter: { payloadCodecs?: PayloadCodec[] } | undefined): boolean {
  return (converter?.payloadCodecs ?? []).some(
    (codec) => codec instanceof AesGcmPayloadCodec && codec.requiresEncryption,
  );
}

/** The sentinel as a `json/plain` payload (the default payload converter's format), with why it was refused. */
function refusedPayload(reason: RefusalReason): Payload {
  return {
    metadata: { encoding: Buffer.from('json/plain') },
    data: Buffer.from(
      JSON.stringify({ [REFUSED_PLAINTEXT_MARKER]: true, ...(reason === 'plaintext' ? {} : { reason }) }),
    ),
  };
}

/** The caller sees a plain Error (as before 0.4), never the codec's internal class. */
function plainError(err: unknown): Error {
  return err instanceof Undecryptable ? new Error(err.message) : (err as Error);
}
