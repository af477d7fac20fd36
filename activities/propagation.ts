/**
 * Google's propagation delays: right after a customer or a user is created, calls about it may
 * answer 403/404 or "User creation is not complete" for a while (Directory API guides; the exact
 * answers are unconfirmed, see docs/google-behaviour.md). Within a bounded window after the
 * creation such answers are retried; after it they are what they say, permanent again.
 */
import { ApplicationFailure } from '@temporalio/common';
import { googleCallOf, googleErrorFacts, googleFailure, type GoogleFailureDetails } from './google-errors';

/** How long after a creation a 403/404 is taken for propagation (minutes, not attempts). */
export const PROPAGATION_WINDOW_MS = 10 * 60_000;

const RATE_LIMIT_REASONS = new Set([
  'userRateLimitExceeded',
  'rateLimitExceeded',
  'quotaExceeded',
  'dailyLimitExceeded',
]);

/** True when the error looks like "not propagated yet" and the resource was created less than the window ago. */
export function isPropagationDelay(err: unknown, createdAt: string | undefined, now = Date.now()): boolean {
  const created = Date.parse(createdAt ?? '');
  if (Number.isNaN(created) || now - created > PROPAGATION_WINDOW_MS) return false;
  const facts = googleErrorFacts(err);
  if (/creation is not complete/i.test(facts.message)) return true;
  return facts.status === 404 || (facts.status === 403 && !RATE_LIMIT_REASONS.has(facts.reason ?? ''));
}

/** The failure for a Google error on a resource created at `createdAt`: retryable while it may still be propagating. */
export function propagationAwareFailure(
  operation: string,
  err: unknown,
  createdAt: string | undefined,
): ApplicationFailure {
  if (!isPropagationDelay(err, createdAt)) return googleFailure(operation, err);
  const facts = googleErrorFacts(err);
  return ApplicationFailure.create({
    message: `${operation}: Google does not know the new resource yet (HTTP ${facts.status ?? '?'}: ${facts.message}); retrying while it propagates`,
    type: 'Google.notPropagatedYet',
    nonRetryable: false,
    details: [{ ...googleCallOf(operation), reason: 'notPropagatedYet' } satisfies GoogleFailureDetails],
  });
}

/** Runs one Google call about a resource created at `createdAt`. */
export async function callGoogleAfterCreation<T>(
  operation: string,
  createdAt: string | undefined,
  call: () => Promise<{ data: T }>,
): Promise<T> {
  try {
    return (await call()).data;
  } catch (err) {
    throw propagationAwareFailure(operation, err, createdAt);
  }
}
