/**
 * Why this file exists: `startBatch` is what a sales system calls for hundreds of orders, so its
 * promises are pinned against a client double: nothing starts when any row is bad; at most
 * `concurrency` starts are in flight; existing onboardings are reported, not duplicated; a refused
 * start is reported per row; once Temporal is unreachable no further row is tried. (The real
 * `OnboardingClient.start` against a real server is test/e2e/start-batch.test.ts.)
 */
import { BatchValidationError, numberedRows, startBatch, type BatchRowResult } from '../../client/batch';
import type { StartedOnboarding } from '../../client/onboarding-client';
import type { Order } from '../../order/order';
import { domainOrder } from '../support/orders';

/** A gRPC error as the Temporal client raises it when the server cannot be reached (code UNAVAILABLE). */
function unavailable(): Error {
  return Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
    code: 14,
    details: 'No connection established',
    metadata: {},
  });
}

function fakeClient(behaviour: (order: Order) => Promise<Partial<StartedOnboarding>> | Partial<StartedOnboarding>) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    async start(input: unknown): Promise<StartedOnboarding> {
      const order = input as Order;
      calls.push(order.customerDomain);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const answer = await behaviour(order);
        return {
          workflowId: `onboarding:${order.customerDomain}`,
          runId: 'run-1',
          customerDomain: order.customerDomain,
          alreadyExisted: false,
          executionStatus: 'RUNNING',
          ...answer,
        };
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { client, calls, maxInFlight: () => maxInFlight };
}

const orders = (n: number) => Array.from({ length: n }, (_, i) => domainOrder(`d${i + 1}.example.com`));

test('a bad row starts nothing: BatchValidationError lists the problems', async () => {
  const fake = fakeClient(() => ({}));
  const batch = orders(5);
  batch[3] = {
    ...batch[3],
    postalAddress: { contactName: 'A', organizationName: 'B', postalCode: '1', countryCode: 'ZZ' },
  } as (typeof batch)[number];
  const run = startBatch(fake.client, numberedRows(batch));
  await expect(run).rejects.toBeInstanceOf(BatchValidationError);
  await expect(run).rejects.toMatchObject({ problems: [{ line: 4, field: 'postalAddress.countryCode' }] });
  expect(fake.calls).toEqual([]);
});

test('starts every row with at most `concurrency` in flight, reporting each as it finishes', async () => {
  const fake = fakeClient(() => ({}));
  const seen: [number, number][] = [];
  const summary = await startBatch(fake.client, numberedRows(orders(20)), {
    concurrency: 3,
    onRow: (r, p) => seen.push([r.line, p.done]),
  });
  expect(fake.maxInFlight()).toBe(3);
  expect(fake.calls).toHaveLength(20);
  expect(summary.results.map((r) => r.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(summary.counts).toEqual({
    started: 20,
    'already-onboarding': 0,
    'already-onboarded': 0,
    'failed-to-start': 0,
  });
  expect(seen.map(([, done]) => done)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
});

test('existing onboardings are reported (running, completed) and a refused start is a failed row with its reason', async () => {
  const fake = fakeClient((order) => {
    if (order.customerDomain === 'd2.example.com') return { alreadyExisted: true, executionStatus: 'RUNNING' };
    if (order.customerDomain === 'd3.example.com') return { alreadyExisted: true, executionStatus: 'COMPLETED' };
    if (order.customerDomain === 'd4.example.com') throw new Error('namespace default is rate limited');
    return {};
  });
  const summary = await startBatch(fake.client, numberedRows(orders(4)));
  expect(summary.results.map((r: BatchRowResult) => [r.line, r.outcome, r.executionStatus ?? r.reason ?? ''])).toEqual([
    [1, 'started', ''],
    [2, 'already-onboarding', 'RUNNING'],
    [3, 'already-onboarded', 'COMPLETED'],
    [4, 'failed-to-start', 'namespace default is rate limited'],
  ]);
  expect(summary.unreachable).toBe(false);
});

test('once Temporal is unreachable, no further row is tried', async () => {
  const fake = fakeClient((order) => {
    if (order.customerDomain === 'd3.example.com') throw unavailable();
    return {};
  });
  const summary = await startBatch(fake.client, numberedRows(orders(10)), { concurrency: 1 });
  expect(fake.calls).toEqual(['d1.example.com', 'd2.example.com', 'd3.example.com']);
  expect(summary.unreachable).toBe(true);
  expect(summary.counts).toMatchObject({ started: 2, 'failed-to-start': 8 });
  expect(summary.results[5]).toMatchObject({
    outcome: 'failed-to-start',
    reason: 'not tried: Temporal is unreachable',
    unreachable: true,
  });
});

test('a throwing progress callback does not stop the other starts; the caller hears of it at the end', async () => {
  const fake = fakeClient(() => ({}));
  const run = startBatch(fake.client, numberedRows(orders(6)), {
    concurrency: 2,
    onRow: (r) => {
      if (r.line === 2) throw new Error('progress sink broke');
    },
  });
  await expect(run).rejects.toThrow('progress sink broke');
  expect(fake.calls).toHaveLength(6);
});
