/**
 * Findings 1 and 4 of issue 19, at the codec: a ciphertext is bound to the workflow it was written
 * for (AES-GCM associated data from the SDK's serialization context), so copied into another
 * workflow it does not decrypt; and on the worker, a payload that cannot be decrypted (forged,
 * unknown key, bad tag, truncated, bound elsewhere) becomes the refusal sentinel, counted, instead
 * of an error that would fail every workflow task. Both fail on the 0.3 codec, which ignored the
 * context (the copy decrypted anywhere) and threw on every undecryptable payload.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload, type SerializationContext } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA_KEY,
  type PayloadRefusal,
} from '../../encryption/codec';
import { isRefusedPlaintext } from '../../encryption/plaintext-refusal';

const key = { id: 'k1', key: randomBytes(32) };
const order = () => defaultPayloadConverter.toPayload({ customerDomain: 'a.example', secret: 'alex-94043' });
const forWorkflow = (workflowId: string, namespace = 'default'): SerializationContext => ({
  type: 'workflow',
  namespace,
  workflowId,
});
const value = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);

describe('ciphertext bound to its workflow', () => {
  const client = new AesGcmPayloadCodec([key]);

  test('decrypts for its own workflow, and for an activity of it', async () => {
    const [sealed] = await client.encode([order()], forWorkflow('onboarding:a.example'));
    const [opened] = await client.decode([sealed!], forWorkflow('onboarding:a.example'));
    expect(value(opened!)).toMatchObject({ customerDomain: 'a.example' });
    const activity: SerializationContext = {
      type: 'activity',
      namespace: 'default',
      workflowId: 'onboarding:a.example',
      activityId: '1',
      isLocal: false,
    };
    expect(value((await client.decode([sealed!], activity))[0]!)).toMatchObject({ customerDomain: 'a.example' });
  });

  test('copied into another workflow (or namespace) it does not decrypt', async () => {
    const [sealed] = await client.encode([order()], forWorkflow('onboarding:a.example'));
    await expect(client.decode([sealed!], forWorkflow('onboarding:b.example'))).rejects.toThrow(/another workflow/);
    await expect(client.decode([sealed!], forWorkflow('onboarding:a.example', 'other'))).rejects.toThrow(
      /another workflow/,
    );
  });

  test('rewriting the binding it names, or removing it, fails the tag check', async () => {
    const [sealed] = await client.encode([order()], forWorkflow('onboarding:a.example'));
    const relabelled = {
      ...sealed!,
      metadata: { ...sealed!.metadata, 'encryption-workflow-id': Buffer.from('onboarding:b.example') },
    };
    await expect(client.decode([relabelled], forWorkflow('onboarding:b.example'))).rejects.toThrow(
      /authentication failed/,
    );
    const { 'encryption-workflow-id': _id, 'encryption-namespace': _ns, ...unbound } = sealed!.metadata!;
    await expect(
      client.decode([{ ...sealed!, metadata: unbound }], forWorkflow('onboarding:a.example')),
    ).rejects.toThrow(/authentication failed/);
  });

  test('a reader without context (codec server, listings) decrypts with the binding it names', async () => {
    const [sealed] = await client.encode([order()], forWorkflow('onboarding:a.example'));
    expect(value((await client.decode([sealed!]))[0]!)).toMatchObject({ customerDomain: 'a.example' });
  });

  test("a schedule's arguments, written for its action id, open in the runs it starts (<id>-<time>)", async () => {
    const [sealed] = await client.encode([order()], forWorkflow('onboarding-reconciliation'));
    const run = forWorkflow('onboarding-reconciliation-2026-12-03T02:00:00Z');
    expect(value((await client.decode([sealed!], run))[0]!)).toMatchObject({ customerDomain: 'a.example' });
    await expect(client.decode([sealed!], forWorkflow('onboarding-reconciliation-now-1'))).rejects.toThrow();
  });

  test('pre-0.4 ciphertext (no binding) decrypts during the transition, and is refused after it', async () => {
    const [old] = await client.encode([order()]); // no context: the 0.3 form
    expect(old!.metadata!['encryption-workflow-id']).toBeUndefined();
    const during = new AesGcmPayloadCodec([key], { refuseUndecryptable: true });
    expect(value((await during.decode([old!], forWorkflow('onboarding:a.example')))[0]!)).toMatchObject({
      customerDomain: 'a.example',
    });
    const after = new AesGcmPayloadCodec([key], { refuseUndecryptable: true, acceptUnbound: false });
    expect(isRefusedPlaintext(value((await after.decode([old!], forWorkflow('onboarding:a.example')))[0]!))).toBe(true);
  });
});

describe('undecryptable payloads on the worker: the refusal sentinel, counted, never an error', () => {
  const refusals: PayloadRefusal[] = [];
  const worker = new AesGcmPayloadCodec([key], { refuseUndecryptable: true, onRefused: (r) => refusals.push(r) });
  const context = forWorkflow('onboarding:a.example');
  const forged = (metadata: Record<string, string>, data: Buffer): Payload => ({
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v)])),
    data,
  });

  test.each([
    ['an unknown key id', forged({ encoding: ENCRYPTED_ENCODING, [KEY_ID_METADATA_KEY]: 'nope' }, randomBytes(64))],
    ['a bad tag', forged({ encoding: ENCRYPTED_ENCODING, [KEY_ID_METADATA_KEY]: 'k1' }, randomBytes(64))],
    ['truncated data', forged({ encoding: ENCRYPTED_ENCODING, [KEY_ID_METADATA_KEY]: 'k1' }, randomBytes(5))],
    ['no key id', forged({ encoding: ENCRYPTED_ENCODING }, randomBytes(64))],
  ])('%s', async (_what, payload) => {
    refusals.length = 0;
    const [decoded] = await worker.decode([payload], context);
    expect(isRefusedPlaintext(value(decoded!))).toBe(true);
    expect(refusals).toEqual([{ reason: 'undecryptable', workflowId: 'onboarding:a.example' }]);
  });

  test('a ciphertext of another workflow: refused as bound elsewhere', async () => {
    refusals.length = 0;
    const [sealed] = await worker.encode([order()], forWorkflow('onboarding:b.example'));
    const [decoded] = await worker.decode([sealed!], context);
    expect(value(decoded!)).toEqual({ __onboardingRefusedPlaintext: true, reason: 'bound-elsewhere' });
    expect(refusals).toEqual([{ reason: 'bound-elsewhere', workflowId: 'onboarding:a.example' }]);
  });

  test('a client (no refuseUndecryptable) still gets a clear error naming no key id', async () => {
    const payload = forged({ encoding: ENCRYPTED_ENCODING, [KEY_ID_METADATA_KEY]: 'secret-id' }, randomBytes(64));
    const error = await new AesGcmPayloadCodec([key]).decode([payload], context).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/key id is not configured/);
    expect((error as Error).message).not.toContain('secret-id');
  });
});
