/**
 * The hardened codec server with the real temporal CLI (`--codec-endpoint`, `--codec-auth`): the
 * static token keeps the CLI working — reading an encrypted history, and starting a workflow whose
 * input the codec server encrypts — while a CLI without the token gets nothing decoded.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { AesGcmPayloadCodec } from '../../encryption/codec';
import { startCodecServer, type CodecServer } from '../../encryption/codec-server';
import { isRefusedPlaintext } from '../../encryption/plaintext-refusal';
import { provisionTemporal } from '../../scripts/provision-temporal';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../../workflows/messages';
import { FIXTURE_KEYS } from '../support/fixture-keys';
import { startDevServer } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

const run = promisify(execFile);
const TOKEN = 'cli-static-token-0123456789abcdef';

let env: TestWorkflowEnvironment;
let codec: CodecServer;
beforeAll(async () => {
  env = await startDevServer();
  codec = await startCodecServer({
    port: 0,
    host: '127.0.0.1',
    keys: FIXTURE_KEYS,
    accessToken: TOKEN,
    corsOrigins: [],
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await codec?.close();
  await env?.teardown();
});

const cli = (...args: string[]) =>
  run(provisionTemporal().cli, [...args, '--address', env.address, '--namespace', env.namespace ?? 'default'], {
    timeout: 30_000,
  }).then(
    ({ stdout }) => ({ ok: true as const, out: stdout }),
    (err: { stdout?: string; stderr?: string }) => ({
      ok: false as const,
      out: `${err.stdout ?? ''}${err.stderr ?? ''}`,
    }),
  );

/** The start event's input as `temporal workflow show --output json` prints it (base64 fields decoded). */
function startInput(json: string): { encoding: string; data: string } {
  const history = JSON.parse(json) as {
    events: {
      workflowExecutionStartedEventAttributes?: {
        input: { payloads: { metadata: { encoding: string }; data: string }[] };
      };
    }[];
  };
  const payload = history.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads[0]!;
  const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  return { encoding: text(payload.metadata.encoding), data: text(payload.data) };
}

test('the CLI reads an encrypted history with the static token, and nothing without it', async () => {
  const domain = uniqueDomain('clishow');
  const order = domainOrder(domain);
  await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: `${TASK_QUEUE}-no-worker`,
    workflowId: `onboarding:${domain}`,
    args: [order],
  });

  const withToken = await cli(
    'workflow',
    'show',
    '-w',
    `onboarding:${domain}`,
    '--output',
    'json',
    '--codec-endpoint',
    codec.url,
    '--codec-auth',
    `Bearer ${TOKEN}`,
  );
  expect(withToken.ok).toBe(true);
  expect(startInput(withToken.out)).toEqual({
    encoding: 'json/plain',
    data: expect.stringContaining(order.postalAddress.contactName),
  });

  const withoutToken = await cli(
    'workflow',
    'show',
    '-w',
    `onboarding:${domain}`,
    '--output',
    'json',
    '--codec-endpoint',
    codec.url,
  );
  expect(withoutToken.out).not.toContain(Buffer.from('json/plain').toString('base64'));
  expect(withoutToken.out).not.toContain(order.postalAddress.contactName);
});

test('the CLI starts a workflow through the codec server: its input is stored encrypted', async () => {
  const domain = uniqueDomain('clistart');
  const order = domainOrder(domain);
  const started = await cli(
    'workflow',
    'start',
    '--type',
    WORKFLOW_TYPE,
    '--task-queue',
    `${TASK_QUEUE}-no-worker`,
    '--workflow-id',
    `onboarding:${domain}`,
    '--input',
    JSON.stringify(order),
    '--codec-endpoint',
    codec.url,
    '--codec-auth',
    `Bearer ${TOKEN}`,
  );
  expect(started.ok).toBe(true);
  const history = await env.client.workflow.getHandle(`onboarding:${domain}`).fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
  expect(Buffer.from(input?.data ?? []).includes(order.postalAddress.contactName)).toBe(false);
});

test('with --codec-header X-Workflow-Id the CLI stores input bound to that workflow (issue 19)', async () => {
  const domain = uniqueDomain('clibound');
  const workflowId = `onboarding:${domain}`;
  const started = await cli(
    'workflow',
    'start',
    '--type',
    WORKFLOW_TYPE,
    '--task-queue',
    `${TASK_QUEUE}-no-worker`,
    '--workflow-id',
    workflowId,
    '--input',
    JSON.stringify(domainOrder(domain)),
    '--codec-endpoint',
    codec.url,
    '--codec-auth',
    `Bearer ${TOKEN}`,
    '--codec-header',
    `X-Workflow-Id=${workflowId}`,
  );
  expect(started.ok).toBe(true);
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] as Payload;
  expect(Buffer.from(input.metadata?.['encryption-workflow-id'] ?? []).toString()).toBe(workflowId);
  const workerCodec = new AesGcmPayloadCodec(FIXTURE_KEYS, { refuseUndecryptable: true });
  const as = (id: string) =>
    workerCodec.decode([input], { type: 'workflow', namespace: env.namespace ?? 'default', workflowId: id });
  expect(defaultPayloadConverter.fromPayload((await as(workflowId))[0]!)).toMatchObject({ customerDomain: domain });
  expect(isRefusedPlaintext(defaultPayloadConverter.fromPayload((await as('onboarding:other.example'))[0]!))).toBe(
    true,
  );
});
