/**
 * Why this file exists: endSubscriptions is a compensation, retried until it succeeds, and one of
 * its paths creates a user (Google's advice on 412: a temporary administrator). A retry after a lost
 * answer must converge: nothing ended twice, and no temporary administrator left behind. The
 * activity runs against the emulator over HTTP (googleapis), in a mock activity context.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGoogleClients } from '../activities/google-clients';
import { subscriptionEndingActivities, temporaryAdminEmail } from '../activities/subscription-endings';
import { loadWorkerConfig } from '../worker/config';
import { createCustomer, useEmulator, userBody } from './support/emulator-harness';

const h = useEmulator();

function endings() {
  return subscriptionEndingActivities({
    google: createGoogleClients({
      auth: { kind: 'static-token', accessToken: 'test-access-token' },
      rootUrl: h.emulator.url,
      requestTimeoutMs: 2000,
    }),
    mailer: { send: () => Promise.reject(new Error('no mail here')) } as never,
    mail: { resellerName: 'Test Reseller', salesNotifyEmail: 'sales@reseller.example' },
    policy: { allowedCountries: [] },
    waits: loadWorkerConfig({ ONBOARDING_MODE: 'local' }).waits,
  });
}

test('a retry after a lost answer converges: already gone, and the temporary administrator is removed', async () => {
  const domain = 'retry-end.example';
  const customerId = await createCustomer(h, domain);
  // A user, but no administrator: Google answers 412.
  await h.directory.users.insert({ requestBody: userBody(`admin@${domain}`) });
  for (const skuId of ['1010020028', 'Google-Vault'])
    await h.resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId, plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
    });
  const input = {
    customerId,
    customerDomain: domain,
    customerType: 'domain' as const,
    skuIds: ['1010020028', 'Google-Vault'],
    onboardingKey: `onboarding:${domain}/run-1`,
  };
  const temporary = temporaryAdminEmail(input);
  // The temporary administrator's removal fails once: the first attempt ends them, then fails.
  await h.control.addFault({
    method: 'DELETE',
    path: `^/admin/directory/v1/users/${encodeURIComponent(temporary).replace(/\./g, '\\.')}$`,
    status: 503,
    times: 1,
  });
  await expect(new MockActivityEnvironment({ attempt: 1 }).run(endings().endSubscriptions, input)).rejects.toThrow(
    /users\.delete/,
  );
  expect((await h.control.state()).users.map((u) => u.primaryEmail)).toContain(temporary);

  const retried = await new MockActivityEnvironment({ attempt: 2 }).run(endings().endSubscriptions, input);
  expect(retried).toEqual({ outcome: 'already-gone', ended: [] });
  expect((await h.control.state()).users.map((u) => u.primaryEmail)).not.toContain(temporary);
  const deletes = (await h.control.requests()).filter((r) => r.method === 'DELETE' && /subscriptions/.test(r.path));
  expect(deletes.filter((r) => r.status === 204)).toHaveLength(2); // each ended once
});
