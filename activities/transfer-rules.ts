/**
 * Google's rules for moving a customer's subscriptions to this reseller, as pure functions over
 * what `subscriptions.list?customerAuthToken=` shows: what Google would refuse (checked BEFORE the
 * irreversible `customers.insert?customerAuthToken=`), which subscriptions travel together, and the
 * body each is moved with. Every rule's source, quoted: docs/google-behaviour.md (T-rows).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import { isWorkspaceEdition } from '../order/basics';
import { isAnnualPlan, renewalSettingsFor } from '../order/order';
import { planNameOf, seatsOf } from './subscriptions';

type Listed = reseller_v1.Schema$Subscription;

/** Failure types a transfer check ends with; sales acts on them (workflows/onboarding/endings.ts tells sales). */
export const TRANSFER_NEEDS_GOOGLE_SALES = 'TransferNeedsGoogleSales';
export const TRANSFER_NOT_ALLOWED = 'TransferNotAllowed';

/** The only suspension reasons Google transfers a suspended subscription with. */
export const TRANSFERABLE_SUSPENSIONS = ['PENDING_TOS_ACCEPTANCE', 'TRIAL_ENDED', 'RENEWAL_WITH_TYPE_CANCEL'] as const;
/** "The Flexible Plan is not available unless your customer is within 30 days of their renewal date." */
const RENEWAL_WINDOW_MS = 30 * 24 * 3600 * 1000;
/** A 30-day trial has at most 10 seats (Seats reference). */
const TRIAL_MAX_SEATS = 10;

/** Add-ons that move with their Workspace base subscription (subscriptions.insert reference). */
export const isAddOn = (skuId: string) => skuId.startsWith('Google-Drive-storage') || skuId.startsWith('Google-Vault');

const name = (s: Listed) => s.skuName ?? s.skuId ?? '?';

/** Milliseconds until the listed annual commitment ends (undefined when Google gives no end). */
function msToRenewal(s: Listed, now: number): number | undefined {
  const end = Number(s.plan?.commitmentInterval?.endTime ?? NaN);
  return Number.isFinite(end) ? end - now : undefined;
}

/** An annual add-on can stay on no plan: annual is not offered for add-ons, FLEXIBLE only near the renewal. */
function annualAddOnProblem(s: Listed, now: number): string | undefined {
  if (!isAddOn(s.skuId ?? '') || !isAnnualPlan(planNameOf(s.plan?.planName))) return undefined;
  const left = msToRenewal(s, now);
  if (left !== undefined && left <= RENEWAL_WINDOW_MS) return undefined; // moves to FLEXIBLE
  return `${name(s)} is on an annual plan, which Google does not offer add-ons after a transfer, and is not within 30 days of its renewal date (the only time it may move to the Flexible Plan)`;
}

function suspensionProblem(s: Listed): string | undefined {
  if (s.status !== 'SUSPENDED') return undefined;
  const reasons = s.suspensionReasons ?? [];
  const refused = reasons.filter((r) => !(TRANSFERABLE_SUSPENSIONS as readonly string[]).includes(r));
  if (refused.length === 0 && reasons.length > 0) return undefined;
  return `${name(s)} is suspended (${refused.join(', ') || 'no reason given'}); Google transfers a suspended subscription only when the reason is ${TRANSFERABLE_SUSPENSIONS.join(', ')}`;
}

/**
 * What Google would refuse in this transfer, as the failure the onboarding ends with (nothing
 * registered, nothing moved), or undefined when it may go ahead. Several Workspace editions come
 * first: only Google can move them.
 */
