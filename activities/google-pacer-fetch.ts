/**
 * The `fetch` every Google request goes through (the googleapis clients' `fetchImplementation`, and
 * the Reseller batch request): it classifies the request by its path — `/admin/directory/` is the
 * Directory quota, `/apps/reseller/` and the batch endpoint the Reseller quota, a batch weighted by
 * its parts — waits for the pacer (google-pacer.ts), sends, and feeds rate-limit answers back into
 * the pacer. Other requests (Site Verification, token endpoints) pass straight through.
 *
 * The wait happens before the request's own timeout starts: gaxios starts its timeout signal before
 * calling fetch, so this fetch replaces the request's signal with its own — the activity's
 * cancellation plus the request timeout, counted from the moment the request is really sent.
 */
import { Context } from '@temporalio/activity';
import { DEFAULT_PAUSE_MS, MAX_WAIT_MS, type GooglePacer, type QuotaName } from './google-pacer';
import { dailyLimitPauseMs, RATE_LIMIT_REASONS, retryAfterMs } from './google-errors';

/** Answers that mean "this quota is exhausted, slow down" (Directory limits page; Reseller limits page). */
/** Time an activity keeps for the request itself and its answer after its wait. */
const REQUEST_MARGIN_MS = 2_000;

export interface PacedCall {
  quota: QuotaName;
  weight: number;
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return undefined;
}

/** Which quota a request to Google uses, and how many units; undefined when it is not paced. */
export function classifyGoogleRequest(url: string, body?: unknown): PacedCall | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  if (path.includes('/admin/directory/')) return { quota: 'directory', weight: 1 };
  if (path.includes('/apps/reseller/')) return { quota: 'reseller', weight: 1 };
  if (/\/batch$/.test(path)) {
    // The Reseller API's batch endpoint: Google counts each nested call (BATCH guide).
    const parts = (bodyText(body)?.match(/content-type:\s*application\/http/gi) ?? []).length;
    return { quota: 'reseller', weight: Math.max(1, parts) };
  }
  return undefined;
}

interface ActivityView {
  signal: AbortSignal;
  /** Milliseconds left before the activity's start-to-close timeout (as seen from its first Google call). */
  remainingMs: number;
}

const firstSeen = new WeakMap<object, number>();

function currentActivity(now: number): ActivityView | undefined {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return undefined; // not inside an activity (tools, tests)
  }
  if (!firstSeen.has(context)) firstSeen.set(context, now);
  const started = firstSeen.get(context) as number;
  const timeout = context.info.startToCloseTimeoutMs;
  return {
    signal: context.cancellationSignal,
    remainingMs: timeout > 0 ? started + timeout - now : Number.POSITIVE_INFINITY,
  };
}

/** Reads Google's reason from a 403/429 answer without consuming the body gaxios will read. */
async function reasonOf(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { error?: { errors?: { reason?: unknown }[] } };
    const reason = body.error?.errors?.[0]?.reason;
    return typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}

/** A rate-limit answer pauses the quota it met: Retry-After, or Google's "wait 5 seconds". */
async function feedBack(pacer: GooglePacer, call: PacedCall, response: Response): Promise<void> {
  // The Reseller API answers its quota with 503 "API quotas have been exceeded" (docs/operations.md, "Quotas and pacing").
  const resellerQuota = call.quota === 'reseller' && response.status === 503;
  if (response.status !== 403 && response.status !== 429 && !resellerQuota) return;
  const reason = await reasonOf(response);
  const retryAfter = retryAfterMs(response.headers.get('retry-after') ?? undefined);
  if (resellerQuota) {
    pacer.pause(call.quota, retryAfter ?? DEFAULT_PAUSE_MS, reason ?? 'HTTP 503');
  } else if (reason === 'dailyLimitExceeded') {
    pacer.pause(call.quota, dailyLimitPauseMs(), reason);
  } else if (response.status === 429 || RATE_LIMIT_REASONS.has(reason ?? '')) {
    pacer.pause(call.quota, retryAfter ?? DEFAULT_PAUSE_MS, reason ?? `HTTP ${response.status}`);
  }
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/** A fetch that paces Google requests with `pacer`; `requestTimeoutMs` is each request's own timeout once sent. */
export function pacedFetch(
  pacer: GooglePacer,
  options: { requestTimeoutMs: number; base?: typeof fetch },
): typeof fetch {
  const base = options.base ?? fetch;
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = classifyGoogleRequest(urlOf(input), init?.body);
    if (!call) return base(input, init);
    const activity = currentActivity(Date.now());
    const maxWaitMs = Math.min(
      MAX_WAIT_MS,
      (activity?.remainingMs ?? Number.POSITIVE_INFINITY) - options.requestTimeoutMs - REQUEST_MARGIN_MS,
    );
    const waitSignal = activity?.signal ?? init?.signal ?? undefined;
    const waited = await pacer.acquire(call.quota, call.weight, {
      maxWaitMs: Math.max(0, maxWaitMs),
      ...(waitSignal ? { signal: waitSignal } : {}),
    });
    // After a wait, the request's own timeout (already running) is replaced by a fresh one.
    const signal =
      waited > 0
        ? AbortSignal.any([AbortSignal.timeout(options.requestTimeoutMs), ...(waitSignal ? [waitSignal] : [])])
        : init?.signal;
    const response = await base(input, { ...init, ...(signal ? { signal } : {}) });
    await feedBack(pacer, call, response);
    return response;
  };
}
