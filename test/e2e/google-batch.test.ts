/**
 * activities/google-batch.ts, the client side of Google's batch wire format: encoding checked by
 * the emulator's independent parser, decoding of the emulator's answers and of hand-written
 * Google-style answers, malformed answers, and failures of the outer request that must not leak
 * the transfer tokens carried in the body.
 */
import { OAuth2Client } from 'google-auth-library';
import {
  BatchFormatError,
  type BatchPart,
  decodeBatchResponse,
  encodeBatch,
  GoogleBatchError,
  RESELLER_BATCH_PATH,
  sendBatch,
} from '../../activities/google-batch';
import { googleFailure } from '../../activities/google-errors';
import { GooglePacer } from '../../activities/google-pacer';
import { pacedFetch } from '../../activities/google-pacer-fetch';
import { buildBatchResponse, parseBatchRequest } from '../../emulator/batch-wire';
import { EmulatorControl } from '../../emulator/control-client';
import { type RunningEmulator, startEmulator } from '../../emulator/server';

const TRANSFER: BatchPart = {
  method: 'POST',
  path: '/apps/reseller/v1/customers/C123/subscriptions',
  query: { customerAuthToken: 'secret-token-1' },
  body: { skuId: '1010020028', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
};

describe('encodeBatch', () => {
  it('writes parts the emulator parses back to the same calls', () => {
    const parts: BatchPart[] = [
      TRANSFER,
      { method: 'GET', path: '/apps/reseller/v1/customers/C123', contentId: 'get-it' },
    ];
    const { contentType, body } = encodeBatch(parts, 'batch_test_boundary');
    expect(contentType).toBe('multipart/mixed; boundary=batch_test_boundary');
    expect(body).toContain(
      'Content-Type: application/http\r\nContent-ID: <item1>\r\n\r\nPOST /apps/reseller/v1/customers/C123/subscriptions?customerAuthToken=secret-token-1 HTTP/1.1\r\n',
    );
    expect(body.endsWith('--batch_test_boundary--\r\n')).toBe(true);
    const parsed = parseBatchRequest(contentType, body);
    expect(
      parsed.map((p) => [
        p.contentId,
        p.method,
        p.path,
        p.query.get('customerAuthToken'),
        p.body === '' ? undefined : JSON.parse(p.body),
      ]),
    ).toEqual([
      ['item1', 'POST', TRANSFER.path, 'secret-token-1', TRANSFER.body],
      ['get-it', 'GET', '/apps/reseller/v1/customers/C123', null, undefined],
    ]);
  });

  it('picks a random boundary that the bodies do not contain', () => {
    const a = encodeBatch([TRANSFER]);
    const b = encodeBatch([TRANSFER]);
    expect(a.contentType).not.toBe(b.contentType);
    expect(() => encodeBatch([{ ...TRANSFER, body: { note: '--fixed' } }], 'fixed')).toThrow('boundary');
  });

  it.each([
    ['no parts', [] as BatchPart[]],
    ['a query in the path', [{ ...TRANSFER, path: '/a?customerAuthToken=x' }]],
    ['a relative path', [{ ...TRANSFER, path: 'apps/reseller' }]],
    ['a line break in the path', [{ ...TRANSFER, path: '/a\r\nX-Evil: 1' }]],
    ['a line break in the content id', [{ ...TRANSFER, contentId: 'a\nb' }]],
    ['over 1000 parts', Array.from({ length: 1001 }, () => TRANSFER)],
  ])('refuses %s', (_case, parts) => {
    expect(() => encodeBatch(parts)).toThrow();
  });
});

describe('decodeBatchResponse', () => {
  it('reads the emulator’s answers in order, keeping Google error bodies', () => {
    const error = {
      error: { code: 400, message: 'Invalid', errors: [{ domain: 'global', reason: 'invalid', message: 'Invalid' }] },
    };
    const built = buildBatchResponse([
      { status: 200, body: { kind: 'reseller#subscription', skuId: '1010020028' }, contentId: 'item1' },
      { status: 400, body: error },
      { status: 204 },
    ]);
    expect(decodeBatchResponse(built.contentType, built.body)).toEqual([
      { contentId: 'item1', status: 200, body: { kind: 'reseller#subscription', skuId: '1010020028' } },
      { status: 400, body: error },
      { status: 204, body: undefined },
    ]);
  });

  it('reads a Google-style answer: quoted boundary, LF line ends, extra headers', () => {
    const body = [
      '--batch_abc',
      'Content-Type: application/http',
      'Content-ID: <response-item1>',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json; charset=UTF-8',
      'Vary: Origin',
      '',
      '{"skuId": "Google-Vault"}',
      '--batch_abc',
      'Content-Type: application/http',
      '',
      'HTTP/1.1 403 Forbidden',
      'Content-Type: application/json; charset=UTF-8',
      '',
      '{"error": {"code": 403, "message": "Forbidden", "errors": [{"reason": "forbidden"}]}}',
      '--batch_abc--',
      '',
    ].join('\n');
    expect(decodeBatchResponse('multipart/mixed; boundary="batch_abc"', body)).toEqual([
      { contentId: 'item1', status: 200, body: { skuId: 'Google-Vault' } },
      { status: 403, body: { error: { code: 403, message: 'Forbidden', errors: [{ reason: 'forbidden' }] } } },
    ]);
  });

  it.each([
    ['a JSON content type', 'application/json', '{}'],
    ['no boundary', 'multipart/mixed', '--x--'],
    [
      'no closing boundary',
      'multipart/mixed; boundary=x',
      '--x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}',
    ],
    ['no parts', 'multipart/mixed; boundary=x', '--x--'],
    [
      'a part that is not application/http',
      'multipart/mixed; boundary=x',
      '--x\r\nContent-Type: text/plain\r\n\r\nHTTP/1.1 200 OK\r\n--x--',
    ],
    [
      'a part without a status line',
      'multipart/mixed; boundary=x',
      '--x\r\nContent-Type: application/http\r\n\r\nhello\r\n--x--',
    ],
    [
      'a part declaring JSON that is not',
      'multipart/mixed; boundary=x',
      '--x\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{nope\r\n--x--',
    ],
  ])('throws BatchFormatError on %s', (_case, contentType, body) => {
    expect(() => decodeBatchResponse(contentType, body)).toThrow(BatchFormatError);
  });
});

describe('sendBatch', () => {
  let emulator: RunningEmulator;
  const client = (token?: string) => {
    const auth = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch } });
    if (token) auth.setCredentials({ access_token: token });
    return auth;
  };

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('posts to the Reseller batch path with the client’s bearer token and decodes the answers', async () => {
    expect(RESELLER_BATCH_PATH).toBe('/batch');
    const results = await sendBatch(
      client('t'),
      `${emulator.url}/`,
      [TRANSFER, { ...TRANSFER, path: '/apps/reseller/v1/customers/C123/x' }],
      { timeoutMs: 5000 },
    );
    expect(results.map((r) => r.status)).toEqual([404, 400]);
    expect(results[0]!.body).toMatchObject({ error: { errors: [{ reason: 'notFound' }] } });
  });

  it('turns an outer HTTP failure into a GoogleBatchError with Google’s body and no token', async () => {
    await new EmulatorControl(emulator.url).addFault({ path: '^/batch$', status: 503, reason: 'backendError' });
    const caught = await sendBatch(client('t'), emulator.url, [TRANSFER], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(GoogleBatchError);
    expect((caught as GoogleBatchError).response).toMatchObject({ status: 503, data: { error: { code: 503 } } });
    expect(JSON.stringify(caught)).not.toContain('secret-token-1');
    expect(String((caught as Error).message)).not.toContain('secret-token-1');
  });

  it('paced: the batch counts one Reseller query per part, and a 429 keeps its Retry-After for the retry', async () => {
    const pacer = new GooglePacer({ directoryQueriesPerMinute: 100, resellerQueriesPerMinute: 100, share: 1 });
    const paced = pacedFetch(pacer, { requestTimeoutMs: 5000 });
    await sendBatch(client('t'), emulator.url, [TRANSFER, TRANSFER, TRANSFER], {
      timeoutMs: 5000,
      fetchImplementation: paced,
    });
    expect(pacer.used('reseller')).toBe(3);
    await new EmulatorControl(emulator.url).addFault({
      path: '^/batch$',
      status: 429,
      reason: 'rateLimitExceeded',
      retryAfterSeconds: 7,
    });
    const caught = await sendBatch(client('t'), emulator.url, [TRANSFER], {
      timeoutMs: 5000,
      fetchImplementation: paced,
    }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(GoogleBatchError);
    expect(googleFailure('batch subscriptions.insert C123', caught)).toMatchObject({
      type: 'Google.rateLimitExceeded',
      nonRetryable: false,
      nextRetryDelay: '7s',
    });
    // The worker stops sending on the Reseller quota for the 7 s Google asked for.
    await expect(pacer.acquire('reseller', 1, { maxWaitMs: 5000 })).rejects.toMatchObject({ type: 'Google.paced' });
  });

  it('reports a client without credentials as a GoogleBatchError without status', async () => {
    const caught = await sendBatch(client(), emulator.url, [TRANSFER], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(GoogleBatchError);
    expect((caught as GoogleBatchError).response.status).toBe(0);
  });

  it('aborts on timeout without leaking the body', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await sendBatch(client('t'), emulator.url, [TRANSFER], {
      timeoutMs: 5000,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoogleBatchError);
    expect(JSON.stringify(error)).not.toContain('secret-token-1');
  });
});
