/**
 * OpenTelemetry tracing for the worker and the client, on when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (OTLP over HTTP; the exporter appends /v1/traces, as the OpenTelemetry specification says), off
 * otherwise. Spans follow an onboarding from the client's start through the workflow (exported
 * through a worker sink) to each activity, with Temporal's interceptors (@temporalio/interceptors-opentelemetry).
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** Registers the global tracer provider (used by Temporal's client and activity interceptors). */
export function startTracing(options: { otlpEndpoint: string; serviceName: string }): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName });
  const exporter = new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` });
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { resource, spanProcessor, shutdown: () => provider.shutdown() };
}

/** The client's tracing settings, from the same variables as the worker's. */
export function tracingFromEnv(env: NodeJS.ProcessEnv, defaultServiceName: string): { otlpEndpoint: string; serviceName: string } | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return undefined;
  return { otlpEndpoint: endpoint, serviceName: env.OTEL_SERVICE_NAME?.trim() || defaultServiceName };
}
