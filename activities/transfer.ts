/**
 * The 409 branch: move an existing customer's subscriptions to this reseller with the transfer
 * token the customer generated (admin.google.com/TransferToken).
 */
import { activityInfo, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import type { TransferredSubscription } from '../workflows/messages';
import type { ActivityDependencies } from './dependencies';
import { googleFailure, isGoogleStatus } from './google-errors';

const ANNUAL_PLANS = new Set(['ANNUAL_MONTHLY_PAY', 'ANNUAL_YEARLY_PAY']);
/** Drive and Vault storage add-ons must move with their Workspace base subscription: they go after it, in the same activity. */
const ADD_ON_SKU_PREFIXES = ['Google-Drive-storage', 'Google-Vault'];

export interface TransferInput {
  customerId: string;
  customerDomain: string;
  transferToken: string;
}

export interface TransferResult {
  /** Everything now with this reseller, including what an earlier attempt moved. */
  transferred: TransferredSubscription[];
  attempt: number;
}

/** Listed plans come back as `ANNUAL` for ANNUAL_MONTHLY_PAY; the insert wants the full name. */
function planFor(listed: string | null | undefined): string {
  if (listed === 'ANNUAL' || listed === 'ANNUAL_MONTHLY_PAY') return 'ANNUAL_MONTHLY_PAY';
  return listed ?? 'FLEXIBLE';
}

/** Only writable fields: re-sending a listed subscription fails ("Licensed number of seats field is read-only"). */
function transferBody(listed: reseller_v1.Schema$Subscription): reseller_v1.Schema$Subscription {
  const planName = planFor(listed.plan?.planName);
  const minimum = listed.transferInfo?.minimumTransferableSeats ?? 1;
  const current = listed.seats?.numberOfSeats ?? listed.seats?.maximumNumberOfSeats ?? listed.seats?.licensedNumberOfSeats ?? 0;
  const seats = Math.max(minimum, current, 1);
  return {
    skuId: listed.skuId,
    plan: { planName },
    seats: ANNUAL_PLANS.has(planName) ? { numberOfSeats: seats } : { maximumNumberOfSeats: seats },
    purchaseOrderId: listed.purchaseOrderId ?? undefined,
  };
}

function describeListed(sub: reseller_v1.Schema$Subscription): TransferredSubscription {
  return {
    subscriptionId: sub.subscriptionId ?? '',
    skuId: sub.skuId ?? '',
    skuName: sub.skuName ?? undefined,
    planName: planFor(sub.plan?.planName),
    seats: sub.seats?.numberOfSeats ?? sub.seats?.maximumNumberOfSeats ?? 0,
  };
}

const isAddOn = (sub: reseller_v1.Schema$Subscription) => ADD_ON_SKU_PREFIXES.some((p) => (sub.skuId ?? '').startsWith(p));

export function transferActivities({ google }: ActivityDependencies) {
  const subscriptions = google.reseller.subscriptions;
  return {
    /**
     * Transfers every transferable subscription. Safe to run twice: subscriptions already moved come
     * back without `transferInfo` and are skipped, and a 409 on insert means an earlier attempt did it.
     * A refused token (403 on the listing) is a non-retryable `TransferTokenRefused`: the workflow asks for a new one.
     */
    async transferSubscriptions(input: TransferInput): Promise<TransferResult> {
      let listed: reseller_v1.Schema$Subscriptions;
      try {
        listed = (await subscriptions.list({ customerId: input.customerId, customerAuthToken: input.transferToken })).data;
      } catch (err) {
        // Listing with the token is where Google judges it: a permanent 403 means wrong, expired, or made
        // for another reseller (a rate-limit 403 is only retried).
        const failure = googleFailure(`subscriptions.list ${input.customerDomain}`, err);
        if (isGoogleStatus(err, 403) && failure.nonRetryable) {
          throw ApplicationFailure.nonRetryable(`subscriptions.list ${input.customerDomain}: Google refused the transfer token (403)`, 'TransferTokenRefused');
        }
        throw failure;
      }
      const all = listed.subscriptions ?? [];
      const pending = all.filter((s) => s.transferInfo).sort((a, b) => Number(isAddOn(a)) - Number(isAddOn(b)));
      const transferred: TransferredSubscription[] = [];
      for (const sub of pending) {
        const body = transferBody(sub);
        try {
          const created = await subscriptions.insert({ customerId: input.customerId, customerAuthToken: input.transferToken, requestBody: body });
          transferred.push({
            subscriptionId: created.data.subscriptionId ?? sub.subscriptionId ?? '',
            skuId: body.skuId ?? '',
            skuName: created.data.skuName ?? sub.skuName ?? undefined,
            planName: body.plan?.planName ?? '',
            seats: body.seats?.numberOfSeats ?? body.seats?.maximumNumberOfSeats ?? 0,
          });
        } catch (err) {
          if (!isGoogleStatus(err, 409)) throw googleFailure(`subscriptions.insert ${input.customerDomain} ${sub.skuId}`, err);
        }
        heartbeat(transferred.length);
      }
      // What an earlier attempt (cut short by a crash) already moved is reported too.
      const earlier = all.filter((s) => !s.transferInfo).map(describeListed);
      return { transferred: [...earlier, ...transferred], attempt: activityInfo().attempt };
    },
  };
}
