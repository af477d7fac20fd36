/**
 * Turns a failed Google API call into a Temporal failure that says whether retrying can help.
 *
 * 400/403/404/409/412 are the caller's problem: non-retryable, with a type that names Google's
 * reason (e.g. `Google.duplicate`) so the workflow can branch on it. Refused credentials — an API's
 * 401, or the token endpoint's `invalid_grant` / `unauthorized_client` / `invalid_client` (a rotated
 * or deleted key, removed domain-wide delegation) — are an incident of the reseller's, not of this
 * onboarding: retryable within the step's time budget, typed `Google.credentials` so the metric and
 * its alert single them out (docs/operations.md). 408/429/5xx, Google's rate and
 * quota 403s and network errors are transient: retryable, honouring `Retry-After` (seconds or an
 * HTTP-date). `dailyLimitExceeded` says that the project's daily quota is used up and when it
 * resets (midnight Pacific time), and is retried after a long delay, not every few seconds. A
 * `Google.paced` failure from the pacer (google-pacer.ts) is passed on as it is. The original error
 * is never passed on: it carries the request (bearer token, body with secrets).
 */
import { ApplicationFailure } from '@temporalio/common';

/** Google's reasons for "too many requests right now" (a 403 that is not a refusal). */
export const RATE_LIMIT_REASONS: ReadonlySet<string> = new Set([
  'userRateLimitExceeded',
  'rateLimitExceeded',
  'quotaExceeded',
]);
const RETRYABLE_FORBIDDEN_REASONS = new Set([...RATE_LIMIT_REASONS, 'dailyLimitExceeded']);
const PERMANENT_STATUSES = new Set([400, 403, 404, 409, 412]);
/**
 * OAuth 2.0 token endpoint errors (RFC 6749 §5.2) that mean the credentials themselves are refused:
 * fixed by an operator (a new key, delegation granted again), after which the same call succeeds.
 */
const TOKEN_ENDPOINT_CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'unauthorized_client',
  'invalid_client',
]);
/** The failure type of refused credentials (an API's 401 or the token endpoint's refusal). */
export const CREDENTIALS_FAILURE_TYPE = 'Google.credentials';

export interface GoogleErrorFacts {
  status?: number;
  reason?: string;
  message: string;
  retryAfterSeconds?: number;
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Retry-After in milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when
 * absent, unreadable, or not in the future.
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  const text = value?.trim() ?? '';
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return seconds > 0 ? seconds * 1000 : undefined;
  }
  const at = Date.parse(text);
  return Number.isFinite(at) && at > now ? at - now : undefined;
}

/** Google's daily quotas reset at midnight Pacific time (docs/google-behaviour.md E7). */
const PACIFIC = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
});

function pacificParts(ms: number): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = Object.fromEntries(PACIFIC.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
  };
}

/** The next midnight in America/Los_Angeles after `now` (PST is UTC−8, PDT UTC−7). */
export function nextPacificMidnight(now = Date.now()): Date {
  const today = pacificParts(now);
  for (const offsetHours of [7, 8]) {
    const candidate = Date.UTC(today.year, today.month - 1, today.day + 1, offsetHours);
    const seen = pacificParts(candidate);
    if (seen.hour === 0 && seen.minute === 0 && candidate > now) return new Date(candidate);
  }
  return new Date(Date.UTC(today.year, today.month - 1, today.day + 1, 8)); // unreachable with a sane time zone database
}

/** The longest delay before retrying a call that met dailyLimitExceeded (the 4 h retry budget gets several tries). */
export const DAILY_LIMIT_RETRY_MAX_MS = 60 * 60_000;
/** How long the pacer stops sending on a quota whose daily limit was met (then one call probes again). */
export const DAILY_LIMIT_PAUSE_MAX_MS = 15 * 60_000;

export function dailyLimitPauseMs(now = Date.now()): number {
  return Math.min(nextPacificMidnight(now).getTime() - now, DAILY_LIMIT_PAUSE_MAX_MS);
}

