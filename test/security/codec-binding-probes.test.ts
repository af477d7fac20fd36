/**
 * Security review of release 0.4: the codec's binding rules (encryption/codec.ts) probed directly,
 * as an attacker who can rewrite payload metadata but holds no key.
 */
import type { Payload, SerializationContext } from '@temporalio/common';
import { AesGcmPayloadCodec, WORKFLOW_ID_METADATA_KEY, NAMESPACE_METADATA_KEY } from '../../encryption/codec';
import { isRefusedPlaintext } from '../../encryption/plaintext-refusal';
import { FIXTURE_KEYS } from '../support/fixture-keys';

const plain: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"reportedBy":"x"}') };
const ctx = (workflowId: string, namespace = 'default') =>
  ({ type: 'workflow', namespace, workflowId }) as SerializationContext;
const worker = new AesGcmPayloadCodec(FIXTURE_KEYS, {
  requireEncrypted: true,
  refuseUndecryptable: true,
  acceptUnbound: false,
});
const json = (p: Payload) => JSON.parse(Buffer.from(p.data!).toString()) as unknown;

async function bound(workflowId: string, namespace = 'default') {
  return (await worker.encode([plain], ctx(workflowId, namespace)))[0]!;
}

test('rewriting or removing the workflow-id metadata is refused (tag check)', async () => {
  const p = await bound('onboarding:x.com');
  const rewritten = { ...p, metadata: { ...p.metadata, [WORKFLOW_ID_METADATA_KEY]: Buffer.from('onboarding:y.com') } };
  const { [WORKFLOW_ID_METADATA_KEY]: _w, [NAMESPACE_METADATA_KEY]: _n, ...rest } = p.metadata!;
  const removed = { ...p, metadata: rest };
  for (const payload of [rewritten, removed]) {
    expect(isRefusedPlaintext(json((await worker.decode([payload], ctx('onboarding:y.com')))[0]!))).toBe(true);
    // Even the transition setting (acceptUnbound) cannot make the stripped form decrypt: the AAD is missing.
    const lenient = new AesGcmPayloadCodec(FIXTURE_KEYS, { refuseUndecryptable: true, acceptUnbound: true });
    expect(isRefusedPlaintext(json((await lenient.decode([payload], ctx('onboarding:y.com')))[0]!))).toBe(true);
  }
});

test('another namespace is refused', async () => {
  const p = await bound('onboarding:x.com', 'other-ns');
  expect(isRefusedPlaintext(json((await worker.decode([p], ctx('onboarding:x.com')))[0]!))).toBe(true);
});

test('schedule suffix: x.com ciphertext DOES decrypt in an attacker-named onboarding:x.com-<time> (accepted by design)', async () => {
  const p = await bound('onboarding:x.com');
  const out = (await worker.decode([p], ctx('onboarding:x.com-2026-01-01T00:00:00Z')))[0]!;
  expect(json(out)).toEqual({ reportedBy: 'x' });
  // ...but not the other way round, nor with another suffix shape.
  const q = await bound('onboarding:x.com-2026-01-01T00:00:00Z');
  expect(isRefusedPlaintext(json((await worker.decode([q], ctx('onboarding:x.com')))[0]!))).toBe(true);
  expect(isRefusedPlaintext(json((await worker.decode([p], ctx('onboarding:x.com-evil')))[0]!))).toBe(true);
});

test('without a context (a reader out of context) a payload bound elsewhere, or unbound, decrypts', async () => {
  const p = await bound('onboarding:x.com');
  expect(json((await worker.decode([p]))[0]!)).toEqual({ reportedBy: 'x' });
  const unbound = worker.encrypt(plain);
  // acceptUnbound:false is enforced only where the SDK gives a context.
  expect(json((await worker.decode([unbound]))[0]!)).toEqual({ reportedBy: 'x' });
  expect(isRefusedPlaintext(json((await worker.decode([unbound], ctx('onboarding:x.com')))[0]!))).toBe(true);
});
