/**
 * Why this file exists: the transfer activity stops between subscriptions when it is cancelled, and
 * reports what moved as a cancel (the onboarding then ends `cancelled`). A worker shutting down also
 * cancels it (once its grace time is over), and that is not the customer's decision: the activity
 * must fail retryably at once, so the next attempt resumes the transfer on another worker, instead
 * of reporting a cancel. The real activity, googleapis over HTTP, the emulator; the activity's
 * context is Temporal's MockActivityEnvironment, cancelled with the details a real worker gives.
 */
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDependencies } from '../activities';
import { createGoogleClients } from '../activities/google-clients';
import { transferActivities } from '../activities/transfer';
import { EmulatorControl } from '../emulator/control-client';
import { startEmulator, type RunningEmulator } from '../emulator/server';

let emulator: RunningEmulator;
let control: EmulatorControl;
beforeAll(async () => {
  emulator = await startEmulator({ httpPort: 0, smtpPort: 0 });
  control = new EmulatorControl(emulator.url);
});
afterAll(async () => {
  await emulator?.close();
});

const CUSTOMER_ID = 'C0shutdown';
async function seedCustomerElsewhere(domain: string): Promise<void> {
  await control.reset();
  await control.seed({
    customers: [
      {
        customerDomain: domain,
        customerId: CUSTOMER_ID,
        owner: 'google',
        registeredWithThisReseller: true,
        transferTokens: [{ token: 'valid-token' }],
        // Two Workspace subscriptions: two groups, moved one after the other.
        subscriptions: [
          { skuId: '1010020028', planName: 'FLEXIBLE', seats: 5, minimumTransferableSeats: 1 },
          { skuId: '1010020027', planName: 'FLEXIBLE', seats: 5, minimumTransferableSeats: 1 },
        ],
      },
    ],
  });
  // The first move answers slowly: the stop arrives while it is in flight.
  await control.addFault({
    method: 'POST',
    path: `^/apps/reseller/v1/customers/${CUSTOMER_ID}/subscriptions$`,
    delayMs: 1500,
    times: 1,
  });
}

function transfer() {
  const google = createGoogleClients({
    auth: { kind: 'static-token', accessToken: 'test-token' },
    rootUrl: emulator.url,
    requestTimeoutMs: 5000,
  });
  return transferActivities({ google } as unknown as ActivityDependencies);
}

async function runStoppedBy(reason: 'WORKER_SHUTDOWN' | 'CANCELLED', details: ActivityCancellationDetails) {
  const domain = 'shutdown.example';
  await seedCustomerElsewhere(domain);
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 });
  const run = env.run(transfer().transferSubscriptions, {
    customerId: CUSTOMER_ID,
    customerDomain: domain,
    transferToken: 'valid-token',
  });
  await new Promise((r) => setTimeout(r, 500));
  env.cancel(reason, details);
  const outcome = await run.then(
    () => new Error('expected the transfer to stop'),
    (err: unknown) => err,
  );
  const owners = (await control.state()).subscriptions.map((s) => `${s.skuId}:${s.owner}`).sort();
  return { outcome, owners };
}

test('a worker shutdown fails the attempt retryably at once (TransferInterrupted), not as a cancel; the call in flight completes', async () => {
  const started = Date.now();
  const { outcome, owners } = await runStoppedBy(
    'WORKER_SHUTDOWN',
    new ActivityCancellationDetails({ workerShutdown: true }),
  );
  expect(outcome).toBeInstanceOf(ApplicationFailure);
  expect(outcome).not.toBeInstanceOf(CancelledFailure);
  expect(outcome).toMatchObject({ type: 'TransferInterrupted', nonRetryable: false });
  expect((outcome as Error).message).toBe(
    'transfer of shutdown.example the worker shut down after 1 of 2 subscription(s): the next attempt resumes',
  );
  expect(Date.now() - started).toBeLessThan(10_000); // at once: no wait for a heartbeat timeout
  expect(owners).toEqual(['1010020027:google', '1010020028:this-reseller']);
});

test("the onboarding's cancel still stops the transfer as a cancel, with what moved", async () => {
  const { outcome, owners } = await runStoppedBy(
    'CANCELLED',
    new ActivityCancellationDetails({ cancelRequested: true }),
  );
  expect(outcome).toBeInstanceOf(CancelledFailure);
  expect((outcome as CancelledFailure).message).toContain('stopped by a cancel: 1 of 2 subscription(s) had moved');
  expect(owners).toEqual(['1010020027:google', '1010020028:this-reseller']);
});
