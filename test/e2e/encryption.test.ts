import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { pino } from 'pino';
import { AesGcmPayloadCodec, type EncryptionKey } from '../../encryption/codec';
import { startCodecServer, type CodecServer } from '../../encryption/codec-server';
import { createDataConverter, loadEncryptionKeys, requireEncryptedFromEnv } from '../../encryption/keys';
import { isRefusedPlaintext, REFUSED_PLAINTEXT } from '../../encryption/plaintext-refusal';

const SECRET = 'alex.cruz-secret-postal-94043';

const newKey = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const orderPayload = () => defaultPayloadConverter.toPayload({ contactName: 'Alex Cruz', note: SECRET });
const keyList = (...keys: EncryptionKey[]) =>
  keys.map(({ id, key }) => `${id}:${Buffer.from(key).toString('base64')}`).join(',');

function expectNoKeyMaterial(message: string, ...keys: EncryptionKey[]): void {
  for (const { key } of keys) {
    expect(message).not.toContain(Buffer.from(key).toString('base64'));
    expect(message).not.toContain(Buffer.from(key).toString('hex'));
  }
}

describe('AesGcmPayloadCodec', () => {
  const k1 = newKey('k1');
  const k2 = newKey('k2');

  it('round-trips payloads and hides their encoding, with a fresh IV each time', async () => {
    const codec = new AesGcmPayloadCodec([k1]);
    const original = orderPayload();
    const [encrypted, again] = await codec.encode([original, original]);

    expect(text(encrypted!.metadata?.encoding)).toBe('binary/encrypted');
    expect(text(encrypted!.metadata?.['encryption-key-id'])).toBe('k1');
    expect(Object.keys(encrypted!.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(Buffer.from(encrypted!.data!).equals(Buffer.from(again!.data!))).toBe(false);

    const [decoded] = await codec.decode([encrypted!]);
    expect(text(decoded!.metadata?.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ contactName: 'Alex Cruz', note: SECRET });
  });

  it('encrypts with the first key and still decrypts with older ones (rotation)', async () => {
    const before = new AesGcmPayloadCodec([k1]);
    const after = new AesGcmPayloadCodec([k2, k1]);
    const [old] = await before.encode([orderPayload()]);
    const [fresh] = await after.encode([orderPayload()]);

    expect(text(fresh!.metadata?.['encryption-key-id'])).toBe('k2');
    const decoded = await after.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      { contactName: 'Alex Cruz', note: SECRET },
      { contactName: 'Alex Cruz', note: SECRET },
    ]);
  });

  it('refuses an unknown key id without naming it, the configured ids or key material', async () => {
    const [encrypted] = await new AesGcmPayloadCodec([k2]).encode([orderPayload()]);
    const error = await new AesGcmPayloadCodec([k1]).decode([encrypted!]).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).toBe('cannot decrypt payload: its encryption key id is not configured here');
    expect(error!.message).not.toMatch(/k1|k2/);
    expectNoKeyMaterial(error!.message, k1, k2);
  });

  it('rejects tampered ciphertext and a wrong key with an authentication error', async () => {
    const codec = new AesGcmPayloadCodec([k1]);
    const [encrypted] = await codec.encode([orderPayload()]);
    const tampered = Buffer.from(encrypted!.data!);
    tampered[20] = tampered[20]! ^ 0x01;
    await expect(codec.decode([{ ...encrypted!, data: tampered }])).rejects.toThrow(
      'cannot decrypt payload: authentication failed (wrong key or altered data)',
    );

    const impostor = new AesGcmPayloadCodec([{ id: 'k1', key: randomBytes(32) }]);
    await expect(impostor.decode([encrypted!])).rejects.toThrow(
      'cannot decrypt payload: authentication failed (wrong key or altered data)',
    );
  });

  it('passes payloads that are not encrypted through decode unchanged (client, codec server)', async () => {
    const plain = orderPayload();
    const [decoded] = await new AesGcmPayloadCodec([k1]).decode([plain]);
    expect(decoded).toBe(plain);
  });

  it('with requireEncrypted, replaces unencrypted payloads by the refusal sentinel and still decodes its own', async () => {
    const codec = new AesGcmPayloadCodec([k1], { requireEncrypted: true });
    const [own] = await codec.encode([orderPayload()]);
    const nullPayload = defaultPayloadConverter.toPayload(undefined);
    const decoded = await codec.decode([orderPayload(), own!, nullPayload]);

    const values = decoded.map((p) => defaultPayloadConverter.fromPayload(p));
    expect(values[0]).toEqual(REFUSED_PLAINTEXT);
    expect(isRefusedPlaintext(values[0])).toBe(true);
    expect(Buffer.from(decoded[0]!.data!).includes(SECRET)).toBe(false);
    expect(values[1]).toEqual({ contactName: 'Alex Cruz', note: SECRET });
    expect(isRefusedPlaintext(values[1])).toBe(false);
    expect(isRefusedPlaintext(values[2])).toBe(true);
  });

  it('validates its keys', () => {
    expect(() => new AesGcmPayloadCodec([])).toThrow(/at least one key/);
    expect(() => new AesGcmPayloadCodec([{ id: 'short', key: randomBytes(16) }])).toThrow(
      'encryption key #1 must be 32 bytes (AES-256), got 16',
    );
    expect(() => new AesGcmPayloadCodec([{ id: '', key: randomBytes(32) }])).toThrow(/empty id/);
    expect(() => new AesGcmPayloadCodec([k1, { id: 'k1', key: randomBytes(32) }])).toThrow(
      'encryption key #2 has a duplicate id',
    );
  });
});

