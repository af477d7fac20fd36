/**
 * The client side of Google's batch requests (multipart/mixed, one `application/http` part per
 * nested call), for the Reseller API's transfer of a Google Workspace subscription together with
 * its Drive storage / Vault add-ons: googleapis has no batch helper. Encodes the nested calls,
 * sends them with an authorised google-auth-library client, decodes the answers in request order.
 * Transfer tokens travel inside the body: nothing here logs, and errors never carry the body.
 * The request goes through the worker's paced fetch (google-pacer-fetch.ts) when one is given: a
 * batch counts one Reseller query per part.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';

/** The Reseller API's batchPath (discovery document), relative to its root URL. */
export const RESELLER_BATCH_PATH = '/batch';
/** Google's limit of nested calls in one batch request. */
export const MAX_BATCH_PARTS = 1000;

export interface BatchPart {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. /apps/reseller/v1/customers/C123/subscriptions (no query string: use `query`) */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Defaults to item<n> (1-based). Google's Reseller API may not echo it: match answers by order. */
  contentId?: string;
}

export interface BatchPartResult {
  /** The request part's Content-ID when the answer carried `response-<id>`, else undefined. */
  contentId?: string;
  status: number;
  /** Parsed JSON (Google error bodies included); raw text when not JSON; undefined when empty. */
  body: unknown;
}

/** A batch answer that does not follow the multipart/mixed batch format. */
export class BatchFormatError extends Error {
  constructor(message: string) {
    super(`Malformed batch response: ${message}`);
    this.name = 'BatchFormatError';
  }
}

/** The batch request itself failed (HTTP error on the outer request); shaped like a GaxiosError. */
export class GoogleBatchError extends Error {
  constructor(
    message: string,
    readonly response: { status: number; data: unknown; headers: Record<string, string> },
    readonly code?: string | number,
  ) {
    super(message);
    this.name = 'GoogleBatchError';
  }
}

const CRLF = '\r\n';
const FORBIDDEN_IN_LINE = /[\r\n]/;

function requestLine(part: BatchPart): string {
  if (
    !part.path.startsWith('/') ||
    part.path.includes('?') ||
    FORBIDDEN_IN_LINE.test(part.path) ||
    /\s/.test(part.path)
  ) {
    throw new Error(
      `Batch part path must be an absolute path without query or whitespace: ${JSON.stringify(part.path)}`,
    );
  }
  const query = new URLSearchParams(part.query ?? {}).toString();
  return `${part.method} ${part.path}${query ? `?${query}` : ''} HTTP/1.1`;
}

export function encodeBatch(
  parts: BatchPart[],
  boundary = `batch_${randomBytes(16).toString('hex')}`,
): { contentType: string; body: string } {
  if (parts.length === 0) throw new Error('A batch request needs at least one part');
  if (parts.length > MAX_BATCH_PARTS) throw new Error(`A batch request holds at most ${MAX_BATCH_PARTS} parts`);
  if (!/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/.test(boundary)) throw new Error('Invalid multipart boundary');
  const chunks = parts.map((part, index) => {
    const contentId = part.contentId ?? `item${index + 1}`;
    if (FORBIDDEN_IN_LINE.test(contentId)) throw new Error('Batch part contentId must be one line');
    const json = part.body === undefined ? undefined : JSON.stringify(part.body);
    const nested = [
      requestLine(part),
      ...(json === undefined ? [] : ['Content-Type: application/json; charset=UTF-8']),
      '',
      json ?? '',
    ].join(CRLF);
    if (nested.includes(`--${boundary}`)) throw new Error('The multipart boundary occurs in a part');
    return [`--${boundary}`, 'Content-Type: application/http', `Content-ID: <${contentId}>`, '', nested].join(CRLF);
  });
  const body = `${chunks.join(CRLF)}${CRLF}--${boundary}--${CRLF}`;
  return { contentType: `multipart/mixed; boundary=${boundary}`, body };
}

function boundaryOf(contentType: string): string {
  const match = /^\s*multipart\/mixed\s*;(?:.*;)?\s*boundary=("?)([^";]+)\1/i.exec(contentType);
  if (!match?.[2])
    throw new BatchFormatError(`not multipart/mixed with a boundary (${contentType || 'no content type'})`);
  return match[2];
}

/** Splits "headers\n\nrest" (CRLF or LF); header names lower-cased. */
function headAndRest(text: string): { headers: Record<string, string>; firstLine: string; rest: string } {
  const normalised = text.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const head = (end === -1 ? normalised : normalised.slice(0, end)).split('\n');
  const headers: Record<string, string> = {};
  for (const line of head) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, firstLine: head[0] ?? '', rest: end === -1 ? '' : normalised.slice(end + 2) };
}

