/**
 * Whether an existing Google customer may be touched by this onboarding.
 *
 * A customer already registered with this reseller may be a live customer with real admins: an
 * order for its domain (a mistake, a re-filed order after an expiry, or an attack) must never
 * change its language, create or reset an admin, or mail its credentials to the order's
 * addresses. Only a customer this very onboarding created — an earlier attempt whose answer was
 * lost, or a run restarted after a crash — is carried on with, and only with evidence:
 *   - Google created it after this onboarding started (Directory `customerCreationTime`, minus a
 *     minute for clock skew between Temporal and Google), and
 *   - its contact details on Google's record are the order's.
 * Anything less is `already-a-customer`: nothing is written at Google, sales is told.
 */
import type { admin_directory_v1 } from 'googleapis/build/src/apis/admin';
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import type { Order } from '../order/order';

/** Which onboarding is asking: its marker (workflow id and first run id) and when its first run started. */
export interface OnboardingIdentity {
  /** `onboarding:<domain>/<first run id>`: names this order's onboarding, not just the domain. */
  key: string;
  /** ISO time the onboarding (its first run) started. */
  startedAt: string;
}

/** Temporal's clock and Google's may disagree by this much. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * Google answers `customers.get` for someone else's customer (Google direct, another reseller) with
 * a minimal record: only customerId, customerDomain, customerType (and kind). A record with any
 * contact field is this reseller's own; `alternateEmail` alone does not decide it (team customers
 * need not have one).
 */
export function isMinimalRecord(record: reseller_v1.Schema$Customer): boolean {
  return !record.alternateEmail && !record.postalAddress && !record.resourceUiUrl && !record.primaryAdmin;
}

const same = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? '').trim().toLowerCase() === (b ?? '').trim().toLowerCase();

/** The order's contact details against Google's record of the customer. */
function contactDiffers(order: Order, record: reseller_v1.Schema$Customer): string | undefined {
  if (order.alternateEmail !== undefined && !same(order.alternateEmail, record.alternateEmail))
    return "its alternate e-mail is not the order's";
  // Team customers: notices go to the primary admin, so it must be the order's too (when Google shows it).
  if (
    order.primaryAdmin &&
    record.primaryAdmin &&
    !same(order.primaryAdmin.primaryEmail, record.primaryAdmin.primaryEmail)
  )
    return "its primary admin is not the order's";
  const ours = order.postalAddress;
  const theirs = record.postalAddress ?? {};
  for (const field of ['organizationName', 'contactName', 'postalCode', 'countryCode'] as const) {
    if (!same(ours[field], theirs[field])) return `its postal address (${field}) is not the order's`;
  }
  return undefined;
}

export type OwnershipVerdict = { proven: true } | { proven: false; reason: string };

/** Whether the evidence shows that this onboarding created the customer. */
/** The contact details on Google's record are the order's (the half of the proof that needs no Directory answer). */
export function contactMatches(order: Order, record: reseller_v1.Schema$Customer): boolean {
  return contactDiffers(order, record) === undefined;
}

export function ownershipVerdict(
  order: Order,
  record: reseller_v1.Schema$Customer,
  directory: admin_directory_v1.Schema$Customer | undefined,
  onboarding: OnboardingIdentity,
): OwnershipVerdict {
  const createdAt = Date.parse(directory?.customerCreationTime ?? '');
  if (Number.isNaN(createdAt)) return { proven: false, reason: 'Google did not say when the customer was created' };
  if (createdAt < Date.parse(onboarding.startedAt) - CLOCK_SKEW_MS) {
    return {
      proven: false,
      reason: `it was created (${new Date(createdAt).toISOString()}) before this onboarding started (${onboarding.startedAt})`,
    };
  }
  const differs = contactDiffers(order, record);
  return differs ? { proven: false, reason: differs } : { proven: true };
}
