/**
 * docs/contract.md, executed: every `contract:` example in it is checked against the code — names
 * and start options against the client library, id vectors through the real id rule, orders through
 * the real validation, durations through the real parser, the payload example through the real
 * codec, the codec server's API against a running codec server, and the messages against a running
 * onboarding (real dev server, worker, emulator) driven by name, as a client in another language would.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { pino } from 'pino';
import { OnboardingClient } from '../client/onboarding-client';
import { AesGcmPayloadCodec } from '../encryption/codec';
import { startCodecServer, type CodecServer } from '../encryption/codec-server';
import { parseDurationMs } from '../order/duration';
import { normalizeDomain, OrderValidationError, validateOrder, type OrderInput } from '../order/order';
import {
  cancellationReasonSignal,
  CustomerDomainAttribute,
  domainVerifiedSignal,
  extendDeadlineUpdate,
  OnboardingStageAttribute,
  onboardingWorkflowId,
  provideTransferTokenUpdate,
  SEARCH_ATTRIBUTES,
  statusQuery,
  TASK_QUEUE,
  tosAcceptedSignal,
  WORKFLOW_TYPE,
  type OnboardingStatus,
} from '../workflows/messages';
import { STATUS_MEMO_KEY } from '../workflows/progress';
import { contractExample, contractExamples, contractExamplesNamed } from './support/contract-doc';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from './support/onboarding-stack';
import { uniqueDomain } from './support/orders';

type JsonPayload = { metadata?: Record<string, string>; data?: string };
const DOC_ORDER = contractExamplesNamed<OrderInput>('order')[0]!;

/** The doc's order for another domain (the admin's address follows the domain). */
function orderFor(domain: string, overrides: Partial<OrderInput> = {}): OrderInput {
  const order = structuredClone(DOC_ORDER);
  return {
    ...order,
    customerDomain: domain,
    admin: { ...order.admin!, primaryEmail: `admin@${normalizeDomain(domain)}` },
    ...overrides,
  };
}

test('the document has every example the tests below execute', () => {
  const names = new Set(contractExamples().map((e) => `${e.name}${e.argument ? ` ${e.argument}` : ''}`));
  for (const name of [
    'names',
    'id-vectors',
    'start-options',
    'order',
    'invalid-order',
    'durations',
    'signal tosAccepted',
    'signal domainVerified',
    'signal cancellationReason',
    'query status',
    'update extendDeadline',
    'update-result extendDeadline',
    'update provideTransferToken',
    'update-result provideTransferToken',
    'failure-types',
    'list-query',
    'codec-encode-request',
    'codec-encode-response',
    'codec-status-codes',
    'payload-example',
    'emulator-seed',
  ])
    expect(names).toContain(name);
});

