/**
 * Why this file exists: a probe of the Google-behaviour review of release 0.4. Whether the reseller
 * keeps Directory access to a customer it handed back with transfer_to_direct is unconfirmed
 * (docs/google-behaviour.md S13); the emulator allows it. Under the conservative reading (403), the
 * 412 path ends the subscriptions and then fails on removing the temporary administrator, so the
 * saga reported every SKU as STILL BILLING although none was. Fixed in 0.4: the removal's refusal is reported.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGoogleClients } from '../../activities/google-clients';
import { subscriptionEndingActivities, temporaryAdminEmail } from '../../activities/subscription-endings';
import { loadWorkerConfig } from '../../worker/config';
import { createCustomer, useEmulator, userBody } from '../support/emulator-harness';

const h = useEmulator();

const endings = () =>
  subscriptionEndingActivities({
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

test('ended with a temporary administrator, then Directory refuses (403) its removal: still reported as ended', async () => {
  const domain = 'handed-back-403.example';
  const customerId = await createCustomer(h, domain);
  await h.directory.users.insert({ requestBody: userBody(`admin@${domain}`) }); // no administrator: 412
  await h.resellerApi.subscriptions.insert({
    customerId,
    requestBody: { skuId: '1010020028', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
  });
  const input = {
    customerId,
    customerDomain: domain,
    customerType: 'domain' as const,
    skuIds: ['1010020028'],
    onboardingKey: `onboarding:${domain}/run-1`,
  };
  const temporary = temporaryAdminEmail(input);
  await h.control.addFault({
    method: 'DELETE',
    path: `^/admin/directory/v1/users/${encodeURIComponent(temporary).replace(/\./g, '\\.')}$`,
    status: 403,
  });
  const outcome = await new MockActivityEnvironment({ attempt: 1 })
    .run(endings().endSubscriptions, input)
    .catch((err: Error) => ({ thrown: err.message }));
  // Nothing of this customer bills the reseller any more:
  expect((await h.control.state()).subscriptions.filter((s) => s.owner === 'this-reseller')).toEqual([]);
  // ...so the activity must not fail (the saga would report the SKU as STILL BILLING and keep the admin).
  expect(outcome).not.toHaveProperty('thrown');
  expect(outcome).toMatchObject({
    outcome: 'ended with a temporary administrator',
    temporaryAdminLeft: expect.stringContaining(`${temporary} could not be removed`),
  });
});
