/**
 * subscriptions.list paging as Google documents it: maxResults 1–100 (default 20), an opaque
 * nextPageToken while more remain, and the pageToken given back to continue. A page token is only
 * valid for the listing that produced it.
 */
import { createHash } from 'node:crypto';
import { invalid } from './errors';

export const DEFAULT_MAX_RESULTS = 20;
export const MAX_MAX_RESULTS = 100;

export interface PageRequest {
  maxResults: string | undefined;
  pageToken: string | undefined;
  /** What the listing is of (customer, token or not): a token from another listing is refused. */
  scope: string;
}

function scopeTag(scope: string): string {
  return createHash('sha256').update(scope).digest('base64url').slice(0, 12);
}

function parseMaxResults(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_MAX_RESULTS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_MAX_RESULTS) {
    throw invalid(`Invalid value for maxResults: ${raw}. Values must be within the range: [1, ${MAX_MAX_RESULTS}].`);
  }
  return value;
}

function parseOffset(token: string | undefined, scope: string): number {
  if (token === undefined || token === '') return 0;
  const [tag, offset] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  if (tag !== scopeTag(scope) || offset === undefined || !/^\d+$/.test(offset)) {
    throw invalid('Invalid value for pageToken.');
  }
  return Number(offset);
}

/** The page asked for, and the token of the next one when more remain. */
export function page<T>(items: T[], request: PageRequest): { items: T[]; nextPageToken?: string } {
  const maxResults = parseMaxResults(request.maxResults);
  const offset = parseOffset(request.pageToken, request.scope);
  const end = offset + maxResults;
  const nextPageToken =
    end < items.length ? Buffer.from(`${scopeTag(request.scope)}:${end}`, 'utf8').toString('base64url') : undefined;
  return { items: items.slice(offset, end), nextPageToken };
}
