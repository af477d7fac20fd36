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

const DAY_MS = 86_400_000;
/** Suspension reasons a suspended subscription may still be transferred with (how-tos/create-subscription). */
const TRANSFERABLE_SUSPENSIONS: readonly string[] = [
  'PENDING_TOS_ACCEPTANCE',
  'TRIAL_ENDED',
  'RENEWAL_WITH_TYPE_CANCEL',
];

/** Google's plan rules for transfers (support.google.com/channelservices/answer/6182438 and 9547629). */
function checkPlanChange(store: Store, from: Subscription, request: SubscriptionRequest): void {
  if (request.planName === 'TRIAL' && (from.planName !== 'TRIAL' || from.suspensionReasons.includes('TRIAL_ENDED')))
    throw invalid(
      'Invalid value for plan.planName: only a subscription in a 30-day trial can transfer to a new 30-day free trial.',
    );
  if (isAnnual(request.planName) && isTransferAddOn(from.skuId))
    throw invalid(`Invalid value for plan.planName: the annual plan is not available for the add-on ${from.skuId}.`);
  // The commitment ends a year after the subscription was created (views.ts shows the same interval).
  const nearRenewal = from.creationTime + 365 * DAY_MS - store.now() <= 30 * DAY_MS;
  if (isAnnual(from.planName) && !isAnnual(request.planName) && !nearRenewal) {
    throw invalid(
      `Invalid value for plan.planName: an annual subscription transfers to ANNUAL_MONTHLY_PAY or ANNUAL_YEARLY_PAY (FLEXIBLE only within 30 days of its renewal date), not ${request.planName}.`,
    );
  }
}

/** What Google refuses whatever the body: suspended for another reason, several Workspace editions, a deal code. */
function checkTransferable(store: Store, customer: Customer, from: Subscription, request: SubscriptionRequest): void {
  if (request.dealCode !== undefined)
    throw invalid('Invalid value for dealCode: transfers do not work with deal codes.');
  const refused = from.suspensionReasons.filter((r) => !TRANSFERABLE_SUSPENSIONS.includes(r));
  if (from.status === 'SUSPENDED' && (refused.length > 0 || from.suspensionReasons.length === 0))
    throw invalid(
      `Subscription ${from.skuId} is suspended (${refused.join(', ') || 'no reason'}): only subscriptions suspended for ${TRANSFERABLE_SUSPENSIONS.join(', ')} can be transferred.`,
    );
  const editions = store
    .subscriptionsOf(customer)
    .filter((s) => s.owner !== 'this-reseller' && isWorkspaceBase(s.skuId));
  if (isWorkspaceBase(from.skuId) && editions.length > 1)
    throw invalid(
      'The customer has multiple Google Workspace editions: the customer must contact their Google Sales representative or Google Workspace support to perform the transfer.',
    );
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
  checkTransferable(store, customer, subscription, request);
  checkPlanChange(store, subscription, request);
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
  // The customer's super admins must sign Google's new terms: a moved subscription waits for it.
  const pending = customer.tosAccepted ? [] : (['PENDING_TOS_ACCEPTANCE'] as const);
  Object.assign(subscription, {
    owner: 'this-reseller',
    planName: request.planName,
    seats: request.seats,
    renewalType: request.renewalType,
    purchaseOrderId: request.purchaseOrderId,
    status: pending.length > 0 ? 'SUSPENDED' : 'ACTIVE',
    suspensionReasons: [...pending],
    // A moved trial that stays a trial starts a new 30-day trial; the creation time dates the new commitment.
    creationTime: store.now(),
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
