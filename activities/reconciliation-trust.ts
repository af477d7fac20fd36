/**
 * What the reconciliation believes before it deletes anyone (issue 19): an ended run's history can
 * be planted (anyone who may start workflows in the namespace can start `onboardCustomer` under any
 * id, on any task queue, with a ciphertext copied from a real onboarding), so a run's facts count
 * only when they agree with the one thing the attacker cannot choose freely — the workflow id that
 * this product derives from the customer's domain:
 *
 * - the run is this product's: workflow id `onboarding:<domain>`, task queue `customer-onboarding`;
 * - the admin it names is at that domain (`admin@<domain>`, or a subdomain of it);
 * - the marker it names is that workflow id's (`onboarding:<domain>/<first run id>`, or the id
 *   itself for release 0.1).
 *
 * Pure, so each rule is pinned by a fast test (test/security/reconciliation-trust.test.ts).
 */
import { TASK_QUEUE } from '../workflows/messages';

const ID_PREFIX = 'onboarding:';

/** The domain an onboarding workflow id names, or undefined for an id of another scheme. */
export function domainOfWorkflowId(workflowId: string): string | undefined {
  if (!workflowId.startsWith(ID_PREFIX)) return undefined;
  const domain = workflowId.slice(ID_PREFIX.length);
  // Lower case, no slash (the marker's separator), no spaces: what onboardingWorkflowId produces.
  return /^[a-z0-9.-]+$/.test(domain) && domain.includes('.') ? domain : undefined;
}

/** Why a listed run is not one of this product's onboardings; undefined when it is. */
export function notOurRunBecause(run: { workflowId: string; taskQueue?: string }): string | undefined {
  if (!domainOfWorkflowId(run.workflowId)) return 'its workflow id is not of the form onboarding:<domain>';
  if (run.taskQueue !== TASK_QUEUE) return `it ran on task queue other than ${TASK_QUEUE}`;
  return undefined;
}

/** Why the facts read from a run's history cannot be trusted for its workflow id; undefined when they agree. */
export function factsDisagreeBecause(
  workflowId: string,
  facts: { adminEmail: string; marker: string },
): string | undefined {
  const domain = domainOfWorkflowId(workflowId);
  if (!domain) return 'its workflow id is not of the form onboarding:<domain>';
  const at = facts.adminEmail.lastIndexOf('@');
  const emailDomain = at < 0 ? '' : facts.adminEmail.slice(at + 1).toLowerCase();
  if (emailDomain !== domain && !emailDomain.endsWith(`.${domain}`))
    return `the admin it names is not at ${domain}: its history does not belong to this workflow id`;
  if (facts.marker !== workflowId && !facts.marker.startsWith(`${workflowId}/`))
    return `the marker it names is not ${workflowId}'s: its history does not belong to this workflow id`;
  return undefined;
}
