/**
 * Why this file exists: the status a parked onboarding shows (since, deadline, next reminder, next
 * check) is computed by the pure parts of workflows/customer-wait.ts. These tests pin that
 * computation — in particular that a reminder falling on or after the deadline is never announced —
 * without a Temporal server (the waiting loop itself is covered by test/workflow/).
 */
import { durationMs, startWait, waitStatus, type WaitPolicy, type WaitState } from '../../workflows/customer-wait';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const policy: WaitPolicy = { remindersMs: [3 * DAY, 7 * DAY], deadlineMs: 30 * DAY, checkEveryMs: 6 * HOUR };

describe('startWait', () => {
  test('starts now, with the deadline and the first check counted from now', () => {
    const before = Date.now();
    const state = startWait('tos-acceptance', policy);
    const after = Date.now();
    expect(state.what).toBe('tos-acceptance');
    expect(state.remindersSent).toBe(0);
    expect(state.sinceMs).toBeGreaterThanOrEqual(before);
    expect(state.sinceMs).toBeLessThanOrEqual(after);
    expect(state.deadlineAtMs).toBe(state.sinceMs + 30 * DAY);
    expect(state.nextCheckAtMs).toBe(state.sinceMs + 6 * HOUR);
  });

  test('a wait that cannot be observed (no check interval) schedules no check', () => {
    const state = startWait('transfer-token', { remindersMs: [DAY], deadlineMs: 14 * DAY });
    expect(state.what).toBe('transfer-token');
    expect('nextCheckAtMs' in state).toBe(false);
    expect(waitStatus(state, { remindersMs: [DAY], deadlineMs: 14 * DAY }).nextCheck).toBeUndefined();
  });
});

describe('waitStatus', () => {
  const since = Date.parse('2026-03-01T09:00:00.000Z');
  const state = (fields: Partial<WaitState> = {}): WaitState => ({
    what: 'tos-acceptance',
    sinceMs: since,
    deadlineAtMs: since + 30 * DAY,
    remindersSent: 0,
    nextCheckAtMs: since + 6 * HOUR,
    ...fields,
  });

  test('shows since, deadline, reminders sent and the next check as ISO times', () => {
    expect(waitStatus(state(), policy)).toEqual({
      what: 'tos-acceptance',
      since: iso(since),
      deadline: iso(since + 30 * DAY),
      remindersSent: 0,
      nextReminder: iso(since + 3 * DAY),
      nextCheck: iso(since + 6 * HOUR),
    });
  });

  test('the next reminder is the one after those already sent, counted from the start of the wait', () => {
    expect(waitStatus(state({ remindersSent: 1 }), policy)).toMatchObject({
      remindersSent: 1,
      nextReminder: iso(since + 7 * DAY),
    });
  });

  test('no next reminder once every reminder was sent', () => {
    expect(waitStatus(state({ remindersSent: 2 }), policy).nextReminder).toBeUndefined();
  });

  test('a reminder due at or after the deadline is never announced', () => {
    const shortDeadline = state({ deadlineAtMs: since + 5 * DAY });
    expect(waitStatus(shortDeadline, policy).nextReminder).toBe(iso(since + 3 * DAY));
    expect(waitStatus({ ...shortDeadline, remindersSent: 1 }, policy).nextReminder).toBeUndefined();
    // Exactly at the deadline: the deadline wins, no reminder.
    expect(waitStatus(state({ deadlineAtMs: since + 3 * DAY }), policy).nextReminder).toBeUndefined();
  });

  test('a deadline moved later (extendDeadline) brings a dropped reminder back', () => {
    const extended = state({ remindersSent: 1, deadlineAtMs: since + 10 * DAY });
    expect(waitStatus(extended, policy)).toMatchObject({
      deadline: iso(since + 10 * DAY),
      nextReminder: iso(since + 7 * DAY),
    });
  });

  test('the check shown is the one in the state, whatever the policy says', () => {
    expect(waitStatus(state({ nextCheckAtMs: since + 12 * HOUR }), policy).nextCheck).toBe(iso(since + 12 * HOUR));
    expect(waitStatus(state({ nextCheckAtMs: undefined }), policy).nextCheck).toBeUndefined();
  });
});

describe('durationMs', () => {
  test('reads Temporal durations; anything else is NaN', () => {
    expect(durationMs('3 days')).toBe(3 * DAY);
    expect(durationMs('90m')).toBe(90 * 60_000);
    expect(durationMs('soon')).toBeNaN();
  });
});
