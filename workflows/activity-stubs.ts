/** How the workflow calls its activities: timeouts and retry policies in one place, and a summary per call for the Web UI. */
import {
  ActivityCancellationType,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities';

type Name = keyof OnboardingActivities;
type Call<K extends Name> = ReturnType<OnboardingActivities[K]>;

/**
 * Retry budgets are time, not attempts: a Google incident of an hour must not fail the onboardings
 * in flight (and have their compensations delete what they just created). Google advises waiting a
 * few seconds, then slowing down: backoff from 2 s doubling to 5 minutes, for up to 4 hours
 * (schedule-to-close); non-retryable failures (Google's 4xx refusals) still end the step at once,
 * and rate-limit answers are waited out with Google's Retry-After. The start-to-close timeout bounds
 * how long one call may hang and how soon the work of a crashed worker is retried elsewhere;
 * googleapis' own request timeout (GOOGLE_REQUEST_TIMEOUT_MS) stays below it.
 */
export const GOOGLE_CALL: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '4 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};
/** One call per subscription: bounded by heartbeats rather than by one short timeout. */
export const TRANSFER_CALL: ActivityOptions = {
  ...GOOGLE_CALL,
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  // A cancel waits until the activity stopped (it checks at each subscription), so the status can say what moved.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};
/**
 * The sign-in notice (it may carry a temporary password). A cancel waits until the attempt in flight
 * has ended (the mail sent or not) before the workflow goes on to the compensation: with the default
 * (TRY_CANCEL) the saga deleted the admin while the attempt was still mailing a password for it. An
 * attempt not yet started (between retries) is cancelled at once. Release 0.4 on (`noticeCancelWaitsForMail`).
 */
export const NOTICE_CALL: ActivityOptions = {
  ...GOOGLE_CALL,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};
/** Undoing must outlast a bad day at Google (a super admin left behind is worse than a late one removed): days, not hours. */
export const COMPENSATION_CALL: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '3 days',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
};
/** Reminders are best effort: a failed one is noted, and the wait goes on. */
export const REMINDER_CALL: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 6 },
};
/** A periodic acceptance check that fails is simply tried again at the next check. */
export const CHECK_CALL: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
};

/** The reconciliation's scan reads Temporal and asks Google for each ended onboarding: bounded by heartbeats, not one short timeout. */
export const RECONCILE_SCAN: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  // Time, not attempts: during a rolling deploy an old worker may take the task and not know the activity.
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
};
/** The reconciliation's removals and report: one Google call or one e-mail each; the next daily run tries again anyway. */
export const RECONCILE_CALL: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  // Short: removals run one after another within the run's 6 hours; one that cannot be done now is reported, and tried again tomorrow.
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

const activities = proxyActivities<OnboardingActivities>(GOOGLE_CALL);

/** Runs an activity with the given options and a one-line summary that the Web UI shows on its event. */
export function runActivity<K extends Name>(
  options: ActivityOptions,
  name: K,
  summary: string,
  ...args: Parameters<OnboardingActivities[K]>
): Call<K> {
  const activity = activities[name] as unknown as {
    executeWithOptions(options: ActivityOptions, args: unknown[]): Call<K>;
  };
  return activity.executeWithOptions({ ...options, summary }, args);
}

export function run<K extends Name>(name: K, summary: string, ...args: Parameters<OnboardingActivities[K]>): Call<K> {
  return runActivity(GOOGLE_CALL, name, summary, ...args);
}

export const local = proxyLocalActivities<Pick<OnboardingActivities, 'waitDefaults'>>({
  startToCloseTimeout: '5 seconds',
});