export function transferRefusal(listed: Listed[], now: number): ApplicationFailure | undefined {
  const editions = listed.filter((s) => isWorkspaceEdition(s.skuId ?? ''));
  if (editions.length > 1) {
    return ApplicationFailure.nonRetryable(
      `the customer has ${editions.length} Google Workspace editions (${editions.map(name).join(', ')}): Google does not let a reseller transfer several editions. ` +
        'The customer must contact their Google Sales representative or Google Workspace support to perform the transfer ' +
        '(support.google.com/channelservices/answer/9547629), or move to a single edition first; then start the order again. ' +
        'Nothing was registered or moved.',
      TRANSFER_NEEDS_GOOGLE_SALES,
    );
  }
  const problems = listed.flatMap((s) => [suspensionProblem(s), annualAddOnProblem(s, now)]).filter(Boolean);
  if (problems.length === 0) return undefined;
  return ApplicationFailure.nonRetryable(
    `Google would refuse this transfer: ${problems.join('; ')}. Nothing was registered or moved; the customer (or its current reseller) must settle it first, then start the order again.`,
    TRANSFER_NOT_ALLOWED,
  );
}

/** Each Workspace subscription with the add-ons that must travel with it; anything else alone. */
export function transferGroups(pending: Listed[]): Listed[][] {
  const bases = pending.filter((s) => isWorkspaceEdition(s.skuId ?? ''));
  const addOns = pending.filter((s) => isAddOn(s.skuId ?? ''));
  const others = pending.filter((s) => !bases.includes(s) && !addOns.includes(s));
  if (bases.length === 0) return [...addOns, ...others].map((s) => [s]);
  return [[bases[0] as Listed, ...addOns], ...bases.slice(1).map((s) => [s]), ...others.map((s) => [s])];
}

/**
 * The plan a listed subscription moves to: a trial still running moves as a new trial (Google: "you
 * can transfer the subscription to a new 30-day free trial or a new subscription"), an ended one as
 * FLEXIBLE; an annual plan stays annual, except an add-on near its renewal (FLEXIBLE: annual is
 * not offered for add-ons); FLEXIBLE stays FLEXIBLE.
 */
function planAfterTransfer(listed: Listed, seats: number, now: number): string {
  const from = planNameOf(listed.plan?.planName);
  if (from === 'TRIAL') {
    const running =
      listed.trialSettings?.isInTrial !== false && !(listed.suspensionReasons ?? []).includes('TRIAL_ENDED');
    return running && seats <= TRIAL_MAX_SEATS ? 'TRIAL' : 'FLEXIBLE';
  }
  if (isAnnualPlan(from) && isAddOn(listed.skuId ?? '') && annualAddOnProblem(listed, now) === undefined)
    return 'FLEXIBLE';
  return from;
}

/**
 * The body one subscription moves with: writable fields only, same SKU, seats at least
 * `minimumTransferableSeats`, renewal settings with every annual plan; no deal code ("Transfers
 * don't work with discount deal codes").
 */
export function transferBody(listed: Listed, now = Date.now()): Listed {
  const minimum = listed.transferInfo?.minimumTransferableSeats ?? 1;
  const seats = Math.max(minimum, seatsOf(listed), 1);
  const planName = planAfterTransfer(listed, seats, now);
  const from = planNameOf(listed.plan?.planName);
  if (isAnnualPlan(from) && !isAnnualPlan(planName) && !isAddOn(listed.skuId ?? ''))
    throw ApplicationFailure.nonRetryable(
      `${listed.skuId}: an annual plan can only move to an annual plan`,
      'TransferRuleBroken',
    );
  // A transferred subscription is "treated as a new subscription" (9547629): it renews by default. The
  // previous reseller's own choices are not carried — a CANCEL (or switch to pay-as-you-go) would make this
  // reseller's new commitment end silently — nor its purchase order number, which is that reseller's.
  const listedRenewal = listed.renewalSettings?.renewalType ?? undefined;
  const ending = listedRenewal === 'CANCEL' || listedRenewal === 'SWITCH_TO_PAY_AS_YOU_GO';
  const keptRenewal = listedRenewal && !ending && from === planName ? listedRenewal : undefined;
  const renewalSettings = renewalSettingsFor(planName, keptRenewal);
  return {
    skuId: listed.skuId,
    plan: { planName },
    seats: isAnnualPlan(planName) ? { numberOfSeats: seats } : { maximumNumberOfSeats: seats },
    ...(renewalSettings ? { renewalSettings } : {}),
  };
}
