/**
 * Personal data out of logs and traces (issue 19). Failure messages name people ("users.insert
 * admin@example.com failed: …"); in Temporal's history they are encrypted (failure-converter.ts),
 * but the worker's "Activity failed" log line and OpenTelemetry's span status and exception events
 * carried them in clear. Here e-mail addresses become a short hash (`<email:1a2b3c4d>`: the same
 * address gives the same tag, so a log can still be followed), and named fields of an order
 * (givenName, familyName, contactName, …) quoted in a message lose their value.
 */
import { createHash } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

const EMAIL = /[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const NAMED_FIELD =
  /((?:givenName|familyName|fullName|contactName|organizationName|addressLine\d|postalCode)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}]+)/g;

const tag = (email: string) => `<email:${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 8)}>`;

/** `text` with e-mail addresses hashed and named personal fields redacted. */
export function scrubPii(text: string): string {
  return text.replace(EMAIL, tag).replace(NAMED_FIELD, '$1<redacted>');
}

/** A log record's fields, scrubbed: strings, and Errors (message, stack, cause) turned into plain objects. */
export function scrubPiiDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubPii(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const { cause } = value as Error & { cause?: unknown };
    return {
      type: (value as Error & { type?: string }).type ?? value.name,
      message: scrubPii(value.message),
      ...(value.stack ? { stack: scrubPii(value.stack) } : {}),
      ...(cause !== undefined ? { cause: scrubPiiDeep(cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => scrubPiiDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubPiiDeep(v, depth + 1)]));
}

/** Scrubs a span's status message, attributes and event attributes (exception.message, .stacktrace) as it ends. */
export class PiiScrubbingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const status = span.status as { message?: string } | undefined;
    if (status?.message) status.message = scrubPii(status.message);
    if (span.attributes) scrubAttributes(span.attributes);
    for (const event of span.events ?? []) {
      if (event.attributes) scrubAttributes(event.attributes);
    }
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

function scrubAttributes(attributes: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value === 'string') attributes[key] = scrubPii(value);
  }
}
