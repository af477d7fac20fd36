/**
 * The reconciliation's side effects. A terminated (or reset, or timed-out) onboarding skips its
 * saga, and a failed or cancelled one may not finish it: a super admin whose temporary password was
 * e-mailed can stay behind. These activities find such admins (Temporal visibility and history,
 * then Directory users.get and the marker check), remove one when asked (only a user carrying THAT
 * onboarding's marker, as deleteUser checks), and tell sales.
 *
 * Why not list users by marker: Directory users.list searches one customer at a time (`customer` or
 * `domain` is required) and its search index may lag by up to 36 hours (Google's "Search for users"
 * guide); the onboardings themselves say which customer, which user and which marker.
 */
import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { admin_directory_v1 } from 'googleapis/build/src/apis/admin';
import {
  DEFAULT_RECONCILE_LOOKBACK_MS,
  lookbackMs,
  MAX_NOT_REPORTED_LISTED,
  type ExaminedOnboarding,
  type LeftBilling,
  type LeftoverAdmin,
  type LeftoverSearch,
  type ReportedAdmin,
} from '../workflows/reconcile-messages';
import { adminUserActivities, carriesOnboardingMarker } from './admin-user';
import type { ActivityDependencies } from './dependencies';
import { googleFailure, isGoogleStatus } from './google-errors';
import { leftBillingLines, subscriptionsLeftBilling } from './reconciliation-billing';
import { endedRuns, runFacts, type EndedRun } from './reconciliation-runs';
import { factsDisagreeBecause } from './reconciliation-trust';
import { lastKnownStage, notALeftoverBecause, suspicion } from './reconciliation-verdict';
import { onboardingWorkflowId } from '../workflows/messages';

const REMOVAL_OFF =
  "removal is off on this worker (RECONCILE_REMOVE_USERS=false); a run's input cannot turn it on (docs/security.md)";

type Verdict = { leftover: LeftoverAdmin } | { verdict: string; unchecked?: true };

