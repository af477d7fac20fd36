/**
 * OpenTelemetry tracing for the worker and the client, on when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (OTLP over HTTP; /v1/traces is appended, as the OpenTelemetry specification says), off
 * otherwise. Spans follow an onboarding from the client's start through the workflow (exported
 * through a worker sink) to each activity, with Temporal's interceptors (@temporalio/interceptors-opentelemetry).
 * OpenTelemetry's packages are loaded only when tracing starts: they would add to every start-up.
 */
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { PiiScrubbingSpanProcessor } from './pii';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** Registers the global tracer provider (used by Temporal's client and activity interceptors). */
export async function startTracing(options: { otlpEndpoint: string; serviceName: string }): Promise<Tracing> {
  const [
    { AsyncLocalStorageContextManager },
    { OTLPTraceExporter },
    resources,
    { BasicTracerProvider, BatchSpanProcessor },
  ] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const resource = new resources.Resource({ 'service.name': options.serviceName });
  const exporter = new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` });
  // Failure messages name people: span status and exception events are scrubbed before export (pii.ts).
  const spanProcessor = new PiiScrubbingSpanProcessor(new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The active span must follow async calls, or nothing is propagated into Temporal's headers.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  return { resource, spanProcessor, shutdown: () => provider.shutdown() };
}
