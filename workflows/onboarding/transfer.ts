/**
 * The 409 branch: the domain belongs to a customer of Google or of another reseller. Google's
 * procedure: the customer's super admin generates a transfer token for this reseller; with it the
 * customer is registered with this reseller (`customers.insert?customerAuthToken=`), then its
 * subscriptions move (a Workspace subscription with its Drive storage / Vault add-ons in one batch
 * request), and what moved is confirmed by listing without the token. A refused token (403) means
 * a new one is asked for and waited for, each wait with its own reminders and deadline.
 *
 * Release 0.4 on (`transferredCustomerSignsTerms`): "If your customer transferred from another
 * reseller, each super administrator in the customer's organization must sign a new Google TOS"
 * (support.google.com/channelservices/answer/9548324). After the move the customer is told so and
 * the onboarding waits for it — the same wait as a new customer's (terms.ts): detected once no moved
 * subscription is still PENDING_TOS_ACCEPTANCE, or signalled — and ends `completed`. The stage passes
 * through `transferred`, and the status keeps `transfer.transferred`: the branch taken stays visible.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
} from '@temporalio/workflow';
import { run, runActivity, TRANSFER_CALL } from '../activity-stubs';
import type { OnboardingStatus, TransferredSubscription } from '../messages';
import { failureOf } from './endings';
import type { Validated } from './state';
import { awaitTerms } from './terms';
import type { InboxToken } from './token-inbox';
import { waitFor } from './waiting';

const refusedToken = (err: unknown): err is ActivityFailure =>
  err instanceof ActivityFailure &&
  err.cause instanceof ApplicationFailure &&
  err.cause.type === 'TransferTokenRefused';

export async function transferBranch(ob: Validated, customerId: string): Promise<OnboardingStatus> {
  const fromOrder = !ob.carried && ob.validation.order.transferToken;
  let token: InboxToken | undefined = fromOrder ? ob.tokens.takeOrdered(fromOrder) : undefined;
  if (!ob.carried && !token && !ob.tokens.hasPending()) await requestToken(ob);
  for (;;) {
    token ??= ob.tokens.take() ?? (await nextToken(ob));
    const refusal = await tryToken(ob, customerId, token);
    if (refusal === undefined)
      return ob.behaviour.transferredCustomerSignsTerms ? termsAfterTransfer(ob, customerId) : ob.progress.snapshot();
    // Back to waiting at once, so that the caller told "refused" may send the next token straight away.
    ob.progress.enter('awaiting-transfer-token', 'Google refused the transfer token; waiting for a new one.');
    ob.tokens.settleInFlight({
      outcome: 'refused',
      message: 'Google refused the token (wrong, expired, or made for another reseller)',
    });
    token = undefined;
    ob.wait = undefined; // a fresh wait, with its own reminders and deadline
    if (!ob.tokens.hasPending()) await requestToken(ob, refusal);
  }
}

/** Tells the customer's super admins to sign Google's new terms, then waits for it like a new customer's. */
async function termsAfterTransfer(ob: Validated, customerId: string): Promise<OnboardingStatus> {
  ob.tokens.settleAll({ outcome: 'not-needed', message: 'the transfer is done: no token needed any more' });
  // Terms reported accepted before the move were not Google's new ones: those exist only from now on.
  // (Nor is a report held as too early: awaitTerms would take it.)
  ob.termsForgotten();
  const to = ob.validation.contact;
  const adminEmail = ob.validation.order.admin?.primaryEmail;
  const moved = ob.transfer.moved ?? [];
  await ob.progress.step('send-transfer-terms-notice', () =>
    run('sendTransferTermsNotice', `e-mail the new-terms notice to ${to}`, {
      customerDomain: ob.validation.domain,
      customerId,
      to,
      ...(adminEmail ? { adminEmail } : {}),
      subscriptions: moved.map(({ skuId, skuName, planName, seats }) => ({
        skuId,
        ...(skuName ? { skuName } : {}),
        planName,
        seats,
      })),
    }),
  );
  // No admin of ours to ask: the customer's own super admins sign, seen in the moved subscriptions.
  return awaitTerms(ob, customerId, undefined);
}

