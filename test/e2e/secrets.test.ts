/**
 * Secrets stay secret: the raw history, read from the dev server WITHOUT the codec, and the output of
 * a real worker process (at debug level) contain no password, transfer token, alternate e-mail or
 * postal address in clear, and failure messages (which name the admin) are encrypted too. Positive
 * controls show the same search finds them where they belong.
 */
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OnboardingClient } from '../../client/onboarding-client';
import { EmulatorControl } from '../../emulator/control-client';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { CustomerDomainAttribute, OnboardingStageAttribute, domainVerifiedSignal } from '../../workflows/messages';
import { fixtureDataConverter } from '../support/fixture-keys';
import { startDevServer, waitForStatus } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { killAllWorkerProcesses, WorkerProcess } from '../support/worker-process';

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let worker: WorkerProcess;
let client: OnboardingClient;
let google: EmulatorControl;

beforeAll(async () => {
  [env, emulator] = await Promise.all([startDevServer(), startEmulator()]);
  worker = await WorkerProcess.start({
    temporalAddress: env.address,
    emulator,
    env: { LOG_LEVEL: 'debug' },
    outputLinesKept: Infinity,
  });
  client = new OnboardingClient(env.client);
  google = new EmulatorControl(emulator.url);
}, 120_000);
afterAll(async () => {
  await killAllWorkerProcesses();
  await emulator?.close();
  await env?.teardown();
});

const SECRET = {
  suppliedPassword: 'Supplied-Secret-Pw-4711',
  alternateEmail: 'zebulon.quill@private-contact.example.org',
  contactName: 'Zebulon Quillfeather',
  addressLine1: '77 Marigold Crescent',
  postalCode: 'QX9 4ZZ',
  refusedToken: 'Refused-Secret-Token-0001',
  transferToken: 'Accepted-Secret-Token-0002',
};

/** Everything the server stores for a workflow, as text: the history as JSON plus every payload's bytes read as UTF-8. */
function storedText(history: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>): string {
  const payloadTexts: string[] = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (value instanceof Uint8Array) return void payloadTexts.push(Buffer.from(value).toString('utf8'));
    for (const child of Object.values(value)) visit(child);
  };
  visit(history);
  return `${historyToJSON(history)}\n${payloadTexts.join('\n')}`;
}

