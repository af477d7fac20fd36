/**
 * Waiting for the terms: only the customer can accept them. Learned from the `tosAccepted` signal,
 * or noticed by asking Google (the admin's `agreedToTerms`, and no subscription still suspended for
 * PENDING_TOS_ACCEPTANCE); each check also refreshes the subscriptions shown in the status.
 */
import { ActivityFailure, isCancellation } from '@temporalio/workflow';
import { CHECK_CALL, runActivity } from '../activity-stubs';
import type { OnboardingStatus } from '../messages';
import type { Onboarding } from './state';
import { waitFor } from './waiting';

const nowIso = () => new Date().toISOString();

export async function awaitTerms(ob: Onboarding, customerId: string, adminEmail: string | undefined): Promise<OnboardingStatus> {
  const contact = ob.contact;
  const who = adminEmail ?? contact;
  await waitFor(ob, 'tos-acceptance', {
    details:
      `Waiting for the customer to sign in at admin.google.com and accept the terms (notice sent to ${contact}). ` +
      'Only the customer can accept; it is noticed by itself, or reported with the `tosAccepted` signal.',
    done: () => ob.tosAccepted !== undefined,
    check: () => checkTerms(ob, customerId, adminEmail),
    reminder: (reminderNumber, deadline) => ({
      what: 'tos-acceptance',
      customerDomain: ob.domain,
      to: contact,
      ...(adminEmail ? { adminEmail } : {}),
      reminderNumber,
      deadline,
    }),
  });
  // Reported by signal: the subscriptions shown are still as ordered; ask Google once how they stand now.
  if (ob.tosAccepted?.via === 'signal' && (ob.progress.snapshot().subscriptions ?? []).length > 0) await checkTerms(ob, customerId, adminEmail);
  ob.progress.update({ tosAccepted: ob.tosAccepted });
  ob.progress.enter('completed', `Onboarded: customer ${customerId}, administrator ${who}, terms accepted (${ob.tosAccepted?.via}).`);
  return ob.progress.snapshot();
}

/** One question to Google; a failed check is "not yet" (the next one asks again). */
async function checkTerms(ob: Onboarding, customerId: string, adminEmail: string | undefined): Promise<boolean> {
  try {
    const { accepted, subscriptions } = await runActivity(CHECK_CALL, 'checkTosAcceptance', `has ${adminEmail ?? ob.domain} accepted the terms?`, {
      customerId,
      ...(adminEmail ? { adminEmail } : {}),
    });
    if (subscriptions.length > 0) ob.progress.update({ subscriptions });
    if (accepted) ob.tosAccepted ??= { at: nowIso(), via: 'detected' };
    return accepted;
  } catch (err) {
    if (err instanceof ActivityFailure && !isCancellation(err)) return false;
    throw err;
  }
}
