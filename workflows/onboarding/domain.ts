/**
 * Domain verification, for domain customers: Google may suspend an account whose domain is not
 * verified about 21 days after creation. The onboarding gets the DNS TXT record the customer must
 * publish (it goes into the sign-in notice and the reminders), then, while it waits for the
 * customer, asks Google to verify the domain at each check (naming the customer's admin as an owner)
 * and re-reads the Reseller record (a customer may verify in the Admin console by itself) — so the
 * verification is noticed by itself, or reported with the `domainVerified` signal. Team customers don't own a domain; an order
 * may opt out (`"verifyDomain": false`) when the reseller verifies another way.
 */
import { ActivityFailure, isCancellation } from '@temporalio/workflow';
import { CHECK_CALL, run, runActivity } from '../activity-stubs';
import type { DomainVerificationReport } from '../messages';
import type { Onboarding, Validated } from './state';
import { nowIso } from '../progress';

/** Google's suspension of unverified accounts comes ~21 days after creation: the default deadline stays ahead of it. */
export const DOMAIN_VERIFICATION_DEADLINE_MS = 20 * 86_400_000;

/** Gets the TXT record (or learns the domain is already verified), before the sign-in notice. */
export async function prepareDomainVerification(ob: Validated, customerId: string): Promise<void> {
  const order = ob.validation.order;
  if (order.customerType !== 'domain') return;
  if (order.verifyDomain === false) {
    ob.domainVerification.notRequired();
    return;
  }
  const prepared = await ob.progress.step(
    'prepare-domain-verification',
    () =>
      run('prepareDomainVerification', `get the DNS TXT record that verifies ${ob.validation.domain}`, {
        customerId,
        domain: ob.validation.domain,
      }),
    (r) => (r.verified ? 'already-verified' : 'record-issued'),
  );
  ob.domainVerification.prepared(prepared, nowIso());
}

/** The `domainVerified` signal: kept once, and only when a verification is awaited. */
export function reportDomainVerified(ob: Onboarding, report: DomainVerificationReport | undefined): void {
  ob.domainVerification.verify({
    at: nowIso(),
    via: 'signal',
    ...(report?.reportedBy ? { reportedBy: report.reportedBy } : {}),
  });
}

/** One try at Google's verification; a failed try is "not yet" (the next check tries again). */
export async function checkDomain(ob: Validated): Promise<void> {
  try {
    const { verified } = await runActivity(
      CHECK_CALL,
      'tryDomainVerification',
      `is the TXT record of ${ob.validation.domain} published?`,
      // The admin is named as an owner (instant propagation); the customer is re-read (verified by itself).
      {
        domain: ob.validation.domain,
        ...(ob.progress.view.customerId ? { customerId: ob.progress.view.customerId } : {}),
        ...(ob.progress.view.adminEmail ? { adminEmail: ob.progress.view.adminEmail } : {}),
      },
    );
    if (verified) ob.domainVerification.verify({ at: nowIso(), via: 'detected' });
  } catch (err) {
    if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
  }
}
