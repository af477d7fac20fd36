/**
 * Ending what an onboarding ordered, the way Google documents it: "Billing starts immediately after
 * you add a subscription, whether or not the customers has signed the TOS", so a failed or cancelled
 * onboarding must end its subscriptions or they keep billing the reseller. Google ends a Workspace
 * subscription with `subscriptions.delete?deletionType=transfer_to_direct` (`cancel` is deprecated and
 * "does not apply" to Workspace), and "if a customer contains multiple subscriptions, you must cancel
 * all subscriptions as a batch request": one DELETE alone, several in ONE batch (activities/google-batch.ts).
 * Google answers 412 when the customer has no administrator — "add a temporary administrator user and
 * try again": a domain customer gets one (marked with this onboarding, removed right after), a team
 * customer cannot (the reseller creates no users there) and is reported. Sources: docs/google-behaviour.md.
 */
import { createHash } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import type { ActivityDependencies } from './dependencies';
import { sendBatch, type BatchPart } from './google-batch';
import { googleErrorFacts, googleFailure, isGoogleStatus } from './google-errors';
import { MARKER_TYPE } from './admin-user';
import { generateTemporaryPassword } from './password';
import { listAllSubscriptions } from './subscriptions';

export interface EndSubscriptionsInput {
  customerId: string;
  customerDomain: string;
  customerType: 'domain' | 'team';
  /** The SKUs this onboarding ordered: only these are ended, whatever else the customer has. */
  skuIds: string[];
  /** The onboarding's marker: the temporary administrator carries it. */
  onboardingKey: string;
}

export interface EndSubscriptionsResult {
  outcome: 'ended' | 'already-gone' | 'ended with a temporary administrator';
  /** The subscriptions are ended, but the temporary administrator could not be removed: what to do. */
  temporaryAdminLeft?: string;
  /** The SKUs ended now (those already gone are not listed). */
  ended: string[];
}

const DELETION_TYPE = 'transfer_to_direct';

/** One address per onboarding, so that a retry finds (and removes) the administrator an earlier attempt added. */
export function temporaryAdminEmail(input: Pick<EndSubscriptionsInput, 'customerDomain' | 'onboardingKey'>): string {
  const digest = createHash('sha256').update(input.onboardingKey).digest('hex').slice(0, 12);
  return `onboarding-temporary-admin-${digest}@${input.customerDomain}`;
}