/** Reads status, reason and message from a gaxios error (duck-typed: `instanceof` is fragile across copies). */
export function googleErrorFacts(err: unknown): GoogleErrorFacts {
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  const body = (e.response?.data ?? {}) as { error?: { message?: unknown; errors?: { reason?: unknown }[] } };
  const reason = body.error?.errors?.[0]?.reason;
  const retryAfter = retryAfterMs(header(e.response?.headers, 'retry-after'));
  const message =
    typeof body.error?.message === 'string' ? body.error.message : typeof e.code === 'string' ? e.code : 'no response';
  return {
    status,
    reason: typeof reason === 'string' ? reason : undefined,
    message,
    retryAfterSeconds: retryAfter === undefined ? undefined : Math.ceil(retryAfter / 1000),
  };
}

/**
 * What refused the credentials, if they were refused: an API's 401, or the token endpoint's
 * OAuth error. google-auth-library surfaces the latter as the token request's own GaxiosError
 * (`response.data = { error: 'invalid_grant', error_description }`, a 400 or 401), without
 * the `error.errors[]` of an API answer.
 */
export function credentialsRefusal(err: unknown): string | undefined {
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  const body = (e.response?.data ?? {}) as { error?: unknown; error_description?: unknown };
  if (typeof body.error === 'string' && TOKEN_ENDPOINT_CREDENTIAL_ERRORS.has(body.error)) {
    const description = typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 200)}` : '';
    return `token endpoint refused the credentials (HTTP ${status ?? '?'} ${body.error}${description})`;
  }
  if (status === 401) {
    const facts = googleErrorFacts(err);
    return `HTTP 401 ${facts.reason ?? 'unauthenticated'}: ${facts.message}`;
  }
  return undefined;
}

function credentialsFailure(operation: string, refusal: string): ApplicationFailure {
  return ApplicationFailure.create({
    message:
      `${operation} failed: ${refusal}. The service account key or its domain-wide delegation is refused; ` +
      'retrying within the step budget (docs/operations.md, "Credential incidents")',
    type: CREDENTIALS_FAILURE_TYPE,
    nonRetryable: false,
    details: [{ ...googleCallOf(operation), reason: 'credentials' } satisfies GoogleFailureDetails],
  });
}

export function isGoogleStatus(err: unknown, status: number): boolean {
  return googleErrorFacts(err).status === status;
}

/** An ApplicationFailure thrown inside the request (the pacer's `Google.paced`), found through gaxios' `cause`. */
function innerFailure(err: unknown): ApplicationFailure | undefined {
  for (
    let e = err, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = (e as { cause?: unknown }).cause, depth += 1
  ) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}

export type GoogleApi = 'directory' | 'reseller' | 'siteVerification' | 'unknown';

/** What every Google failure carries as data (its first detail): what the error metrics read, never its message. */
export interface GoogleFailureDetails {
  api: GoogleApi;
  /** `resource.method` as in Google's API reference, e.g. `users.insert`. */
  method: string;
  /** Google's reason (`duplicate`, `quotaExceeded`, …), `httpNNN` without one, `unavailable` for a network error. */
  reason: string;
}

/** Which API a `resource.method` belongs to where the resource alone is ambiguous (customers.get: Reseller; customers.patch: Directory). */
const API_OF_METHOD: Record<string, GoogleApi> = {
  'customers.get': 'reseller',
  'customers.insert': 'reseller',
  'customers.patch': 'directory',
};
const API_OF_RESOURCE: Record<string, GoogleApi> = {
  users: 'directory',
  subscriptions: 'reseller',
  webResource: 'siteVerification',
  siteVerification: 'siteVerification',
};
const API_OF_PREFIX: Record<string, GoogleApi> = { directory: 'directory', reseller: 'reseller', batch: 'reseller' };
// "[directory |reseller |batch ][siteVerification.]resource.method …": the labels activities give their calls.
const OPERATION = /^(?:(directory|reseller|batch) )?(?:siteVerification\.)?([A-Za-z]+)\.([A-Za-z]+)/;

/** The API and method named by an activity's operation label, read once, where its failure is made. */
export function googleCallOf(operation: string): Pick<GoogleFailureDetails, 'api' | 'method'> {
  const match = OPERATION.exec(operation);
  if (!match) return { api: 'unknown', method: 'unknown' };
  const [, prefix, resource = '', name = ''] = match;
  const method = `${resource}.${name}`;
  const api = (prefix ? API_OF_PREFIX[prefix] : (API_OF_METHOD[method] ?? API_OF_RESOURCE[resource])) ?? 'unknown';
  return { api, method };
}

/** The details of a Google failure made by googleFailure, or undefined for any other failure. */
export function googleFailureDetails(failure: ApplicationFailure): GoogleFailureDetails | undefined {
  const first: unknown = failure.details?.[0];
  if (!first || typeof first !== 'object') return undefined;
  const { api, method, reason } = first as Record<string, unknown>;
  return typeof api === 'string' && typeof method === 'string' && typeof reason === 'string'
    ? { api: api as GoogleApi, method, reason }
    : undefined;
}

function dailyLimitFailure(operation: string, facts: GoogleErrorFacts, now = Date.now()): ApplicationFailure {
  const resetAt = nextPacificMidnight(now);
  const delayMs = facts.retryAfterSeconds
    ? facts.retryAfterSeconds * 1000
    : Math.min(resetAt.getTime() - now + 60_000, DAILY_LIMIT_RETRY_MAX_MS);
  return ApplicationFailure.create({
    message:
      `${operation} failed: HTTP ${facts.status ?? 403} dailyLimitExceeded: Google's daily quota for this project is used up; ` +
      `it resets at midnight Pacific time (${resetAt.toISOString()}). Retrying in ${Math.round(delayMs / 60_000)} min. ` +
      `Raise the quota in the Google Cloud console if this recurs: ${facts.message}`,
    type: 'Google.dailyLimitExceeded',
    nonRetryable: false,
    nextRetryDelay: delayMs,
    details: [{ ...googleCallOf(operation), reason: 'dailyLimitExceeded' } satisfies GoogleFailureDetails],
  });
}

