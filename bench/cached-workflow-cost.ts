/**
 * What does one cached workflow cost, and which part is Temporal's own? Runs N trivial workflows
 * that only wait, all kept in a worker's cache (in this process), and prints the growth of RSS and
 * of the V8 heap (after a full GC) per workflow, for workflow code that imports only
 * @temporalio/workflow, and for one that validates the order inside the workflow (zod, punycode,
 * country and language tables). Every module a workflow imports is evaluated again for each cached
 * workflow: the difference is what moving validation out of the workflow saves.
 *
 *   npm run bench:cached -- [N=300]
 *
 * Workflows run in worker threads (their own V8 heaps), so RSS is the figure; the main heap barely moves.
 */
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../encryption/keys';
import { fixtureDataConverter } from '../test/support/fixture-keys';
import { startDevServer } from '../test/support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../test/support/orders';

const N = Number(process.argv[2] ?? 300);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function memory(): { rss: number; heap: number } {
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / 2 ** 20, heap: heapUsed / 2 ** 20 };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await startDevServer();
  try {
    console.log(`${N} cached workflows that only wait (node ${process.version})`);
    for (const fixture of ['parked-sdk-only', 'parked-with-validation']) {
      const taskQueue = `cost-${fixture}-${Date.now()}`;
      const { code } = await bundleWorkflowCode({
        workflowsPath: require.resolve(`./fixtures/${fixture}`),
        failureConverterPath: FAILURE_CONVERTER_PATH,
        logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
      });
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: { code },
        dataConverter: fixtureDataConverter(),
        maxCachedWorkflows: N + 10,
      });
      await worker.runUntil(async () => {
        await sleep(1000);
        const before = memory();
        await Promise.all(
          Array.from({ length: N }, (_, i) =>
            env.client.workflow.start('parked', {
              taskQueue,
              workflowId: `${taskQueue}-${i}`,
              args: [domainOrder(uniqueDomain('cost'))],
            }),
          ),
        );
        while (worker.getStatus().numCachedWorkflows < N) await sleep(200);
        await sleep(1000);
        const after = memory();
        console.log(
          `  ${fixture.padEnd(24)} RSS +${((after.rss - before.rss) / N).toFixed(2)} MiB, heap +${((after.heap - before.heap) / N).toFixed(2)} MiB per cached workflow`,
        );
        await Promise.all(
          Array.from({ length: N }, (_, i) => env.client.workflow.getHandle(`${taskQueue}-${i}`).terminate()),
        );
      });
    }
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
