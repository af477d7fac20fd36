/**
 * Replays the histories recorded from real runs against today's workflow code: a change that would
 * break running onboardings fails here, before it is deployed. test/histories/<release>/ holds one
 * folder per release (recorded by `npm run record-histories`, append-only): every release whose
 * onboardings may still be running must keep replaying.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { boundWorkflowIdOf } from '../encryption/history-binding';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../encryption/keys';
import { fixtureDataConverter } from './support/fixture-keys';
import { workflowBundle } from './support/onboarding-stack';

const root = path.join(__dirname, 'histories');
const releases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
/** Every history file under a release's folder, its sub-folders (matrix/) included. */
const historyFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? historyFiles(path.join(dir, entry.name)).map((f) => `${entry.name}/${f}`)
      : entry.name.endsWith('.json')
        ? [entry.name]
        : [],
  );
const recorded = releases.flatMap((release) =>
  historyFiles(path.join(root, release)).map((file) => ({
    release,
    name: `${release}/${file.replace(/\.json$/, '')}`,
    history: historyFromJSON(JSON.parse(readFileSync(path.join(root, release, file), 'utf8'))),
  })),
);
/** The scenarios recorded by hand at the release's top level (scripts/record-histories.ts). */
const namesOf = (release: string) =>
  recorded
    .filter((r) => r.release === release)
    .map((r) => r.name.slice(release.length + 1))
    .filter((name) => !name.includes('/'));

test('release 0.1 histories cover every ending, and a run resumed by continue-as-new', () => {
  expect(namesOf('0.1').sort()).toEqual(
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

test('release 0.2 histories cover every ending, the transfer with add-ons, an existing customer and an invalid order', () => {
  expect(namesOf('0.2').sort()).toEqual(
    expect.arrayContaining([
      'already-a-customer',
      'cancelled-while-awaiting-tos',
      'continued-as-new-then-completed',
      'domain-completed-by-signal',
      'domain-verified-and-terms-detected',
      'failed-and-compensated',
      'invalid-order-raw-start',
      'reminded-then-expired',
      'team-completed-detected',
      'transfer-refused-then-transferred',
    ]),
  );
});

test('release 0.3 histories add the token expiry, a deadline extended (a retried request applied once), cancels while the admin is created, while the customer is registered and while subscriptions move, and a compensation that failed', () => {
  expect(namesOf('0.3').sort()).toEqual(
    expect.arrayContaining([
      'already-a-customer',
      'cancelled-during-create-admin',
      'cancelled-during-transfer',
      'cancelled-while-awaiting-tos',
      'cancelled-while-registering',
      'compensation-failed',
      'continued-as-new-then-completed',
      'deadline-extended-then-completed',
      'domain-completed-by-signal',
      'failed-and-compensated',
      'invalid-order-raw-start',
      'reminded-then-expired',
      'transfer-refused-then-transferred',
      'transfer-token-expired',
    ]),
  );
});

test.each(recorded.map((r) => [r.name, r.history] as const))('%s replays deterministically', async (name, history) => {
  await Worker.runReplayHistory(
    { workflowBundle: await workflowBundle(), dataConverter: fixtureDataConverter() },
    history,
    boundWorkflowIdOf(history) ?? `replay:${name}`, // 0.4 on: payloads bound to their workflow id
  );
});

test('a non-deterministic change is caught', async () => {
  const altered = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/altered-workflow'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  for (const name of [
    '0.1/domain-completed-by-signal',
    '0.2/domain-completed-by-signal',
    '0.3/domain-completed-by-signal',
  ]) {
    const history = recorded.find((r) => r.name === name)?.history;
    await expect(
      Worker.runReplayHistory({ workflowBundle: altered, dataConverter: fixtureDataConverter() }, history),
    ).rejects.toThrow(/Nondeterminism/);
  }
});
