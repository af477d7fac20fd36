/**
 * Issue 19's "done when", on the real stack (dev server, the real worker with the production codec
 * settings — encrypted input required, undecryptable payloads refused — the Google emulator, SMTP):
 *
 * - a ciphertext copied from one onboarding into another start does not decrypt there;
 * - the replay attack (a continued run's order + carried state started again elsewhere and
 *   terminated) makes the reconciliation remove nothing, even with removal on;
 * - a keyless `temporal workflow signal --name tosAccepted` (the real CLI) leaves the onboarding in
 *   `awaiting-tos`;
 * - a forged `binary/encrypted` signal does not stall the run: the genuine signal completes it.
 *
 * Each fails on release 0.3: the copy decrypted anywhere, the reconciliation trusted the planted
 * history and deleted the live admin, the keyless signal accepted the terms, the forged payload
 * failed every workflow task.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Payload } from '@temporalio/common';
import { runReconciliation } from '../../client/reconciliation';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA_KEY, type PayloadRefusal } from '../../encryption/codec';
import { provisionTemporal } from '../../scripts/provision-temporal';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../../workflows/messages';
import { FIXTURE_KEYS, fixtureDataConverter } from '../support/fixture-keys';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';

const run = promisify(execFile);
let stack: OnboardingStack;
const refusals: PayloadRefusal[] = [];

beforeAll(async () => {
  stack = await startOnboardingStack({
    devServer: { suggestContinueAsNewAfterEvents: 40 },
    dataConverter: fixtureDataConverter({
      requireEncrypted: true,
      refuseUndecryptable: true,
      onRefused: (refusal) => refusals.push(refusal),
    }),
    // Removal ON: the attack must remove nothing even so.
    reconciliation: { removeUsers: true, lookbackMs: 86_400_000 },
  });
});
afterAll(async () => {
  await stack?.teardown();
});

const namespace = () => stack.env.namespace ?? 'default';

/** The raw (still encrypted) start input of a run, as anyone allowed to read histories sees it. */
async function rawStartInput(workflowId: string, runId?: string): Promise<Payload[]> {
  const history = await stack.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
}

/** Starts a workflow with payloads exactly as given: the attacker holds no key and re-encodes nothing. */
async function startRaw(workflowId: string, payloads: Payload[], taskQueue = TASK_QUEUE): Promise<string> {
  const { runId } = await stack.env.client.workflowService.startWorkflowExecution({
    namespace: namespace(),
    workflowId,
    workflowType: { name: WORKFLOW_TYPE },
    taskQueue: { name: taskQueue },
    input: { payloads },
    requestId: randomUUID(),
  });
  return runId;
}

async function toAwaitingTos(domain: string, extra: Parameters<typeof domainOrder>[1] = {}) {
  const started = await stack.client.start(domainOrder(domain, { verifyDomain: false, ...extra }));
  await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos',
  );
  return started;
}

const usersAt = async (email: string) => (await stack.google.state()).users.filter((u) => u.primaryEmail === email);

test("a ciphertext copied from one onboarding into another's start does not decrypt there", async () => {
  const victim = uniqueDomain('bound-a');
  const other = uniqueDomain('bound-b');
  const { runId } = await toAwaitingTos(victim);
  refusals.length = 0;
  await startRaw(`onboarding:${other}`, await rawStartInput(`onboarding:${victim}`, runId));

  const failure = await stack.env.client.workflow
    .getHandle(`onboarding:${other}`)
    .result()
    .catch((err: Error & { cause?: { type?: string } }) => err);
  expect((failure as { cause?: { type?: string } }).cause?.type).toBe('UnencryptedInput');
  expect(refusals).toContainEqual({ reason: 'bound-elsewhere', workflowId: `onboarding:${other}` });
  expect((await stack.google.state()).customers.some((c) => c.customerDomain === other)).toBe(false);
  await stack.client.cancel(victim, 'end of test');
});

test("a genuine tosAccepted copied from one onboarding's history into another's does not apply there", async () => {
  const [a, b] = [uniqueDomain('sig-a'), uniqueDomain('sig-b')];
  await Promise.all([toAwaitingTos(a), toAwaitingTos(b)]);
  await stack.client.acceptTos(a, { reportedBy: 'genuine' });
  await stack.client.handle(a).result();
  const history = await stack.env.client.workflow.getHandle(`onboarding:${a}`).fetchHistory();
  const signal = history.events?.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'tosAccepted');
  const copied = (signal?.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []) as Payload[];
  expect(copied).toHaveLength(1);
  refusals.length = 0;
  await stack.env.client.workflowService.signalWorkflowExecution({
    namespace: namespace(),
    workflowExecution: { workflowId: `onboarding:${b}` },
    signalName: 'tosAccepted',
    input: { payloads: copied },
    requestId: randomUUID(),
  });
  await waitForStatus(
    async () => refusals.filter((r) => r.workflowId === `onboarding:${b}`),
    (found) => found.some((r) => r.reason === 'bound-elsewhere'),
  );
  const status = await stack.client.status(b);
  expect(status.stage).toBe('awaiting-tos');
  expect(status.tosAccepted).toBeUndefined();
  await stack.client.cancel(b, 'end of test');
});

