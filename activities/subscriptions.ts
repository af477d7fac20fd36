/**
 * What was sold: each subscription ordered once, right after the admin exists (Google's codelab
 * order), idempotently. `subscriptionId` is Google's and unknown before the insert, so the key is
 * the SKU: a customer has at most one subscription per SKU (a second insert answers 409), and the
 * customer's subscriptions are listed (every page) before inserting.
 */
import { activityInfo } from '@temporalio/activity';
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import { isAnnualPlan, renewalSettingsFor, type OrderedSubscription } from '../order/order';
import type { SubscriptionStatus } from '../workflows/messages';
import type { ActivityDependencies } from './dependencies';
import type { GoogleClients } from './google-clients';
import { callGoogle, googleFailure, isGoogleStatus } from './google-errors';

/** Google's largest page (`maxResults` 1–100; the default is 20). */
const PAGE_SIZE = 100;

/** Every subscription of a customer, page by page; with the customer's transfer token, the transferable ones. */
export async function listAllSubscriptions(
  google: GoogleClients,
  customerId: string,
  customerAuthToken?: string,
): Promise<reseller_v1.Schema$Subscription[]> {
  const all: reseller_v1.Schema$Subscription[] = [];
  let pageToken: string | undefined;
  do {
    const params = {
      customerId,
      maxResults: PAGE_SIZE,
      ...(pageToken ? { pageToken } : {}),
      ...(customerAuthToken ? { customerAuthToken } : {}),
    };
    const page = (await google.reseller.subscriptions.list(params)).data;
    all.push(...(page.subscriptions ?? []));
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return all;
}

/** Listed plans come back as `ANNUAL` for ANNUAL_MONTHLY_PAY; inserts want the full name. */
export function planNameOf(listed: string | null | undefined): string {
  return listed === 'ANNUAL' ? 'ANNUAL_MONTHLY_PAY' : (listed ?? 'FLEXIBLE');
}

export function seatsOf(sub: reseller_v1.Schema$Subscription): number {
  return sub.seats?.numberOfSeats ?? sub.seats?.maximumNumberOfSeats ?? 0;
}

export function describeSubscription(sub: reseller_v1.Schema$Subscription): SubscriptionStatus {
  return {
    skuId: sub.skuId ?? '',
    ...(sub.skuName ? { skuName: sub.skuName } : {}),
    plan: planNameOf(sub.plan?.planName),
    seats: seatsOf(sub),
    ...(sub.subscriptionId ? { subscriptionId: sub.subscriptionId } : {}),
    ...(sub.status ? { status: sub.status } : {}),
    suspensionReasons: sub.suspensionReasons ?? [],
  };
}

/** Only writable fields; the seats field is the one Google reads for the plan; renewal settings with every annual plan. */
export function orderBody(sub: OrderedSubscription): reseller_v1.Schema$Subscription {
  const renewalSettings = renewalSettingsFor(sub.plan, sub.renewalType);
  return {
    skuId: sub.skuId,
    plan: { planName: sub.plan },
    seats: isAnnualPlan(sub.plan) ? { numberOfSeats: sub.seats } : { maximumNumberOfSeats: sub.seats },
    ...(renewalSettings ? { renewalSettings } : {}),
    ...(sub.purchaseOrderId ? { purchaseOrderId: sub.purchaseOrderId } : {}),
    ...(sub.dealCode ? { dealCode: sub.dealCode } : {}),
  };
}

export function subscriptionActivities({ google }: ActivityDependencies) {
  async function findBySku(customerId: string, skuId: string) {
    try {
      return (await listAllSubscriptions(google, customerId)).find((s) => s.skuId === skuId);
    } catch (err) {
      throw googleFailure(`subscriptions.list ${customerId}`, err);
    }
  }

  return {
    /** Orders one subscription, or finds the one an earlier attempt ordered. */
    async orderSubscription(input: {
      customerId: string;
      subscription: OrderedSubscription;
    }): Promise<SubscriptionStatus & { attempt: number }> {
      const { customerId, subscription } = input;
      const attempt = activityInfo().attempt;
      const existing = await findBySku(customerId, subscription.skuId);
      if (existing) return { ...describeSubscription(existing), outcome: 'already-ordered', attempt };
      try {
        const created = await google.reseller.subscriptions.insert({
          customerId,
          requestBody: orderBody(subscription),
        });
        return { ...describeSubscription(created.data), outcome: 'ordered', attempt };
      } catch (err) {
        if (!isGoogleStatus(err, 409))
          throw googleFailure(`subscriptions.insert ${customerId} ${subscription.skuId}`, err);
        const holder = await findBySku(customerId, subscription.skuId);
        if (!holder) throw googleFailure(`subscriptions.insert ${customerId} ${subscription.skuId}`, err);
        return { ...describeSubscription(holder), outcome: 'already-ordered', attempt };
      }
    },

    /** Compensation of orderSubscription for SKUs that can be cancelled (never Workspace editions). */
    async cancelSubscription(input: {
      customerId: string;
      skuId: string;
    }): Promise<{ outcome: 'cancelled' | 'already-gone' }> {
      const existing = await findBySku(input.customerId, input.skuId);
      if (!existing?.subscriptionId) return { outcome: 'already-gone' };
      await callGoogle(`subscriptions.delete ${input.customerId} ${input.skuId}`, () =>
        google.reseller.subscriptions.delete({
          customerId: input.customerId,
          subscriptionId: existing.subscriptionId as string,
          deletionType: 'cancel',
        }),
      );
      return { outcome: 'cancelled' };
    },
  };
}