describe('isRefusedPlaintext', () => {
  it.each([
    [{ __onboardingRefusedPlaintext: true }, true],
    [{ __onboardingRefusedPlaintext: 'true' }, false],
    [{}, false],
    [null, false],
    [undefined, false],
    ['__onboardingRefusedPlaintext', false],
    [[true], false],
    [{ customerDomain: 'example.com' }, false],
  ])('%j → %s', (value, expected) => {
    expect(isRefusedPlaintext(value)).toBe(expected);
  });
});

describe('loadEncryptionKeys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'onboarding-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const unusedDefault = () => path.join(dir, 'must-not-be-created.json');

  it('parses ONBOARDING_ENCRYPTION_KEYS in order, first key first', () => {
    const a = newKey('2025-06');
    const b = newKey('2024-01');
    const keys = loadEncryptionKeys({ ONBOARDING_ENCRYPTION_KEYS: ` ${keyList(a, b)} ` }, unusedDefault());
    expect(keys.map((k) => k.id)).toEqual(['2025-06', '2024-01']);
    expect(Buffer.from(keys[0]!.key).equals(Buffer.from(a.key))).toBe(true);
    expect(Buffer.from(keys[1]!.key).equals(Buffer.from(b.key))).toBe(true);
    expect(existsSync(unusedDefault())).toBe(false);
  });

  it.each([
    ['bad base64', 'k1:not*base64!', /^ONBOARDING_ENCRYPTION_KEYS: key "k1" is not valid base64$/],
    [
      'a 16-byte key',
      `k1:${randomBytes(16).toString('base64')}`,
      /^ONBOARDING_ENCRYPTION_KEYS: key "k1" must be 32 bytes .* got 16/,
    ],
    ['a duplicate id', keyList(newKey('k1'), newKey('k1')), /^ONBOARDING_ENCRYPTION_KEYS: duplicate key id "k1"/],
    [
      'an entry without id',
      randomBytes(32).toString('base64'),
      /^ONBOARDING_ENCRYPTION_KEYS: entry #1 is not of the form/,
    ],
    ['no entries', ' , ', /^ONBOARDING_ENCRYPTION_KEYS: no keys configured/],
  ])('rejects %s, naming the variable and not echoing the key', (_case, value, message) => {
    let error: Error | undefined;
    try {
      loadEncryptionKeys({ ONBOARDING_ENCRYPTION_KEYS: value }, unusedDefault());
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    const keyPart = value.split(',')[0]!.split(':').pop()!;
    if (keyPart.trim().length > 4) expect(error!.message).not.toContain(keyPart);
  });

  it('reads ONBOARDING_ENCRYPTION_KEY_FILE and reports a malformed one by variable', () => {
    const good = path.join(dir, 'keys.json');
    const key = newKey('file-key');
    writeFileSync(good, JSON.stringify({ keys: [{ id: key.id, key: Buffer.from(key.key).toString('base64') }] }), {
      mode: 0o600,
    });
    const keys = loadEncryptionKeys({ ONBOARDING_ENCRYPTION_KEY_FILE: good }, unusedDefault());
    expect(keys.map((k) => k.id)).toEqual(['file-key']);
    expect(Buffer.from(keys[0]!.key).equals(Buffer.from(key.key))).toBe(true);

    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"keys": [{"id": "x"}]}', { mode: 0o600 });
    expect(() => loadEncryptionKeys({ ONBOARDING_ENCRYPTION_KEY_FILE: bad }, unusedDefault())).toThrow(
      /^ONBOARDING_ENCRYPTION_KEY_FILE: .*bad\.json must have the shape/,
    );
    expect(() =>
      loadEncryptionKeys(
        { ONBOARDING_ENCRYPTION_KEY_FILE: good, ONBOARDING_ENCRYPTION_KEYS: keyList(key) },
        unusedDefault(),
      ),
    ).toThrow(/either ONBOARDING_ENCRYPTION_KEYS or ONBOARDING_ENCRYPTION_KEY_FILE, not both/);
  });

  it('generates a private local key file on first use and reuses it', () => {
    const file = path.join(dir, 'repo', '.local', 'encryption-keys.json');
    const first = loadEncryptionKeys({}, file);

    expect(first).toHaveLength(1);
    expect(first[0]!.id).toMatch(/^local-\d{8}$/);
    expect(first[0]!.key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).keys[0].id).toBe(first[0]!.id);

    const second = loadEncryptionKeys({}, file);
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(Buffer.from(second[0]!.key).equals(Buffer.from(first[0]!.key))).toBe(true);
  });

  it('reads ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS strictly', () => {
    expect(requireEncryptedFromEnv({})).toBe(false);
    expect(requireEncryptedFromEnv({}, true)).toBe(true);
    expect(requireEncryptedFromEnv({ ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: 'TRUE' })).toBe(true);
    expect(requireEncryptedFromEnv({ ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: 'false' }, true)).toBe(false);
    expect(() => requireEncryptedFromEnv({ ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: 'yes' })).toThrow(
      'ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: must be "true" or "false"',
    );
  });

  it('gives Temporal a data converter whose payloads no longer contain the secret', async () => {
    const key = newKey('k1');
    const converter = createDataConverter({ ONBOARDING_ENCRYPTION_KEYS: keyList(key) }, unusedDefault());
    const [codec] = converter.payloadCodecs ?? [];
    const plain = orderPayload();
    expect(Buffer.from(plain.data!).includes(SECRET)).toBe(true);

    const [encoded] = await codec!.encode([plain]);
    expect(Buffer.from(encoded!.data!).includes(SECRET)).toBe(false);
    expect(Buffer.from(encoded!.data!).includes('json/plain')).toBe(false);
    const [decoded] = await codec!.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ contactName: 'Alex Cruz', note: SECRET });
  });
});

