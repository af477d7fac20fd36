/**
 * The workflow bundle: how it is built (once, by `npm run build`, as Temporal's production sample
 * does) and where the compiled worker finds it. Two variants are built: one with the metrics
 * interceptor only, and one that adds OpenTelemetry's workflow interceptors, used when tracing is
 * on. Every module in a bundle is evaluated again for each cached workflow, so tracing code is
 * only paid for when it is wanted.
 *
 * The bundle stays lean: a build fails if workflow code pulls in a module that only activities,
 * the worker or the client may use (FORBIDDEN_IN_WORKFLOWS), and the build prints what it holds.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../encryption/keys';

export type BundleVariant = 'plain' | 'tracing';

/** Next to the compiled worker: dist/workflow-bundle*.js (from dist/worker/). */
export const PREBUILT_BUNDLE_PATHS: Record<BundleVariant, string> = {
  plain: path.resolve(__dirname, '..', 'workflow-bundle.js'),
  tracing: path.resolve(__dirname, '..', 'workflow-bundle-tracing.js'),
};

/**
 * Workflow code is bundled from its TypeScript sources whenever they are there (the build, the
 * Docker build stage, a checkout): their ES imports let webpack take the libraries' ES module
 * builds, far fewer modules than the CommonJS that tsc emits (zod: ~100 instead of 330), and every
 * module is evaluated again for each cached workflow. The compiled JS is the fallback.
 */
function source(relative: string): string {
  for (const root of [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')]) {
    const candidate = path.join(root, `${relative}.ts`);
    if (existsSync(candidate)) return candidate;
  }
  return require.resolve(`../${relative}`);
}

export const WORKFLOWS_MODULE = source('workflows/index');
export const METRICS_INTERCEPTOR_MODULE = source('workflows/metrics-interceptor');
/** Drops a trace header OpenTelemetry could not read (a forged one would stall the run); before OpenTelemetry's. */
export const TRACE_HEADER_GUARD_MODULE = source('workflows/tracing-header-guard');
export const TRACING_INTERCEPTOR_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** Side-effect libraries of activities, worker and client: workflow code must never import them. */
export const FORBIDDEN_IN_WORKFLOWS = [
  'googleapis',
  'google-auth-library',
  'gaxios',
  'nodemailer',
  'smtp-server',
  'postal-mime',
  'pino',
  'fastify',
  'commander',
  '@temporalio/worker',
  '@temporalio/client',
  '@temporalio/activity',
  '@temporalio/testing',
  '@opentelemetry/exporter-trace-otlp-http',
];

const matches = (request: string, name: string) => request === name || request.startsWith(`${name}/`);

export function interceptorModules(variant: BundleVariant): string[] {
  return variant === 'tracing'
    ? [METRICS_INTERCEPTOR_MODULE, TRACE_HEADER_GUARD_MODULE, TRACING_INTERCEPTOR_MODULE]
    : [METRICS_INTERCEPTOR_MODULE];
}

/** Bundles ../workflows (with the interceptors of `variant`); throws if a forbidden module is imported. */
export async function buildWorkflowBundle(
  variant: BundleVariant,
  logger?: BundleOptions['logger'],
): Promise<WorkflowBundleWithSourceMap> {
  const forbidden = new Set<string>();
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_MODULE,
    workflowInterceptorModules: interceptorModules(variant),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(logger ? { logger } : {}),
    webpackConfigHook: (config) => ({
      ...config,
      externals: [
        config.externals as never,
        async ({ request }: { request?: string }) => {
          const name = request?.replace(/^node:/, '') ?? '';
          if (FORBIDDEN_IN_WORKFLOWS.some((m) => matches(name, m))) forbidden.add(name);
          return undefined;
        },
      ],
    }),
  });
  if (forbidden.size) {
    throw new Error(
      `workflow code imports modules that belong in activities or the worker: ${[...forbidden].join(', ')}`,
    );
  }
  return bundle;
}

/** The prebuilt bundle of this variant, or undefined when there is none (running from source). */
export function prebuiltBundlePath(variant: BundleVariant, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env[variant === 'tracing' ? 'WORKFLOW_BUNDLE_TRACING_PATH' : 'WORKFLOW_BUNDLE_PATH'];
  if (explicit) return explicit;
  const candidate = PREBUILT_BUNDLE_PATHS[variant];
  return existsSync(candidate) ? candidate : undefined;
}

/** The node_modules packages a bundle holds (its module paths), for the build's report. */
export function packagesIn(code: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of code.matchAll(/node_modules\/((?:@[^/"'\s]+\/)?[^/"'\s]+)\/[^"'\s]*?\.[cm]?js"/g)) {
    const name = match[1] as string;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}
