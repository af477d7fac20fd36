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
  // 0.4 behaviours go here, each named for what it does, each `release4` below.
  /** 0.4: after a transfer, the customer's super admins are told to sign Google's new terms, and the onboarding waits for it (ends `completed`). */
  transferredCustomerSignsTerms: boolean;
}

/** The behaviours of the current run: asked once, when the run starts. */
export function behavioursOfThisRun(): Behaviours {
  const release3 = patched(RELEASE_0_3_PATCH);
  // A run that 0.3 did not mark cannot be a 0.4 run: ask for the 0.4 marker only after the 0.3 one.
  const release4 = release3 && patched(RELEASE_0_4_PATCH);
  return {
    tokenAnsweredWhenQueued: release3,
    inboxAndUpdatesCarried: release3,
    outcomeStandsAgainstLateCancel: release3,
    cancelWinsOverLaterFailure: release3,
    registrationNotInterruptible: release3,
    // 0.4 behaviours: `name: release4,`
    transferredCustomerSignsTerms: release4,
  };
}
