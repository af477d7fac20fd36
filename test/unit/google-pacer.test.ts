/**
 * Why this file exists: the pacer (activities/google-pacer.ts, google-pacer-fetch.ts) decides when
 * every Google call may go. These tests pin, on a fake clock, that no 60 s window ever holds more
 * than 97 % of the quota, that a burst uses (nearly) all of it, that long waits become a retryable
 * `Google.paced` with the wait as its delay, that cancellation ends a wait and frees its slot, that
 * Google's rate-limit answers pause the quota, and how requests are classified and weighted.
 */
import { ApplicationFailure } from '@temporalio/common';
import { GooglePacer, WINDOW_MARGIN_MS, WINDOW_MS, type Clock } from '../../activities/google-pacer';
import { classifyGoogleRequest, pacedFetch } from '../../activities/google-pacer-fetch';
import { encodeBatch } from '../../activities/google-batch';

/** A clock whose sleeps end only when the test moves time on. */
class FakeClock implements Clock {
  time = 1_000_000;
  private sleepers: { until: number; resolve: () => void }[] = [];

  now = () => this.time;

  sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const sleeper = { until: this.time + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason as Error); // the abort's reason, as the real clock rejects with
      });
    });

  async advance(ms: number): Promise<void> {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    for (const s of due) s.resolve();
    await new Promise((r) => setImmediate(r));
  }
}

const config = (directory: number, reseller = 100, share = 1) => ({
  directoryQueriesPerMinute: directory,
  resellerQueriesPerMinute: reseller,
  share,
});

