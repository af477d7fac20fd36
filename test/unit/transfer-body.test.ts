/**
 * Why this file exists: Google refuses a Workspace subscription's add-ons moved on their own, and
 * refuses transfer bodies with read-only fields or fewer seats than `minimumTransferableSeats`.
 * transferGroups and transferBody build exactly what is sent, so their rules are pinned here with
 * listings shaped like Google's (plan `ANNUAL` as listed), without the emulator.
 */
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import { transferBody, transferGroups } from '../../activities/transfer';

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

  test('a TRIAL moves as FLEXIBLE', () => {
    expect(transferBody(listed('TRIAL', { maximumNumberOfSeats: 10 }, 1))).toMatchObject({
      plan: { planName: 'FLEXIBLE' },
      seats: { maximumNumberOfSeats: 10 },
    });
  });

  test('at least one seat, even when Google lists none and no minimum', () => {
    expect(transferBody(listed('FLEXIBLE', {})).seats).toEqual({ maximumNumberOfSeats: 1 });
  });

  test('a purchase order id is kept', () => {
    expect(
      transferBody(listed('FLEXIBLE', { maximumNumberOfSeats: 3 }, 1, { purchaseOrderId: 'PO-42' })),
    ).toMatchObject({ purchaseOrderId: 'PO-42' });
  });
});
