/**
 * Transfers of subscriptions from Google or another reseller (subscriptions.insert with a
 * customerAuthToken), alone or as parts of one batch request. Parts of one batch are judged
 * together: a Google Workspace base and its Drive storage / Vault add-ons move in one batch or not
 * at all. Sources and the unconfirmed choices: docs/google-behaviour.md.
 */
import { duplicate, GoogleApiError, invalid } from './errors';
import { isAnnual, isTransferAddOn, isWorkspaceBase, type Customer, type Subscription } from './model';
import { checkSubscriptionRequest, type Json, type SubscriptionRequest } from './request-checks';
import type { Store } from './store';
import { subscriptionView } from './views';

export interface TransferItem {
  customer: Customer;
  customerAuthToken: string | undefined;
  body: unknown;
}

export type Outcome = { ok: true; value: Json } | { ok: false; error: GoogleApiError };

interface Prepared {
  customer: Customer;
  subscription: Subscription;
  request: SubscriptionRequest;
}

export const notRegistered = () =>
  new GoogleApiError(
    412,
    'conditionNotMet',
    'The customer is not registered with this reseller: insert the customer with its customerAuthToken first.',
  );

const mustMoveTogether = (skuId: string, missing: string[]) =>
  invalid(
    `Subscription ${skuId} must be transferred together with ${missing.join(', ')} in one batch request ` +
      '(a Google Workspace subscription and its Google Drive storage and Google Vault subscriptions move together).',
  );

function checkPlanChange(from: Subscription, request: SubscriptionRequest): void {
  if (request.planName === 'TRIAL') throw invalid('Invalid value for plan.planName: a transfer cannot start a TRIAL.');
  if (isAnnual(from.planName) && !isAnnual(request.planName)) {
    throw invalid(
      `Invalid value for plan.planName: an annual subscription transfers to ANNUAL_MONTHLY_PAY or ANNUAL_YEARLY_PAY, not ${request.planName}.`,
    );
  }
}

function prepare(store: Store, item: TransferItem, claimed: Set<string>): Prepared {
  const { customer } = item;
  store.checkTransferToken(customer, item.customerAuthToken);
  if (!customer.registeredWithThisReseller) throw notRegistered();
  const request = checkSubscriptionRequest(item.body);
  const same = store.subscriptionsOf(customer).filter((s) => s.skuId === request.skuId);
  if (same.some((s) => s.owner === 'this-reseller')) throw duplicate();
  const subscription = same.find((s) => !claimed.has(s.subscriptionId));
  if (!subscription) {
    if (same.length > 0) throw duplicate();
    throw invalid(`Invalid value for skuId: ${request.skuId} has no transferable subscription for this customer.`);
  }
  checkPlanChange(subscription, request);
  if (request.seats < subscription.minimumTransferableSeats) {
    throw invalid(
      `Invalid number of seats: at least ${subscription.minimumTransferableSeats} (minimumTransferableSeats) are required.`,
    );
  }
  claimed.add(subscription.subscriptionId);
  return { customer, subscription, request };
}

/** The still-pending subscriptions that must move in the same batch as this one (itself included). */
function groupOf(store: Store, subscription: Subscription): Subscription[] {
  const pending = store
    .subscriptionsOf(store.requireCustomer(subscription.customerId))
    .filter((s) => s.owner !== 'this-reseller');
  const bases = pending.filter((s) => isWorkspaceBase(s.skuId));
  const addOns = pending.filter((s) => isTransferAddOn(s.skuId));
  if (addOns.length === 0 || bases.length === 0) return [subscription];
  if (isWorkspaceBase(subscription.skuId) || isTransferAddOn(subscription.skuId)) return [...bases, ...addOns];
  return [subscription];
}

function commit(store: Store, { customer, subscription, request }: Prepared): Json {
  const pending = customer.tosAccepted ? [] : (['PENDING_TOS_ACCEPTANCE'] as const);
  Object.assign(subscription, {
    owner: 'this-reseller',
    planName: request.planName,
    seats: request.seats,
    renewalType: request.renewalType,
    purchaseOrderId: request.purchaseOrderId,
    status: pending.length > 0 ? 'SUSPENDED' : 'ACTIVE',
    suspensionReasons: [...pending],
    transferredAt: store.now(),
  } satisfies Partial<Subscription>);
  return subscriptionView(subscription, customer);
}

/**
 * Judges every item first, then moves those whose whole base+add-on group was accepted in this
 * batch; the members of an incomplete group are all refused.
 */
export function transferSubscriptions(store: Store, items: TransferItem[]): Outcome[] {
  const claimed = new Set<string>();
  const prepared = items.map((item): Prepared | GoogleApiError => {
    try {
      return prepare(store, item, claimed);
    } catch (error) {
      if (error instanceof GoogleApiError) return error;
      throw error;
    }
  });
  const verdicts = prepared.map((p): Prepared | GoogleApiError => {
    if (p instanceof GoogleApiError) return p;
    const missing = groupOf(store, p.subscription).filter((s) => !claimed.has(s.subscriptionId));
    return missing.length > 0
      ? mustMoveTogether(
          p.subscription.skuId,
          missing.map((s) => s.skuId),
        )
      : p;
  });
  const outcomes = verdicts.map((v): Outcome =>
    v instanceof GoogleApiError ? { ok: false, error: v } : { ok: true, value: commit(store, v) },
  );
  for (const item of items) store.settleOwnership(item.customer);
  return outcomes;
}
