/**
 * Why this file exists: issue 17 asks for a recorded chain spanning two releases. `npm run
 * record-matrix:upgrade -- --from 0.3` records UPGRADE_SCENARIOS (scenarios.ts): each onboarding is
 * started and parked by the older release's own code and stubs, then that worker stops and the current
 * code's worker takes over on the same time-skipping server; every run of the chain is saved under
 * test/histories/<current>/upgrade-from-<from>/ (append-only), which test/replay.test.ts replays.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startTimeSkippingServer } from '../../test/support/onboarding-stack';
import {
  driverFor,
  load,
  matrixWorker,
  save,
  startMatrixOnboarding,
  SCENARIO_TIMEOUT_MS,
  withTimeout,
  type Loaded,
} from './record';
import { HISTORIES } from './release-tree';
import { defaultInput, UPGRADE_SCENARIOS, type UpgradeScenario } from './scenarios';
import { scenarioStubs } from './stubs';

function workerOf(env: Awaited<ReturnType<typeof startTimeSkippingServer>>, loaded: Loaded, scenario: UpgradeScenario) {
  const stubs = scenarioStubs(loaded.stubs, scenario.stubs?.(loaded.tree.features) ?? {});
  // No sticky queue: the old worker's would keep the next workflow task from the new worker.
  const worker = matrixWorker(env, loaded, stubs.activities, { maxCachedWorkflows: 0 });
  return { worker, stubs };
}

async function recordOne(older: Loaded, current: Loaded, scenario: UpgradeScenario, out: string) {
  const env = await startTimeSkippingServer();
  try {
    const domain = `${scenario.name}.example.com`;
    const first = workerOf(env, older, scenario);
    const { handle, runId } = await (
      await first.worker
    ).runUntil(async () => {
      const started = await startMatrixOnboarding(env, domain, defaultInput(older.orders, domain, older.tree.features));
      await withTimeout(
        scenario.before(driverFor(env, started, older, first.stubs)),
        SCENARIO_TIMEOUT_MS,
        scenario.name,
      );
      return { handle: started, runId: (await started.describe()).runId };
    });
    const second = workerOf(env, current, scenario);
    return await (
      await second.worker
    ).runUntil(async () => {
      const handle2 = env.client.workflow.getHandle(handle.workflowId);
      const drive = driverFor(env, handle2, current, second.stubs);
      await withTimeout(scenario.after(drive, runId), SCENARIO_TIMEOUT_MS, scenario.name).catch(
        async (err: unknown) => {
          // What the new worker made of it: the last events say (a failed workflow task names its cause).
          const events = (await handle2.fetchHistory()).events ?? [];
          const failed = events.filter((e) => e.workflowTaskFailedEventAttributes).slice(-1)[0];
          console.error(
            `${scenario.name}: last events`,
            events.slice(-6).map((e) => e.eventType),
          );
          if (failed) console.error(failed.workflowTaskFailedEventAttributes?.failure?.message);
          throw err;
        },
      );
      return save(env, handle2, { name: scenario.name, chain: true, drive: async () => undefined }, out);
    });
  } finally {
    await env.teardown();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { values } = parseArgs({ options: { from: { type: 'string' }, out: { type: 'string' } } });
  if (!values.from) throw new Error('--from <release>: the release the onboardings start on (e.g. 0.3)');
  const [older, current] = [await load(values.from), await load('current')];
  const out = values.out ?? path.join(HISTORIES, current.tree.release, `upgrade-from-${values.from}`);
  if (existsSync(out) && readdirSync(out).length > 0 && !values.out)
    throw new Error(`${out} exists: histories are append-only`);
  mkdirSync(out, { recursive: true });
  try {
    for (const scenario of UPGRADE_SCENARIOS) {
      const r = await recordOne(older, current, scenario, out);
      console.log(`${r.name.padEnd(62)} ${r.stage.padEnd(14)} ${r.runs} run(s) ${r.events} events`);
    }
  } finally {
    older.tree.remove();
    current.tree.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
