/**
 * Why this file exists: an existing customer of this reseller is only carried on with when the
 * evidence proves this very onboarding created it; otherwise the onboarding stops at
 * already-a-customer and touches nothing. A wrong verdict here would let an order take over a live
 * customer's admin, so each piece of evidence is pinned on its own (no server, no Google).
 */
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import { CLOCK_SKEW_MS, isMinimalRecord, ownershipVerdict, type OnboardingIdentity } from '../../activities/ownership';
import { validateOrder } from '../../order/order';
import { domainOrder, teamOrder } from '../support/orders';

const started = Date.parse('2026-03-01T09:00:00.000Z');
const onboarding: OnboardingIdentity = {
  key: 'onboarding:acme.example.com/run-1',
  startedAt: new Date(started).toISOString(),
};
const order = validateOrder(domainOrder('acme.example.com'));

/** Google's full record of a customer created from this order. */
const ownRecord = (): reseller_v1.Schema$Customer => ({
  customerId: 'C0123',
  customerDomain: 'acme.example.com',
  customerType: 'domain',
  alternateEmail: order.alternateEmail,
  postalAddress: { ...order.postalAddress },
  resourceUiUrl: 'https://admin.google.com/...',
});
const createdAt = (ms: number) => ({ customerCreationTime: new Date(ms).toISOString() });

describe('isMinimalRecord', () => {
  test("the record Google shows for someone else's customer is minimal", () => {
    expect(
      isMinimalRecord({
        customerId: 'C1',
        customerDomain: 'acme.example.com',
        customerType: 'domain',
        kind: 'reseller#customer',
      }),
    ).toBe(true);
  });

  test.each([
    ['alternateEmail', { alternateEmail: 'owner@mail.example.org' }],
    ['postalAddress', { postalAddress: { countryCode: 'US' } }],
    ['resourceUiUrl', { resourceUiUrl: 'https://admin.google.com/...' }],
    ['primaryAdmin', { primaryAdmin: { primaryEmail: 'founder@gmail.example' } }],
  ])("any contact field (%s) makes it this reseller's own", (_field, extra) => {
    expect(isMinimalRecord({ customerId: 'C1', customerDomain: 'acme.example.com', ...extra })).toBe(false);
  });
});

describe('ownershipVerdict', () => {
  test("created after the start, with the order's contact details: proven", () => {
    expect(ownershipVerdict(order, ownRecord(), createdAt(started + 5_000), onboarding)).toEqual({ proven: true });
  });

  test('created within the clock skew before the start still counts; a millisecond earlier does not', () => {
    expect(ownershipVerdict(order, ownRecord(), createdAt(started - CLOCK_SKEW_MS), onboarding)).toEqual({
      proven: true,
    });
    const verdict = ownershipVerdict(order, ownRecord(), createdAt(started - CLOCK_SKEW_MS - 1), onboarding);
    expect(verdict).toEqual({ proven: false, reason: expect.stringContaining('before this onboarding started') });
  });

  test('created long before the start: not proven, even with matching contact details', () => {
    expect(ownershipVerdict(order, ownRecord(), createdAt(started - 30 * 86_400_000), onboarding).proven).toBe(false);
  });

  test('no creation time (or no Directory record at all): not proven', () => {
    expect(ownershipVerdict(order, ownRecord(), {}, onboarding)).toEqual({
      proven: false,
      reason: expect.stringContaining('did not say when'),
    });
    expect(ownershipVerdict(order, ownRecord(), undefined, onboarding).proven).toBe(false);
    expect(ownershipVerdict(order, ownRecord(), { customerCreationTime: 'yesterday' }, onboarding).proven).toBe(false);
  });

  test('another alternate e-mail: not proven', () => {
    const record = { ...ownRecord(), alternateEmail: 'someone-else@mail.example.org' };
    expect(ownershipVerdict(order, record, createdAt(started + 5_000), onboarding)).toEqual({
      proven: false,
      reason: expect.stringContaining('alternate e-mail'),
    });
  });

  test.each(['organizationName', 'contactName', 'postalCode', 'countryCode'] as const)(
    'another postal address (%s): not proven',
    (field) => {
      const record = ownRecord();
      record.postalAddress = { ...record.postalAddress, [field]: 'different' };
      const verdict = ownershipVerdict(order, record, createdAt(started + 5_000), onboarding);
      expect(verdict).toEqual({ proven: false, reason: expect.stringContaining(field) });
    },
  );

  test('a record with no postal address at all: not proven', () => {
    const record = { ...ownRecord(), postalAddress: undefined };
    expect(ownershipVerdict(order, record, createdAt(started + 5_000), onboarding).proven).toBe(false);
  });

  test('case and surrounding spaces do not make a difference', () => {
    const record = ownRecord();
    record.alternateEmail = `  ${(order.alternateEmail ?? '').toUpperCase()} `;
    record.postalAddress = {
      ...record.postalAddress,
      organizationName: (order.postalAddress.organizationName ?? '').toUpperCase(),
    };
    expect(ownershipVerdict(order, record, createdAt(started + 5_000), onboarding)).toEqual({ proven: true });
  });

  test('an order without an alternate e-mail (team) is judged on the postal address alone', () => {
    const team = validateOrder(teamOrder('team.example.com'));
    expect(team.alternateEmail).toBeUndefined();
    const record: reseller_v1.Schema$Customer = {
      customerId: 'C9',
      alternateEmail: 'whatever@mail.example.org',
      postalAddress: { ...team.postalAddress },
    };
    expect(ownershipVerdict(team, record, createdAt(started + 5_000), onboarding)).toEqual({ proven: true });
  });
});
