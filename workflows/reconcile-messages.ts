/**
 * The reconciliation's contract: its workflow type, schedule id and the shapes of its input and
 * report, written once for the workflow, its activities, the client library and the CLI.
 *
 * Why it exists: a terminated (or reset, or timed-out) onboarding skips its saga, so a super admin
 * whose temporary password was e-mailed can stay behind unnoticed. The reconciliation finds them.
 */
import { parseDurationMs } from '../order/duration';

export const RECONCILE_WORKFLOW_TYPE = 'reconcileOnboardings';
/** The schedule that runs it daily (client/reconciliation.ts); its runs' workflow ids start with it. */
export const RECONCILIATION_SCHEDULE_ID = 'onboarding-reconciliation';

export interface ReconciliationInput {
  /** Delete the admins found (only users carrying that onboarding's marker). Default: report only, unless the worker sets RECONCILE_REMOVE_USERS=true. */
  removeUsers?: boolean;
  /** How far back to look at ended onboardings, as a Temporal duration ("8 days"); default: the worker's RECONCILE_LOOKBACK. */
  lookback?: string;
}

const DAY = 86_400_000;
/** Longer than a day (the schedule's default period) plus a week of outages or missed runs. */
export const DEFAULT_RECONCILE_LOOKBACK_MS = 8 * DAY;
/** Closed workflows stay visible only for the namespace's retention; 400 days is past any sensible one. */
export const MAX_RECONCILE_LOOKBACK_MS = 400 * DAY;

/** A lookback as a Temporal duration ("8 days", "36h"), in ms — or the rule it breaks. Bundle-safe. */
export function lookbackMs(text: string): number | string {
  const ms = parseDurationMs(text);
  if (ms === undefined) return 'must be a duration such as "8 days" or "36h"';
  if (ms < 60_000 || ms > MAX_RECONCILE_LOOKBACK_MS) return 'must be between 1 minute and 400 days';
  return ms;
}

/** Ended onboardings left alone are listed in a report up to this many (then only counted). */
export const MAX_NOT_REPORTED_LISTED = 500;

/** How the onboarding ended, as Temporal's visibility says. */
export type EndedOutcome = 'TERMINATED' | 'TIMED_OUT' | 'FAILED' | 'CANCELLED';

/** A super admin this product created and that its ended onboarding left behind. */
export interface LeftoverAdmin {
  domain: string;
  /** The admin's primary e-mail address (never a password: none is read). */
  user: string;
  customerId: string;
  onboardingOutcome: EndedOutcome;
  /** The onboarding's last recorded stage, when it kept one. */
  lastStage?: string;
  workflowId: string;
  /** The run that ended (the last of a continue-as-new chain). */
  runId: string;
  closedAt: string;
  /** The marker value the user carries: `onboarding:<domain>/<first run id>` (release 0.1: the workflow id). */
  marker: string;
  why: string;
  /** Set when removing it would be unsafe, saying why (it is then only reported). */
  notRemovable?: string;
}

/** What the finder looked at and did not report, and why (completed compensation, team customer, …). */
export interface ExaminedOnboarding {
  domain: string;
  workflowId: string;
  runId: string;
  onboardingOutcome: EndedOutcome;
  verdict: string;
}

/** Release 0.4: an ended onboarding's subscriptions that Google still bills to the reseller (activities/reconciliation-billing.ts). */
export interface LeftBilling {
  domain: string;
  customerId: string;
  workflowId: string;
  runId: string;
  onboardingOutcome: EndedOutcome;
  lastStage?: string;
  closedAt: string;
  /** "name (sku, status)" of each. */
  subscriptions: string[];
}

export interface LeftoverSearch {
  /** Ended onboardings closed since then were examined. */
  since: string;
  leftovers: LeftoverAdmin[];
  /** The first MAX_NOT_REPORTED_LISTED of them (a report stays far below Temporal's payload limit); */
  notReported: ExaminedOnboarding[];
  /** how many there were. */
  notReportedTotal: number;
  /** Onboardings that could not be read or looked up (e.g. Google unavailable): checked again by the next run within the lookback. */
  unchecked: ExaminedOnboarding[];
  /** The worker's RECONCILE_REMOVE_USERS. */
  removalConfigured: boolean;
  /** Release 0.4 on: subscriptions left billing by ended onboardings (report only). */
  leftBilling?: LeftBilling[];
}

export interface ReportedAdmin extends LeftoverAdmin {
  /** `reported` (report-only), `removed`, or what stopped the removal. */
  action: string;
}

export interface ReconciliationReport {
  since: string;
  removeUsers: boolean;
  leftovers: ReportedAdmin[];
  notReported: ExaminedOnboarding[];
  notReportedTotal: number;
  unchecked: ExaminedOnboarding[];
  /** Whether sales was e-mailed (only when there is something to report). */
  salesNotified: boolean;
  /** Release 0.4 on: subscriptions left billing by ended onboardings (report only). */
  leftBilling?: LeftBilling[];
}
