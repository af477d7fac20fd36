/**
 * The branch matrix (scripts/history-matrix/) is what proves a deploy strands no running onboarding:
 * histories recorded from each released version's own code, in every branch it can be in. This
 * checks that every release in test/histories/releases.json has its whole matrix recorded (so a
 * release cannot be cut without it), and that the matrix catches a change shipped without its gate.
 * The histories themselves are replayed by test/replay.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { NormalModuleReplacementPlugin } from 'webpack';
import { FAILURE_CONVERTER_PATH } from '../encryption/keys';
import { featuresOf, MANIFEST, type Manifest } from '../scripts/history-matrix/release-tree';
import { SCENARIOS } from '../scripts/history-matrix/scenarios';
import { fixtureDataConverter } from './support/fixture-keys';
import { workflowBundle } from './support/onboarding-stack';

const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
const matrixOf = (release: string) => path.join(__dirname, 'histories', release, 'matrix');

test.each(Object.entries(manifest.releases))('release %s has its whole branch matrix recorded', (release, entry) => {
  expect(entry.commit).toMatch(/^[0-9a-f]{40}$/);
  const folder = matrixOf(release);
  expect(existsSync(folder)).toBe(true);
  const files = readdirSync(folder);
  const features = featuresOf(entry.markers);
  const missing = SCENARIOS.filter((s) => s.when?.(features) ?? true)
    .map((s) => s.name)
    .filter((name) => !files.includes(`${name}.json`) && !files.includes(`${name}.run1.json`));
  expect(missing).toEqual([]);
});

test('the matrix holds runs that issued continue-as-new in both long waits, and their successors', () => {
  for (const release of Object.keys(manifest.releases)) {
    const files = readdirSync(matrixOf(release));
    for (const name of [
      'continue-as-new-in-terms-wait-then-completed',
      'continue-as-new-in-token-wait-then-transferred',
    ]) {
      expect(files).toEqual(expect.arrayContaining([`${name}.run1.json`, `${name}.run2.json`]));
    }
  }
});

// 0.2's runs carry no release-0.3 marker: with every 0.3 behaviour ungated, these branches replay differently.
const UNGATED_FAILS = [
  'cancelled-during-registerTransferredCustomer',
  'cancelled-then-failed-during-createAdminUser',
  'transfer-token-refused-then-transferred',
];

test('a change shipped without its gate fails replay of the 0.2 matrix, which replays on the gated code', async () => {
  const ungated = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        new NormalModuleReplacementPlugin(/[\\/]versions$/, require.resolve('./fixtures/ungated-versions')),
      ],
    }),
  });
  const gated = await workflowBundle();
  for (const name of UNGATED_FAILS) {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(matrixOf('0.2'), `${name}.json`), 'utf8')));
    await expect(
      Worker.runReplayHistory({ workflowBundle: ungated, dataConverter: fixtureDataConverter() }, history),
    ).rejects.toThrow(/Nondeterminism/);
    await Worker.runReplayHistory({ workflowBundle: gated, dataConverter: fixtureDataConverter() }, history);
  }
});

// Issue 17's three branches as e5b555f's code produced them. e5b555f is 0.2 work in progress: the
// 0.2 release (aa36714, stop 14) already kept everything once the terms were accepted, registered a
// subscription's compensation before ordering it (not interruptible), and gave a domain verified at
// creation the default 30 days. So no released run took e5b555f's branches, and gating them on
// release-0.3 would strand the released 0.2 runs instead: the release's histories of the same
// branches are the ones that must replay, and do (docs/operations.md, "Release 0.2's commit").
const ISSUE_17_BRANCHES = [
  'domain-unverified-terms-signalled-then-cancelled',
  'cancelled-during-orderSubscription',
  'reminded-then-expired',
];

test("issue 17's branches replay as the 0.2 release recorded them; e5b555f's (never released) differ", async () => {
  const bundle = await workflowBundle();
  const replay = (file: string) =>
    Worker.runReplayHistory(
      { workflowBundle: bundle, dataConverter: fixtureDataConverter() },
      historyFromJSON(JSON.parse(readFileSync(file, 'utf8'))),
    );
  for (const name of ISSUE_17_BRANCHES) {
    await replay(path.join(matrixOf('0.2'), `${name}.json`));
    await expect(replay(path.join(__dirname, 'unreleased-histories', 'e5b555f', `${name}.json`))).rejects.toThrow(
      /Nondeterminism/,
    );
  }
});

test("a continued run whose carried state has a later version (3) stays on today's code, not 0.1's", async () => {
  // The successor of a terms wait that continued as new, with its carried state's version raised to 3.
  const file = path.join(matrixOf('0.3'), 'continue-as-new-in-terms-wait-then-completed.run2.json');
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payloads = started?.input?.payloads;
  if (!payloads?.[1]) throw new Error('expected the carried state as the second argument');
  const { payloadCodecs = [] } = fixtureDataConverter();
  const decode = async (p: Payload) => {
    let decoded = [p];
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return defaultPayloadConverter.fromPayload<Record<string, unknown>>(decoded[0] as Payload);
  };
  const encode = async (value: unknown) => {
    let encoded = [defaultPayloadConverter.toPayload(value)];
    for (const codec of payloadCodecs) encoded = await codec.encode(encoded);
    return encoded[0] as Payload;
  };
  const carried = await decode(payloads[1]);
  expect(carried.version).toBe(2);
  payloads[1] = await encode({ ...carried, version: 3 });
  await Worker.runReplayHistory(
    { workflowBundle: await workflowBundle(), dataConverter: fixtureDataConverter() },
    history,
  );
});
