/** Whether tracing is on, and where spans go: OTEL_EXPORTER_OTLP_ENDPOINT (unset: off), OTEL_SERVICE_NAME. Cheap to import (config/tracing.ts loads OpenTelemetry). */
export function tracingFromEnv(
  env: NodeJS.ProcessEnv,
  defaultServiceName: string,
): { otlpEndpoint: string; serviceName: string } | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return undefined;
  return { otlpEndpoint: endpoint, serviceName: env.OTEL_SERVICE_NAME?.trim() || defaultServiceName };
}
