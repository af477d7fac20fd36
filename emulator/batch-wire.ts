/**
 * The server side of Google's batch wire format (multipart/mixed): reads the nested HTTP requests
 * of a batch request and writes the batch response, one `application/http` part per request, in
 * request order. Written independently of the client (activities/google-batch.ts) on purpose, so
 * that each checks the other. Source: Google's "Send batch requests" guide (docs/google-behaviour.md).
 */
import { randomBytes } from 'node:crypto';
import { invalid } from './errors';

/** Google's limit of calls in one batch request. */
export const MAX_BATCH_PARTS = 1000;

export interface BatchPartRequest {
  contentId?: string;
  method: string;
  /** Path without query, e.g. /apps/reseller/v1/customers/C123/subscriptions */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** The raw body text ('' when none). */
  body: string;
}

export interface BatchPartResponse {
  contentId?: string;
  status: number;
  body?: unknown;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function boundaryOf(contentType: string | undefined): string {
  const match = /^\s*multipart\/mixed\s*;(?:.*;)?\s*boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  if (!match?.[2]) throw invalid('A batch request must be multipart/mixed with a boundary.');
  return match[2];
}

/** Header block → lower-cased names; the block ends at the first empty line. */
function splitHead(text: string): { head: Record<string, string>; rest: string } {
  const normalised = text.replace(/\r\n/g, '\n');
  const end = normalised.indexOf('\n\n');
  const headText = end === -1 ? normalised : normalised.slice(0, end);
  const rest = end === -1 ? '' : normalised.slice(end + 2);
  const head: Record<string, string> = {};
  for (const line of headText.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) head[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { head, rest };
}

function splitParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const sections = body.split(delimiter);
  const closing = sections.findIndex((s, i) => i > 0 && s.startsWith('--'));
  if (closing === -1) throw invalid('Malformed batch request: no closing boundary.');
  return sections.slice(1, closing).map((s) => s.replace(/^\r?\n/, '').replace(/\r?\n$/, ''));
}

function parseNested(text: string): Omit<BatchPartRequest, 'contentId'> {
  const normalised = text.replace(/\r\n/g, '\n').replace(/^\n+/, '');
  const lineEnd = normalised.indexOf('\n');
  const requestLine = (lineEnd === -1 ? normalised : normalised.slice(0, lineEnd)).trim();
  const match = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine);
  if (!match?.[1] || !match[2]) throw invalid('Malformed batch request: a part has no HTTP request line.');
  const { head, rest } = splitHead(lineEnd === -1 ? '' : normalised.slice(lineEnd + 1));
  const url = new URL(match[2], 'https://reseller.googleapis.com');
  return { method: match[1], path: url.pathname, query: url.searchParams, headers: head, body: rest.trim() };
}

export function parseBatchRequest(contentType: string | undefined, body: string): BatchPartRequest[] {
  const parts = splitParts(body, boundaryOf(contentType));
  if (parts.length === 0) throw invalid('A batch request needs at least one part.');
  if (parts.length > MAX_BATCH_PARTS) throw invalid(`A batch request holds at most ${MAX_BATCH_PARTS} calls.`);
  return parts.map((part) => {
    const { head, rest } = splitHead(part);
    if (!/^application\/http\b/i.test(head['content-type'] ?? '')) {
      throw invalid('Malformed batch request: every part must be Content-Type: application/http.');
    }
    const contentId = head['content-id']?.replace(/^<|>$/g, '');
    return { ...(contentId ? { contentId } : {}), ...parseNested(rest) };
  });
}

/** The multipart/mixed batch response: parts in request order. */
export function buildBatchResponse(responses: BatchPartResponse[]): { contentType: string; body: string } {
  const boundary = `batch_${randomBytes(12).toString('base64url')}`;
  const chunks = responses.map((r) => {
    const json = r.body === undefined ? '' : JSON.stringify(r.body);
    const partHead = [
      'Content-Type: application/http',
      ...(r.contentId ? [`Content-ID: <response-${r.contentId}>`] : []),
    ];
    const nested = [
      `HTTP/1.1 ${r.status} ${STATUS_TEXT[r.status] ?? ''}`.trimEnd(),
      ...(json ? ['Content-Type: application/json; charset=UTF-8', `Content-Length: ${Buffer.byteLength(json)}`] : []),
    ];
    return `--${boundary}\r\n${partHead.join('\r\n')}\r\n\r\n${nested.join('\r\n')}\r\n\r\n${json}\r\n`;
  });
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: `${chunks.join('')}--${boundary}--\r\n` };
}
