/**
 * Waiting for what only the customer can do (accept the terms, hand over a transfer token): days or
 * weeks, with reminders at offsets from the start of the wait, an optional periodic check that
 * notices the customer's action by itself, and a deadline the sales system may move.
 *
 * The state is plain data so that a long wait can continue-as-new and pick up where it was: a
 * parked onboarding holds nothing in the worker (it is evicted and replayed when a timer fires).
 *
 * The periodic checks are spread out: each interval is `checkEvery` plus up to a quarter more, drawn
 * from the workflow's seeded (replay-safe) Math.random, so that 1,000 onboardings started together
 * do not all ask Google in the same second, and no check comes sooner than the order asked. Behind
 * patch `spread-checks`, asked at each check: a run of an earlier release replays its recorded
 * checks at the exact interval, and spreads the checks it schedules after the deploy.
 */
import { parseDurationMs } from '../order/duration';
import { condition, inWorkflowContext, patched, workflowInfo } from '@temporalio/workflow';
import type { WaitStatus } from './messages';

/** Keeps every run's history short, so waking a parked onboarding replays little. */
const MAX_EVENTS_PER_RUN = 1_000;

export interface WaitPolicy {
  remindersMs: number[];
  deadlineMs: number;
  /** How often to ask Google whether the customer already did it; none when it cannot be observed. */
  checkEveryMs?: number;
  /** Release 0.4 runs: checks are spread, known without asking for the `spread-checks` marker. */
  spreadChecks?: boolean;
}

export interface WaitState {
  what: WaitStatus['what'];
  sinceMs: number;
  deadlineAtMs: number;
  remindersSent: number;
  nextCheckAtMs?: number;
}

export type WaitOutcome = 'done' | 'expired' | 'continue-as-new';

/** The largest extra fraction of `checkEvery` added to a check interval. */
export const CHECK_SPREAD = 0.25;

/** The interval to the next check: checkEvery × [1, 1 + CHECK_SPREAD) for new runs, exactly checkEvery for older ones (and outside a workflow). */
export function checkIntervalMs(checkEveryMs: number, spread?: boolean): number {
  if (!inWorkflowContext() || !(spread ?? patched('spread-checks'))) return checkEveryMs;
  return Math.round(checkEveryMs * (1 + CHECK_SPREAD * Math.random()));
}

export function startWait(what: WaitStatus['what'], policy: WaitPolicy): WaitState {
  const now = Date.now();
  return {
    what,
    sinceMs: now,
    deadlineAtMs: now + policy.deadlineMs,
    remindersSent: 0,
    ...(policy.checkEveryMs ? { nextCheckAtMs: now + checkIntervalMs(policy.checkEveryMs, policy.spreadChecks) } : {}),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A duration already validated (the order, or an update's validator), in milliseconds. */
export const durationMs = (duration: string): number => parseDurationMs(duration) ?? NaN;

function nextReminderAt(state: WaitState, policy: WaitPolicy): number | undefined {
  const offset = policy.remindersMs[state.remindersSent];
  const at = offset === undefined ? undefined : state.sinceMs + offset;
  return at !== undefined && at < state.deadlineAtMs ? at : undefined;
}

export function waitStatus(state: WaitState, policy: WaitPolicy): WaitStatus {
  const reminder = nextReminderAt(state, policy);
  return {
    what: state.what,
    since: iso(state.sinceMs),
    deadline: iso(state.deadlineAtMs),
    remindersSent: state.remindersSent,
    ...(reminder !== undefined ? { nextReminder: iso(reminder) } : {}),
    ...(state.nextCheckAtMs !== undefined ? { nextCheck: iso(state.nextCheckAtMs) } : {}),
  };
}

/** The server suggests continuing as new, or this run's history passed what a wake-up should replay. */
export function historyWantsContinueAsNew(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > MAX_EVENTS_PER_RUN;
}

export async function waitForCustomer(options: {
  state: WaitState;
  policy: WaitPolicy;
  done: () => boolean;
  sendReminder: (reminderNumber: number, deadline: string) => Promise<void>;
  /** Returns true when the customer's action is observed; errors are the caller's to swallow. */
  check?: () => Promise<boolean>;
  /** Called whenever the next wake-up changes, to refresh the status and the Web UI. */
  onSchedule: (status: WaitStatus) => void;
  /** Wakes the wait early (to refresh what it shows) when it turns true; it does not end the wait. */
  changed?: () => boolean;
  /**
   * When given, watched by the wait's condition too (not only when a timer wakes it): turning true
   * ends the wait with 'continue-as-new'. Release 0.4's runs pass historyWantsContinueAsNew.
   */
  continueAsNewWanted?: () => boolean;
}): Promise<WaitOutcome> {
  const { state, policy } = options;
  for (;;) {
    if (options.done()) return 'done';
    const now = Date.now();
    if (now >= state.deadlineAtMs) return 'expired';
    const reminderAt = nextReminderAt(state, policy);
    if (reminderAt !== undefined && now >= reminderAt) {
      await options.sendReminder(state.remindersSent + 1, iso(state.deadlineAtMs));
      state.remindersSent += 1;
      continue;
    }
    if (options.check && policy.checkEveryMs && state.nextCheckAtMs !== undefined && now >= state.nextCheckAtMs) {
      state.nextCheckAtMs = now + checkIntervalMs(policy.checkEveryMs, policy.spreadChecks);
      if (await options.check()) return 'done';
      continue;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_EVENTS_PER_RUN) return 'continue-as-new';
    if (options.continueAsNewWanted?.()) return 'continue-as-new';

    const wakeAt = Math.min(state.deadlineAtMs, reminderAt ?? Infinity, state.nextCheckAtMs ?? Infinity);
    const reason =
      wakeAt === state.deadlineAtMs
        ? 'deadline'
        : wakeAt === reminderAt
          ? `reminder ${state.remindersSent + 1}`
          : 'acceptance check';
    options.onSchedule(waitStatus(state, policy));
    const deadlineBefore = state.deadlineAtMs;
    await condition(
      () =>
        options.done() ||
        state.deadlineAtMs !== deadlineBefore ||
        (options.changed?.() ?? false) ||
        (options.continueAsNewWanted?.() ?? false),
      wakeAt - now,
      {
        summary: `waiting for the customer until ${reason} at ${iso(wakeAt)}`,
      },
    );
  }
}