test('no secret is stored in clear in the history or written to the worker log', async () => {
  const postalAddress = {
    contactName: SECRET.contactName,
    organizationName: 'Quill Org',
    addressLine1: SECRET.addressLine1,
    postalCode: SECRET.postalCode,
    countryCode: 'GB',
  };
  // 1. An order with a password of its own.
  const own = uniqueDomain('secret-own');
  await client.start(
    domainOrder(own, {
      alternateEmail: SECRET.alternateEmail,
      postalAddress,
      admin: { givenName: 'Zeb', familyName: 'Quill', primaryEmail: `admin@${own}`, password: SECRET.suppliedPassword },
    }),
  );
  // 2. An order whose temporary password the onboarding generates and mails.
  const generated = uniqueDomain('secret-generated');
  await client.start(domainOrder(generated, { alternateEmail: SECRET.alternateEmail, postalAddress }));
  // 3. An existing customer: a refused token, then an accepted one.
  const transfer = uniqueDomain('secret-transfer');
  await google.seed({
    customers: [
      {
        customerDomain: transfer,
        owner: 'google',
        transferTokens: [{ token: SECRET.transferToken }],
        subscriptions: [{ skuId: '1010020028', planName: 'FLEXIBLE', seats: 3 }],
      },
    ],
  });
  await client.start(
    domainOrder(transfer, { alternateEmail: SECRET.alternateEmail, postalAddress, transferToken: SECRET.refusedToken }),
  );

  // 4. A failing onboarding: its failure messages name the admin ("users.makeAdmin … failed").
  const failing = uniqueDomain('secret-failing');
  const failingAdmin = `quillfeather.admin@${failing}`;
  await google.addFault({
    method: 'POST',
    path: '/users/quillfeather\\.admin%40[^/]+/makeAdmin$',
    status: 400,
    times: 1,
  });
  await client.start(
    domainOrder(failing, {
      alternateEmail: SECRET.alternateEmail,
      postalAddress,
      admin: { givenName: 'Q', familyName: 'F', primaryEmail: failingAdmin },
    }),
  );
  const failure = await client.result(failing).catch((e: unknown) => e as Error);
  // Through the codec the failure reads in full; in the raw history it must not.
  expect((failure as { cause?: Error }).cause?.message).toContain(failingAdmin);

  for (const domain of [own, generated]) {
    await waitForStatus(
      () => client.status(domain),
      (s) => s.stage === 'awaiting-tos',
      60_000,
    );
    await client.acceptTos(domain);
    await client.handle(domain).signal(domainVerifiedSignal, { reportedBy: 'test' });
    await client.result(domain);
  }
  await waitForStatus(
    () => client.status(transfer),
    (s) => s.stage === 'awaiting-transfer-token',
    60_000,
  );
  expect((await client.provideTransferToken(transfer, SECRET.transferToken)).outcome).toBe('transferred');
  // Release 0.4: the transferred customer's super admins sign Google's new terms before it completes.
  await waitForStatus(
    () => client.status(transfer),
    (s) => s.stage === 'awaiting-tos',
    60_000,
  );
  await client.acceptTos(transfer);
  await client.result(transfer);

  const notice = await google.waitForMail(
    (m) => m.subject.includes(generated) && m.text.includes('Temporary password'),
  );
  const temporaryPassword = /Temporary password: (\S+)/.exec(notice.text)?.[1] ?? '';
  expect(temporaryPassword).toHaveLength(16);
  const secrets = { ...SECRET, temporaryPassword };

  // The raw history, as any Temporal client without the keys (or the server's database) sees it.
  const raw = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  const decode = fixtureDataConverter().payloadCodecs?.[0];
  for (const domain of [own, generated, transfer, failing]) {
    const history = await raw.workflow.getHandle(`onboarding:${domain}`).fetchHistory();
    const stored = storedText(history);
    for (const [name, secret] of Object.entries({ ...secrets, failingAdmin })) {
      expect({ domain, name, inClear: stored.includes(secret) }).toEqual({ domain, name, inClear: false });
    }
    // Positive control: decrypted with the key, the order is there (so the search above could find it).
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads as Payload[];
    const [decrypted] = (await decode?.decode(input)) ?? [];
    expect(Buffer.from(decrypted?.data ?? []).toString('utf8')).toContain(SECRET.alternateEmail);
    // Search attributes are never encrypted: they carry only the domain and the stage.
    // (Read from the raw description: the memo, which holds the status, is encrypted and cannot be decoded here.)
    const described = await raw.workflowService.describeWorkflowExecution({
      namespace: env.namespace ?? 'default',
      execution: { workflowId: `onboarding:${domain}` },
    });
    const fields = described.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
    const attribute = (name: string) => defaultPayloadConverter.fromPayload(fields[name] as Payload);
    expect(attribute(CustomerDomainAttribute.name)).toBe(domain);
    expect(attribute(OnboardingStageAttribute.name)).toMatch(/^(completed|transferred|failed)$/);
    expect(
      Object.values(described.workflowExecutionInfo?.memo?.fields ?? {}).every(
        (p) => Buffer.from(p.metadata?.encoding ?? []).toString() === 'binary/encrypted',
      ),
    ).toBe(true);
  }

  // The worker's own output, at debug level.
  const log = worker.output.join('\n');
  expect(log).toContain('worker started');
  for (const [name, secret] of Object.entries(secrets)) {
    expect({ name, inLog: log.includes(secret) }).toEqual({ name, inLog: false });
  }
}, 180_000);