function parseBody(text: string, contentType: string | undefined): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (contentType === undefined || /json/i.test(contentType)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      if (contentType !== undefined) throw new BatchFormatError('a part declared JSON but is not');
    }
  }
  return trimmed;
}

function decodePart(section: string, index: number): BatchPartResult {
  const outer = headAndRest(section.replace(/^\r?\n/, ''));
  if (!/^application\/http\b/i.test(outer.headers['content-type'] ?? '')) {
    throw new BatchFormatError(`part ${index + 1} is not Content-Type: application/http`);
  }
  const nested = headAndRest(outer.rest.replace(/^\n+/, ''));
  const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\b/.exec(nested.firstLine)?.[1];
  if (status === undefined) throw new BatchFormatError(`part ${index + 1} has no HTTP status line`);
  const rawId = outer.headers['content-id']?.replace(/^<|>$/g, '');
  const contentId = rawId?.startsWith('response-') ? rawId.slice('response-'.length) : undefined;
  return {
    ...(contentId ? { contentId } : {}),
    status: Number(status),
    body: parseBody(nested.rest, nested.headers['content-type']),
  };
}

/** The answers of a batch response, in the order of its parts (= the order of the requests). */
export function decodeBatchResponse(contentType: string, body: string): BatchPartResult[] {
  const delimiter = `--${boundaryOf(contentType)}`;
  const sections = body.split(delimiter);
  const closing = sections.findIndex((s, i) => i > 0 && s.startsWith('--'));
  if (closing === -1) throw new BatchFormatError('no closing boundary');
  const parts = sections.slice(1, closing);
  if (parts.length === 0) throw new BatchFormatError('no parts');
  return parts.map((section, index) => decodePart(section.replace(/\r?\n$/, ''), index));
}

/** What sendBatch needs of an OAuth2Client / JWT: its request(), which adds the Authorization header. */
export interface BatchAuthClient {
  request<T = unknown>(options: {
    url: string;
    method: 'POST';
    headers: Record<string, string>;
    data: string;
    responseType: 'text';
    timeout: number;
    signal?: AbortSignal;
    retry: boolean;
    fetchImplementation?: typeof fetch;
  }): Promise<{ data: T; headers: unknown; status: number }>;
}

function headerValue(headers: unknown, name: string): string {
  if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? '';
  const record = (headers ?? {}) as Record<string, unknown>;
  const value = record[name] ?? record[name.toLowerCase()];
  return typeof value === 'string' ? value : '';
}

/** An outer failure, without the request config (its body holds transfer tokens); the pacer's own failure as it is. */
function sanitised(error: unknown): unknown {
  const paced = (error as { cause?: unknown } | undefined)?.cause;
  if (error instanceof ApplicationFailure) return error;
  if (paced instanceof ApplicationFailure) return paced;
  const e = error as {
    message?: string;
    code?: string | number;
    response?: { status: number; data: unknown; headers?: unknown };
  };
  if (!e?.response) {
    return new GoogleBatchError(
      `Batch request failed: ${String(e?.message ?? error).split('\n')[0]}`,
      { status: 0, data: undefined, headers: {} },
      e?.code,
    );
  }
  let data = e.response.data;
  if (typeof data === 'string') {
    try {
      data = parseBody(data, headerValue(e.response.headers, 'content-type') || undefined);
    } catch {
      // Not the JSON it claims to be: keep the text.
    }
  }
  // Of the headers only Retry-After is kept: the retry honours it.
  const retryAfter = headerValue(e.response.headers, 'retry-after');
  const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
  return new GoogleBatchError(
    `Batch request failed with HTTP ${e.response.status}`,
    { status: e.response.status, data, headers },
    e.code ?? e.response.status,
  );
}

/** POSTs the parts to `${rootUrl}${RESELLER_BATCH_PATH}` and decodes the answers, in request order. */
export async function sendBatch(
  authClient: BatchAuthClient,
  rootUrl: string,
  parts: BatchPart[],
  options: { timeoutMs: number; signal?: AbortSignal; fetchImplementation?: typeof fetch },
): Promise<BatchPartResult[]> {
  const { contentType, body } = encodeBatch(parts);
  let response: { data: string; headers: unknown };
  try {
    response = await authClient.request<string>({
      url: `${rootUrl.replace(/\/+$/, '')}${RESELLER_BATCH_PATH}`,
      method: 'POST',
      headers: { 'Content-Type': contentType },
      data: body,
      responseType: 'text',
      timeout: options.timeoutMs,
      retry: false,
      // The worker's paced fetch, or Node's own: gaxios would otherwise import node-fetch at the first call.
      fetchImplementation: options.fetchImplementation ?? fetch,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw sanitised(error);
  }
  const results = decodeBatchResponse(headerValue(response.headers, 'content-type'), response.data);
  if (results.length !== parts.length) {
    throw new BatchFormatError(`${results.length} answers for ${parts.length} requests`);
  }
  return results;
}
