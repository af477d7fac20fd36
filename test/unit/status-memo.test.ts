/**
 * Why this file exists: the Temporal server logs a warning for every memo over 2 KiB, and the status
 * memo is written at each resting stage. These tests measure the memo as the server stores it — the
 * status converted to a payload, encrypted by the product's codec, serialized as the Payload message
 * — for a typical order (under 2 KiB with release 0.4's summary; the whole 0.3 status was over it)
 * and for the largest valid order (20 subscriptions, 10 token outcomes, a failure with a full
 * compensation report, long texts: bounded), and that the summary keeps what readers look for.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec } from '../../encryption/codec';
import type { OnboardingStatus, SubscriptionStatus } from '../../workflows/messages';
import { MEMO_TEXT_MAX, memoSummary } from '../../workflows/status-memo';
import { FIXTURE_KEYS } from '../support/fixture-keys';

const KIB = 1024;
const codec = new AesGcmPayloadCodec(FIXTURE_KEYS);

/** Bytes the server stores for this memo value: the encrypted payload, serialized. */
async function storedSize(value: unknown): Promise<number> {
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  return temporal.api.common.v1.Payload.encode(encrypted as temporal.api.common.v1.IPayload).finish().length;
}

const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 9, minute, 0, 123)).toISOString();
const domain = 'northwind-traders-eu.example.com';
const step = (name: string, minute: number, outcome = 'done') => ({
  name,
  startedAt: at(minute),
  finishedAt: at(minute),
  attempts: 1,
  outcome,
});
const subscription = (skuId: string): SubscriptionStatus => ({
  skuId,
  skuName: 'Google Workspace Business Standard',
  plan: 'FLEXIBLE',
  seats: 25,
  subscriptionId: `${skuId}-8d3f1b2c9a`,
  status: 'SUSPENDED',
  suspensionReasons: ['PENDING_TOS_ACCEPTANCE'],
  outcome: 'ordered',
});

/** A domain customer with one subscription, parked at awaiting-tos: what most onboardings look like. */
const typical: OnboardingStatus = {
  stage: 'awaiting-tos',
  customerDomain: domain,
  customerId: 'C03az79cb',
  customerType: 'domain',
  adminEmail: `alexandra.cruz-whitfield@${domain}`,
  steps: [
    step('validate-order', 0),
    step('create-customer', 0, 'created'),
    step('set-language', 0),
    step('create-admin', 1, 'created'),
    step('grant-admin', 1, 'granted'),
    step('order-subscription 1010020028', 1, 'ordered'),
    step('prepare-domain-verification', 1),
    step('send-sign-in-notice', 1),
  ],
  subscriptions: [subscription('1010020028')],
  waitingFor: {
    what: 'tos-acceptance',
    since: at(2),
    deadline: at(3),
    nextReminder: at(4),
    nextCheck: at(5),
    remindersSent: 0,
  },
  domainVerification: {
    required: true,
    record: {
      host: domain,
      type: 'TXT',
      value: 'google-site-verification=3Fq9aZ0sX1bY2cW3dV4eU5fT6gS7hR8iQ9jP0kO1lN2',
    },
  },
};

const long = (what: string) => `${what} ${'x'.repeat(900)}`;
/** The largest valid order, ended badly: 20 subscriptions, 10 token outcomes, every text long. */
const largest: OnboardingStatus = {
  ...typical,
  stage: 'failed',
  steps: Array.from({ length: 40 }, (_, i) => step(`step-${i}`, i)),
  subscriptions: Array.from({ length: 20 }, (_, i) => subscription(`10100200${10 + i}`)),
  tosAccepted: { at: at(6), via: 'signal', reportedBy: long('crm-webhook') },
  transfer: {
    tokensTried: 10,
    lastRefusal: long('Google refused the token'),
    tokens: Array.from({ length: 10 }, (_, i) => ({
      token: i + 1,
      outcome: 'refused' as const,
      message: long('transferToken refused'),
      at: at(i),
    })),
  },
  failure: { type: 'Google.backendError', message: long('subscriptions.insert failed') },
  cancellation: { reason: long('customer changed their mind'), requestedBy: long('ops'), at: at(7) },
  compensation: {
    undone: Array.from({ length: 3 }, (_, i) => long(`undone ${i}`)),
    failed: [long('delete user')],
    cannotUndo: Array.from({ length: 21 }, (_, i) => long(`subscription ${i}: cannot be cancelled`)),
  },
};

describe('the status memo as the server stores it (encrypted)', () => {
  test('a typical order: the whole status was over the 2 KiB warning; the 0.4 summary is well under it', async () => {
    const whole = await storedSize(typical);
    const summary = await storedSize(memoSummary(typical));
    console.log(`typical order: whole status ${whole} B, summary ${summary} B`);
    expect(whole).toBeGreaterThan(2 * KIB); // what release 0.3 wrote at each stage
    expect(summary).toBeLessThan(1.5 * KIB);
  });

  test('the largest valid order stays bounded (the server refuses memos over 32 KiB)', async () => {
    const whole = await storedSize(largest);
    const summary = await storedSize(memoSummary(largest));
    console.log(`largest order: whole status ${whole} B, summary ${summary} B`);
    expect(summary).toBeLessThan(10 * KIB);
    expect(summary).toBeLessThan(whole / 3);
  });

  test('the summary keeps what readers look for, in the status shape, marked as a summary', () => {
    const summary = memoSummary(largest);
    expect(summary).toMatchObject({
      summary: true,
      steps: [],
      stage: 'failed',
      customerDomain: domain,
      customerId: 'C03az79cb',
      adminEmail: typical.adminEmail,
      waitingFor: typical.waitingFor,
      domainVerification: typical.domainVerification,
      failure: { type: 'Google.backendError' },
    });
    expect(summary.subscriptions).toHaveLength(20);
    expect(summary.subscriptions?.[0]).toEqual({
      skuId: '1010020010',
      plan: 'FLEXIBLE',
      seats: 25,
      status: 'SUSPENDED',
      suspensionReasons: ['PENDING_TOS_ACCEPTANCE'],
    });
    expect(summary.transfer?.tokens?.map((t) => [t.token, t.outcome])).toEqual(
      largest.transfer?.tokens?.map((t) => [t.token, t.outcome]),
    );
    expect(summary.compensation?.failed[0]).toMatch(/^delete user x+…$/);
    expect(summary.compensation?.cannotUndo).toHaveLength(21);
    for (const text of [summary.failure?.message, summary.cancellation?.reason, summary.transfer?.lastRefusal])
      expect((text ?? '').length).toBeLessThanOrEqual(2 * MEMO_TEXT_MAX);
    expect(memoSummary(typical).subscriptions?.[0]).not.toHaveProperty('skuName');
  });
});