/** The failure to throw for a Google error met while doing `operation` (e.g. "users.insert admin@example.com"). */
export function googleFailure(operation: string, err: unknown): ApplicationFailure {
  const inner = innerFailure(err);
  if (inner) return inner;
  const refusal = credentialsRefusal(err);
  if (refusal) return credentialsFailure(operation, refusal);
  const facts = googleErrorFacts(err);
  if (facts.reason === 'dailyLimitExceeded') return dailyLimitFailure(operation, facts);
  const reason = facts.reason ?? (facts.status ? `http${facts.status}` : 'unavailable');
  const permanent =
    facts.status !== undefined &&
    PERMANENT_STATUSES.has(facts.status) &&
    !(facts.status === 403 && RETRYABLE_FORBIDDEN_REASONS.has(reason));
  return ApplicationFailure.create({
    message: `${operation} failed: ${facts.status ? `HTTP ${facts.status} ${reason}` : 'network error'}: ${facts.message}`,
    type: `Google.${reason}`,
    nonRetryable: permanent,
    details: [{ ...googleCallOf(operation), reason } satisfies GoogleFailureDetails],
    ...(facts.retryAfterSeconds ? { nextRetryDelay: `${facts.retryAfterSeconds}s` } : {}),
  });
}

/** Runs one Google call; any failure becomes a classified Temporal failure. */
export async function callGoogle<T>(operation: string, call: () => Promise<{ data: T }>): Promise<T> {
  try {
    return (await call()).data;
  } catch (err) {
    throw googleFailure(operation, err);
  }
}
