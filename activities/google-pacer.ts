/**
 * Paces this worker's calls to Google at the project's quotas, so that a burst of onboardings uses
 * the quota instead of tripping it. Every Google call acts as one impersonated reseller admin, so
 * the Directory API's "2,400 queries per minute per user per project" is one budget for the whole
 * worker fleet, and so is the Reseller API's per-project per-minute quota.
 *
 * Why here (in the worker, around each HTTP request) and not Temporal's server-side
 * `maxTaskQueueActivitiesPerSecond` on a dedicated task queue: that limit counts activity STARTS,
 * unweighted, per task queue. An activity here makes 1 to 4 Google calls (list-before-insert,
 * adopt-or-create, …), on one API or both, and a transfer's batch request counts as N calls (one per
 * part) at Google. A per-start limit must therefore assume the worst case (4 calls, or a 20-part
 * batch) and waste most of the quota, cannot tell Directory from Reseller, and would mean new task
 * queues (a stable contract) and routing every activity by API. Pacing the requests themselves
 * counts exactly what Google counts: each request to `/admin/directory/` takes one Directory unit,
 * each request to `/apps/reseller/` one Reseller unit, a batch as many Reseller units as it has
 * parts. Several workers split the quota with GOOGLE_QUOTA_SHARE (the fraction this worker may use).
 *
 * The limiter is a sliding 60-second window (the strictest reading of "per minute": no 60 s span
 * ever holds more than the limit, so any fixed-minute counter is satisfied too) aimed at 97 % of
 * the quota, its slots freed a second late, leaving room for clock and latency differences. A call waits FIFO for its slot; a wait
 * longer than a bound (10 s, or less when the activity's 30 s start-to-close is running out) does
 * not hold the activity: it fails with a retryable `Google.paced` whose `nextRetryDelay` is the
 * wait (time-based retry budgets: it fails an onboarding only if its step waits past its 4-hour budget, a backlog of hours of quota). Rate-limit answers from Google
 * (403 userRateLimitExceeded / rateLimitExceeded / quotaExceeded, 429) pause that quota for
 * Retry-After or a few seconds; dailyLimitExceeded pauses it longer. Waits respect cancellation.
 * Nothing here logs; messages carry quota names and durations only (never URLs, bodies or tokens).
 */
import { ApplicationFailure } from '@temporalio/common';

export type QuotaName = 'directory' | 'reseller';

export interface PacingConfig {
  /** Google's Directory quota for the impersonated admin (queries per minute; Google's default 2,400). */
  directoryQueriesPerMinute: number;
  /** The project's Reseller API quota (queries per minute). */
  resellerQueriesPerMinute: number;
  /** The fraction of both quotas this worker may use (0 < share ≤ 1): 1 / number of workers. */
  share: number;
}

export const WINDOW_MS = 60_000;
/**
 * A slot frees one second after it left Google's window: Google counts a call when it arrives, and
 * the calls of a burst, granted together, arrive spread over a moment (busy event loop, network).
 */
export const WINDOW_MARGIN_MS = 1_000;
/** Aim just under the quota: Google's clock and ours, and network latency, differ a little. */
export const TARGET_FRACTION = 0.97;
/** The longest an activity waits in-process for a slot; longer waits become a retry with that delay. */
export const MAX_WAIT_MS = 10_000;
/** How long a quota is paused after a rate-limit answer without Retry-After (Google: "wait 5 seconds"). */
export const DEFAULT_PAUSE_MS = 5_000;
/** A Retry-After beyond this is not trusted for the whole worker (the call itself still honours it). */
const MAX_PAUSE_MS = 15 * 60_000;

const LABEL: Record<QuotaName, string> = { directory: 'Directory API', reseller: 'Reseller API' };

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      // The signal's own reason is what an aborted wait rejects with (as Node's timers/promises do).
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        clearTimeout(timer);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort's reason, as above
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/** One quota: the send times (one entry per unit) of the last window, future reservations included, ascending. */
class SlidingWindow {
  private sends: number[] = [];
  pausedUntil = 0;
  pauseReason = '';

