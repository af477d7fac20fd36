/**
 * The `onboarding` CLI against the real stack: a Temporal dev server, the worker with its real
 * activities, and the Google emulator. Output is read from what the CLI writes to stdout/stderr.
 * Includes the request ids that make a retried `extend-deadline` / `transfer-token` apply once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../client/cli';
import { runCliOn, runCliWith, type CliRun } from '../support/cli-runner';
import type { OnboardingStatus } from '../../workflows/messages';
import { startOnboardingStack, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  stack = await startOnboardingStack();
});
afterAll(async () => {
  await stack?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...argv: string[]): Promise<CliRun> => runCliOn(stack.client, argv);

/** Repeats a CLI call until its parsed JSON output satisfies `done` (workflows and visibility move on their own). */
async function until<T>(argv: string[], done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: CliRun | undefined;
  while (Date.now() < deadline) {
    last = await cli(...argv);
    if (last.code === EXIT.ok) {
      const value = JSON.parse(last.stdout) as T;
      if (done(value)) return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`\`${argv.join(' ')}\` did not get there in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

test('start, status, list by stage and accept-tos take an onboarding from the order file to completed', async () => {
  const domain = uniqueDomain('cli');
  const file = join(dir, 'order.json');
  // Checks every second: a domain customer's verified domain (published below) is noticed at once.
  writeFileSync(file, JSON.stringify(domainOrder(domain, { waitPolicy: { checkEvery: '1s' } })));

  const start = await cli('--json', 'start', file);
  expect(start).toMatchObject({ code: EXIT.ok, stderr: '' });
  expect(JSON.parse(start.stdout)).toMatchObject({
    workflowId: `onboarding:${domain}`,
    customerDomain: domain,
    alreadyExisted: false,
  });

  const waiting = await until<OnboardingStatus>(['--json', 'status', domain], (s) => s.stage === 'awaiting-tos');
  expect(waiting).toMatchObject({ customerDomain: domain, waitingFor: { what: 'tos-acceptance' } });

  const listed = await until<{ customerDomain: string; stage: string }[]>(
    ['--json', 'list', '--stage', 'awaiting-tos'],
    (rows) => rows.some((row) => row.customerDomain === domain),
  );
  expect(listed.find((row) => row.customerDomain === domain)).toMatchObject({
    stage: 'awaiting-tos',
    executionStatus: 'RUNNING',
  });

  // Starting the same order again starts nothing new.
  const again = await cli('--json', 'start', file);
  expect(again.code).toBe(EXIT.ok);
  expect(JSON.parse(again.stdout)).toMatchObject({ workflowId: `onboarding:${domain}`, alreadyExisted: true });

  await stack.google.verifyDomain(domain); // the customer publishes its DNS record (what a domain customer must do besides the terms)
  const accept = await cli('accept-tos', domain.toUpperCase(), '--reported-by', 'cli-test');
  expect(accept).toMatchObject({ code: EXIT.ok, stdout: `Recorded: ${domain.toUpperCase()} accepted the terms.\n` });

  const completed = await until<OnboardingStatus>(['--json', 'status', domain], (s) => s.stage === 'completed');
  expect(completed.tosAccepted).toMatchObject({ via: 'signal', reportedBy: 'cli-test' });

  const text = await cli('status', domain);
  expect(text.code).toBe(EXIT.ok);
  expect(text.stdout.split('\n')[0]).toBe(`${domain}: completed`);
});

test('status of a domain with no onboarding exits 3', async () => {
  const domain = uniqueDomain('never-started');
  const run = await cli('--json', 'status', domain);
  expect(run.code).toBe(EXIT.notFound);
  expect(run.stdout).toBe('');
  expect(JSON.parse(run.stderr)).toEqual({ error: 'not-found', message: `No onboarding found for ${domain}` });
});

test('list with a stage that does not exist exits 2 and names the valid ones', async () => {
  const run = await cli('list', '--stage', 'bogus');
  expect(run.code).toBe(EXIT.invalidInput);
  expect(run.stderr).toContain("'bogus' is invalid");
  expect(run.stderr).toContain('awaiting-tos');
});

test('an invalid order on a running stack exits 2 and starts nothing', async () => {
  const domain = uniqueDomain('invalid');
  const file = join(dir, 'invalid.json');
  writeFileSync(file, JSON.stringify(domainOrder(domain, { alternateEmail: `owner@${domain}` })));
  const run = await cli('--json', 'start', file);
  expect(run.code).toBe(EXIT.invalidInput);
  expect(JSON.parse(run.stderr)).toMatchObject({
    error: 'invalid-order',
    problems: [{ field: 'alternateEmail', rule: "must not be on the customer's own domain" }],
  });
  expect((await cli('status', domain)).code).toBe(EXIT.notFound);
});

const DAY_MS = 86_400_000;

test('extend-deadline with the same --request-id twice moves the deadline once; another request id moves it again', async () => {
  const domain = uniqueDomain('extend');
  await stack.client.start(domainOrder(domain));
  const parked = await until<OnboardingStatus>(
    ['--json', 'status', domain],
    (s) => s.stage === 'awaiting-tos' && s.waitingFor !== undefined,
  );
  const d0 = Date.parse(parked.waitingFor?.deadline ?? '');
  const deadlineIs = (ms: number) => (s: OnboardingStatus) => s.waitingFor?.deadline === new Date(ms).toISOString();

  const first = await cli('--json', 'extend-deadline', domain, '--by', '7d', '--request-id', 'ticket-4711');
  expect(first).toMatchObject({ code: EXIT.ok, stderr: '' });
  expect(JSON.parse(first.stdout)).toEqual({
    deadline: new Date(d0 + 7 * DAY_MS).toISOString(),
    requestId: 'ticket-4711',
  });
  await until(['--json', 'status', domain], deadlineIs(d0 + 7 * DAY_MS));

  // The retry (same request id) is the same request: Temporal returns the first outcome and applies nothing.
  const retry = await cli('--json', 'extend-deadline', domain, '--by', '7d', '--request-id', 'ticket-4711');
  expect(retry.code).toBe(EXIT.ok);
  expect(JSON.parse(retry.stdout)).toEqual({
    deadline: new Date(d0 + 7 * DAY_MS).toISOString(),
    requestId: 'ticket-4711',
  });
  const afterRetry = JSON.parse((await cli('--json', 'status', domain)).stdout) as OnboardingStatus;
  expect(afterRetry.waitingFor?.deadline).toBe(new Date(d0 + 7 * DAY_MS).toISOString());

  // A new request moves it from where the first left it (had the retry applied, this would be day 21).
  const other = await cli('--json', 'extend-deadline', domain, '--by', '7d', '--request-id', 'ticket-4712');
  expect(JSON.parse(other.stdout)).toEqual({
    deadline: new Date(d0 + 14 * DAY_MS).toISOString(),
    requestId: 'ticket-4712',
  });
  await until(['--json', 'status', domain], deadlineIs(d0 + 14 * DAY_MS));

  // Without --request-id every call is a new request, under a fresh id that is printed for a retry.
  const fresh = await cli('extend-deadline', domain, '--by', '1d');
  expect(fresh.code).toBe(EXIT.ok);
  expect(fresh.stdout).toMatch(
    new RegExp(
      `^New deadline for ${domain.replace(/\./g, '\\.')}: ${new Date(d0 + 15 * DAY_MS).toISOString()} \\(request id [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\)\n$`,
    ),
  );
  await until(['--json', 'status', domain], deadlineIs(d0 + 15 * DAY_MS));
});

test('transfer-token with the same --request-id twice tries the token once', async () => {
  const domain = uniqueDomain('token-retry');
  await stack.google.seed({
    customers: [
      {
        customerDomain: domain,
        owner: 'google',
        transferTokens: [{ token: `expired-${domain}`, expiresAt: Date.now() - DAY_MS }],
        subscriptions: [
          { skuId: '1010020028', planName: 'ANNUAL_MONTHLY_PAY', seats: 10, minimumTransferableSeats: 10 },
        ],
      },
    ],
  });
  await stack.client.start(domainOrder(domain));
  await until<OnboardingStatus>(['--json', 'status', domain], (s) => s.stage === 'awaiting-transfer-token');

  // The worker shares this process and logs the refused activity on stderr too: pick the CLI's line.
  const cliError = (run: CliRun) =>
    JSON.parse(run.stderr.split('\n').find((line) => line.startsWith('{"error"')) ?? 'null') as {
      error?: string;
      message?: string;
    } | null;
  const first = await cli('--json', 'transfer-token', domain, `expired-${domain}`, '--request-id', 'crm-1');
  expect(first.code).toBe(EXIT.invalidInput); // Google refused it
  expect(cliError(first)?.error).toBe('invalid-input');
  expect(cliError(first)?.message).toMatch(/^transfer token refused: .*\(request id crm-1\)$/);
  const retry = await cli('--json', 'transfer-token', domain, `expired-${domain}`, '--request-id', 'crm-1');
  expect(retry.code).toBe(EXIT.invalidInput);
  expect(cliError(retry)).toEqual(cliError(first));
  const other = await cli('--json', 'transfer-token', domain, `expired-${domain}`, '--request-id', 'crm-2');
  expect(other.code).toBe(EXIT.invalidInput);

  // Each update returns once its token was tried: by now every token sent has been counted.
  const status = await until<OnboardingStatus>(
    ['--json', 'status', domain],
    (s) => s.stage === 'awaiting-transfer-token',
  );
  expect(status.transfer?.tokensTried).toBe(2);
});

test('an empty or control-character --request-id exits 2 before reaching Temporal', async () => {
  const connect = jest.fn(() => Promise.reject(new Error('must not connect')));
  for (const bad of ['', 'line\nbreak', 'x'.repeat(201)]) {
    const extend = await runCliWith(['extend-deadline', 'example.com', '--by', '7d', '--request-id', bad], connect);
    const token = await runCliWith(['transfer-token', 'example.com', 'some-token-value', '--request-id', bad], connect);
    expect([extend.code, token.code]).toEqual([EXIT.invalidInput, EXIT.invalidInput]);
    expect(extend.stderr + token.stderr).toContain('--request-id: must be 1–200 characters without control characters');
    expect(extend.stdout + token.stdout).toBe('');
  }
  expect(connect).not.toHaveBeenCalled();
});