/** The most sends found in any 60 s window (sends sorted). */
function busiestWindow(sends: number[]): number {
  let best = 0;
  for (let i = 0, j = 0; i < sends.length; i += 1) {
    while ((sends[i] as number) - (sends[j] as number) >= WINDOW_MS) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('GooglePacer', () => {
  test('aims at 97 % of the quota, times the share of this worker', () => {
    expect(new GooglePacer(config(2400)).limit('directory')).toBe(2328);
    expect(new GooglePacer(config(2400, 300, 0.5)).limit('directory')).toBe(1164);
    expect(new GooglePacer(config(2400, 300, 0.5)).limit('reseller')).toBe(145);
  });

  test('a burst: nothing waits until the limit, then each call waits for a slot to leave the window', async () => {
    const clock = new FakeClock();
    const pacer = new GooglePacer(config(120), clock); // limit 116
    for (let i = 0; i < 116; i += 1) await expect(pacer.acquire('directory', 1, { maxWaitMs: 0 })).resolves.toBe(0);
    const caught = await pacer.acquire('directory', 1, { maxWaitMs: 10_000 }).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(ApplicationFailure);
    expect(caught).toMatchObject({ type: 'Google.paced', nonRetryable: false });
    const delay = (caught as ApplicationFailure).nextRetryDelay as number;
    expect(delay).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(delay).toBeLessThanOrEqual(WINDOW_MS + WINDOW_MARGIN_MS + 1000); // the margin, and up to 1 s of spread
    expect((caught as Error).message).toMatch(/Directory API quota.*116 per minute/);
    // The Reseller quota is its own.
    await expect(pacer.acquire('reseller', 1, { maxWaitMs: 0 })).resolves.toBe(0);
  });

  test('over three minutes of steady demand: ≥ 90 % of the quota used, and no 60 s window over 97 %', async () => {
    const clock = new FakeClock();
    const pacer = new GooglePacer(config(600), clock); // limit 582
    const sends: number[] = [];
    const start = clock.time;
    // 40 callers in a loop, each retrying when paced out (as Temporal would, after nextRetryDelay).
    const caller = async () => {
      while (clock.time - start < 3 * WINDOW_MS) {
        try {
          await pacer.acquire('directory', 1, { maxWaitMs: 10_000 });
          sends.push(clock.time);
        } catch (err) {
          await clock.sleep(((err as ApplicationFailure).nextRetryDelay as number) ?? 1000);
        }
      }
    };
    const callers = Array.from({ length: 40 }, caller);
    while (clock.time - start < 3 * WINDOW_MS + 20_000) await clock.advance(50);
    await Promise.all(callers);
    const inWindow = sends.filter((t) => t < start + 3 * WINDOW_MS);
    expect(busiestWindow(inWindow)).toBeLessThanOrEqual(582);
    expect(inWindow.length / (3 * 600)).toBeGreaterThanOrEqual(0.9);
  });

  /**
   * 200 onboardings started over 40 s, each making 6 calls one after the other (a workflow task
   * between them), 1,200 calls in all: two windows' worth. A paced-out attempt is retried by Temporal
   * `nextRetryDelay` later plus `latencyMs` (timer, dispatch, a busy worker). Returns the sends per minute.
   */
  async function burstOfOnboardings(latencyMs: number): Promise<{ perMinute: number[]; pacedOut: number }> {
    const clock = new FakeClock();
    const pacer = new GooglePacer(config(600), clock); // limit 582
    const sends: number[] = [];
    let pacedOut = 0;
    const onboarding = async (n: number) => {
      await clock.sleep(n * 200);
      for (let call = 0; call < 6; call += 1) {
        await clock.sleep(500);
        for (;;) {
          try {
            await pacer.acquire('directory', 1, { maxWaitMs: 10_000 });
            sends.push(clock.time);
            break;
          } catch (err) {
            pacedOut += 1;
            await clock.sleep(((err as ApplicationFailure).nextRetryDelay as number) + latencyMs);
          }
        }
      }
    };
    const start = clock.time;
    const running = Promise.all(Array.from({ length: 200 }, (_, n) => onboarding(n)));
    let done = false;
    void running.then(() => (done = true));
    while (!done && clock.time - start < 10 * WINDOW_MS) await clock.advance(100);
    const perMinute = [0, 1, 2, 3].map(
      (m) => sends.filter((t) => t >= start + m * WINDOW_MS && t < start + (m + 1) * WINDOW_MS).length,
    );
    return { perMinute, pacedOut };
  }

  test('a burst of 200 onboardings, retried late by a loaded worker: every minute carries the whole limit', async () => {
    // Retried 12 s after the slot they were told (longer than the 10 s waited in-process): still full minutes.
    const { perMinute, pacedOut } = await burstOfOnboardings(12_000);
    expect(perMinute.slice(0, 2)).toEqual([582, 582]);
    expect(perMinute.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(pacedOut).toBeGreaterThan(0);
  });

  test('a batch takes one unit per part', async () => {
    const clock = new FakeClock();
    const pacer = new GooglePacer(config(2400, 10), clock); // reseller limit 9
    await pacer.acquire('reseller', 5, { maxWaitMs: 0 });
    expect(pacer.used('reseller')).toBe(5);
    await expect(pacer.acquire('reseller', 5, { maxWaitMs: 0 })).rejects.toMatchObject({ type: 'Google.paced' });
    await pacer.acquire('reseller', 4, { maxWaitMs: 0 });
    expect(pacer.used('reseller')).toBe(9);
  });

  test('a short wait is waited out in-process; cancelling it gives its slot back', async () => {
    const clock = new FakeClock();
    const pacer = new GooglePacer(config(2), clock); // limit 1
    await pacer.acquire('directory', 1);
    await clock.advance(55_000);
    let done = false;
    const waiting = pacer.acquire('directory', 1).then((ms) => {
      done = true;
      return ms;
    });
    await clock.advance(5_000);
    expect(done).toBe(false);
    await clock.advance(1_000); // a slot frees WINDOW_MARGIN_MS after it left the 60 s window
    await expect(waiting).resolves.toBe(6_000);

    const controller = new AbortController();
    await clock.advance(52_000);
    const cancelled = pacer.acquire('directory', 1, { signal: controller.signal });
    controller.abort(new Error('activity cancelled'));
    await expect(cancelled).rejects.toThrow('activity cancelled');
    await clock.advance(10_000); // the cancelled caller's slot was given back
    await expect(pacer.acquire('directory', 1, { maxWaitMs: 0 })).resolves.toBe(0);
  });

  test("Google's rate-limit answer pauses the quota, and the paced failure says why", async () => {
    const clock = new FakeClock();
    const pacer = new GooglePacer(config(2400), clock);
    pacer.pause('directory', 30_000, 'userRateLimitExceeded');
    const caught = (await pacer.acquire('directory', 1).catch((e: unknown) => e)) as ApplicationFailure;
    expect(caught.type).toBe('Google.paced');
    expect(caught.message).toContain('paused after Google answered userRateLimitExceeded');
    expect(caught.nextRetryDelay).toBeGreaterThanOrEqual(30_000);
    await expect(pacer.acquire('reseller', 1, { maxWaitMs: 0 })).resolves.toBe(0);
    await clock.advance(30_000);
    await expect(pacer.acquire('directory', 1, { maxWaitMs: 0 })).resolves.toBe(0);
  });
});

describe('classifyGoogleRequest', () => {
  test('Directory, Reseller, a batch weighted by its parts, and nothing else', () => {
    expect(classifyGoogleRequest('https://admin.googleapis.com/admin/directory/v1/users/a%40b.com')).toEqual({
      quota: 'directory',
      weight: 1,
    });
    expect(classifyGoogleRequest('https://reseller.googleapis.com/apps/reseller/v1/customers/x.com')).toEqual({
      quota: 'reseller',
      weight: 1,
    });
    const part = {
      method: 'POST' as const,
      path: '/apps/reseller/v1/customers/C1/subscriptions',
      body: { skuId: '1' },
    };
    const { body } = encodeBatch([part, part, part]);
    expect(classifyGoogleRequest('https://reseller.googleapis.com/batch', body)).toEqual({
      quota: 'reseller',
      weight: 3,
    });
    expect(classifyGoogleRequest('https://www.googleapis.com/siteVerification/v1/token')).toBeUndefined();
    expect(classifyGoogleRequest('https://oauth2.googleapis.com/token')).toBeUndefined();
    expect(classifyGoogleRequest('not a url')).toBeUndefined();
  });
});

describe('pacedFetch', () => {
  const rateLimited = (status: number, reason: string, headers: Record<string, string> = {}) =>
    new Response(
      JSON.stringify({
        error: { code: status, message: 'slow down', errors: [{ reason, domain: 'global', message: 'slow down' }] },
      }),
      {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      },
    );

  test('a 403 userRateLimitExceeded pauses the Directory quota; the answer still reaches the caller whole', async () => {
    const clock = new FakeClock();
    const pacer = new GooglePacer(config(2400), clock);
    const paced = pacedFetch(pacer, {
      requestTimeoutMs: 5000,
      base: async () => rateLimited(403, 'userRateLimitExceeded'),
    });
    const response = await paced('https://admin.googleapis.com/admin/directory/v1/users');
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(403);
    await expect(pacer.acquire('directory', 1, { maxWaitMs: 4_000 })).rejects.toMatchObject({ type: 'Google.paced' });
    const waited = pacer.acquire('directory', 1, { maxWaitMs: 5_000 });
    await clock.advance(5_000);
    await expect(waited).resolves.toBe(5_000);
  });

  test('a 429 with Retry-After pauses the Reseller quota that long; a plain 403 forbidden pauses nothing', async () => {
    const clock = new FakeClock();
    const pacer = new GooglePacer(config(2400, 300), clock);
    const answers = [rateLimited(429, 'quotaExceeded', { 'retry-after': '20' }), rateLimited(403, 'forbidden')];
    const paced = pacedFetch(pacer, { requestTimeoutMs: 5000, base: async () => answers.shift() as Response });
    await paced('https://reseller.googleapis.com/apps/reseller/v1/customers');
    await expect(pacer.acquire('reseller', 1, { maxWaitMs: 19_000 })).rejects.toMatchObject({ type: 'Google.paced' });
    await paced('https://admin.googleapis.com/admin/directory/v1/users/x');
    await expect(pacer.acquire('directory', 1, { maxWaitMs: 0 })).resolves.toBe(0);
  });

  test('requests that use no quota go straight through', async () => {
    const pacer = new GooglePacer(config(1, 1));
    let sent = 0;
    const paced = pacedFetch(pacer, { requestTimeoutMs: 5000, base: async () => ((sent += 1), new Response('{}')) });
    for (let i = 0; i < 5; i += 1) await paced('https://www.googleapis.com/siteVerification/v1/token');
    expect(sent).toBe(5);
  });
});