export function subscriptionEndingActivities({ google }: ActivityDependencies) {
  const path = (customerId: string, subscriptionId: string) =>
    `/apps/reseller/v1/customers/${encodeURIComponent(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}`;

  /** Ends them all in one request; the HTTP statuses of the parts Google refused (404: already gone, fine). */
  async function endAll(customerId: string, subs: reseller_v1.Schema$Subscription[]): Promise<number[]> {
    const operation = `subscriptions.delete ${customerId} ${subs.map((s) => s.skuId).join('+')} (${DELETION_TYPE})`;
    if (subs.length === 1) {
      try {
        await google.reseller.subscriptions.delete({
          customerId,
          subscriptionId: subs[0]?.subscriptionId as string,
          deletionType: DELETION_TYPE,
        });
        return [];
      } catch (err) {
        const { status } = googleErrorFacts(err);
        if (status === 404) return [];
        if (status === 412) return [412];
        throw googleFailure(operation, err);
      }
    }
    const parts: BatchPart[] = subs.map((s) => ({
      method: 'DELETE',
      path: path(customerId, s.subscriptionId as string),
      query: { deletionType: DELETION_TYPE },
    }));
    let results;
    try {
      results = await sendBatch(google.http.auth, google.http.rootUrl, parts, {
        timeoutMs: google.http.requestTimeoutMs,
        fetchImplementation: google.http.fetch,
      });
    } catch (err) {
      throw googleFailure(`batch ${operation}`, err);
    }
    const refused = results.filter((r) => r.status >= 300 && r.status !== 404);
    if (refused.every((r) => r.status === 412)) return refused.map((r) => r.status);
    const first = refused.find((r) => r.status !== 412);
    throw googleFailure(`batch ${operation}`, { response: { status: first?.status, data: first?.body } });
  }

  /** Google's advice on 412: a temporary administrator (domain customers), created and made super admin. */
  async function addTemporaryAdmin(input: EndSubscriptionsInput, email: string): Promise<void> {
    try {
      await google.directory.users.insert({
        requestBody: {
          primaryEmail: email,
          name: { givenName: 'Temporary', familyName: 'Administrator' },
          // Never told to anyone: the user exists only for the next call and is deleted right after.
          password: generateTemporaryPassword(),
          changePasswordAtNextLogin: true,
          externalIds: [{ type: 'custom', customType: MARKER_TYPE, value: input.onboardingKey }],
        },
      });
    } catch (err) {
      if (!isGoogleStatus(err, 409)) throw googleFailure(`users.insert ${email}`, err);
    }
    try {
      await google.directory.users.makeAdmin({ userKey: email, requestBody: { status: true } });
    } catch (err) {
      // Right after users.insert Google may not know the user yet: the retry of this activity goes on from here.
      throw googleFailure(`users.makeAdmin ${email}`, err);
    }
  }

  /**
   * Deletes the temporary administrator. Once the subscriptions are ended a refusal here must not make
   * them look still billing (the saga would keep the admin and tell sales so): it is reported instead.
   * Whether the reseller keeps Directory access after transfer_to_direct is unconfirmed (google-behaviour.md).
   */
  async function removeTemporaryAdmin(email: string): Promise<string | undefined> {
    try {
      await google.directory.users.delete({ userKey: email });
    } catch (err) {
      if (isGoogleStatus(err, 404)) return undefined;
      if (isGoogleStatus(err, 403))
        return `the temporary administrator ${email} could not be removed (HTTP 403): remove it in the Admin console`;
      throw googleFailure(`users.delete ${email}`, err);
    }
    return undefined;
  }

  return {
    /**
     * Compensation of orderSubscription (release 0.4 on): ends every subscription of `skuIds` the
     * customer still has with this reseller, by transfer_to_direct, in one request. Safe to run twice.
     */
    async endSubscriptions(input: EndSubscriptionsInput): Promise<EndSubscriptionsResult> {
      let listed: reseller_v1.Schema$Subscription[];
      try {
        listed = await listAllSubscriptions(google, input.customerId);
      } catch (err) {
        // Not this reseller's customer any more (an earlier attempt handed it back): nothing of ours bills.
        if (!isGoogleStatus(err, 403)) throw googleFailure(`subscriptions.list ${input.customerId}`, err);
        listed = [];
      }
      const ours = listed.filter((s) => s.subscriptionId && input.skuIds.includes(s.skuId ?? ''));
      const email = temporaryAdminEmail(input);
      if (ours.length === 0) {
        // An earlier attempt may have ended them with a temporary administrator and lost its answer.
        const left =
          input.customerType === 'domain' && activityInfo().attempt > 1 ? await removeTemporaryAdmin(email) : undefined;
        return { outcome: 'already-gone', ended: [], ...(left ? { temporaryAdminLeft: left } : {}) };
      }
      const ended = ours.map((s) => s.skuId as string);
      if ((await endAll(input.customerId, ours)).length === 0) return { outcome: 'ended', ended };
      if (input.customerType === 'team') {
        throw ApplicationFailure.nonRetryable(
          `subscriptions.delete ${input.customerDomain}: Google answers 412 (the customer has no administrator) and a team customer's administrator can only be added by the customer`,
          'NoAdministrator',
        );
      }
      await addTemporaryAdmin(input, email);
      const stillRefused = await endAll(input.customerId, ours);
      if (stillRefused.length > 0) {
        throw ApplicationFailure.retryable(
          `subscriptions.delete ${input.customerDomain}: still 412 with the temporary administrator ${email} (not visible to Google yet)`,
          'NoAdministrator',
        );
      }
      const left = await removeTemporaryAdmin(email);
      return { outcome: 'ended with a temporary administrator', ended, ...(left ? { temporaryAdminLeft: left } : {}) };
    },
  };
}