  constructor(readonly limit: number) {}

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.sends.length && (this.sends[drop] as number) <= now - WINDOW_MS - WINDOW_MARGIN_MS) drop += 1;
    if (drop > 0) this.sends.splice(0, drop);
  }

  /** The earliest time `weight` units may be sent: FIFO after every reservation, within the window's limit. */
  earliest(now: number, weight: number): number {
    this.prune(now);
    const units = Math.min(weight, this.limit);
    let at = Math.max(now, this.pausedUntil, this.sends[this.sends.length - 1] ?? 0);
    const mustLeave = this.sends.length + units - this.limit;
    if (mustLeave > 0) at = Math.max(at, (this.sends[mustLeave - 1] as number) + WINDOW_MS + WINDOW_MARGIN_MS);
    return at;
  }

  reserve(at: number, weight: number): void {
    for (let i = 0; i < Math.min(weight, this.limit); i += 1) this.sends.push(at);
  }

  /** Gives back a reservation that will not be used (its caller was cancelled while waiting). */
  release(at: number, weight: number): void {
    for (let i = 0; i < Math.min(weight, this.limit); i += 1) {
      const index = this.sends.lastIndexOf(at);
      if (index !== -1) this.sends.splice(index, 1);
    }
  }

  /** Units sent or reserved within the window ending at `now`. */
  used(now: number): number {
    this.prune(now);
    return this.sends.filter((t) => t <= now).length;
  }
}

export interface AcquireOptions {
  /** Aborts the wait (the activity's cancellation). */
  signal?: AbortSignal;
  /** The longest wait this call accepts in-process (defaults to MAX_WAIT_MS). */
  maxWaitMs?: number;
}

export class GooglePacer {
  private readonly windows: Record<QuotaName, SlidingWindow>;

  constructor(
    config: PacingConfig,
    private readonly clock: Clock = realClock,
  ) {
    const limit = (perMinute: number) => Math.max(1, Math.floor(perMinute * config.share * TARGET_FRACTION));
    this.windows = {
      directory: new SlidingWindow(limit(config.directoryQueriesPerMinute)),
      reseller: new SlidingWindow(limit(config.resellerQueriesPerMinute)),
    };
  }

  /** Units per 60 s this worker allows itself on `quota`. */
  limit(quota: QuotaName): number {
    return this.windows[quota].limit;
  }

  used(quota: QuotaName): number {
    return this.windows[quota].used(this.clock.now());
  }

  /**
   * Waits until `weight` units of `quota` may be sent, and takes them. Throws a retryable
   * `Google.paced` failure (nextRetryDelay = the wait) instead of waiting longer than allowed.
   * Returns how long it waited.
   */
  async acquire(quota: QuotaName, weight = 1, options: AcquireOptions = {}): Promise<number> {
    const window = this.windows[quota];
    const now = this.clock.now();
    const at = window.earliest(now, weight);
    const waitMs = at - now;
    if (waitMs > (options.maxWaitMs ?? MAX_WAIT_MS)) throw this.pacedFailure(quota, waitMs, now);
    window.reserve(at, weight);
    if (waitMs <= 0) return 0;
    try {
      await this.clock.sleep(waitMs, options.signal);
    } catch (err) {
      window.release(at, weight);
      throw err;
    }
    return waitMs;
  }

  /** Google said the quota is exhausted: send nothing more on it for `pauseMs`. */
  pause(quota: QuotaName, pauseMs: number, reason: string): void {
    const window = this.windows[quota];
    const until = this.clock.now() + Math.min(Math.max(pauseMs, 0), MAX_PAUSE_MS);
    if (until > window.pausedUntil) {
      window.pausedUntil = until;
      window.pauseReason = reason;
    }
  }

  private pacedFailure(quota: QuotaName, waitMs: number, now: number): ApplicationFailure {
    const window = this.windows[quota];
    const paused = window.pausedUntil > now ? ` (paused after Google answered ${window.pauseReason})` : '';
    // A little spread, so that the activities paced out together do not all come back at once.
    const delayMs = Math.ceil(waitMs + Math.random() * Math.min(1000, waitMs * 0.1));
    return ApplicationFailure.create({
      message: `Waiting for Google's ${LABEL[quota]} quota${paused}: the next free slot is in ${Math.ceil(waitMs / 1000)} s (this worker's limit: ${window.limit} per minute); retrying then`,
      type: 'Google.paced',
      nonRetryable: false,
      nextRetryDelay: delayMs,
    });
  }
}