describe('codec server', () => {
  const TOKEN = 'test-token-123';
  const UI_ORIGIN = 'http://localhost:8233';
  const keys = [newKey('k1')];
  let server: CodecServer;

  beforeAll(async () => {
    server = await startCodecServer({
      port: 0,
      host: '127.0.0.1',
      keys,
      accessToken: TOKEN,
      corsOrigins: [UI_ORIGIN],
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(() => server.close());

  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  const post = (route: string, body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) =>
    fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  interface JsonPayloads {
    payloads: { metadata: Record<string, string>; data: string }[];
  }

  it('encodes and decodes over HTTP', async () => {
    const encodeResponse = await post('/encode', { payloads: [toJson(orderPayload())] });
    expect(encodeResponse.status).toBe(200);
    const encodedText = await encodeResponse.text();
    const encoded = JSON.parse(encodedText) as JsonPayloads;
    expect(Buffer.from(encoded.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(encoded.payloads[0]!.data, 'base64').includes(SECRET)).toBe(false);

    const decodeResponse = await post('/decode', encoded);
    expect(decodeResponse.status).toBe(200);
    const decoded = (await decodeResponse.json()) as JsonPayloads;
    const payload = decoded.payloads[0]!;
    expect(Buffer.from(payload.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payload.data, 'base64').toString())).toEqual({
      contactName: 'Alex Cruz',
      note: SECRET,
    });
  });

  it('decodes what the worker encoded, as the temporal CLI asks (X-Namespace)', async () => {
    const [encrypted] = await new AesGcmPayloadCodec(keys).encode([orderPayload()]);
    const response = await post(
      '/decode',
      { payloads: [toJson(encrypted!)] },
      { Authorization: `Bearer ${TOKEN}`, 'X-Namespace': 'default' },
    );
    expect(response.status).toBe(200);
    const { payloads } = (await response.json()) as JsonPayloads;
    expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString()).note).toBe(SECRET);
  });

  it('answers 422 with a generic message (no key ids) when a payload cannot be decrypted', async () => {
    const [foreign] = await new AesGcmPayloadCodec([newKey('other')]).encode([orderPayload()]);
    const response = await post('/decode', { payloads: [toJson(foreign!)] });
    expect(response.status).toBe(422);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: 'cannot decode the payloads' });
    expect(body).not.toMatch(/other|k1/);
  });

  it('requires the bearer token', async () => {
    const body = { payloads: [toJson(orderPayload())] };
    expect((await post('/decode', body, {})).status).toBe(401);
    expect((await post('/decode', body, { Authorization: 'Bearer wrong-token' })).status).toBe(401);
    expect((await post('/encode', body, { Authorization: TOKEN })).status).toBe(401);
  });

  it('answers CORS preflights for the Web UI origin only, without a token', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
        },
      });

    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(allowed.headers.get('access-control-allow-headers')).toBe(
      'Content-Type, X-Namespace, X-Workflow-Id, Authorization',
    );
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');

    const denied = await preflight('http://evil.example');
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect(denied.headers.get('access-control-allow-methods')).toBeNull();
    expect(denied.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets the Web UI read an allowed cross-origin response', async () => {
    const response = await post('/encode', { payloads: [] }, { Authorization: `Bearer ${TOKEN}`, Origin: UI_ORIGIN });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(await response.json()).toEqual({ payloads: [] });
  });

  it('takes `{}` as no payloads (protobuf JSON omits empty lists; the temporal CLI sends that for a query)', async () => {
    const response = await post('/decode', {}, { Authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ payloads: [] });
  });

  it.each([
    ['invalid JSON', '{"payloads": ['],
    ['a wrong shape', { payloads: 'nope' }],
    ['bad base64 data', { payloads: [{ metadata: {}, data: 'not base64!' }] }],
    ['bad base64 metadata', { payloads: [{ metadata: { encoding: '%%' } }] }],
  ])('answers 400 with a generic message on %s, echoing nothing', async (_case, body) => {
    const response = await post('/decode', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'malformed request body' });
  });
});
