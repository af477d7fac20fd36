/**
 * Subscriptions left billing by ended onboardings. Google bills the reseller for a subscription from
 * the moment it is ordered, terms signed or not; a terminated onboarding skips its saga, and a failed
 * or cancelled one may not have ended what it ordered (release 0.3 did not even try for Workspace
 * editions). For each ended onboarding that ordered subscriptions for a customer it created and whose
 * customer never accepted the terms, this asks Google which of those SKUs are still this reseller's:
 * each one still bills the reseller. Report only: ending them is a sales decision (Partner Sales
 * Console, or transfer_to_direct). Kept apart from the admin findings (activities/reconciliation.ts).
 */
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import type { LeftBilling } from '../workflows/reconcile-messages';
import type { GoogleClients } from './google-clients';
import { googleFailure, isGoogleStatus } from './google-errors';
import type { EndedRun } from './reconciliation-runs';
import { listAllSubscriptions } from './subscriptions';

/** Why an ended run's subscriptions are none of the reseller's business to report, or undefined. */
function notBillingBecause(run: EndedRun): string | undefined {
  const status = run.status;
  if (!status) return 'no status recorded (release 0.1 run): not checked for subscriptions';
  if (!status.customerId || !(status.subscriptions ?? []).length) return 'ordered no subscription';
  if (status.transfer) return 'a transfer: the subscriptions moved were the customer’s own';
  if (status.alreadyACustomer) return 'touched nothing';
  if (status.tosAccepted) return 'the customer accepted the terms: its subscriptions are sold and billed as such';
  return undefined;
}

/** The SKUs this run ordered that Google still lists as this reseller's, or undefined when there are none. */
export async function subscriptionsLeftBilling(google: GoogleClients, run: EndedRun): Promise<LeftBilling | undefined> {
  if (notBillingBecause(run) !== undefined || !run.status) return undefined;
  const customerId = run.status.customerId as string;
  const ordered = new Set((run.status.subscriptions ?? []).map((s) => s.skuId));
  let listed: reseller_v1.Schema$Subscription[];
  try {
    listed = await listAllSubscriptions(google, customerId);
  } catch (err) {
    // Not this reseller's customer any more (handed back to Google): nothing of it bills the reseller.
    if (isGoogleStatus(err, 403) || isGoogleStatus(err, 404)) return undefined;
    throw googleFailure(`subscriptions.list ${customerId}`, err);
  }
  const billing = listed.filter((s) => ordered.has(s.skuId ?? ''));
  if (billing.length === 0) return undefined;
  return {
    domain: run.domain,
    customerId,
    workflowId: run.workflowId,
    runId: run.runId,
    onboardingOutcome: run.outcome,
    ...(run.status.stage ? { lastStage: run.status.stage } : {}),
    closedAt: run.closedAt,
    subscriptions: billing.map((s) => `${s.skuName ?? s.skuId} (${s.skuId}, ${s.status ?? 'status unknown'})`),
  };
}

/** The lines of the reconciliation e-mail about them. */
export function leftBillingLines(found: LeftBilling[]): string[] {
  if (found.length === 0) return [];
  return [
    '',
    'STILL BILLING THE RESELLER: subscriptions ordered by onboardings that ended before the customer accepted the terms (Google bills from the order on). End them in the Partner Sales Console (transfer to direct) unless the sale goes on:',
    ...found.map(
      (b) =>
        `- ${b.domain} (customer ${b.customerId}) — onboarding ${b.onboardingOutcome}${b.lastStage ? ` at ${b.lastStage}` : ''}, ${b.closedAt}: ${b.subscriptions.join('; ')}`,
    ),
  ];
}