describe('names, ids, orders, durations (no server)', () => {
  test('the names are the ones the workflow and the client library use', () => {
    expect(contractExample('names')).toEqual({
      taskQueue: TASK_QUEUE,
      workflowType: WORKFLOW_TYPE,
      signals: [tosAcceptedSignal.name, domainVerifiedSignal.name, cancellationReasonSignal.name],
      queries: [statusQuery.name],
      updates: [provideTransferTokenUpdate.name, extendDeadlineUpdate.name],
      searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((a) => [a.name, 'Keyword'])),
      memo: [STATUS_MEMO_KEY],
    });
  });

  test('each id vector: the id rule gives its workflow id, and validation accepts or refuses its order as stated', () => {
    const vectors = contractExample<{ domain: string; workflowId: string; order: 'valid' | 'refused' }[]>('id-vectors');
    expect(vectors.length).toBeGreaterThanOrEqual(10);
    for (const vector of vectors) {
      expect({ domain: vector.domain, id: onboardingWorkflowId(normalizeDomain(vector.domain)) }).toEqual({
        domain: vector.domain,
        id: vector.workflowId,
      });
      let verdict: string;
      try {
        const order = validateOrder(orderFor(vector.domain));
        expect(onboardingWorkflowId(order.customerDomain)).toBe(vector.workflowId); // what the worker checks
        verdict = 'valid';
      } catch (err) {
        if (!(err instanceof OrderValidationError)) throw err;
        expect(err.problems.map((p) => p.field)).toContain('customerDomain');
        verdict = 'refused';
      }
      expect({ domain: vector.domain, verdict }).toEqual({ domain: vector.domain, verdict: vector.order });
    }
  });

  test('the start options are the ones the client library starts with', async () => {
    let started: { type: string; options: Record<string, unknown> } | undefined;
    const fake = {
      workflow: {
        start: (type: string, options: Record<string, unknown>) => {
          started = { type, options };
          return Promise.resolve({ firstExecutionRunId: 'run' });
        },
      },
    } as unknown as Client;
    await new OnboardingClient(fake).start(orderFor('example.com'));
    const { typedSearchAttributes, ...options } = started!.options as {
      typedSearchAttributes: { key: { name: string }; value: string }[];
    } & Record<string, unknown>;
    const doc = contractExample<Record<string, unknown>>('start-options');
    expect({
      workflowType: started!.type,
      taskQueue: options.taskQueue,
      workflowId: options.workflowId,
      workflowIdConflictPolicy: options.workflowIdConflictPolicy,
      workflowIdReusePolicy: options.workflowIdReusePolicy,
      searchAttributes: Object.fromEntries(typedSearchAttributes.map(({ key, value }) => [key.name, value])),
    }).toEqual({ ...doc, args: undefined });
    expect(doc.args).toEqual(['<the order>']);
  });

  test('the list query is the one the client library lists a stage with', async () => {
    let query: string | undefined;
    const fake = {
      workflow: {
        list: (options: { query: string }) => {
          query = options.query;
          return (async function* () {})();
        },
      },
    } as unknown as Client;
    await new OnboardingClient(fake).list({ stage: 'awaiting-tos' });
    expect(query).toBe(contractExample('list-query'));
  });

  test('the example orders are valid, and the invalid one is refused with exactly the documented message', () => {
    const orders = contractExamplesNamed<OrderInput>('order');
    expect(orders.map((o) => o.customerType)).toEqual(['domain', 'team']);
    for (const order of orders) expect(() => validateOrder(order)).not.toThrow();
    const { order, message } = contractExample<{ order: unknown; message: string }>('invalid-order');
    const refusal = (() => {
      try {
        validateOrder(order);
        return undefined;
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(OrderValidationError);
    expect((refusal as Error).message).toBe(message);
  });

  test('each duration parses to the documented milliseconds, or is refused', () => {
    for (const { text, ms } of contractExample<{ text: string; ms: number | null }[]>('durations')) {
      expect({ text, ms: parseDurationMs(text) ?? null }).toEqual({ text, ms });
    }
  });

  test('each documented failure type is one the code raises', () => {
    const sources = ['activities', 'workflows', 'encryption']
      .flatMap((dir) =>
        readdirSync(join(__dirname, '..', dir), { recursive: true, encoding: 'utf8' })
          .filter((file) => file.endsWith('.ts'))
          .map((file) => join(__dirname, '..', dir, file)),
      )
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    for (const type of contractExample<string[]>('failure-types'))
      expect({ type, raised: sources.includes(`'${type}'`) }).toEqual({ type, raised: true });
  });
});

describe('the payload format and the codec server', () => {
  interface PayloadExample {
    keyId: string;
    key: string;
    plain: JsonPayload;
    plainProtobufHex: string;
    nonceHex: string;
    encrypted: JsonPayload;
  }
  const example = contractExample<PayloadExample>('payload-example');
  const fromJson = (p: JsonPayload): Payload => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  });
  const toJson = (p: Payload): JsonPayload => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  const key = Buffer.from(example.key, 'base64');

  test('the worked example: protobuf plaintext, nonce ‖ AES-256-GCM ciphertext ‖ tag, as documented', () => {
    const serialized = temporal.api.common.v1.Payload.encode(fromJson(example.plain)).finish();
    expect(Buffer.from(serialized).toString('hex')).toBe(example.plainProtobufHex);
    const nonce = Buffer.from(example.nonceHex, 'hex');
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const data = Buffer.concat([nonce, cipher.update(serialized), cipher.final(), cipher.getAuthTag()]);
    expect(data.toString('base64')).toBe(example.encrypted.data);
    expect(Buffer.from(example.encrypted.metadata!.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(example.encrypted.metadata!['encryption-key-id']!, 'base64').toString()).toBe(example.keyId);
  });

  test("the project's codec decrypts the worked example, and what it encrypts has the documented layout", async () => {
    const codec = new AesGcmPayloadCodec([{ id: example.keyId, key }]);
    const [decoded] = await codec.decode([fromJson(example.encrypted)]);
    expect(toJson(decoded!)).toEqual(example.plain);
    const [encoded] = await codec.encode([fromJson(example.plain)]);
    expect(toJson(encoded!).metadata).toEqual(example.encrypted.metadata);
    expect(encoded!.data!.length).toBe(12 + example.plainProtobufHex.length / 2 + 16);
  });

  describe('HTTP API', () => {
    const TOKEN = 'contract-doc-static-token-0123';
    let server: CodecServer;
    beforeAll(async () => {
      server = await startCodecServer({
        port: 0,
        host: '127.0.0.1',
        keys: [{ id: example.keyId, key }],
        corsOrigins: ['http://localhost:8233'],
        accessToken: TOKEN,
        limits: { maxPayloads: 3 },
        logger: pino({ level: 'silent' }),
      });
    });
    afterAll(() => server?.close());

    function call(
      path: string,
      options: { method?: string; headers?: Record<string, string | undefined>; body?: string } = {},
    ): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
      const url = new URL(server.url);
      const all = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...options.headers };
      // A header given as undefined is not sent (a browser's preflight has neither token nor body).
      const headers = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      return new Promise((resolve, reject) => {
        const req = http.request(
          { host: url.hostname, port: url.port, path, method: options.method ?? 'POST', headers },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
          },
        );
        req.on('error', reject);
        req.end(options.body);
      });
    }

    test('POST /encode answers the documented shape, and /decode gives the request back', async () => {
      const request = contractExample<{ payloads: JsonPayload[] }>('codec-encode-request');
      const encoded = await call('/encode', { body: JSON.stringify(request) });
      expect(encoded.status).toBe(200);
      const answer = JSON.parse(encoded.body) as { payloads: JsonPayload[] };
      const documented = contractExample<{ payloads: JsonPayload[] }>('codec-encode-response');
      expect(answer.payloads).toHaveLength(1);
      expect(Object.keys(answer.payloads[0]!.metadata!).sort()).toEqual(
        Object.keys(documented.payloads[0]!.metadata!).sort(),
      );
      expect(answer.payloads[0]!.metadata!.encoding).toBe(documented.payloads[0]!.metadata!.encoding);
      expect(Buffer.from(answer.payloads[0]!.metadata!['encryption-key-id']!, 'base64').toString()).toBe(example.keyId);
      const decoded = await call('/decode', { body: encoded.body });
      expect(JSON.parse(decoded.body)).toEqual(request);
      // The worked example decodes through the server too.
      const worked = await call('/decode', { body: JSON.stringify({ payloads: [example.encrypted] }) });
      expect(JSON.parse(worked.body)).toEqual({ payloads: [example.plain] });
    });

    test('each documented status code is what the server answers for its case', async () => {
      const codes = contractExample<Record<string, string>>('codec-status-codes');
      const body = JSON.stringify(contractExample('codec-encode-request'));
      const seen: Record<string, number> = {
        '200': (await call('/encode', { body })).status,
        '204': (
          await call('/encode', {
            method: 'OPTIONS',
            headers: { origin: 'http://localhost:8233', authorization: undefined, 'content-type': undefined },
          })
        ).status,
        '421': (await call('/encode', { body, headers: { host: 'attacker.example' } })).status,
        '403': (await call('/encode', { body, headers: { origin: 'https://attacker.example' } })).status,
        '401': (await call('/encode', { body, headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
        '413': (await call('/encode', { body: JSON.stringify({ payloads: [{}, {}, {}, {}] }) })).status,
        '400': (await call('/encode', { body: JSON.stringify({ payloads: [{ data: 'not base64!' }] }) })).status,
        '415': (await call('/encode', { body: 'x', headers: { 'content-type': 'application/octet-stream' } })).status,
        '422': (
          await call('/decode', {
            body: JSON.stringify({
              payloads: [{ ...example.encrypted, data: Buffer.alloc(40).toString('base64') }],
            }),
          })
        ).status,
        '404': (await call('/other', { body })).status,
      };
      for (const [code, status] of Object.entries(seen))
        expect({ case: codes[code], status }).toEqual({ case: codes[code], status: Number(code) });
      // 503 (more than 16 requests at once) and 500 (a bug) are documented, not provoked here.
      expect(Object.keys(codes).sort()).toEqual([...Object.keys(seen), '503', '500'].sort());
    });
  });
});

describe('the messages, against a running onboarding', () => {
  let stack: OnboardingStack;
  beforeAll(async () => {
    stack = await startOnboardingStack();
  });
  afterAll(() => stack?.teardown());

  /** Starts the way the document says, with the SDK's raw API (names, not the library's definitions). */
  async function startAsDocumented(order: OrderInput) {
    const options = contractExample<Record<string, string> & { searchAttributes: Record<string, string> }>(
      'start-options',
    );
    const domain = normalizeDomain(order.customerDomain);
    return stack.env.client.workflow.start(options.workflowType!, {
      taskQueue: options.taskQueue!,
      workflowId: onboardingWorkflowId(domain),
      args: [order],
      workflowIdConflictPolicy: options.workflowIdConflictPolicy as 'FAIL',
      workflowIdReusePolicy: options.workflowIdReusePolicy as 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes: [
        { key: CustomerDomainAttribute, value: domain },
        { key: OnboardingStageAttribute, value: options.searchAttributes.OnboardingStage! },
      ],
    });
  }
  const status = (workflowId: string) =>
    stack.env.client.workflow.getHandle(workflowId).query<OnboardingStatus>('status');

  test('start, duplicate start, status, list, extendDeadline (one request id), signals, completed result', async () => {
    const domain = uniqueDomain('contract');
    const order = orderFor(domain, { waitPolicy: { checkEvery: '1s' } });
    const handle = await startAsDocumented(order);
    await expect(startAsDocumented(order)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

    const waiting = await waitForStatus(
      () => status(handle.workflowId),
      (s) => s.stage === 'awaiting-tos',
    );
    // Every field of the documented status is there, with the documented kind of value.
    const documented = contractExample<Record<string, unknown>>('query', 'status');
    const kind = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v);
    for (const [field, value] of Object.entries(documented))
      expect({ field, kind: kind((waiting as unknown as Record<string, unknown>)[field]) }).toEqual({
        field,
        kind: kind(value),
      });
    for (const field of Object.keys(documented.waitingFor as object))
      expect(Object.keys(waiting.waitingFor!)).toContain(field);

    const query = contractExample<string>('list-query');
    await waitForStatus(
      async () => {
        const ids: string[] = [];
        for await (const w of stack.env.client.workflow.list({ query })) ids.push(w.workflowId);
        return ids;
      },
      (ids) => ids.includes(handle.workflowId),
    );

    const extension = contractExample<object>('update', 'extendDeadline');
    const first = await handle.executeUpdate<{ deadline: string }, [object]>('extendDeadline', {
      args: [extension],
      updateId: `crm-request-${domain}`,
    });
    expect(Object.keys(first)).toEqual(Object.keys(contractExample<object>('update-result', 'extendDeadline')));
    expect(Date.parse(first.deadline)).toBe(Date.parse(waiting.waitingFor!.deadline) + parseDurationMs('7 days')!);
    const retried = await handle.executeUpdate<{ deadline: string }, [object]>('extendDeadline', {
      args: [extension],
      updateId: `crm-request-${domain}`,
    });
    expect(retried).toEqual(first); // applied once

    await handle.signal('domainVerified', contractExample('signal', 'domainVerified'));
    await handle.signal('tosAccepted', contractExample('signal', 'tosAccepted'));
    const result = (await handle.result()) as OnboardingStatus;
    expect(result).toMatchObject({
      stage: 'completed',
      tosAccepted: { via: 'signal', ...contractExample<object>('signal', 'tosAccepted') },
      domainVerification: { verified: { via: 'signal', ...contractExample<object>('signal', 'domainVerified') } },
    });
    // Completed: a new start of the same domain is refused too.
    await expect(startAsDocumented(order)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  test('cancellationReason then cancel: Canceled, the reason in the memo', async () => {
    const handle = await startAsDocumented(orderFor(uniqueDomain('contract-cancel')));
    await waitForStatus(
      () => status(handle.workflowId),
      (s) => s.stage === 'awaiting-tos',
    );
    const reason = contractExample<{ reason: string; requestedBy: string }>('signal', 'cancellationReason');
    await handle.signal('cancellationReason', reason);
    await handle.cancel();
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const memo = (await handle.describe()).memo?.[STATUS_MEMO_KEY] as OnboardingStatus;
    expect(memo).toMatchObject({ stage: 'cancelled', cancellation: reason });
  });

  test('provideTransferToken answers as documented; an invalid order fails InvalidOrder with the documented message', async () => {
    const domain = uniqueDomain('contract-transfer');
    const token = contractExample<string>('update', 'provideTransferToken');
    // The documented seed, for this test's domain, through the documented endpoint.
    const seed = JSON.stringify(contractExample('emulator-seed')).replaceAll('taken.example', domain);
    expect(seed).toContain(`"token":"${token}"`);
    const seeded = await fetch(`${stack.emulator.url}/_emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: seed,
    });
    expect(seeded.status).toBe(200);
    const handle = await startAsDocumented(orderFor(domain, { subscriptions: [] }));
    await waitForStatus(
      () => status(handle.workflowId),
      (s) => s.stage === 'awaiting-transfer-token',
    );
    const answer = await handle.executeUpdate('provideTransferToken', { args: [token], updateId: randomId() });
    expect(answer).toEqual(contractExample('update-result', 'provideTransferToken'));
    const transferred = await waitForStatus(
      () => status(handle.workflowId),
      (s) => s.transfer?.tokens?.[0]?.outcome === 'transferred',
    );
    expect(transferred.transfer?.tokens?.[0]).toMatchObject({ token: 1, outcome: 'transferred' });
    const requests = (await (await fetch(`${stack.emulator.url}/_emulator/requests`)).json()) as { path: string }[];
    expect(requests.some((r) => r.path.startsWith('/apps/reseller/') && r.path.includes(domain))).toBe(true);

    const { order, message } = contractExample<{ order: OrderInput; message: string }>('invalid-order');
    const invalid = await startAsDocumented(order);
    const failure = await invalid.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect({ type: cause.type, message: cause.message }).toEqual({ type: 'InvalidOrder', message });
  });
});

const randomId = () => randomBytes(8).toString('hex');