async function requestToken(ob: Validated, refusal?: string): Promise<void> {
  const to = ob.validation.contact;
  await run('sendTransferTokenRequest', `e-mail ${refusal ? 'new ' : ''}transfer-token request to ${to}`, {
    customerDomain: ob.validation.domain,
    to,
    ...(refusal ? { refusal } : {}),
  });
}

async function nextToken(ob: Validated): Promise<InboxToken> {
  const to = ob.validation.contact;
  await waitFor(ob, 'transfer-token', {
    details: `Waiting for the customer's transfer token (requested from ${to}); provide it with the \`provideTransferToken\` update.`,
    done: () => ob.tokens.hasPending(),
    reminder: (reminderNumber, deadline) => ({
      what: 'transfer-token',
      customerDomain: ob.validation.domain,
      to,
      reminderNumber,
      deadline,
    }),
  });
  const token = ob.tokens.take();
  if (!token) throw new Error('the wait for a token ended without one'); // it ends once one is pending
  return token;
}

/** Registers the customer and moves its subscriptions with one token; returns Google's refusal, or undefined once transferred. */
async function tryToken(ob: Validated, customerId: string, token: InboxToken): Promise<string | undefined> {
  const domain = ob.validation.domain;
  ob.progress.update({ waitingFor: undefined });
  ob.transfer.trying(ob.tokens.tried);
  ob.progress.enter('transferring', `Transferring ${domain} with the customer's token (token ${ob.tokens.tried}).`);
  try {
    const register = () =>
      ob.progress.step('register-customer', () =>
        run('registerTransferredCustomer', `register ${domain} with this reseller`, {
          order: ob.validation.order,
          customerId,
          transferToken: token.token,
        }),
      );
    // Release 0.3 on, not interruptible: a cancel waits for it (seconds; during a Google outage, as long as its retries last), so whether the customer was registered is known.
    await (ob.behaviour.registrationNotInterruptible ? CancellationScope.nonCancellable(register) : register());
    if (ob.behaviour.registrationNotInterruptible) {
      ob.saga.cannotUndo(
        `registration of ${domain} (customer ${customerId}) with this reseller: Google offers no API to undo it`,
      );
      // Cancelled while registering: no subscription moves (and no transfer step shows as run).
      if (CancellationScope.current().consideredCancelled)
        throw new CancelledFailure('cancelled before any subscription moved');
    }
    const result = await ob.progress.step('transfer-subscriptions', () =>
      runActivity(TRANSFER_CALL, 'transferSubscriptions', `transfer subscriptions of ${domain}`, {
        customerId,
        customerDomain: domain,
        transferToken: token.token,
      }),
    );
    const moved = result.transferred;
    ob.transfer.transferred(ob.tokens.tried, moved);
    ob.tokens.settleInFlight({ outcome: 'transferred', message: `${moved.length} subscription(s) transferred` });
    ob.progress.enter(
      'transferred',
      `Transferred ${moved.length} subscription(s): ${moved.map((s) => `${s.skuName ?? s.skuId} (${s.seats} seats)`).join(', ') || 'none pending'}.`,
    );
    return undefined;
  } catch (err) {
    if (isCancellation(err)) noteWhatMoved(ob, err);
    if (!refusedToken(err)) throw err;
    const refusal = failureOf(err).message;
    ob.transfer.refused(ob.tokens.tried, refusal);
    return refusal;
  }
}

/**
 * A cancel stops the transfer between subscriptions; the activity then reports what had moved
 * (confirmed at Google) in its cancellation's details, and the status says so. Nothing that moved
 * can be moved back: the sales report lists it (endings.ts).
 */
function noteWhatMoved(ob: Validated, err: unknown): void {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof CancelledFailure)) return; // not the transfer step's
  const report = err.cause.details[0] as { transferred?: TransferredSubscription[] } | undefined;
  // Without the activity's report (cancelled between two attempts), what moved is not known here.
  const moved = Array.isArray(report?.transferred) ? report.transferred : undefined;
  if (moved || ob.behaviour.registrationNotInterruptible) ob.transfer.stopped(ob.tokens.tried, moved);
}
