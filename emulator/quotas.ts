/**
 * Google's usage limits, off by default and set through POST /_emulator/settings so tests can
 * provoke them: Directory queries per minute per user (the impersonated admin = one bearer token,
 * 403 userRateLimitExceeded), Reseller queries per minute (429 quotaExceeded; the calls of a batch
 * count one each) and Directory user creations per domain per second (503). Only answered
 * requests count. Sources: docs/google-behaviour.md.
 */
import { GoogleApiError } from './errors';
import type { Settings } from './model';

const MINUTE_MS = 60_000;
const SECOND_MS = 1000;

class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  /** Counts `weight` hits under `key` unless that would pass `limit` within `windowMs`. */
  take(key: string, limit: number, windowMs: number, now: number, weight = 1): boolean {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
    if (recent.length + weight > limit) {
      this.hits.set(key, recent);
      return false;
    }
    for (let i = 0; i < weight; i += 1) recent.push(now);
    this.hits.set(key, recent);
    return true;
  }

  clear(): void {
    this.hits.clear();
  }
}

export interface QuotaRequest {
  method: string;
  path: string;
  /** The bearer token: Directory quotas are per user, and the token stands for the impersonated user. */
  bearer: string;
  body: unknown;
}

function batchCalls(body: unknown): number {
  return typeof body === 'string' ? Math.max(1, (body.match(/content-type:\s*application\/http/gi) ?? []).length) : 1;
}

export class Quotas {
  private readonly directory = new SlidingWindow();
  private readonly reseller = new SlidingWindow();
  private readonly creations = new SlidingWindow();

  constructor(private readonly now: () => number = Date.now) {}

  reset(): void {
    this.directory.clear();
    this.reseller.clear();
    this.creations.clear();
  }

  /** The quota error this request meets, or undefined (and then it is counted). */
  check(request: QuotaRequest, settings: Settings): GoogleApiError | undefined {
    const now = this.now();
    if (request.path.startsWith('/admin/directory/')) {
      const perMinute = settings.directoryQueriesPerMinute;
      if (perMinute !== null && !this.directory.take(request.bearer, perMinute, MINUTE_MS, now)) {
        return new GoogleApiError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded');
      }
      if (request.method === 'POST' && request.path === '/admin/directory/v1/users')
        return this.checkCreation(request.body, settings, now);
      return undefined;
    }
    if (request.path.startsWith('/apps/reseller/') || request.path === '/batch') {
      const perMinute = settings.resellerQueriesPerMinute;
      const weight = request.path === '/batch' ? batchCalls(request.body) : 1;
      if (perMinute !== null && !this.reseller.take('reseller', perMinute, MINUTE_MS, now, weight)) {
        return new GoogleApiError(429, 'quotaExceeded', 'Quota Exceeded');
      }
    }
    return undefined;
  }

  private checkCreation(body: unknown, settings: Settings, now: number): GoogleApiError | undefined {
    const perSecond = settings.userCreationsPerDomainPerSecond;
    const email = (body as { primaryEmail?: unknown } | undefined)?.primaryEmail;
    if (perSecond === null || typeof email !== 'string') return undefined;
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    if (this.creations.take(domain, perSecond, SECOND_MS, now)) return undefined;
    return new GoogleApiError(503, 'backendError', 'The service is currently unavailable.');
  }
}
