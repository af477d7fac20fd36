/**
 * Why this file exists: Google refuses a Workspace subscription's add-ons moved on their own, and
 * refuses transfer bodies with read-only fields or fewer seats than `minimumTransferableSeats`.
 * transferGroups and transferBody build exactly what is sent, so their rules are pinned here with
 * listings shaped like Google's (plan `ANNUAL` as listed), without the emulator.
 */
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import { transferBody, transferGroups } from '../../activities/transfer';
import { transferRefusal } from '../../activities/transfer-rules';

type Sub = reseller_v1.Schema$Subscription;
const sub = (skuId: string, fields: Partial<Sub> = {}): Sub => ({ skuId, ...fields });
const skus = (groups: Sub[][]) => groups.map((group) => group.map((s) => s.skuId));

describe('transferGroups', () => {
  test('the Workspace base travels with its Drive storage and Vault add-ons, in one group', () => {
    const groups = transferGroups([sub('Google-Drive-storage-20GB'), sub('1010020028'), sub('Google-Vault')]);
    expect(skus(groups)).toEqual([['1010020028', 'Google-Drive-storage-20GB', 'Google-Vault']]);
  });

  test('anything else moves alone, after the base group (a second Workspace base too; 1010330003 is Voice, not Workspace)', () => {
    const groups = transferGroups([
      sub('Google-Chrome-Device-Management'),
      sub('1010020028'),
      sub('Google-Vault-Former-Employee'),
      sub('1010330003'),
      sub('1010020025'),
    ]);
    expect(skus(groups)).toEqual([
      ['1010020028', 'Google-Vault-Former-Employee'],
      ['1010020025'],
      ['Google-Chrome-Device-Management'],
      ['1010330003'],
    ]);
  });

  test('the legacy Google-Apps SKUs count as Workspace bases', () => {
    expect(skus(transferGroups([sub('Google-Drive-storage-1TB'), sub('Google-Apps-Unlimited')]))).toEqual([
      ['Google-Apps-Unlimited', 'Google-Drive-storage-1TB'],
    ]);
  });

  test('with no Workspace base, every subscription is a group of its own', () => {
    expect(skus(transferGroups([sub('Google-Vault'), sub('Google-Chrome-Device-Management')]))).toEqual([
      ['Google-Vault'],
      ['Google-Chrome-Device-Management'],
    ]);
  });

  test('nothing pending, no group', () => {
    expect(transferGroups([])).toEqual([]);
  });

  test('every listed subscription is in exactly one group', () => {
    const pending = [
      sub('1010020028'),
      sub('1010020025'),
      sub('Google-Vault'),
      sub('Google-Drive-storage-20GB'),
      sub('Google-Chrome-Device-Management'),
    ];
    const flat = transferGroups(pending).flat();
    expect(flat).toHaveLength(pending.length);
    expect(new Set(flat)).toEqual(new Set(pending));
  });
});