test("the replay attack: a continued run's input started elsewhere and terminated removes nothing", async () => {
  const victim = uniqueDomain('replayed');
  const started = await toAwaitingTos(victim, { waitPolicy: { checkEvery: '1 second' } });
  // The wait continues as new: the next run's start input carries the order and the state (admin, marker).
  const continued = await waitForStatus(
    async () => (await stack.client.handle(victim).describe()).runId,
    (runId) => runId !== started.runId,
  );
  const stolen = await rawStartInput(`onboarding:${victim}`, continued);
  expect(stolen).toHaveLength(2);

  // Started again under other ids — one on a task queue nobody polls — and terminated at once.
  for (const [id, queue] of [
    [`attack-${randomUUID()}`, 'nobody-polls'],
    [`onboarding:${uniqueDomain('decoy')}`, 'nobody-polls'],
  ] as const) {
    await startRaw(id, stolen, queue);
    await stack.env.client.workflow.getHandle(id).terminate('attacker');
  }
  await waitForStatus(
    async () => {
      let n = 0;
      for await (const _ of stack.env.client.workflow.list({ query: `ExecutionStatus = 'Terminated'` })) n++;
      return n;
    },
    (n) => n >= 2,
  );

  const report = await runReconciliation(stack.env.client, {});
  expect(report.leftovers.filter((l) => l.user === `admin@${victim}`)).toEqual([]);
  expect(await usersAt(`admin@${victim}`)).toHaveLength(1);
  expect((await stack.client.status(victim)).stage).toBe('awaiting-tos');
  await stack.client.cancel(victim, 'end of test');
});

test('a keyless `temporal workflow signal --name tosAccepted` leaves the onboarding awaiting the terms', async () => {
  const domain = uniqueDomain('keyless');
  await toAwaitingTos(domain);
  await run(provisionTemporal().cli, [
    'workflow',
    'signal',
    '--workflow-id',
    `onboarding:${domain}`,
    '--name',
    'tosAccepted',
    '--address',
    stack.env.address,
    '--namespace',
    namespace(),
  ]);
  // The signal is in the history; a query after it is answered by a worker that has processed it.
  await waitForStatus(
    async () => (await stack.env.client.workflow.getHandle(`onboarding:${domain}`).fetchHistory()).events ?? [],
    (events) => events.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'tosAccepted'),
  );
  await new Promise((r) => setTimeout(r, 1500));
  const status = await stack.client.status(domain);
  expect(status.stage).toBe('awaiting-tos');
  expect(status.tosAccepted).toBeUndefined();

  await stack.client.acceptTos(domain, { reportedBy: 'genuine' }); // the client always sends an (encrypted) argument
  const done = await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage !== 'awaiting-tos',
  );
  expect(done.tosAccepted).toMatchObject({ via: 'signal', reportedBy: 'genuine' });
});

test('a forged binary/encrypted signal does not stall the run: the genuine signal completes it', async () => {
  const domain = uniqueDomain('forged');
  await toAwaitingTos(domain);
  refusals.length = 0;
  const forged = (keyId: string, bytes: number): Payload => ({
    metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA_KEY]: Buffer.from(keyId) },
    data: Buffer.alloc(bytes, 1),
  });
  for (const payload of [forged('unknown-key', 64), forged(FIXTURE_KEYS[0]!.id, 64), forged(FIXTURE_KEYS[0]!.id, 3)]) {
    await stack.env.client.workflowService.signalWorkflowExecution({
      namespace: namespace(),
      workflowExecution: { workflowId: `onboarding:${domain}` },
      signalName: 'tosAccepted',
      input: { payloads: [payload] },
      requestId: randomUUID(),
    });
  }
  await waitForStatus(
    async () => refusals.filter((r) => r.workflowId === `onboarding:${domain}`).length,
    (n) => n >= 3,
  );
  expect((await stack.client.status(domain)).stage).toBe('awaiting-tos');

  await stack.client.acceptTos(domain, { reportedBy: 'genuine' });
  const result = await stack.client.handle(domain).result();
  expect(result.stage).toBe('completed');
  expect(result.tosAccepted).toMatchObject({ reportedBy: 'genuine' });
});
