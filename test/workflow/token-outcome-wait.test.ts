/**
 * Why this file exists: `provideTransferToken` in the client library answers with the token's outcome
 * (transferred, refused, ...), which the onboarding decides minutes after it queued the token. The
 * library waits for it by reading the onboarding's memo with backoff — describe calls only, no
 * `status` query (each query of an evicted run makes a worker replay up to 1,000 events). The real
 * workflow bundle with stub activities on the time-skipping server; a client interceptor counts the calls.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OnboardingClient } from '../../client/onboarding-client';
import type { TransferredSubscription } from '../../workflows/messages';
import { fixtureDataConverter } from '../support/fixture-keys';
import { startTimeSkippingServer, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { refusal, stubActivities } from '../support/stub-activities';
import { stageReached, startOnboarding, withStubWorker } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

const MOVED: TransferredSubscription[] = [
  { subscriptionId: 'S1', skuId: '1010020028', planName: 'FLEXIBLE', seats: 5 },
];

test('the token outcome is read from the memo with backoff: the same answers, no status query', async () => {
  const domain = uniqueDomain('wf-token-wait');
  const stubs = stubActivities({
    async createResoldCustomer() {
      return { outcome: 'managed-elsewhere', customerId: 'C-held-by-google', attempt: 1 };
    },
    async registerTransferredCustomer({ transferToken }) {
      if (transferToken !== 'valid-token-0002')
        refusal('Google refused the transfer token (403)', 'TransferTokenRefused');
      return { outcome: 'registered', attempt: 1 };
    },
    async transferSubscriptions() {
      await new Promise((r) => setTimeout(r, 3000)); // a transfer takes a while
      return { transferred: MOVED, attempt: 1 };
    },
  });
  const calls = { query: 0, describe: 0 };
  const temporal = new Client({
    connection: env.connection,
    namespace: env.namespace ?? 'default',
    dataConverter: fixtureDataConverter(),
    interceptors: {
      workflow: [
        {
          query: (input, next) => ((calls.query += 1), next(input)),
          describe: (input, next) => ((calls.describe += 1), next(input)),
        },
      ],
    },
  });
  const client = new OnboardingClient(temporal);
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain));
    await stageReached(handle, 'awaiting-transfer-token');

    const refused = await client.provideTransferToken(domain, 'expired-token-0001');
    expect(refused).toMatchObject({ outcome: 'refused', token: 1 });
    await stageReached(handle, 'awaiting-transfer-token');

    const started = Date.now();
    calls.describe = 0;
    const transferred = await client.provideTransferToken(domain, 'valid-token-0002');
    expect(transferred).toMatchObject({ outcome: 'transferred', token: 2 });
    expect(Date.now() - started).toBeGreaterThan(3000);
    // ~3 s of waiting: reads at 0.25, 0.75, 1.75, 3.75 s — not one per second, let alone a query each.
    expect(calls.describe).toBeLessThanOrEqual(6);
    expect(calls.query).toBe(0);
  });
}, 60_000);
