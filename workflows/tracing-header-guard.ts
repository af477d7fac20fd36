/**
 * Keeps a forged trace header from stalling a run when tracing is on (docs/security.md: undecryptable
 * payloads never stall a run). Registered in the tracing bundle just before OpenTelemetry's workflow
 * interceptors (worker/workflow-bundle.ts), which read the `_tracer-data` header of every start,
 * signal, update and query themselves: headers bypass the payload codec, and a header that the
 * default payload converter cannot read (an unknown encoding, `json/plain` that is not JSON) or that
 * is not a map of strings made their interceptor throw, which failed every workflow task of the run.
 *
 * Anyone allowed to signal can send such a header. A header that reads as OpenTelemetry writes it
 * (an object of strings: traceparent, tracestate) is passed on, so traces still join; any other is
 * dropped, and the message is handled untraced. Only headers change: no command does.
 */
import {
  defaultPayloadConverter,
  type Headers,
  type Next,
  type QueryInput,
  type SignalInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';

/** The header OpenTelemetry's interceptors carry the span context in (their TRACE_HEADER). */
export const TRACE_HEADER = '_tracer-data';

/** Whether OpenTelemetry's interceptor can read this header: it decodes to an object of strings. */
function readable(headers: Headers): boolean {
  try {
    const carrier: unknown = defaultPayloadConverter.fromPayload(headers[TRACE_HEADER]!);
    return (
      typeof carrier === 'object' &&
      carrier !== null &&
      !Array.isArray(carrier) &&
      Object.values(carrier).every((value) => typeof value === 'string')
    );
  } catch {
    return false;
  }
}

/** The headers without an unreadable trace header (the same object when there is nothing to drop). */
export function withoutUnreadableTraceHeader(headers: Headers): Headers {
  if (headers[TRACE_HEADER] === undefined || readable(headers)) return headers;
  const { [TRACE_HEADER]: _dropped, ...rest } = headers;
  return rest;
}

function guarded<T extends { headers: Headers }>(input: T): T {
  const headers = withoutUnreadableTraceHeader(input.headers);
  return headers === input.headers ? input : { ...input, headers };
}

class TraceHeaderGuard implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return next(guarded(input));
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    return next(guarded(input));
  }

  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    return next(guarded(input));
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    next(guarded(input));
  }

  handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    return next(guarded(input));
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new TraceHeaderGuard()] });
