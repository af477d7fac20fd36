/**
 * The emulator's Reseller subscriptions of this reseller's own customers: plan rules of
 * subscriptions.insert, team customers' Essentials-only rule, terms pending until accepted, and
 * subscriptions.list paging exactly as Google documents it.
 */
import { createCustomer, customerBody, googleError, useEmulator, userBody } from '../support/emulator-harness';

const h = useEmulator();

const FLEXIBLE_STARTER = { skuId: '1010020027', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } };

describe('Reseller subscriptions of our own customers', () => {
  it('creates, reads, and deletes only with a deletionType', async () => {
    const customerId = await createCustomer(h, 'subs.example');
    await h.control.acceptTos('subs.example');
    const { data: created } = await h.resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId: '1010020027', plan: { planName: 'ANNUAL_YEARLY_PAY' }, seats: { numberOfSeats: 3 } },
    });
    expect(created).toMatchObject({
      skuName: 'Google Workspace Business Starter',
      plan: { planName: 'ANNUAL_YEARLY_PAY' },
      status: 'ACTIVE',
    });
    expect(created.subscriptionId).toBeDefined();
    const duplicateSku = await googleError(
      h.resellerApi.subscriptions.insert({
        customerId,
        requestBody: { skuId: '1010020027', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 3 } },
      }),
    );
    expect(duplicateSku.status).toBe(409);

    const subscriptionId = created.subscriptionId!;
    expect((await h.resellerApi.subscriptions.get({ customerId, subscriptionId })).data.skuId).toBe('1010020027');
    // googleapis itself refuses to send a delete without deletionType: check the server with fetch.
    const path = `/apps/reseller/v1/customers/${customerId}/subscriptions/${subscriptionId}`;
    const noType = await fetch(`${h.emulator.url}${path}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer test-access-token' },
    });
    expect(noType.status).toBe(400);
    const badType = await googleError(
      h.resellerApi.subscriptions.delete({ customerId, subscriptionId, deletionType: 'suspend' }),
    );
    expect(badType.status).toBe(400);

    // Ending it needs an administrator (412 otherwise: emulator-subscription-endings.test.ts).
    await h.directory.users.insert({ requestBody: userBody('admin@subs.example') });
    await h.directory.users.makeAdmin({ userKey: 'admin@subs.example', requestBody: { status: true } });
    const deleted = await h.resellerApi.subscriptions.delete({
      customerId,
      subscriptionId,
      deletionType: 'transfer_to_direct',
    });
    expect(deleted.status).toBe(204);
    // Google's now, no longer this reseller's to read.
    expect((await googleError(h.resellerApi.subscriptions.get({ customerId, subscriptionId }))).status).toBe(403);
  });

  it('hands a customer back to Google with transfer_to_direct', async () => {
    const customerId = await createCustomer(h, 'leaving.example');
    await h.directory.users.insert({ requestBody: userBody('admin@leaving.example') });
    await h.directory.users.makeAdmin({ userKey: 'admin@leaving.example', requestBody: { status: true } });
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId: '1010020028', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 3 } },
    });
    await h.resellerApi.subscriptions.delete({
      customerId,
      subscriptionId: data.subscriptionId!,
      deletionType: 'transfer_to_direct',
    });
    expect((await h.resellerApi.customers.get({ customerId })).data.alternateEmail).toBeUndefined();
  });
});

describe('plan rules of a new subscription', () => {
  it('starts suspended until the customer accepts the terms, answering ANNUAL_MONTHLY_PAY as ANNUAL', async () => {
    const customerId = await createCustomer(h, 'plans.example');
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId,
      requestBody: {
        skuId: '1010020028',
        plan: { planName: 'ANNUAL_MONTHLY_PAY' },
        seats: { numberOfSeats: 12 },
        renewalSettings: { renewalType: 'AUTO_RENEW_MONTHLY_PAY' },
        purchaseOrderId: 'PO-2026-0042',
      },
    });
    expect(data).toMatchObject({
      plan: { planName: 'ANNUAL', isCommitmentPlan: true },
      seats: { numberOfSeats: 12 },
      renewalSettings: { renewalType: 'AUTO_RENEW_MONTHLY_PAY' },
      purchaseOrderId: 'PO-2026-0042',
      status: 'SUSPENDED',
      suspensionReasons: ['PENDING_TOS_ACCEPTANCE'],
    });
    expect(data.seats?.maximumNumberOfSeats).toBeUndefined();
    await h.control.acceptTos('plans.example');
    const after = await h.resellerApi.subscriptions.get({ customerId, subscriptionId: data.subscriptionId! });
    expect(after.data).toMatchObject({ status: 'ACTIVE' });
    expect(after.data.suspensionReasons).toBeUndefined();
  });

  it.each([
    [
      'numberOfSeats on a FLEXIBLE plan',
      { ...FLEXIBLE_STARTER, seats: { numberOfSeats: 5 } },
      'seats.maximumNumberOfSeats',
    ],
    [
      'maximumNumberOfSeats on an annual plan',
      { ...FLEXIBLE_STARTER, plan: { planName: 'ANNUAL_YEARLY_PAY' } },
      'seats.numberOfSeats',
    ],
    ['zero seats', { ...FLEXIBLE_STARTER, seats: { maximumNumberOfSeats: 0 } }, 'seats.maximumNumberOfSeats'],
    [
      'a TRIAL over 10 seats',
      { ...FLEXIBLE_STARTER, plan: { planName: 'TRIAL' }, seats: { maximumNumberOfSeats: 11 } },
      'TRIAL',
    ],
    ['the output plan name ANNUAL', { ...FLEXIBLE_STARTER, plan: { planName: 'ANNUAL' } }, 'plan.planName'],
    ['no plan', { skuId: '1010020027', seats: { maximumNumberOfSeats: 5 } }, 'plan.planName'],
    ['no skuId', { plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } }, 'skuId'],
    [
      'an unknown renewal type',
      {
        skuId: '1010020027',
        plan: { planName: 'ANNUAL_YEARLY_PAY' },
        seats: { numberOfSeats: 5 },
        renewalSettings: { renewalType: 'FOREVER' },
      },
      'renewalSettings.renewalType',
    ],
    [
      'renewal settings on a FLEXIBLE plan',
      { ...FLEXIBLE_STARTER, renewalSettings: { renewalType: 'CANCEL' } },
      'annual plans only',
    ],
    [
      'a purchaseOrderId over 80 characters',
      { ...FLEXIBLE_STARTER, purchaseOrderId: 'P'.repeat(81) },
      'purchaseOrderId',
    ],
    ['a read-only status', { ...FLEXIBLE_STARTER, status: 'ACTIVE' }, 'Status field is read-only'],
  ])('refuses %s with 400 invalid naming the field', async (_case, requestBody, text) => {
    const customerId = await createCustomer(h, 'rules.example');
    const error = await googleError(h.resellerApi.subscriptions.insert({ customerId, requestBody }));
    expect(error.status).toBe(400);
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect(error.body.error.message).toContain(text);
    expect((await h.control.state()).subscriptions).toEqual([]);
  });

  it('accepts a TRIAL of 10 seats', async () => {
    const customerId = await createCustomer(h, 'trial.example');
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId,
      requestBody: { ...FLEXIBLE_STARTER, plan: { planName: 'TRIAL' }, seats: { maximumNumberOfSeats: 10 } },
    });
    expect(data).toMatchObject({ plan: { planName: 'TRIAL' }, trialSettings: { isInTrial: true } });
  });
});

describe('team (email-verified) customers', () => {
  const teamBody = {
    customerDomain: 'team-subs.example',
    customerType: 'team',
    primaryAdmin: { primaryEmail: 'lead@team-subs.example' },
    postalAddress: { contactName: 'A', organizationName: 'B', postalCode: '1', countryCode: 'FR' },
  };

  it.each(['1010060001', '1010060003', '1010060005'])('may buy the Essentials SKU %s', async (skuId) => {
    const { data: customer } = await h.resellerApi.customers.insert({ requestBody: teamBody });
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId: customer.customerId!,
      requestBody: { skuId, plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
    });
    expect(data.skuId).toBe(skuId);
  });

  it.each(['1010020028', '1010020027', 'Google-Vault'])('may not buy %s (400)', async (skuId) => {
    const { data: customer } = await h.resellerApi.customers.insert({ requestBody: teamBody });
    const error = await googleError(
      h.resellerApi.subscriptions.insert({
        customerId: customer.customerId!,
        requestBody: { skuId, plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
      }),
    );
    expect(error.status).toBe(400);
    expect(error.body.error.message).toBe('Customer is not eligible to purchase this subscription');
  });
});

describe('subscriptions.list paging', () => {
  async function seedOwnSubscriptions(count: number): Promise<string> {
    const [seeded] = (
      await h.control.seed({
        customers: [
          {
            customerDomain: 'many.example',
            owner: 'this-reseller',
            subscriptions: Array.from({ length: count }, (_, i) => ({
              skuId: `sku-${i}`,
              planName: 'FLEXIBLE' as const,
              seats: 1,
            })),
          },
        ],
      })
    ).customers;
    return seeded!.customerId;
  }

  it('pages at 20 by default and follows nextPageToken to the end', async () => {
    const customerId = await seedOwnSubscriptions(45);
    const seen: string[] = [];
    const sizes: number[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await h.resellerApi.subscriptions.list({ customerId, pageToken });
      sizes.push(data.subscriptions!.length);
      seen.push(...data.subscriptions!.map((s) => s.skuId!));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(sizes).toEqual([20, 20, 5]);
    expect(new Set(seen).size).toBe(45);
  });

  it('takes maxResults from 1 to 100, and has no nextPageToken on the last page', async () => {
    const customerId = await seedOwnSubscriptions(45);
    const all = await h.resellerApi.subscriptions.list({ customerId, maxResults: 100 });
    expect(all.data.subscriptions).toHaveLength(45);
    expect(all.data.nextPageToken).toBeUndefined();
    const one = await h.resellerApi.subscriptions.list({ maxResults: 1 });
    expect(one.data.subscriptions).toHaveLength(1);
    expect(one.data.nextPageToken).toBeDefined();
  });

  it.each([0, 101, -1])('refuses maxResults=%s with 400 invalid', async (maxResults) => {
    const customerId = await seedOwnSubscriptions(1);
    const error = await googleError(h.resellerApi.subscriptions.list({ customerId, maxResults }));
    expect(error.status).toBe(400);
    expect(error.body.error.message).toContain('maxResults');
  });

  it('refuses a made-up page token, or one from another listing', async () => {
    const customerId = await seedOwnSubscriptions(25);
    const made = await googleError(h.resellerApi.subscriptions.list({ customerId, pageToken: 'bm9wZQ' }));
    expect(made.status).toBe(400);
    const { data } = await h.resellerApi.subscriptions.list({ customerId });
    const other = await googleError(h.resellerApi.subscriptions.list({ pageToken: data.nextPageToken! }));
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain('pageToken');
  });

  it('pages a listing with customerAuthToken too', async () => {
    await h.control.seed({
      customers: [
        {
          customerDomain: 'paged-transfer.example',
          owner: 'google',
          transferTokens: [{ token: 'paging-token' }],
          subscriptions: Array.from({ length: 25 }, (_, i) => ({
            skuId: `sku-${i}`,
            planName: 'FLEXIBLE' as const,
            seats: 1,
          })),
        },
      ],
    });
    const query = { customerId: 'paged-transfer.example', customerAuthToken: 'paging-token', maxResults: 10 };
    const first = await h.resellerApi.subscriptions.list(query);
    const second = await h.resellerApi.subscriptions.list({ ...query, pageToken: first.data.nextPageToken! });
    const third = await h.resellerApi.subscriptions.list({ ...query, pageToken: second.data.nextPageToken! });
    expect([first, second, third].map((r) => r.data.subscriptions!.length)).toEqual([10, 10, 5]);
    expect(third.data.nextPageToken).toBeUndefined();
    expect(first.data.subscriptions!.every((s) => s.transferInfo?.minimumTransferableSeats === 1)).toBe(true);
    expect(first.data.nextPageToken).not.toContain('paging-token');
    expect(Buffer.from(first.data.nextPageToken!, 'base64url').toString()).not.toContain('paging-token');
  });
});

it('lists every subscription of this reseller when no customer is given', async () => {
  const a = await createCustomer(h, 'a.example');
  await h.resellerApi.customers.insert({ requestBody: customerBody('b.example') });
  await h.resellerApi.subscriptions.insert({ customerId: a, requestBody: FLEXIBLE_STARTER });
  await h.resellerApi.subscriptions.insert({ customerId: 'b.example', requestBody: FLEXIBLE_STARTER });
  await h.control.seed({
    customers: [
      {
        customerDomain: 'theirs.example',
        owner: 'google',
        subscriptions: [{ skuId: '1010020027', planName: 'FLEXIBLE', seats: 3 }],
      },
    ],
  });
  const { data } = await h.resellerApi.subscriptions.list({});
  expect(data.subscriptions!.map((s) => s.customerDomain).sort()).toEqual(['a.example', 'b.example']);
});
