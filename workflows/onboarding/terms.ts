/**
 * Waiting for what only the customer can do: accept the terms, and (domain customers) verify the
 * domain — each learned on its own, from a signal or noticed by asking Google (the admin's
 * `agreedToTerms` and no subscription still suspended for PENDING_TOS_ACCEPTANCE; the Site
 * Verification API for the domain). Each check also refreshes the subscriptions shown in the
 * status. The stage says what is still missing: `awaiting-tos`, then `awaiting-domain-verification`.
 */
import { ActivityFailure, isCancellation } from '@temporalio/workflow';
import { CHECK_CALL, runActivity } from '../activity-stubs';
import type { OnboardingStatus, Stage } from '../messages';
import { checkDomain } from './domain';
import type { Validated } from './state';
import { waitFor } from './waiting';
import { nowIso } from '../progress';

export async function awaitTerms(
  ob: Validated,
  customerId: string,
  adminEmail: string | undefined,
): Promise<OnboardingStatus> {
  ob.termsNowAcceptable();
  const contact = ob.validation.contact;
  const who = adminEmail ?? contact;
  const done = () => ob.tosAccepted !== undefined && !ob.domainVerification.missing;
  await waitFor(ob, 'tos-acceptance', {
    stage: () => stageOf(ob),
    details: () => detailsOf(ob, contact),
    missing: () => missingOf(ob).join(' and '),
    done,
    check: async () => {
      if (!ob.tosAccepted) await checkTerms(ob, customerId, adminEmail);
      if (ob.domainVerification.missing) await checkDomain(ob);
      return done();
    },
    reminder: (reminderNumber, deadline) => {
      const record = ob.domainVerification.missing ? ob.domainVerification.record : undefined;
      return {
        what: 'tos-acceptance',
        customerDomain: ob.validation.domain,
        to: contact,
        ...(adminEmail ? { adminEmail } : {}),
        ...(transferred(ob) ? { transferred: true } : {}),
        reminderNumber,
        deadline,
        missing: missingOf(ob),
        ...(record ? { dnsRecord: record } : {}),
      };
    },
  });
  // Reported by signal: the subscriptions shown are still as ordered; ask Google once how they stand now.
  if (ob.tosAccepted?.via === 'signal' && (ob.progress.view.subscriptions ?? []).length > 0)
    await checkTerms(ob, customerId, adminEmail);
  const verified = ob.domainVerification.verified;
  const how = transferred(ob)
    ? `transferred to this reseller (${ob.transfer.moved?.length} subscription(s)), Google's new terms accepted`
    : `administrator ${who}, terms accepted`;
  ob.progress.enter(
    'completed',
    `Onboarded: customer ${customerId}, ${how} (${ob.tosAccepted?.via})${verified ? `, domain verified (${verified.via})` : ''}.`,
  );
  return ob.progress.snapshot();
}

/** The customer came by the transfer branch (release 0.4: it then waits here for Google's new terms). */
const transferred = (ob: Validated): boolean => ob.transfer.moved !== undefined;

const stageOf = (ob: Validated): Stage => (ob.tosAccepted ? 'awaiting-domain-verification' : 'awaiting-tos');

/** What the customer has not done yet, in words for e-mails and the expiry. */
function missingOf(ob: Validated): string[] {
  return [
    ...(ob.tosAccepted ? [] : ['accept the terms']),
    ...(ob.domainVerification.missing ? ['verify the domain'] : []),
  ];
}

function detailsOf(ob: Validated, contact: string): string {
  const record = ob.domainVerification.record;
  const domain =
    ob.domainVerification.missing && record ? ` and publish the DNS record \`${record.host} TXT ${record.value}\`` : '';
  return (
    `Waiting for the customer to ${missingOf(ob).join(' and ')} (notice sent to ${contact})${ob.tosAccepted ? domain : `: ${transferred(ob) ? "each super administrator signs in at admin.google.com and accepts Google's new terms" : 'sign in at admin.google.com and accept the terms'}${domain}`}. ` +
    'Only the customer can; it is noticed by itself, or reported with the `tosAccepted` / `domainVerified` signals.'
  );
}

/** One question to Google; a failed check is "not yet" (the next one asks again). */
async function checkTerms(ob: Validated, customerId: string, adminEmail: string | undefined): Promise<boolean> {
  try {
    const { accepted, subscriptions } = await runActivity(
      CHECK_CALL,
      'checkTosAcceptance',
      `has ${adminEmail ?? ob.validation.domain} accepted the terms?`,
      {
        customerId,
        ...(adminEmail ? { adminEmail } : {}),
      },
    );
    if (subscriptions.length > 0) ob.progress.update({ subscriptions });
    if (accepted) ob.termsAccepted({ at: nowIso(), via: 'detected' });
    return accepted;
  } catch (err) {
    if (err instanceof ActivityFailure && !isCancellation(err)) return false;
    throw err;
  }
}
