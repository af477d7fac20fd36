/**
 * The 409 branch, as Google documents it: with the transfer token the customer generated
 * (admin.google.com/TransferToken), register the customer with this reseller
 * (`customers.insert?customerAuthToken=`), then move its subscriptions — a Google Workspace
 * subscription together with its Drive storage / Vault add-ons in ONE batch request (Google refuses
 * them one at a time) — and confirm what moved by listing the customer's subscriptions WITHOUT the
 * token. A 403 on the listing, the registration or an insert is a refused token. Before the
 * registration, which cannot be undone, the transferable subscriptions are listed with the token and
 * checked against what Google refuses (transfer-rules.ts): a refusal ends the onboarding with nothing
 * registered.
 */
import { activityInfo, Context, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import type { Order } from '../order/order';
import type { TransferredSubscription } from '../workflows/messages';
import { customerBody } from './customer';
import type { ActivityDependencies } from './dependencies';
import { sendBatch, type BatchPart } from './google-batch';
import { googleErrorFacts, googleFailure, isGoogleStatus } from './google-errors';
import { describeSubscription, listAllSubscriptions } from './subscriptions';
import { transferBody, transferGroups, transferRefusal } from './transfer-rules';

export { transferBody, transferGroups } from './transfer-rules';

export interface TransferInput {
  customerId: string;
  customerDomain: string;
  transferToken: string;
}

export interface TransferResult {
  /** Everything of this customer now with this reseller, confirmed by a listing without the token. */
  transferred: TransferredSubscription[];
  attempt: number;
}

/** A refusal of the token: wrong, expired, or made for another reseller (a rate-limit 403 is only retried). */
function refusedOr(operation: string, err: unknown): ApplicationFailure {
  const failure = googleFailure(operation, err);
  if (isGoogleStatus(err, 403) && failure.nonRetryable) {
    return ApplicationFailure.nonRetryable(
      `${operation}: Google refused the transfer token (403)`,
      'TransferTokenRefused',
    );
  }
  return failure;
}

/** A moved subscription as the status shows transfers (the same facts as any subscription's). */
function describe(sub: reseller_v1.Schema$Subscription): TransferredSubscription {
  const { subscriptionId = '', skuId, skuName, plan, seats } = describeSubscription(sub);
  return { subscriptionId, skuId, ...(skuName ? { skuName } : {}), planName: plan, seats };
}

/** Well inside the transfer's heartbeat timeout (workflows/activity-stubs.ts TRANSFER_CALL). */
const HEARTBEAT_EVERY_MS = 1000;
const cancelled = (): boolean => Context.current().cancellationSignal.aborted;
/**
 * Stopped, but not by the onboarding's cancel: the worker is shutting down (its grace time is over),
 * or the attempt was timed out, paused or reset. Not the customer's decision: the next attempt resumes.
 */
const stoppedForAnotherReason = (): boolean => {
  const details = Context.current().cancellationDetails;
  return details !== undefined && !details.cancelRequested;
};

export function transferActivities({ google }: ActivityDependencies) {
  const path = (customerId: string) => `/apps/reseller/v1/customers/${encodeURIComponent(customerId)}/subscriptions`;

  /** One group: alone with subscriptions.insert, with add-ons in one batch request. A 409 is an earlier attempt's move. */
  async function moveGroup(input: TransferInput, group: reseller_v1.Schema$Subscription[]): Promise<void> {
    const operation = `subscriptions.insert ${input.customerDomain} ${group.map((s) => s.skuId).join('+')}`;
    if (group.length === 1) {
      try {
        await google.reseller.subscriptions.insert({
          customerId: input.customerId,
          customerAuthToken: input.transferToken,
          requestBody: transferBody(group[0] as reseller_v1.Schema$Subscription),
        });
      } catch (err) {
        if (!isGoogleStatus(err, 409)) throw refusedOr(operation, err);
      }
      return;
    }
    const parts: BatchPart[] = group.map((sub) => ({
      method: 'POST',
      path: path(input.customerId),
      query: { customerAuthToken: input.transferToken },
      body: transferBody(sub),
    }));
    let results;
    try {
      results = await sendBatch(google.http.auth, google.http.rootUrl, parts, {
        timeoutMs: google.http.requestTimeoutMs,
        fetchImplementation: google.http.fetch,
      });
    } catch (err) {
      throw refusedOr(`batch ${operation}`, err);
    }
    for (const result of results) {
      if (result.status < 300 || result.status === 409) continue;
      throw refusedOr(`batch ${operation}`, { response: { status: result.status, data: result.body } });
    }
  }

  return {
    /** Checks what Google would refuse, then registers the customer with this reseller, with the token and the order's details. Safe to run twice. */
    async registerTransferredCustomer(input: {
      order: Order;
      customerId: string;
      transferToken: string;
    }): Promise<{ outcome: 'registered' | 'already-registered'; attempt: number }> {
      const attempt = activityInfo().attempt;
      const operation = `customers.insert ${input.order.customerDomain} (with transfer token)`;
      // First what Google would refuse: once registered, the customer stays registered (no API undoes it).
      const listed = await listAllSubscriptions(google, input.customerId, input.transferToken).catch((err: unknown) => {
        throw refusedOr(`subscriptions.list ${input.order.customerDomain} (with transfer token)`, err);
      });
      const refusal = transferRefusal(listed, Date.now());
      if (refusal) throw refusal;
      try {
        await google.reseller.customers.insert({
          customerAuthToken: input.transferToken,
          requestBody: customerBody(input.order),
        });
        return { outcome: 'registered', attempt };
      } catch (err) {
        if (!isGoogleStatus(err, 409)) throw refusedOr(operation, err);
      }
      // 409 with a token Google did not refuse: an earlier attempt registered it (its answer was lost).
      // What customers.get shows meanwhile is unconfirmed (docs/google-behaviour.md), so it decides nothing;
      // a customer not registered after all makes the transfer's inserts fail (412), which stops the onboarding.
      return { outcome: 'already-registered', attempt };
    },

    /**
     * Moves every transferable subscription, group by group (stopping between groups when the
     * onboarding is cancelled), then confirms by listing without the token. Safe to run twice: what
     * is already this reseller's is skipped, and a 409 on insert means an earlier attempt moved it.
     */
    async transferSubscriptions(input: TransferInput): Promise<TransferResult> {
      const { customerId } = input;
      const listed = await listAllSubscriptions(google, customerId, input.transferToken).catch((err: unknown) => {
        throw refusedOr(`subscriptions.list ${input.customerDomain}`, err);
      });
      const oursBefore = new Set((await listOurs(customerId)).map((s) => s.skuId));
      const pending = listed.filter((s) => s.transferInfo && !oursBefore.has(s.skuId));
      let moved = 0;
      // A cancel reaches an activity only through the answer to a heartbeat: keep beating during a slow call too.
      const beating = setInterval(() => heartbeat(moved), HEARTBEAT_EVERY_MS);
      try {
        for (const group of transferGroups(pending)) {
          heartbeat(moved);
          if (cancelled()) break;
          // The call in flight is not aborted (it ends within GOOGLE_REQUEST_TIMEOUT_MS): aborted, Google
          // might still carry it out, and the report of what moved could not be trusted.
          try {
            await moveGroup(input, group);
          } catch (err) {
            if (cancelled()) break; // e.g. cancelled while the pacer held the call back: nothing was sent
            throw err;
          }
          moved += group.length;
        }
      } finally {
        clearInterval(beating);
      }
      if (cancelled() && moved < pending.length) {
        if (stoppedForAnotherReason()) throw interrupted(input, moved, pending.length);
        throw await stoppedByCancel(input, pending);
      }
      const ours = await listOurs(customerId);
      const missing = pending.filter((s) => !ours.some((o) => o.skuId === s.skuId));
      if (missing.length > 0) {
        throw ApplicationFailure.retryable(
          `${input.customerDomain}: Google does not list ${missing.map((s) => s.skuId).join(', ')} as transferred yet`,
          'TransferNotConfirmed',
        );
      }
      // The customer had nothing with this reseller before the transfer: all it has now moved.
      return { transferred: ours.map(describe), attempt: activityInfo().attempt };
    },
  };

  /**
   * Stopped between subscriptions by a worker shutdown (or a timeout, pause or reset): failed at once,
   * retryably, so the next attempt starts now on another worker and moves what is left (what moved
   * is skipped). Reporting it as a cancel would end the onboarding; not answering at all would leave
   * the server to wait out the heartbeat timeout.
   */
  function interrupted(input: TransferInput, moved: number, pending: number): ApplicationFailure {
    const reason = Context.current().cancellationDetails?.workerShutdown ? 'the worker shut down' : 'interrupted';
    return ApplicationFailure.create({
      message: `transfer of ${input.customerDomain} ${reason} after ${moved} of ${pending} subscription(s): the next attempt resumes`,
      type: 'TransferInterrupted',
      nonRetryable: false,
      nextRetryDelay: '1 second',
    });
  }

  /**
   * Stopped between subscriptions: what moved is what Google now lists as this reseller's, handed to
   * the workflow in the cancellation's details. (A cancel after the last group is too late: the
   * transfer completed, and is reported as transferred.)
   */
  async function stoppedByCancel(
    input: TransferInput,
    pending: reseller_v1.Schema$Subscription[],
  ): Promise<CancelledFailure> {
    const ours = await listOurs(input.customerId);
    const moved = ours.filter((o) => pending.some((p) => p.skuId === o.skuId));
    const message = `transfer of ${input.customerDomain} stopped by a cancel: ${moved.length} of ${pending.length} subscription(s) had moved`;
    return new CancelledFailure(message, [{ transferred: moved.map(describe) }]);
  }

  async function listOurs(customerId: string): Promise<reseller_v1.Schema$Subscription[]> {
    try {
      return await listAllSubscriptions(google, customerId);
    } catch (err) {
      // Before the registration Google may refuse to list (not yet our customer): nothing of ours yet.
      const { status } = googleErrorFacts(err);
      if (status === 403 || status === 404) return [];
      throw googleFailure(`subscriptions.list ${customerId}`, err);
    }
  }
}