describe('transferBody', () => {
  /** A listing as Google returns it: read-only fields everywhere. */
  const listed = (
    planName: string,
    seats: reseller_v1.Schema$Seats,
    minimum?: number,
    extra: Partial<Sub> = {},
  ): Sub => ({
    kind: 'reseller#subscription',
    customerId: 'C0123',
    subscriptionId: '98765',
    skuId: '1010020028',
    skuName: 'Google Workspace Business Starter',
    status: 'ACTIVE',
    creationTime: '1700000000000',
    plan: { planName, isCommitmentPlan: planName.startsWith('ANNUAL') },
    seats: { kind: 'subscriptions#seats', licensedNumberOfSeats: 3, ...seats },
    resourceUiUrl: 'https://admin.google.com/...',
    ...(minimum !== undefined
      ? { transferInfo: { minimumTransferableSeats: minimum, transferabilityExpirationTime: '1800000000000' } }
      : {}),
    ...extra,
  });

  test('ANNUAL as listed moves as ANNUAL_MONTHLY_PAY with numberOfSeats, writable fields only', () => {
    expect(transferBody(listed('ANNUAL', { numberOfSeats: 12 }, 10))).toEqual({
      skuId: '1010020028',
      plan: { planName: 'ANNUAL_MONTHLY_PAY' },
      seats: { numberOfSeats: 12 },
      // "We recommend always passing renewalSettings" (how-tos/create-subscription)
      renewalSettings: { renewalType: 'AUTO_RENEW_MONTHLY_PAY' },
    });
  });

  test('ANNUAL_YEARLY_PAY keeps its plan', () => {
    expect(transferBody(listed('ANNUAL_YEARLY_PAY', { numberOfSeats: 7 }, 1))).toMatchObject({
      plan: { planName: 'ANNUAL_YEARLY_PAY' },
      seats: { numberOfSeats: 7 },
    });
  });

  test('seats are raised to minimumTransferableSeats', () => {
    expect(transferBody(listed('ANNUAL', { numberOfSeats: 4 }, 10)).seats).toEqual({ numberOfSeats: 10 });
    expect(transferBody(listed('FLEXIBLE', { maximumNumberOfSeats: 2 }, 5)).seats).toEqual({ maximumNumberOfSeats: 5 });
  });

  test('FLEXIBLE moves with maximumNumberOfSeats', () => {
    expect(transferBody(listed('FLEXIBLE', { maximumNumberOfSeats: 25 }, 1))).toEqual({
      skuId: '1010020028',
      plan: { planName: 'FLEXIBLE' },
      seats: { maximumNumberOfSeats: 25 },
    });
  });

  test('a TRIAL in progress moves as a new 30-day trial; an ended one as FLEXIBLE', () => {
    expect(transferBody(listed('TRIAL', { maximumNumberOfSeats: 10 }, 1))).toMatchObject({
      plan: { planName: 'TRIAL' },
      seats: { maximumNumberOfSeats: 10 },
    });
    const ended = listed('TRIAL', { maximumNumberOfSeats: 10 }, 1, {
      status: 'SUSPENDED',
      suspensionReasons: ['TRIAL_ENDED'],
    });
    expect(transferBody(ended).plan).toEqual({ planName: 'FLEXIBLE' });
    expect(
      transferBody(listed('TRIAL', { maximumNumberOfSeats: 5 }, 1, { trialSettings: { isInTrial: false } })).plan,
    ).toEqual({ planName: 'FLEXIBLE' });
  });

  test('an annual plan keeps the renewal type Google listed; the deal code never travels', () => {
    const body = transferBody(
      listed('ANNUAL_YEARLY_PAY', { numberOfSeats: 7 }, 1, {
        renewalSettings: { renewalType: 'RENEW_CURRENT_USERS_YEARLY_PAY' },
        dealCode: 'OLD-DEAL',
      }),
    );
    expect(body.renewalSettings).toEqual({ renewalType: 'RENEW_CURRENT_USERS_YEARLY_PAY' });
    expect(body).not.toHaveProperty('dealCode');
  });

  test('an annual add-on within 30 days of its renewal moves to FLEXIBLE (annual is not offered for add-ons)', () => {
    const now = Date.parse('2027-01-01T00:00:00Z');
    const vault = {
      skuId: 'Google-Vault',
      plan: { planName: 'ANNUAL', commitmentInterval: { endTime: String(now + 10 * 86_400_000) } },
      seats: { numberOfSeats: 4 },
    };
    expect(transferBody(vault, now)).toEqual({
      skuId: 'Google-Vault',
      plan: { planName: 'FLEXIBLE' },
      seats: { maximumNumberOfSeats: 4 },
    });
  });

  test('at least one seat, even when Google lists none and no minimum', () => {
    expect(transferBody(listed('FLEXIBLE', {})).seats).toEqual({ maximumNumberOfSeats: 1 });
  });

  test("the previous reseller's purchase order id is not carried (it is that reseller's)", () => {
    expect(
      transferBody(listed('FLEXIBLE', { maximumNumberOfSeats: 3 }, 1, { purchaseOrderId: 'PO-42' })),
    ).not.toHaveProperty('purchaseOrderId');
  });

  test('a renewal set to CANCEL by the previous reseller is not carried: the new commitment renews', () => {
    const body = transferBody(
      listed('ANNUAL_MONTHLY_PAY', { numberOfSeats: 5 }, 5, { renewalSettings: { renewalType: 'CANCEL' } }),
    );
    expect(body.renewalSettings).toEqual({ renewalType: 'AUTO_RENEW_MONTHLY_PAY' });
  });
});

describe('transferRefusal: what Google would refuse, found before the registration', () => {
  const now = Date.parse('2027-01-01T00:00:00Z');

  test('nothing to refuse: Workspace with Drive storage, active or suspended for a reason Google transfers', () => {
    const subs = [
      sub('1010020028', { status: 'SUSPENDED', suspensionReasons: ['PENDING_TOS_ACCEPTANCE'] }),
      sub('Google-Drive-storage-20GB', { status: 'ACTIVE', plan: { planName: 'FLEXIBLE' } }),
      sub('Google-Chrome-Device-Management', {
        status: 'SUSPENDED',
        suspensionReasons: ['TRIAL_ENDED', 'RENEWAL_WITH_TYPE_CANCEL'],
      }),
    ];
    expect(transferRefusal(subs, now)).toBeUndefined();
  });

  test('several Workspace editions: for Google Sales, naming them', () => {
    const refusal = transferRefusal([sub('1010020027', { skuName: 'Business Starter' }), sub('1010020028')], now);
    expect(refusal?.type).toBe('TransferNeedsGoogleSales');
    expect(refusal?.nonRetryable).toBe(true);
    expect(refusal?.message).toContain('2 Google Workspace editions (Business Starter, 1010020028)');
    expect(refusal?.message).toContain('Google Sales representative or Google Workspace support');
  });

  test.each([
    [['RESELLER_INITIATED'], 'RESELLER_INITIATED'],
    [['OTHER', 'PENDING_TOS_ACCEPTANCE'], 'OTHER'],
    [[], 'no reason given'],
  ])('a subscription suspended for %j is refused', (reasons, named) => {
    const refusal = transferRefusal([sub('1010020028', { status: 'SUSPENDED', suspensionReasons: reasons })], now);
    expect(refusal?.type).toBe('TransferNotAllowed');
    expect(refusal?.message).toContain(`suspended (${named})`);
  });

  test('an annual add-on far from its renewal is refused; near it, it may move', () => {
    const vault = (daysLeft: number) =>
      sub('Google-Vault', {
        plan: { planName: 'ANNUAL', commitmentInterval: { endTime: String(now + daysLeft * 86_400_000) } },
      });
    expect(transferRefusal([vault(200)], now)?.type).toBe('TransferNotAllowed');
    expect(transferRefusal([vault(29)], now)).toBeUndefined();
  });
});