export function reconciliationActivities(deps: ActivityDependencies) {
  const { google, mailer, mail } = deps;
  const settings = deps.reconciliation ?? { removeUsers: false, lookbackMs: DEFAULT_RECONCILE_LOOKBACK_MS };
  const users = adminUserActivities(deps);

  function temporalClient() {
    if (!deps.temporal)
      throw ApplicationFailure.nonRetryable(
        'this worker was built without a Temporal client for the reconciliation',
        'ReconciliationNotConfigured',
      );
    return deps.temporal;
  }

  async function findUser(userKey: string): Promise<admin_directory_v1.Schema$User | undefined> {
    try {
      return (await google.directory.users.get({ userKey })).data;
    } catch (err) {
      if (isGoogleStatus(err, 404)) return undefined;
      throw googleFailure(`users.get ${userKey}`, err);
    }
  }

  async function domainOfCustomer(customerId: string): Promise<string | undefined> {
    try {
      return (await google.reseller.customers.get({ customerId })).data.customerDomain ?? undefined;
    } catch (err) {
      if (isGoogleStatus(err, 404) || isGoogleStatus(err, 403)) return undefined;
      throw googleFailure(`customers.get ${customerId}`, err);
    }
  }

  /** One ended run: ruled out from what it recorded, else its user is looked up at Google. */
  async function examine(run: EndedRun): Promise<Verdict> {
    const client = temporalClient();
    const early = notALeftoverBecause(run.outcome, run.status);
    if (early) return { verdict: early };
    const facts = await runFacts(client, run.workflowId, run.runId);
    const status = run.status ?? facts.carriedStatus;
    const late = notALeftoverBecause(run.outcome, status, facts.failureType);
    if (late) return { verdict: late };
    if (!facts.creation) return { verdict: 'it never asked Google to create a user' };
    const { adminEmail, customerId, marker } = facts.creation;
    // A history can be planted: its facts count only where they agree with the workflow id.
    const disagreement = factsDisagreeBecause(run.workflowId, facts.creation);
    if (disagreement) return { verdict: `not trusted, untouched: ${disagreement}` };
    const user = await findUser(adminEmail);
    if (!user) return { verdict: `${adminEmail} does not exist (never created, or already deleted)` };
    if (!carriesOnboardingMarker(user, customerId, marker))
      return { verdict: `${adminEmail} exists but does not carry this onboarding's marker: not ours, untouched` };
    if (user.agreedToTerms)
      return { verdict: `${adminEmail} signed in and accepted the terms: the admin is the customer's` };
    // The customer it names must be the one of the workflow id's domain, as Google says.
    const customerDomain = await domainOfCustomer(customerId);
    if (customerDomain?.toLowerCase() !== run.domain)
      return { verdict: `not trusted, untouched: customer ${customerId} is not ${run.domain}'s at Google` };
    // A reset terminates a run and starts another that keeps the first run id (so the marker) and the user.
    const latest = await client.workflow.getHandle(run.workflowId).describe();
    if (latest.runId !== run.runId && latest.status.name === 'RUNNING') {
      return {
        verdict: `a later run of ${run.workflowId} is running (a reset, or the domain onboarded again) and may use ${adminEmail}: left to it`,
      };
    }
    const stage = lastKnownStage(status);
    const leftover: LeftoverAdmin = {
      domain: run.domain,
      user: adminEmail,
      customerId,
      onboardingOutcome: run.outcome,
      ...(stage ? { lastStage: stage } : {}),
      workflowId: run.workflowId,
      runId: run.runId,
      closedAt: run.closedAt,
      marker,
      why: `${suspicion(run.outcome, status)}; ${adminEmail} still exists${user.isAdmin ? ' as super admin' : ''} with its marker`,
    };
    // Release 0.1's marker is the workflow id alone: a later onboarding of the domain may have adopted the user.
    if (marker === run.workflowId && latest.runId !== run.runId) {
      leftover.notRemovable =
        'release 0.1 marker and a later onboarding of this domain exists: it may have adopted this user';
    }
    // Removal is the worker's setting alone: a run's input (replayable by anyone who can start workflows) cannot turn it on.
    if (!settings.removeUsers) leftover.notRemovable ??= REMOVAL_OFF;
    return { leftover };
  }

  return {
    /** Ended onboardings closed within the lookback whose admin is still there with their marker. */
    async findLeftoverAdmins(input: { lookback?: string } = {}): Promise<LeftoverSearch> {
      const window = input.lookback === undefined ? settings.lookbackMs : lookbackMs(input.lookback);
      if (typeof window === 'string')
        throw ApplicationFailure.nonRetryable(`lookback: ${window}`, 'InvalidReconciliationInput');
      const since = new Date(Date.now() - window);
      const leftovers: LeftoverAdmin[] = [];
      const notReported: ExaminedOnboarding[] = [];
      const unchecked: ExaminedOnboarding[] = [];
      const leftBilling: LeftBilling[] = [];
      let notReportedTotal = 0;
      for await (const run of endedRuns(temporalClient(), since)) {
        heartbeat(run.workflowId);
        let verdict: Verdict;
        try {
          const billing = await subscriptionsLeftBilling(google, run);
          if (billing) leftBilling.push(billing);
          verdict = await examine(run);
        } catch (err) {
          // One onboarding that cannot be read does not hide the others: it is reported as unchecked.
          verdict = { verdict: `could not be checked: ${(err as Error).message}`, unchecked: true };
        }
        if ('leftover' in verdict) {
          leftovers.push(verdict.leftover);
          continue;
        }
        const examined = {
          domain: run.domain,
          workflowId: run.workflowId,
          runId: run.runId,
          onboardingOutcome: run.outcome,
          verdict: verdict.verdict,
        };
        if (verdict.unchecked) unchecked.push(examined);
        else if (++notReportedTotal <= MAX_NOT_REPORTED_LISTED) notReported.push(examined);
      }
      return {
        since: since.toISOString(),
        leftovers,
        notReported,
        notReportedTotal,
        unchecked,
        removalConfigured: settings.removeUsers,
        ...(leftBilling.length ? { leftBilling } : {}),
      };
    },

    /** Deletes one leftover admin, only if it still carries that onboarding's marker (deleteUser's check). */
    async removeLeftoverAdmin(
      leftover: LeftoverAdmin,
    ): Promise<{ outcome: 'deleted' | 'already-gone' | 'kept: not created by this onboarding' }> {
      if (leftover.notRemovable)
        throw ApplicationFailure.nonRetryable(`not removable: ${leftover.notRemovable}`, 'NotRemovable');
      if (!settings.removeUsers) throw ApplicationFailure.nonRetryable(`not removable: ${REMOVAL_OFF}`, 'NotRemovable');
      const disagreement = factsDisagreeBecause(leftover.workflowId, {
        adminEmail: leftover.user,
        marker: leftover.marker,
      });
      if (disagreement || leftover.workflowId !== onboardingWorkflowId(leftover.domain))
        throw ApplicationFailure.nonRetryable(
          `not removable: ${disagreement ?? 'domain and workflow id differ'}`,
          'NotRemovable',
        );
      // The onboarding's own latest run, asked again just before the deletion: a run started since may use the user.
      const latest = await temporalClient().workflow.getHandle(leftover.workflowId).describe();
      if (latest.status.name === 'RUNNING')
        throw ApplicationFailure.nonRetryable(
          `not removable: ${leftover.workflowId} is running again and may use ${leftover.user}`,
          'NotRemovable',
        );
      return users.deleteUser({
        userKey: leftover.user,
        customerId: leftover.customerId,
        onboardingKey: leftover.marker,
      });
    },

    /** One e-mail to SALES_NOTIFY_EMAIL listing the admins found and what was done with each. */
    async reportLeftoverAdmins(input: {
      since: string;
      removeUsers: boolean;
      leftovers: ReportedAdmin[];
      unchecked: ExaminedOnboarding[];
      leftBilling?: LeftBilling[];
    }): Promise<{ messageId: string }> {
      const uncheckedLines = input.unchecked.length
        ? [
            '',
            'Could not be checked this time (tried again by the next run):',
            ...input.unchecked.map((u) => `- ${u.domain} (${u.onboardingOutcome}): ${u.verdict}`),
          ]
        : [];
      const lines = input.leftovers.map(
        (l) =>
          `- ${l.domain}: ${l.user} (customer ${l.customerId}) — onboarding ${l.onboardingOutcome}${l.lastStage ? ` at ${l.lastStage}` : ''}, ${l.closedAt}\n  why: ${l.why}\n  action: ${l.action}`,
      );
      const messageId = await mailer.send({
        to: mail.salesNotifyEmail,
        subject: `Onboarding reconciliation: ${input.leftovers.length} super admin(s) left behind by ended onboardings${input.leftBilling?.length ? `; ${input.leftBilling.length} customer(s) with subscriptions still billing` : ''}`,
        text: [
          `Onboardings that ended since ${input.since} without undoing what they created left these users behind.`,
          "Each carries the marker of the onboarding that created it; its temporary password was e-mailed to the customer's contact.",
          '',
          ...(lines.length ? lines : ['(none found)']),
          ...uncheckedLines,
          ...leftBillingLines(input.leftBilling ?? []),
          '',
          input.removeUsers
            ? 'Removal was on: users marked "removed" were deleted at Google.'
            : "Report only: nothing was deleted. Remove them by setting RECONCILE_REMOVE_USERS=true on the worker (release 0.4: a run's --remove-users alone no longer deletes), or settle them with the customer.",
          '',
          `— ${mail.resellerName}`,
        ].join('\n'),
      });
      return { messageId };
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof reconciliationActivities>;
