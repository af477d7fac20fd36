/**
 * Build step (`npm run build`, after tsc): bundles the compiled workflows once, as Temporal's
 * production sample does, into dist/workflow-bundle.js (metrics interceptor) and
 * dist/workflow-bundle-tracing.js (plus OpenTelemetry's), which the compiled worker loads with
 * `workflowBundle: { codePath }` instead of running webpack at every start. Prints each bundle's
 * size and the packages it holds; fails if workflow code imports a module it must not.
 */
import { writeFileSync } from 'node:fs';
import { PREBUILT_BUNDLE_PATHS, buildWorkflowBundle, packagesIn, type BundleVariant } from '../worker/workflow-bundle';

const silent = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };

async function main(): Promise<void> {
  for (const variant of ['plain', 'tracing'] as BundleVariant[]) {
    const started = Date.now();
    const { code } = await buildWorkflowBundle(variant, silent);
    const file = PREBUILT_BUNDLE_PATHS[variant];
    writeFileSync(file, code);
    const packages = [...packagesIn(code).entries()].sort((a, b) => b[1] - a[1]);
    console.log(
      `${file}: ${(Buffer.byteLength(code) / 1024).toFixed(0)} KiB in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `packages (modules): ${packages.map(([name, n]) => `${name} (${n})`).join(', ')}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(`Workflow bundle build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
