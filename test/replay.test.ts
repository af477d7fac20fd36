/**
 * Replays the histories recorded from real runs (test/histories/, re-recorded by
 * `npm run record-histories`) against today's workflow code: a change that would break running
 * onboardings fails here, before it is deployed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../encryption/keys';
import { fixtureDataConverter } from './support/fixture-keys';
import { workflowBundle } from './support/onboarding-stack';

const dir = path.join(__dirname, 'histories');
const recorded = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ name: file.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))) }));

test('the recorded histories cover every ending, and a run resumed by continue-as-new', () => {
  expect(recorded.map((r) => r.name).sort()).toEqual(
    expect.arrayContaining([
      'cancelled-while-awaiting-tos',
      'continued-as-new-then-completed',
      'domain-completed-by-signal',
      'failed-and-compensated',
      'reminded-then-expired',
      'transfer-refused-then-transferred',
    ]),
  );
});

test.each(recorded.map((r) => [r.name, r.history] as const))('%s replays deterministically', async (name, history) => {
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: fixtureDataConverter() }, history, `replay:${name}`);
});

test('a non-deterministic change is caught', async () => {
  const altered = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/altered-workflow'), failureConverterPath: FAILURE_CONVERTER_PATH });
  const first = recorded.find((r) => r.name === 'domain-completed-by-signal');
  await expect(Worker.runReplayHistory({ workflowBundle: altered, dataConverter: fixtureDataConverter() }, first?.history)).rejects.toThrow(
    /Nondeterminism/,
  );
});
