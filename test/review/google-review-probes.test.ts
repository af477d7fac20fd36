/**
 * Why this file exists: probes written by the Google-behaviour review of release 0.4. Each test
 * pins what Google's documentation says; each was a finding of the review report, fixed in 0.4.
 */
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import { transferBody } from '../../activities/transfer';
import { transferRefusal } from '../../activities/transfer-rules';
import { isWorkspaceEdition } from '../../order/basics';

type Sub = reseller_v1.Schema$Subscription;
const sub = (skuId: string, fields: Partial<Sub> = {}): Sub => ({ skuId, ...fields });
const now = Date.UTC(2026, 0, 15);

describe('review probes: product groups (support.google.com/channelservices/answer/9547629)', () => {
  // Google's Products & SKUs page: Cloud Identity is product 101001/101005, not Google-Apps (Workspace).
  test.each(['1010010001', '1010050001'])('%s (Cloud Identity) is not a Google Workspace edition', (sku) => {
    expect(isWorkspaceEdition(sku)).toBe(false);
  });

  test('Workspace + Cloud Identity Premium is one Workspace edition, not "several editions"', () => {
    expect(transferRefusal([sub('1010020028'), sub('1010050001')], now)).toBeUndefined();
  });
});

describe('review probes: renewal settings on transfer', () => {
  // A subscription suspended for RENEWAL_WITH_TYPE_CANCEL is transferable; it is listed with renewalType CANCEL.
  test("the previous reseller's CANCEL renewal is not carried into this reseller's new annual commitment", () => {
    const body = transferBody(
      sub('1010020028', {
        plan: { planName: 'ANNUAL' },
        seats: { numberOfSeats: 5 },
        status: 'SUSPENDED',
        suspensionReasons: ['RENEWAL_WITH_TYPE_CANCEL'],
        renewalSettings: { renewalType: 'CANCEL' },
      }),
      now,
    );
    expect(body.renewalSettings?.renewalType).not.toBe('CANCEL');
  });
});
