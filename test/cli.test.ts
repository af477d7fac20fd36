/**
 * The `onboarding` CLI against the real stack: a Temporal dev server, the worker with its real
 * activities, and the Google emulator. Output is read from what the CLI writes to stdout/stderr.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, runCli } from '../client/cli';
import type { OnboardingStatus } from '../workflows/messages';
import { startOnboardingStack, type OnboardingStack } from './support/onboarding-stack';
import { domainOrder, uniqueDomain } from './support/orders';

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

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs the CLI on the stack's client (which the stack closes itself, hence the no-op close). */
async function cli(...argv: string[]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0);
  try {
    const code = await runCli(argv, async () => Object.assign(stack.client, { close: async () => {} }));
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

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
  writeFileSync(file, JSON.stringify(domainOrder(domain)));

  const start = await cli('--json', 'start', file);
  expect(start).toMatchObject({ code: EXIT.ok, stderr: '' });
  expect(JSON.parse(start.stdout)).toMatchObject({ workflowId: `onboarding:${domain}`, customerDomain: domain, alreadyExisted: false });

  const waiting = await until<OnboardingStatus>(['--json', 'status', domain], (s) => s.stage === 'awaiting-tos');
  expect(waiting).toMatchObject({ customerDomain: domain, waitingFor: { what: 'tos-acceptance' } });

  const listed = await until<{ customerDomain: string; stage: string }[]>(['--json', 'list', '--stage', 'awaiting-tos'], (rows) =>
    rows.some((row) => row.customerDomain === domain),
  );
  expect(listed.find((row) => row.customerDomain === domain)).toMatchObject({ stage: 'awaiting-tos', executionStatus: 'RUNNING' });

  // Starting the same order again starts nothing new.
  const again = await cli('--json', 'start', file);
  expect(again.code).toBe(EXIT.ok);
  expect(JSON.parse(again.stdout)).toMatchObject({ workflowId: `onboarding:${domain}`, alreadyExisted: true });

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
  expect(JSON.parse(run.stderr)).toMatchObject({ error: 'invalid-order', problems: [{ field: 'alternateEmail', rule: "must not be on the customer's own domain" }] });
  expect((await cli('status', domain)).code).toBe(EXIT.notFound);
});
