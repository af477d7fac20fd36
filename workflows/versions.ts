/**
 * What each release changed in history, named by behaviour. Each release's history-altering changes
 * sit behind one patch marker, checked once when a run starts (so a run records at most one marker
 * per release); the code asks for the behaviour (`ob.behaviour.outcomeStandsAgainstLateCancel`),
 * never for a release number. A release adds its patch here and its behaviours to `Behaviours`;
 * a run that lacks a marker keeps the behaviour its release had, to the end (docs/operations.md).
 */
import { patched } from '@temporalio/workflow';

/** Release 0.3's history-altering changes. */
export const RELEASE_0_3_PATCH = 'release-0.3';
/** Release 0.4's history-altering changes. */
export const RELEASE_0_4_PATCH = 'release-0.4';

export interface Behaviours {
  /** 0.3: `provideTransferToken` answers once the token is queued; each token's outcome shows in the status. */
  tokenAnsweredWhenQueued: boolean;
  /** 0.3: a queued token and the update ids already applied are carried across continue-as-new. */
  inboxAndUpdatesCarried: boolean;
  /** 0.3: a decided outcome stands against a cancel that arrives as it completes. */
  outcomeStandsAgainstLateCancel: boolean;
  /** 0.3: a failure met while a cancel was requested ends `cancelled`; waiting callers hear before compensations. */
  cancelWinsOverLaterFailure: boolean;
  /** 0.3: registering a transferred customer cannot be interrupted; a cancel stopping a transfer is reported. */
  registrationNotInterruptible: boolean;
  /** 0.4: the compensation report lists each compensation's kind and result as data (`compensation.results`). */
  compensationResultsReported: boolean;
  /**
   * 0.4: a customer wait also wakes when the server suggests continue-as-new or its history passed
   * 1,000 events (signals that change nothing cannot grow it to the event limit), and continues as new.
   */
  waitWakesToContinueAsNew: boolean;
  /**
   * 0.4 (Worker Versioning): a pinned run's customer wait also wakes when another build became the
   * deployment's current version, and continues as new onto it (upgrade on continue-as-new).
   */
  waitMovesToCurrentBuild: boolean;
  /**
   * 0.4: a `tosAccepted` signal before the wait for the terms is recorded (status `tosReportedEarly`)
   * but neither completes the onboarding nor changes the saga until that wait starts or Google confirms.
   */
  earlyTermsReportHeld: boolean;
  /** 0.4: a cancel during the sign-in notice waits for the mail attempt to end before the compensation starts. */
  noticeCancelWaitsForMail: boolean;
  // 0.4 behaviours go here, each named for what it does, each `release4` below.
  /** 0.4: after a transfer, the customer's super admins are told to sign Google's new terms, and the onboarding waits for it (ends `completed`). */
  transferredCustomerSignsTerms: boolean;
  /**
   * 0.4: a failure or cancel before the customer accepted the terms ends every subscription ordered
   * (transfer_to_direct, one batch) before the administrator is removed; after acceptance nothing is ended.
   */
  subscriptionsEndedBeforeAdmin: boolean;
  /**
   * 0.4: where the worker requires encrypted input, a signal with no argument (no key needed) changes
   * nothing; and a report signal whose argument is not `{ reportedBy?: string }` (e.g. a payload of the
   * run's own history signalled back) is ignored whatever the setting.
   */
  keylessMessagesIgnored: boolean;
  /** 0.4: the `OnboardingStage` attribute and the status memo are written at the stages an onboarding rests in, not at each step. */
  stagePublishedAtRest: boolean;
  /** 0.4: acceptance checks are spread (as 0.3's `spread-checks` did) without asking for that marker too. */
  checksSpreadWithoutMarker: boolean;
  /** 0.4: the status memo is a compact summary (no step log, short entries), under the server's 2 KiB warning. */
  compactStatusMemo: boolean;
  /** 0.4: the wait defaults come with the validation activity's result (no `waitDefaults` local activity). */
  waitDefaultsFromValidation: boolean;
  /**
   * 0.4: the search attributes the start (or continue-as-new: the server copies them) already set are
   * not upserted again. Decided before 0.3's marker is asked for, so workflows/onboarding/state.ts
   * passes `release4` itself to Progress; this flag says the same.
   */
  startAttributesNotRepeated: boolean;
}

/**
 * Is this a release-0.4 run? Asked first thing in a run's first task, before any other marker: the
 * newest release first. A 0.4 run records this marker only, and it implies release 0.3's behaviours
 * and google-fidelity (each marker also makes the SDK upsert Temporal's `TemporalChangeVersion`
 * attribute: two events and a visibility write per marker, so 0.4 runs record one instead of three).
 * A run an older release started has no 0.4 marker in its first task: replaying, `patched` answers
 * false without a command, and the older markers are asked for in their recorded order.
 */
export function isRelease4Run(): boolean {
  return patched(RELEASE_0_4_PATCH);
}

/** The behaviours of the current run: asked once, when the run starts (`release4` from isRelease4Run). */
export function behavioursOfThisRun(release4: boolean): Behaviours {
  const release3 = release4 || patched(RELEASE_0_3_PATCH);
  return {
    tokenAnsweredWhenQueued: release3,
    inboxAndUpdatesCarried: release3,
    outcomeStandsAgainstLateCancel: release3,
    cancelWinsOverLaterFailure: release3,
    registrationNotInterruptible: release3,
    compensationResultsReported: release4,
    stagePublishedAtRest: release4,
    checksSpreadWithoutMarker: release4,
    compactStatusMemo: release4,
    waitDefaultsFromValidation: release4,
    startAttributesNotRepeated: release4,
    waitWakesToContinueAsNew: release4,
    waitMovesToCurrentBuild: release4,
    earlyTermsReportHeld: release4,
    noticeCancelWaitsForMail: release4,
    keylessMessagesIgnored: release4,
    subscriptionsEndedBeforeAdmin: release4,
    transferredCustomerSignsTerms: release4,
  };
}
