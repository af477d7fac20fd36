/**
 * `onboarding start-batch` against the real stack (Temporal dev server, the worker with its real
 * activities, the Google emulator): a batch with one bad line starts nothing (checked in Temporal
 * itself), the fixed batch starts every order, running it again starts nothing new, and a CSV's
 * cells reach the workflow typed as the order schema wants. Orders skip domain verification and
 * keep long waits: they only need to start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { EXIT } from '../../client/cli';
import { runCliOn, runCliWith, type CliRun } from '../support/cli-runner';
import { OnboardingClient } from '../../client/onboarding-client';
import type { OrderInput } from '../../order/order';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

let stack: OnboardingStack;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'start-batch-test-'));
  stack = await startOnboardingStack();
});
afterAll(async () => {
  await stack?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI on `client` (the stack's by default). */
const cli = (argv: string[], client: OnboardingClient = stack.client): Promise<CliRun> => runCliOn(client, argv);

/** What Temporal knows of a domain's onboarding: its execution status, or undefined when none exists. */
async function temporalStatus(domain: string): Promise<string | undefined> {
  try {
    return (await stack.env.client.workflow.getHandle(`onboarding:${domain}`).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

const PASSWORD = 'Batch-Secret-Pass-42';
const batchOrder = (domain: string, overrides: Partial<OrderInput> = {}): OrderInput =>
  domainOrder(domain, { verifyDomain: false, waitPolicy: { checkEvery: '1 hour', deadline: '30 days' }, ...overrides });
const jsonl = (orders: readonly unknown[]) => `${orders.map((o) => JSON.stringify(o)).join('\n')}\n`;

test('a 20-line batch with a bad country on line 7 starts nothing; fixed, it starts all 20; again, all already onboarding', async () => {
  const domains = Array.from({ length: 20 }, () => uniqueDomain('batch'));
  const orders = domains.map((domain, i) =>
    batchOrder(
      domain,
      i === 0
        ? { admin: { givenName: 'Alex', familyName: 'Cruz', primaryEmail: `admin@${domain}`, password: PASSWORD } }
        : {},
    ),
  );
  const bad = orders.map((order, i) =>
    i === 6 ? { ...order, postalAddress: { ...order.postalAddress, countryCode: 'XX' } } : order,
  );
  const file = join(dir, 'orders.jsonl');
  writeFileSync(file, jsonl(bad));

  const refused = await cli(['start-batch', file]);
  expect(refused.code).toBe(EXIT.invalidInput);
  expect(refused.stdout).toBe('');
  expect(refused.stderr).toContain('line 7: postalAddress.countryCode: must be an ISO 3166-1 alpha-2 country code');
  expect(refused.stderr).toContain('nothing was started');
  expect(await Promise.all(domains.map(temporalStatus))).toEqual(domains.map(() => undefined));

  writeFileSync(file, jsonl(orders));
  const started = await cli(['start-batch', file, '--concurrency', '4']);
  expect(started.code).toBe(EXIT.ok);
  const progress = started.stderr.split('\n').filter((line) => /^\d+\/20 line \d+ /.test(line));
  expect(progress).toHaveLength(20);
  expect(progress.map((line) => line.split(' ')[0])).toEqual(domains.map((_, i) => `${i + 1}/20`));
  expect(started.stderr).toContain('20 orders: 20 started, 0 already onboarding, 0 failed to start');
  const table = started.stdout.trimEnd().split('\n');
  expect(table[0]).toMatch(/^LINE\s+DOMAIN\s+OUTCOME$/);
  expect(table.slice(1).map((row) => row.split(/\s+/))).toEqual(
    domains.map((domain, i) => [String(i + 1), domain, 'started']),
  );
  expect(await Promise.all(domains.map(temporalStatus))).toEqual(domains.map(() => 'RUNNING'));
  expect(`${started.stdout}${started.stderr}${refused.stderr}`).not.toContain(PASSWORD);

  const again = await cli(['--json', 'start-batch', file]);
  expect(again.code).toBe(EXIT.ok);
  const rows = again.stdout
    .trimEnd()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { line: number; customerDomain: string; outcome: string; executionStatus: string },
    );
  expect(rows.map((r) => [r.line, r.customerDomain, r.outcome, r.executionStatus])).toEqual(
    domains.map((domain, i) => [i + 1, domain, 'already-onboarding', 'RUNNING']),
  );
});

test('a CSV batch: dotted columns, a JSON subscriptions cell and a boolean cell reach the workflow as the order schema wants', async () => {
  const [a, b, team] = [uniqueDomain('csv'), uniqueDomain('csv'), uniqueDomain('csv-team')];
  const subs = (sku: string, plan: string, seats: number) =>
    `"[{""skuId"": ""${sku}"", ""plan"": ""${plan}"", ""seats"": ${seats}}]"`;
  const csv = [
    'customerDomain,customerType,alternateEmail,postalAddress.contactName,postalAddress.organizationName,postalAddress.postalCode,postalAddress.countryCode,admin.givenName,admin.familyName,admin.primaryEmail,primaryAdmin.primaryEmail,subscriptions,verifyDomain,waitPolicy.deadline',
    `${a},domain,owner@mail.example.org,Alex Cruz,"Acme, Inc.",94043,US,Alex,Cruz,admin@${a},,${subs('1010020028', 'FLEXIBLE', 10)},false,30 days`,
    '',
    // A JSON cell spread over lines, as a spreadsheet keeps it: the row still counts from line 4.
    `${b},domain,owner@mail.example.org,Mette Holm,"Adatum, ApS",2100,DK,Mette,Holm,admin@${b},,"[`,
    `  {""skuId"": ""1010020027"", ""plan"": ""ANNUAL_YEARLY_PAY"", ""seats"": 40}`,
    `]",FALSE,`,
    `${team},team,,Sam Lee,Sam Team,10001,US,,,,founder@gmail.example,${subs('1010060001', 'FLEXIBLE', 3)},,`,
  ].join('\r\n');
  const file = join(dir, 'orders.csv');
  writeFileSync(file, csv);

  const run = await cli(['start-batch', file, '--concurrency', '2']);
  expect(run).toMatchObject({ code: EXIT.ok, stderr: expect.not.stringMatching(/line \d+: /) });
  expect(
    run.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((row) => row.split(/\s+/).slice(0, 3)),
  ).toEqual([
    ['2', a, 'started'],
    ['4', b, 'started'],
    ['7', team, 'started'],
  ]);

  const status = await waitForStatus(
    () => stack.client.status(b),
    (s) => (s.subscriptions?.length ?? 0) > 0,
  );
  expect(status.subscriptions?.[0]).toMatchObject({ skuId: '1010020027', plan: 'ANNUAL_YEARLY_PAY', seats: 40 });
  expect(status.domainVerification?.required ?? false).toBe(false);
  const teamStatus = await waitForStatus(
    () => stack.client.status(team),
    (s) => s.customerType !== undefined,
  );
  expect(teamStatus.customerType).toBe('team');
});

test('an onboarding that completed earlier is reported as already onboarded, and is not started again', async () => {
  const [done, fresh] = [uniqueDomain('completed'), uniqueDomain('fresh')];
  await stack.client.start(batchOrder(done, { waitPolicy: { checkEvery: '1s' } }));
  await waitForStatus(
    () => stack.client.status(done),
    (s) => s.stage === 'awaiting-tos',
  );
  await stack.client.acceptTos(done, { reportedBy: 'start-batch-test' });
  await waitForStatus(
    () => stack.client.status(done),
    (s) => s.stage === 'completed',
  );
  const file = join(dir, 'completed.jsonl');
  writeFileSync(file, jsonl([batchOrder(done), batchOrder(fresh)]));

  const run = await cli(['start-batch', file]);
  expect(run.code).toBe(EXIT.ok);
  expect(
    run.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((row) => row.split(/\s+/)),
  ).toEqual([
    ['1', done, 'already-onboarded', '(COMPLETED)'],
    ['2', fresh, 'started'],
  ]);
  expect(await temporalStatus(done)).toBe('COMPLETED');
});

test('a CSV line whose subscriptions cell is not JSON is named with its line and column; nothing starts', async () => {
  const domain = uniqueDomain('csv-bad');
  const file = join(dir, 'bad.csv');
  writeFileSync(
    file,
    `customerDomain,alternateEmail,postalAddress.contactName,postalAddress.organizationName,postalAddress.postalCode,postalAddress.countryCode,admin.givenName,admin.familyName,admin.primaryEmail,subscriptions\n${domain},owner@mail.example.org,A,B,1,US,A,B,admin@${domain},"[{skuId: 1}"\n`,
  );
  const run = await cli(['--json', 'start-batch', file]);
  expect(run.code).toBe(EXIT.invalidInput);
  expect(JSON.parse(run.stderr.split('\n')[0] ?? '')).toEqual({
    line: 2,
    field: 'subscriptions',
    rule: expect.stringContaining('in one cell (column 10)'),
  });
  expect(await temporalStatus(domain)).toBeUndefined();
});

test('the order policy from the environment applies to every line, before anything starts', async () => {
  const [us, fr] = [uniqueDomain('policy'), uniqueDomain('policy')];
  const file = join(dir, 'policy.jsonl');
  writeFileSync(
    file,
    jsonl([
      batchOrder(us),
      batchOrder(fr, {
        postalAddress: { contactName: 'A', organizationName: 'B', postalCode: '75002', countryCode: 'FR' },
      }),
    ]),
  );
  const saved = process.env.ONBOARDING_ALLOWED_COUNTRIES;
  process.env.ONBOARDING_ALLOWED_COUNTRIES = 'US,CA';
  try {
    const run = await cli(['start-batch', file]);
    expect(run.code).toBe(EXIT.invalidInput);
    expect(run.stderr).toContain(
      'line 2: postalAddress.countryCode: must be a country this reseller sells to (US, CA)',
    );
  } finally {
    if (saved === undefined) delete process.env.ONBOARDING_ALLOWED_COUNTRIES;
    else process.env.ONBOARDING_ALLOWED_COUNTRIES = saved;
  }
  expect(await Promise.all([us, fr].map(temporalStatus))).toEqual([undefined, undefined]);
});

test('Temporal answering an error (an unknown namespace) fails those rows: exit 1, each row with the reason', async () => {
  const file = join(dir, 'namespace.jsonl');
  writeFileSync(file, jsonl([batchOrder(uniqueDomain('ns')), batchOrder(uniqueDomain('ns'))]));
  const elsewhere = new OnboardingClient(
    new Client({ connection: stack.env.connection, namespace: 'no-such-namespace' }),
  );
  const run = await cli(['start-batch', file], elsewhere);
  expect(run.code).toBe(EXIT.error);
  const rows = run.stdout.trimEnd().split('\n').slice(1);
  expect(rows).toHaveLength(2);
  for (const row of rows) expect(row).toMatch(/failed-to-start: .*no-such-namespace/i);
  expect(run.stderr).toContain('2 of 2 orders could not be started');
});

test('Temporal unreachable: exit 4', async () => {
  const file = join(dir, 'unreachable.jsonl');
  writeFileSync(file, jsonl([batchOrder(uniqueDomain('down'))]));
  const run = await runCliWith(['start-batch', file], () =>
    Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:7233')),
  );
  expect(run.code).toBe(EXIT.unreachable);
  expect(run.stderr).toContain('Cannot reach Temporal');
});

test('the example files start as they are', async () => {
  for (const name of ['orders.jsonl', 'orders.csv']) {
    const run = await cli(['--json', 'start-batch', join(__dirname, '../../examples/batch', name)]);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(3);
  }
});
