/**
 * Which ended onboardings may have left a super admin behind, judged from what each recorded (its
 * status memo, or the status it carried) before any call to Google: a terminated or timed-out
 * onboarding ran no saga; a failed or cancelled one ran it, and its status says whether the user's
 * deletion was done. Pure, so that each rule is pinned by a fast test.
 */
import type { CompensationReport, CompensationResult, OnboardingStatus, Stage } from '../workflows/messages';
import type { EndedOutcome } from '../workflows/reconcile-messages';

/** Stages at which no user was created, or ever will be by that branch. */
const NO_USER_STAGES = new Set<Stage>([
  'validating',
  'creating-customer',
  'setting-language',
  'already-a-customer',
  'awaiting-transfer-token',
  'transferring',
  'transferred',
]);

/** Onboardings before release 0.4 reported their compensations as lines only: the user's deletion starts so. */
const DELETE_USER = 'delete user ';

/** The line reporting the user's deletion with that result: by kind (0.4 on), else by the line's words. */
function userDeletion(report: CompensationReport, result: CompensationResult['result']): string | undefined {
  if (report.results) return report.results.find((r) => r.kind === 'deleteUser' && r.result === result)?.line;
  const lines = { undone: report.undone, failed: report.failed, kept: [] }[result];
  return lines.find((line) => line.startsWith(DELETE_USER));
}

/**
 * The stage the onboarding is known to have ended at. A 0.4 summary is written at resting stages only,
 * so its `validating` says only that the run never rested since: the steps that create the user may have run.
 */
export function lastKnownStage(status: OnboardingStatus | undefined): Stage | undefined {
  if (status?.summary === true && status.stage === 'validating') return undefined;
  return status?.stage;
}

/** Why this onboarding cannot have left an admin behind; undefined when Google must be asked. */
export function notALeftoverBecause(
  outcome: EndedOutcome,
  status: OnboardingStatus | undefined,
  failureType?: string,
): string | undefined {
  if (failureType === 'OnboardingExpired' || status?.stage === 'expired') {
    return 'expired: nothing is deleted on expiry by design (the customer may still accept; see the runbook)';
  }
  if (!status) return undefined; // release 0.1 kept no memo: ask Google
  if (status.customerType === 'team') return 'team customer: this product creates no user for it';
  const stage = lastKnownStage(status);
  if (stage && NO_USER_STAGES.has(stage)) return `ended at ${stage}: no user was created`;
  if (status.tosAccepted) return 'the customer accepted the terms: the admin is theirs';
  if (outcome === 'TERMINATED' || outcome === 'TIMED_OUT') return undefined; // no saga ran
  const compensation = status.compensation;
  if (!compensation) return undefined; // ended before its saga reported: ask Google
  const kept = userDeletion(compensation, 'kept');
  if (kept) return `kept on purpose while subscriptions still bill (see leftBilling): ${kept}`;
  const undone = userDeletion(compensation, 'undone');
  if (undone) return `its compensation finished: ${undone}`;
  if (!userDeletion(compensation, 'failed')) return 'its compensation had no user to delete';
  return undefined;
}

/** Why the finder looks at Google for this one (shown in the report). */
export function suspicion(outcome: EndedOutcome, status: OnboardingStatus | undefined): string {
  if (outcome === 'TERMINATED') return 'the onboarding was terminated: its compensation never ran';
  if (outcome === 'TIMED_OUT') return 'the onboarding timed out: its compensation never ran';
  const failed = status?.compensation && userDeletion(status.compensation, 'failed');
  if (failed) return `its compensation could not delete the user (${failed})`;
  return `the onboarding ${outcome === 'FAILED' ? 'failed' : 'was cancelled'} without recording that its compensation deleted the user`;
}
