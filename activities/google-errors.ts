/**
 * Turns a failed Google API call into a Temporal failure that says whether retrying can help.
 *
 * 400/401/403/404/409/412 are the caller's problem: non-retryable, with a type that names Google's
 * reason (e.g. `Google.duplicate`) so the workflow can branch on it. 408/429/5xx, Google's rate and
 * quota 403s and network errors are transient: retryable, honouring `Retry-After`. The original
 * error is never passed on: it carries the request (bearer token, body with secrets).
 */
import { ApplicationFailure } from '@temporalio/common';

const RETRYABLE_FORBIDDEN_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded']);
const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 409, 412]);

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

/** Reads status, reason and message from a gaxios error (duck-typed: `instanceof` is fragile across copies). */
export function googleErrorFacts(err: unknown): GoogleErrorFacts {
  const e = (err ?? {}) as ErrorLike;
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  const body = (e.response?.data ?? {}) as { error?: { message?: unknown; errors?: { reason?: unknown }[] } };
  const reason = body.error?.errors?.[0]?.reason;
  const retryAfter = Number(header(e.response?.headers, 'retry-after'));
  const message = typeof body.error?.message === 'string' ? body.error.message : typeof e.code === 'string' ? e.code : 'no response';
  return {
    status,
    reason: typeof reason === 'string' ? reason : undefined,
    message,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  };
}

export function isGoogleStatus(err: unknown, status: number): boolean {
  return googleErrorFacts(err).status === status;
}

/** The failure to throw for a Google error met while doing `operation` (e.g. "users.insert admin@example.com"). */
export function googleFailure(operation: string, err: unknown): ApplicationFailure {
  const facts = googleErrorFacts(err);
  const reason = facts.reason ?? (facts.status ? `http${facts.status}` : 'unavailable');
  const permanent =
    facts.status !== undefined && PERMANENT_STATUSES.has(facts.status) && !(facts.status === 403 && RETRYABLE_FORBIDDEN_REASONS.has(reason));
  return ApplicationFailure.create({
    message: `${operation} failed: ${facts.status ? `HTTP ${facts.status} ${reason}` : 'network error'}: ${facts.message}`,
    type: `Google.${reason}`,
    nonRetryable: permanent,
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
