/**
 * The reconciliation workflow: finds the super admins that ended onboardings left behind (a
 * terminate or reset skips the saga; a failed or cancelled one may not finish it), removes them
 * when asked, tells sales, and returns the report. Run daily by a Temporal Schedule
 * (client/reconciliation.ts) on the onboarding task queue; deterministic code only.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ReconciliationActivities } from '../activities';
import { RECONCILE_CALL, RECONCILE_SCAN } from './activity-stubs';
import {
  lookbackMs,
  type LeftoverAdmin,
  type ReconciliationInput,
  type ReconciliationReport,
  type ReportedAdmin,
} from './reconcile-messages';

const { findLeftoverAdmins } = proxyActivities<ReconciliationActivities>(RECONCILE_SCAN);
const { removeLeftoverAdmin, reportLeftoverAdmins } = proxyActivities<ReconciliationActivities>(RECONCILE_CALL);

const messageOf = (err: ActivityFailure) =>
  err.cause instanceof ApplicationFailure ? err.cause.message : (err.cause?.message ?? err.message);

async function remove(leftover: LeftoverAdmin): Promise<string> {
  if (leftover.notRemovable) return `not removed: ${leftover.notRemovable}`;
  try {
    const { outcome } = await removeLeftoverAdmin(leftover);
    return outcome === 'deleted' ? 'removed' : `not removed: ${outcome}`;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return `removal failed: ${messageOf(err)}`;
  }
}

export async function reconcileOnboardings(input: ReconciliationInput = {}): Promise<ReconciliationReport> {
  if (input.removeUsers !== undefined && typeof input.removeUsers !== 'boolean') {
    throw ApplicationFailure.nonRetryable('removeUsers: must be true or false', 'InvalidReconciliationInput');
  }
  const lookback = input.lookback === undefined ? undefined : lookbackMs(String(input.lookback));
  if (typeof lookback === 'string')
    throw ApplicationFailure.nonRetryable(`lookback: ${lookback}`, 'InvalidReconciliationInput');
  const found = await findLeftoverAdmins(input.lookback !== undefined ? { lookback: input.lookback } : {});
  // The worker's setting or the run's input turns removal on; neither turns the other off.
  const removeUsers = input.removeUsers === true || found.removalConfigured;
  const leftovers: ReportedAdmin[] = [];
  for (const leftover of found.leftovers) {
    leftovers.push({ ...leftover, action: removeUsers ? await remove(leftover) : 'reported' });
  }
  let salesNotified = false;
  // Release 0.4's finder adds leftBilling; a 0.3 finder's answer (in an older history) has none: same commands.
  const leftBilling = found.leftBilling ?? [];
  if (leftovers.length > 0 || found.unchecked.length > 0 || leftBilling.length > 0) {
    try {
      await reportLeftoverAdmins({
        since: found.since,
        removeUsers,
        leftovers,
        unchecked: found.unchecked,
        ...(leftBilling.length ? { leftBilling } : {}),
      });
      salesNotified = true;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err; // the report is still returned
    }
  }
  const { since, notReported, notReportedTotal, unchecked } = found;
  return {
    since,
    removeUsers,
    leftovers,
    notReported,
    notReportedTotal,
    unchecked,
    salesNotified,
    ...(leftBilling.length ? { leftBilling } : {}),
  };
}
