/**
 * Every order of the bad-input corpus is refused in the one validation, by all three doors: the
 * function itself, the CLI (before it even connects to Temporal) and the client library (before
 * anything starts on a real dev server). Refusals name the fields and never echo secrets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { EXIT } from '../../client/cli';
import { runCliWith } from '../support/cli-runner';
import { OnboardingClient } from '../../client/onboarding-client';
import { OrderValidationError, validateOrder, type OrderProblem } from '../../order/order';
import {
  BAD_ORDERS,
  CORPUS_ALLOWED_COUNTRIES,
  TRICKY_VALID_ORDERS,
  type BadOrder,
} from '../fixtures/bad-orders/corpus';
import { startDevServer } from '../support/onboarding-stack';
import { domainOrder } from '../support/orders';

const policy = { allowedCountries: CORPUS_ALLOWED_COUNTRIES };
const cases = BAD_ORDERS.map((entry) => [entry.name, entry] as const);

/** Problems name fields, never values: no secret, no payload, nothing near the size of a 1 MB input. */
function expectRefusal(problems: readonly OrderProblem[], text: string, entry: BadOrder) {
  expect([...new Set(problems.map((p) => p.field))].sort()).toEqual([...entry.fields].sort());
  for (const problem of problems) expect(problem.rule).not.toBe('');
  for (const value of entry.mustNotEcho ?? []) expect(text).not.toContain(value);
  expect(text.length).toBeLessThan(2000);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bad-orders-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the corpus holds at least 40 bad orders, each naming the fields it breaks', () => {
  expect(BAD_ORDERS.length).toBeGreaterThanOrEqual(40);
  expect(new Set(BAD_ORDERS.map((e) => e.name)).size).toBe(BAD_ORDERS.length);
  for (const entry of BAD_ORDERS) expect(entry.fields.length).toBeGreaterThan(0);
});

describe('validateOrder', () => {
  test.each(cases)('refuses %s', (_name, entry) => {
    let error: unknown;
    try {
      validateOrder(entry.order, policy);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OrderValidationError);
    const refusal = error as OrderValidationError;
    expectRefusal(refusal.problems, `${refusal.message}\n${JSON.stringify(refusal.problems)}`, entry);
  });

  test.each(TRICKY_VALID_ORDERS.map((t) => [t.name, t] as const))('accepts %s', (_name, tricky) => {
    expect(validateOrder(tricky.order, policy)).toMatchObject(tricky.normalized);
  });
});

const cli = runCliWith;

/** Stands in for Temporal: any call means the CLI went on to start a workflow. */
const refuseToConnect = () => jest.fn(async () => Promise.reject(new Error('connect() called')));

describe('the CLI', () => {
  const previousPolicy = process.env.ONBOARDING_ALLOWED_COUNTRIES;
  beforeAll(() => {
    process.env.ONBOARDING_ALLOWED_COUNTRIES = CORPUS_ALLOWED_COUNTRIES.join(',');
  });
  afterAll(() => {
    if (previousPolicy === undefined) delete process.env.ONBOARDING_ALLOWED_COUNTRIES;
    else process.env.ONBOARDING_ALLOWED_COUNTRIES = previousPolicy;
  });

  test.each(cases)('refuses %s with exit 2, without connecting', async (_name, entry) => {
    const file = join(dir, `${BAD_ORDERS.indexOf(entry)}.json`);
    writeFileSync(file, JSON.stringify(entry.order));
    const connect = refuseToConnect();
    const run = await cli(['--json', 'start', file], connect);
    expect(connect).not.toHaveBeenCalled();
    expect(run.code).toBe(EXIT.invalidInput);
    expect(run.stdout).toBe('');
    const output = JSON.parse(run.stderr) as { error: string; problems: OrderProblem[] };
    expect(output.error).toBe('invalid-order');
    expectRefusal(output.problems, run.stderr, entry);
  });

  // The positive control: a valid order does go on to connect (here: to a Temporal that is down).
  test.each(TRICKY_VALID_ORDERS.map((t) => [t.name, t] as const))(
    'goes on to connect for %s',
    async (_name, tricky) => {
      const file = join(dir, `valid-${TRICKY_VALID_ORDERS.indexOf(tricky)}.json`);
      writeFileSync(file, JSON.stringify(tricky.order));
      const connect = refuseToConnect();
      const run = await cli(['start', file], connect);
      expect(connect).toHaveBeenCalledTimes(1);
      expect(run.code).toBe(EXIT.unreachable);
    },
  );

  test('a file that does not exist is invalid input, named in the message', async () => {
    const connect = refuseToConnect();
    const run = await cli(['start', join(dir, 'no-such-order.json')], connect);
    expect(run.code).toBe(EXIT.invalidInput);
    expect(run.stderr).toMatch(/Cannot read .*no-such-order\.json: ENOENT/);
    expect(connect).not.toHaveBeenCalled();
  });

  test('a file that is not JSON is invalid input, without echoing its content', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"customerDomain": "acme.example.com", "admin": {"password": "Hunter2-secret"');
    const connect = refuseToConnect();
    const run = await cli(['--json', 'start', file], connect);
    expect(run.code).toBe(EXIT.invalidInput);
    expect(JSON.parse(run.stderr)).toMatchObject({
      error: 'invalid-input',
      message: expect.stringContaining('is not valid JSON'),
    });
    expect(run.stderr).not.toContain('Hunter2-secret');
    expect(connect).not.toHaveBeenCalled();
  });

  test('an unknown command is invalid input', async () => {
    const connect = refuseToConnect();
    const run = await cli(['frobnicate', 'acme.example.com'], connect);
    expect(run.code).toBe(EXIT.invalidInput);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('the client library on a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test('refuses every bad order before starting anything; only the valid control order ever starts', async () => {
    // No worker: whatever starts stays visible as an open workflow.
    const client = new OnboardingClient(env.client, policy);
    for (const entry of BAD_ORDERS) {
      const refusal = await client.start(entry.order).then(
        () => new Error(`started: ${entry.name}`),
        (err: unknown) => err,
      );
      expect(refusal).toBeInstanceOf(OrderValidationError);
      expectRefusal((refusal as OrderValidationError).problems, (refusal as OrderValidationError).message, entry);
    }

    // Visibility is eventually consistent: wait for the control order, started last, to show up;
    // any bad order that had started would have shown up before it.
    const control = domainOrder();
    const started = await client.start(control);
    const deadline = Date.now() + 15_000;
    let listed = await client.list();
    while (listed.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      listed = await client.list();
    }
    expect(listed.map((row) => row.workflowId)).toEqual([started.workflowId]);
    expect(listed[0]?.customerDomain).toBe(control.customerDomain);
    expect((await env.client.workflow.count()).count).toBe(1);
  });
});
