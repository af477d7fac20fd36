/**
 * Waiting for the customer, whatever for: the kinds of wait in one table (stage, what is missing,
 * whether Google can be asked), reminders that never end the onboarding, and what happens at the
 * deadline (expired: nothing deleted, sales told) or when the history grows long (continue-as-new).
 */
import { ActivityFailure, isCancellation, log } from '@temporalio/workflow';
import type { OnboardingActivities } from '../../activities';
import { REMINDER_CALL, runActivity } from '../activity-stubs';
import { historyWantsContinueAsNew, startWait, waitForCustomer, waitStatus } from '../customer-wait';
import type { Stage, WaitStatus } from '../messages';
import { waitKind } from './wait-kinds';
import { expire } from './endings';
import type { Onboarding, Validated } from './state';

type Reminder = Parameters<OnboardingActivities['sendReminder']>[0];

export interface WaitOptions {
  /** Markdown for the Web UI while waiting (recomputed at each wake-up when a function). */
  details: string | (() => string);
  /** The stage while waiting, when it depends on what the customer already did (the kind's by default). */
  stage?: () => Stage;
  /** What the customer has not done, for the expiry (the kind's by default). */
  missing?: () => string;
  done: () => boolean;
  /** Asks Google whether the customer did it (errors are the caller's to swallow). */
  check?: () => Promise<boolean>;
  reminder: (reminderNumber: number, deadline: string) => Reminder;
}

/** Waits until `done` (or `check`) says so; expires or continues as new by itself (never returns then). */
export async function waitFor(ob: Validated, what: WaitStatus['what'], options: WaitOptions): Promise<void> {
  const kind = waitKind(what);
  const policy = ob.policy(what);
  const stage = () => options.stage?.() ?? kind.stage;
  const details = () => (typeof options.details === 'string' ? options.details : options.details());
  const wait = (ob.wait ??= startWait(what, policy));
  ob.progress.update({ waitingFor: waitStatus(wait, policy) });
  ob.progress.enter(stage(), details());
  const outcome = await waitForCustomer({
    state: wait,
    policy,
    done: options.done,
    // A signal that moves the stage (terms accepted, domain still to verify) wakes the wait to show it.
    changed: () => stage() !== ob.progress.stage,
    ...(options.check ? { check: options.check } : {}),
    ...(ob.behaviour.waitWakesToContinueAsNew ? { continueAsNewWanted: () => continueAsNewWanted(ob) } : {}),
    sendReminder: (n, deadline) => remind(options.reminder(n, deadline)),
    onSchedule: (status) => {
      ob.progress.update({ waitingFor: status });
      ob.progress.enter(stage(), details());
    },
  });
  if (outcome === 'expired') return expire(ob, what, options.missing?.());
  if (outcome === 'continue-as-new') return ob.carryOn(wait);
  ob.wait = undefined;
  ob.progress.update({ waitingFor: undefined });
}

/**
 * Release 0.4: the wait's condition watches the history (a flood of signals that change nothing
 * must not grow it to the server's event limit) and, under Worker Versioning, a new current build
 * (a pinned run moves to it at continue-as-new instead of keeping the old workers for a month).
 */
function continueAsNewWanted(ob: Onboarding): boolean {
  if (historyWantsContinueAsNew()) return true;
  return ob.newBuildIsCurrent();
}

/** A reminder that cannot be sent (mail down for hours) must not end the onboarding: it is logged and the wait goes on. */
async function remind(reminder: Reminder): Promise<void> {
  try {
    await runActivity(
      REMINDER_CALL,
      'sendReminder',
      `${reminder.what} reminder ${reminder.reminderNumber} to ${reminder.to}`,
      reminder,
    );
  } catch (err) {
    if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
    log.warn('reminder not sent', { reminderNumber: reminder.reminderNumber, what: reminder.what });
  }
}
