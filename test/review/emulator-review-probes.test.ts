/**
 * Why this file exists: probes written by the Google-behaviour review of release 0.4 against the
 * emulator, where the emulator may be more lenient than Google (or than the conservative reading of
 * a silent Google). `.failing` marks a finding of the review report (drop it once fixed).
 */
import { customerBody, googleError, useEmulator } from '../support/emulator-harness';

const h = useEmulator();

const ESSENTIALS_FLEX = { skuId: '1010060001', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } };
const ESSENTIALS_ANNUAL = {
  skuId: '1010060001',
  plan: { planName: 'ANNUAL_MONTHLY_PAY' },
  seats: { numberOfSeats: 5 },
  renewalSettings: { renewalType: 'AUTO_RENEW_MONTHLY_PAY' },
};

async function teamCustomer(domain: string): Promise<string> {
  const { alternateEmail: _ignored, ...body } = customerBody(domain);
  const { data } = await h.resellerApi.customers.insert({
    requestBody: { ...body, customerType: 'team', primaryAdmin: { primaryEmail: `boss@${domain}` } },
  });
  return data.customerId!;
}

describe('review probes: emulator leniency', () => {
  // reseller_api_common_errors (412 on subscriptions.delete): "the Google Workspace account has no
  // administrator user" — a team customer whose primaryAdmin never completed Google's verification
  // e-mail has none yet (unconfirmed; conservative: 412).
  it.failing('a team customer whose primary admin never verified has no administrator: 412 on delete', async () => {
    const customerId = await teamCustomer('team-noadmin.example');
    const { data } = await h.resellerApi.subscriptions.insert({ customerId, requestBody: ESSENTIALS_FLEX });
    const answer = await googleError(
      h.resellerApi.subscriptions.delete({
        customerId,
        subscriptionId: data.subscriptionId!,
        deletionType: 'transfer_to_direct',
      }),
    ).catch((e: unknown) => ({ status: 204, body: String(e) }));
    expect(answer.status).toBe(412);
  });

  // how-tos/create-subscription: "Customers purchasing Essentials or usage-based subscriptions might
  // not be able to use annual commitment plans" (conservative: refuse).
  it('an annual commitment for Essentials is refused (conservative reading)', async () => {
    const customerId = await teamCustomer('team-annual.example');
    const answer = await googleError(
      h.resellerApi.subscriptions.insert({ customerId, requestBody: ESSENTIALS_ANNUAL }),
    ).catch(() => ({ status: 200 }));
    expect(answer.status).toBe(400);
  });
});
