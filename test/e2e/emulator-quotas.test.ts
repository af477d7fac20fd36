/**
 * The emulator's quotas (off by default, set through /_emulator/settings) and its probabilistic,
 * seeded faults: what the product's pacing and retries are tested against.
 */
import { OAuth2Client } from 'google-auth-library';
import { admin } from 'googleapis/build/src/apis/admin';
import { type BatchPart, sendBatch } from '../../activities/google-batch';
import { createCustomer, googleError, useEmulator, userBody } from '../support/emulator-harness';

const h = useEmulator();

function directoryAs(token: string) {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token });
  return admin({
    version: 'directory_v1',
    rootUrl: h.emulator.url,
    auth,
    fetchImplementation: fetch,
    retryConfig: { retry: 0 },
  });
}

describe('quotas', () => {
  it('limits Directory queries per minute per user (bearer token) with 403 userRateLimitExceeded', async () => {
    const customerId = await createCustomer(h, 'quota.example');
    await h.control.updateSettings({ directoryQueriesPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) await h.directory.customers.get({ customerKey: customerId });
    const error = await googleError(h.directory.customers.get({ customerKey: customerId }));
    expect(error.status).toBe(403);
    expect(error.body.error.errors[0]!.reason).toBe('userRateLimitExceeded');
    // Another impersonated user has its own quota; the Reseller API is not affected.
    await directoryAs('other-admin-token').customers.get({ customerKey: customerId });
    await h.resellerApi.customers.get({ customerId });
    await h.control.updateSettings({ directoryQueriesPerMinute: null });
    await h.directory.customers.get({ customerKey: customerId });
  });

  it('limits Reseller queries per minute with 429 quotaExceeded, counting each call of a batch', async () => {
    const customerId = await createCustomer(h, 'reseller-quota.example');
    await h.control.updateSettings({ resellerQueriesPerMinute: 2 });
    await h.resellerApi.customers.get({ customerId });
    const parts: BatchPart[] = Array.from({ length: 2 }, () => ({
      method: 'POST',
      path: `/apps/reseller/v1/customers/${customerId}/subscriptions`,
      query: { customerAuthToken: 't' },
      body: {},
    }));
    const auth = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch } });
    auth.setCredentials({ access_token: 'x' });
    const batchError = await sendBatch(auth, h.emulator.url, parts, { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(batchError).toMatchObject({ response: { status: 429 } });
    await h.resellerApi.customers.get({ customerId });
    const error = await googleError(h.resellerApi.customers.get({ customerId }));
    expect(error.status).toBe(429);
    expect(error.body.error.errors[0]!.reason).toBe('quotaExceeded');
    await h.control.reset();
    await createCustomer(h, 'after-reset.example');
  });

  it('limits user creations per domain per second with 503, creating nothing', async () => {
    await createCustomer(h, 'burst.example');
    await createCustomer(h, 'calm.example');
    await h.control.updateSettings({ userCreationsPerDomainPerSecond: 1 });
    await h.directory.users.insert({ requestBody: userBody('one@burst.example') });
    const error = await googleError(h.directory.users.insert({ requestBody: userBody('two@burst.example') }));
    expect(error.status).toBe(503);
    await h.directory.users.insert({ requestBody: userBody('one@calm.example') });
    expect((await h.control.state()).users.map((u) => u.primaryEmail).sort()).toEqual([
      'one@burst.example',
      'one@calm.example',
    ]);
  });

  it('refuses a quota of zero or a negative one', async () => {
    await expect(h.control.updateSettings({ directoryQueriesPerMinute: 0 })).rejects.toMatchObject({ status: 400 });
    await expect(h.control.updateSettings({ resellerQueriesPerMinute: -5 })).rejects.toMatchObject({ status: 400 });
  });
});

describe('probabilistic faults', () => {
  async function statuses(count: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const result = await h.resellerApi.customers.get({ customerId: 'flaky.example' }).then(
        (r) => r.status,
        (e: { response?: { status: number } }) => e.response?.status ?? 0,
      );
      out.push(result);
    }
    return out;
  }

  it('hits about the given share of matching requests, the same ones for the same seed', async () => {
    await createCustomer(h, 'flaky.example');
    await h.control.addFault({
      method: 'GET',
      path: '/customers/',
      status: 503,
      probability: 0.5,
      seed: 42,
      times: 1000,
    });
    const first = await statuses(40);
    const hits = first.filter((s) => s === 503).length;
    expect(hits).toBeGreaterThan(8);
    expect(hits).toBeLessThan(32);
    expect(first.every((s) => s === 503 || s === 200)).toBe(true);

    await h.control.reset();
    await createCustomer(h, 'flaky.example');
    await h.control.addFault({
      method: 'GET',
      path: '/customers/',
      status: 503,
      probability: 0.5,
      seed: 42,
      times: 1000,
    });
    expect(await statuses(40)).toEqual(first);
  });

  it('never hits with probability 0, and a miss passes on to the next matching fault', async () => {
    await createCustomer(h, 'flaky.example');
    await h.control.addFault({ method: 'GET', path: '/customers/', status: 500, probability: 0, times: 5 });
    await h.control.addFault({ method: 'GET', path: '/customers/', status: 429, times: 1 });
    expect(await statuses(3)).toEqual([429, 200, 200]);
    expect((await h.control.faults()).map((f) => f.times)).toEqual([5]);
  });
});
