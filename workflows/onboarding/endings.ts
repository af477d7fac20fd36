/**
 * How an onboarding ends other than by success: expired (the customer did not act in time: nothing
 * is deleted), already a customer (nothing was touched), failed or cancelled (what can be undone is
 * undone, in a scope no cancel interrupts). Sales hears of each; a notice that cannot be sent never
 * changes the outcome.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  condition,
  isCancellation,
} from '@temporalio/workflow';
import { run } from '../activity-stubs';
import { markdownText } from '../markdown';
import type { CompensationReport, OnboardingStatus, TransferredSubscription, WaitStatus } from '../messages';
import type { Onboarding, Validated } from './state';
import { waitKind } from './wait-kinds';
import { nowIso } from '../progress';

export function failureOf(err: ActivityFailure | ApplicationFailure): { type: string; message: string } {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  return { type: (cause instanceof ApplicationFailure && cause.type) || 'Error', message: cause.message };
}

/** The customer did not act by the deadline: nothing is deleted; the onboarding fails as `OnboardingExpired`. */
export async function expire(ob: Validated, what: WaitStatus['what'], missingNow?: string): Promise<never> {
  const deadline = ob.progress.view.waitingFor?.deadline ?? nowIso();
  const kind = waitKind(what);
  const missing = missingNow || kind.missing;
  ob.progress.update({ waitingFor: undefined, expired: { what, at: nowIso() } });
  ob.progress.enter('expired', `Expired: the customer did not ${missing} by ${deadline}. Nothing was deleted.`);
  const advice = kind.expiryAdvice(missing);
  const billing = stillBillingAtExpiry(ob);
  await CancellationScope.nonCancellable(() =>
    tellSales(ob, 'expired', [`Deadline: ${deadline}`, ...advice, ...billing]),
  );
  throw ApplicationFailure.nonRetryable(`the customer did not ${missing} by ${deadline}`, 'OnboardingExpired');
}

/**
 * Nothing is ended on expiry, and Google bills from the order ("Billing starts immediately after you add a
 * subscription, whether or not the customer has signed the TOS"; a transferred one is "treated as a new
 * subscription"): sales must hear which subscriptions keep billing the reseller.
 */
function stillBillingAtExpiry(ob: Validated): string[] {
  const view = ob.progress.view;
  const skus = [...(view.subscriptions ?? []).map((s) => s.skuId), ...(ob.transfer.moved ?? []).map((s) => s.skuId)];
  if (skus.length === 0) return [];
  return [
    `STILL BILLING THE RESELLER: ${[...new Set(skus)].join(', ')} of ${ob.validation.domain} (nothing is ended on expiry). End them in the Partner Sales Console (transfer to Google) unless the sale goes on.`,
  ];
}

/** The domain already is this reseller's customer and this onboarding did not create it: stop, touching nothing. */
export async function alreadyACustomer(ob: Validated, customerId: string, reason: string): Promise<OnboardingStatus> {
  ob.progress.update({ alreadyACustomer: { customerId, reason } });
  ob.progress.enter(
    'already-a-customer',
    `${ob.validation.domain} already is a customer of this reseller (${markdownText(customerId)}) that this onboarding did not create: ${markdownText(reason)}. Nothing was changed at Google and nothing was sent to the order's addresses.`,
  );
  await tellSales(ob, 'already-a-customer', [
    `Customer: ${customerId}`,
    `Why it was not touched: ${reason}.`,
    'Nothing was changed at Google and nothing was sent to the addresses in the order. Manage the existing customer in the Partner Sales Console.',
  ]);
  return ob.progress.snapshot();
}

/**
 * A failure of the order (an activity gave up, or a non-retryable failure) or a cancellation:
 * undo, tell sales, and end `failed` or `cancelled`. A bug in the workflow is rethrown as is, so
 * that it fails the workflow task (and is fixed by a deploy) instead of the onboarding.
 */
