/**
 * Why this file exists: the status memo (read by the client and the CLI when no worker answers the
 * `status` query, and as an ended onboarding's last word) is written at each resting stage, and the
 * Temporal server logs a warning for every memo over 2 KiB — the whole status, encrypted, was
 * 2.0–2.4 KB for an ordinary order. Release 0.4 writes this compact summary instead: the same shape
 * (`OnboardingStatus`, so readers need no second format), marked `summary: true`, without the step
 * log, with short subscription and token entries and long free texts cut. A typical order's memo
 * stays well under 2 KiB; the largest valid order (20 subscriptions, 10 token outcomes, a failure
 * with its compensation report) stays bounded (test/unit/status-memo.test.ts measures both as the
 * server stores them, encrypted). The `status` query still answers with everything.
 */
import type { CompensationReport, OnboardingStatus, SubscriptionStatus } from './messages';

/** The longest free text kept (a failure's message, a reason, a compensation); longer ones are cut with "…". */
export const MEMO_TEXT_MAX = 120;
/** The longest name kept (who reported something). */
const NAME_MAX = 60;

function cut(text: string, max = MEMO_TEXT_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function cutAll(texts: string[]): string[] {
  return texts.map((text) => cut(text));
}

/** What a reader needs of a subscription: which, how many seats, and whether Google still holds it back. */
function shortSubscription({ skuId, plan, seats, status, suspensionReasons }: SubscriptionStatus): SubscriptionStatus {
  return {
    skuId,
    plan,
    seats,
    ...(status ? { status } : {}),
    ...(suspensionReasons?.length ? { suspensionReasons } : {}),
  };
}

/** Kept whole in kind: what still bills the reseller, and each compensation's kind and result (what the reconciliation reads). */
function shortCompensation({
  undone,
  failed,
  cannotUndo,
  stillBilling,
  results,
}: CompensationReport): CompensationReport {
  return {
    undone: cutAll(undone),
    failed: cutAll(failed),
    cannotUndo: cutAll(cannotUndo),
    ...(stillBilling ? { stillBilling } : {}),
    ...(results ? { results: results.map((r) => ({ ...r, line: cut(r.line) })) } : {}),
  };
}

function shortTransfer(transfer: NonNullable<OnboardingStatus['transfer']>): NonNullable<OnboardingStatus['transfer']> {
  const { tokensTried, lastRefusal, transferred, stoppedByCancel, tokens } = transfer;
  return {
    tokensTried,
    ...(lastRefusal ? { lastRefusal: cut(lastRefusal) } : {}),
    ...(transferred
      ? {
          transferred: transferred.map(({ subscriptionId, skuId, planName, seats }) => ({
            subscriptionId,
            skuId,
            planName,
            seats,
          })),
        }
      : {}),
    ...(stoppedByCancel ? { stoppedByCancel } : {}),
    ...(tokens ? { tokens: tokens.map((t) => ({ ...t, message: cut(t.message, 80) })) } : {}),
  };
}

/** The status as the memo keeps it (release 0.4): see the file comment. */
export function memoSummary(status: OnboardingStatus): OnboardingStatus {
  const {
    steps: _steps,
    subscriptions,
    transfer,
    failure,
    compensation,
    alreadyACustomer,
    cancellation,
    tosAccepted,
    domainVerification,
    ...rest
  } = status;
  const verified = domainVerification?.verified;
  return {
    ...rest,
    steps: [],
    summary: true,
    ...(subscriptions ? { subscriptions: subscriptions.map(shortSubscription) } : {}),
    ...(tosAccepted
      ? {
          tosAccepted: {
            ...tosAccepted,
            ...(tosAccepted.reportedBy ? { reportedBy: cut(tosAccepted.reportedBy, NAME_MAX) } : {}),
          },
        }
      : {}),
    ...(domainVerification
      ? {
          domainVerification: {
            ...domainVerification,
            ...(verified
              ? {
                  verified: {
                    ...verified,
                    ...(verified.reportedBy ? { reportedBy: cut(verified.reportedBy, NAME_MAX) } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(transfer ? { transfer: shortTransfer(transfer) } : {}),
    ...(alreadyACustomer ? { alreadyACustomer: { ...alreadyACustomer, reason: cut(alreadyACustomer.reason) } } : {}),
    ...(failure ? { failure: { type: failure.type, message: cut(failure.message, 2 * MEMO_TEXT_MAX) } } : {}),
    ...(cancellation
      ? {
          cancellation: {
            ...cancellation,
            reason: cut(cancellation.reason),
            ...(cancellation.requestedBy ? { requestedBy: cut(cancellation.requestedBy, NAME_MAX) } : {}),
          },
        }
      : {}),
    ...(compensation ? { compensation: shortCompensation(compensation) } : {}),
  };
}