export async function endAfter(ob: Onboarding, err: unknown): Promise<never> {
  const known = err instanceof ActivityFailure || err instanceof ApplicationFailure;
  // Release 0.3 on: a failure met while a cancel was requested (a step that could not be interrupted failed) ends cancelled too.
  const cancelRequested =
    ob.behaviour.cancelWinsOverLaterFailure &&
    known &&
    CancellationScope.current().consideredCancelled &&
    failureOf(err).type !== 'OnboardingExpired';
  const cancelled = isCancellation(err) || cancelRequested;
  if (!cancelled && !known) throw err;
  const failure = cancelled || !known ? undefined : failureOf(err);
  await CancellationScope.nonCancellable(async () => {
    // Release 0.3 on: callers waiting for a token's outcome hear at once, not after the compensations.
    if (ob.behaviour.cancelWinsOverLaterFailure)
      ob.tokens.settleAll({
        outcome: 'failed',
        message: `the onboarding is ending (${cancelled ? 'cancelled' : 'failed'})`,
      });
    if (cancelled) {
      const cancellation = ob.progress.view.cancellation ?? {
        reason: 'cancelled from Temporal (no reason given)',
        at: nowIso(),
      };
      ob.progress.update({ cancellation, waitingFor: undefined });
      const report = await undo(ob, 'cancelled', cancellation.reason);
      await tellSales(ob, 'cancelled', [
        `Reason: ${cancellation.reason}`,
        ...transferLines(ob),
        ...reportLines(report),
      ]);
    } else if (failure && failure.type !== 'OnboardingExpired') {
      ob.progress.update({ failure, waitingFor: undefined });
      const report = await undo(ob, 'failed', failure.message);
      await tellSales(ob, 'failed', [`Reason: ${failure.type}: ${failure.message}`, ...reportLines(report)]);
    }
    ob.tokens.settleAll({ outcome: 'failed', message: `the onboarding ended (${ob.progress.stage})` });
    await condition(allHandlersFinished);
  });
  if (cancelRequested && !isCancellation(err))
    throw new CancelledFailure(`cancelled; a step met meanwhile: ${failureOf(err).message}`);
  if (!failure || failure.type === 'OnboardingExpired') throw err;
  throw ApplicationFailure.nonRetryable(failure.message, failure.type);
}

async function undo(ob: Onboarding, stage: 'failed' | 'cancelled', why: string): Promise<CompensationReport> {
  const title = stage === 'failed' ? 'Failed' : 'Cancelled';
  // Free text (a caller's reason, Google's messages) shows in the Web UI as text, never as markdown.
  // Once the customer accepted the terms, what was created is theirs (Onboarding.termsAccepted kept it all).
  const accepted = ob.tosAccepted !== undefined;
  ob.progress.enter(
    stage,
    `${title}: ${markdownText(why)}. ${accepted ? 'The customer had accepted the terms: nothing is ended, what was created is theirs (and billed as sold).' : 'Undoing what can be undone.'}`,
  );
  const report = await ob.saga.compensate();
  ob.progress.update({ compensation: report });
  ob.progress.publish();
  ob.progress.describe(
    `${title}: ${markdownText(why)}.\n\n${reportLines(report)
      .map((line) => markdownText(line, 2000))
      .join('\n\n')}`,
  );
  return report;
}

export function reportLines(report: CompensationReport): string[] {
  return [
    `Undone: ${report.undone.join('; ') || 'nothing'}`,
    ...(report.stillBilling?.length
      ? [
          `STILL BILLING THE RESELLER (could not be ended; Google bills the reseller for them until they are ended in the Partner Sales Console): ${report.stillBilling.join('; ')}`,
        ]
      : []),
    ...(report.failed.length ? [`Could NOT undo (finish by hand): ${report.failed.join('; ')}`] : []),
    ...(report.cannotUndo.length ? [`Cannot be undone through the API: ${report.cannotUndo.join('; ')}`] : []),
  ];
}

/** A transfer a cancel stopped: what had moved stays with this reseller (Google has no way back). */
function transferLines(ob: Onboarding): string[] {
  const { moved, stoppedByCancel } = ob.transfer;
  const list = (subscriptions: TransferredSubscription[]) =>
    subscriptions.map((s) => `${s.skuName ?? s.skuId} (${s.seats} seats)`).join(', ') || 'nothing';
  // Release 0.4: a transfer that completed, then a cancel while the new terms were awaited.
  if (!stoppedByCancel && moved)
    return [
      `The transfer had completed before the cancel; what moved stays with this reseller (Google has no way back): ${list(moved)}. Its super admins had not yet accepted Google's new terms.`,
    ];
  if (!stoppedByCancel) return [];
  if (!moved)
    return [
      'The transfer was stopped by the cancel; what had moved by then is not known here: check the customer in the Partner Sales Console.',
    ];
  return [
    `The transfer stopped between subscriptions. Moved to this reseller before the cancel (they stay): ${list(moved)}`,
  ];
}

/** Best effort: the outcome stands even if the e-mail to sales cannot be sent. */
async function tellSales(
  ob: Onboarding,
  outcome: 'failed' | 'cancelled' | 'expired' | 'already-a-customer',
  lines: string[],
): Promise<void> {
  const order = ob.validation?.order; // none when the order was not validated
  try {
    await run('notifySales', `tell sales: onboarding ${outcome}`, {
      customerDomain: order?.customerDomain ?? ob.progress.view.customerDomain,
      ...(order?.salesContactEmail ? { to: order.salesContactEmail } : {}),
      outcome,
      lines,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
  }
}
