/**
 * Why this file exists: release 0.4 writes less history per onboarding (workflows/versions.ts:
 * stagePublishedAtRest, compactStatusMemo, waitDefaultsFromValidation, startAttributesNotRepeated).
 * These tests read the history a 0.4 run writes — real workflow bundle, stub activities, the
 * time-skipping server — and pin that the `OnboardingStage` attribute and the memo are written at the
 * stages an onboarding rests in only (and are right there), that the memo is the compact summary,
 * that no `waitDefaults` local activity runs, that a run continued as new does not upsert the search
 * attributes it carries, and that the `status` query still answers with everything.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec } from '../../encryption/codec';
import { tosAcceptedSignal, type OnboardingStatus } from '../../workflows/messages';
import { STATUS_MEMO_KEY } from '../../workflows/progress';
import { FIXTURE_KEYS } from '../support/fixture-keys';
import { startTimeSkippingServer, waitForStatus, workflowBundle } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { stubActivities, TEST_WAIT_DEFAULTS } from '../support/stub-activities';
import { validateOrder } from '../../order/order';
import { stageReached, startOnboarding, statusOf, withStubWorker, type OnboardingHandle } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  [env] = await Promise.all([startTimeSkippingServer(), workflowBundle()]);
});
afterAll(async () => {
  await env?.teardown();
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const codec = new AesGcmPayloadCodec(FIXTURE_KEYS);

async function events(handle: OnboardingHandle, runId?: string): Promise<HistoryEvent[]> {
  const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
  return history.events ?? [];
}

/** The `OnboardingStage` values the run upserted, in order. */
function stagesUpserted(history: HistoryEvent[]): string[] {
  return history.flatMap((e) => {
    const field = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.OnboardingStage;
    return field ? [defaultPayloadConverter.fromPayload<string>(field)] : [];
  });
}

/** The status memos the run wrote, decoded. */
async function memosWritten(history: HistoryEvent[]): Promise<OnboardingStatus[]> {
  const payloads = history.flatMap((e) => {
    const field = e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[STATUS_MEMO_KEY];
    return field ? [field] : [];
  });
  const decoded = await codec.decode(payloads);
  return decoded.map((p) => defaultPayloadConverter.fromPayload<OnboardingStatus>(p));
}

/** The patch ids of the run's patch markers, in order. */
function patchMarkers(history: HistoryEvent[]): string[] {
  return history.flatMap((e) => {
    const attributes = e.markerRecordedEventAttributes;
    const id = attributes?.markerName === 'core_patch' ? attributes.details?.['patch-data']?.payloads?.[0] : undefined;
    return id ? [defaultPayloadConverter.fromPayload<{ id: string }>(id).id] : [];
  });
}

const localActivityMarkers = (history: HistoryEvent[]) =>
  history.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');

test('a domain order: the stage and the memo are written at awaiting-tos and completed only; the memo is the summary', async () => {
  const domain = uniqueDomain('wf-lean');
  const stubs = stubActivities();
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(
      env,
      domain,
      domainOrder(domain, { subscriptions: [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 5 }] }),
    );
    const parked = await stageReached(handle, 'awaiting-tos');
    // The query has everything: every step the onboarding took.
    expect(parked.steps.map((s) => s.name)).toContain('grant-admin');
    expect(parked.summary).toBeUndefined();

    const atRest = await events(handle);
    // The start set `validating` (the client does): the first upsert is the first resting stage.
    expect(stagesUpserted(atRest)).toEqual(['awaiting-tos']);
    // One release marker (0.4 implies the older ones), so one TemporalChangeVersion upsert.
    expect(patchMarkers(atRest)).toEqual(['release-0.4']);
    const [memo, ...more] = await memosWritten(atRest);
    expect(more).toEqual([]);
    expect(memo).toMatchObject({
      summary: true,
      steps: [],
      stage: 'awaiting-tos',
      customerId: `C-${domain}`,
      adminEmail: `admin@${domain}`,
      waitingFor: { what: 'tos-acceptance' },
      subscriptions: [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 5 }],
    });
    // The wait defaults came with the validation's result: no local activity.
    expect(localActivityMarkers(atRest)).toEqual([]);
    expect(stubs.names()).not.toContain('waitDefaults');
    expect((await handle.describe()).memo?.[STATUS_MEMO_KEY]).toEqual(memo);

    await handle.signal(tosAcceptedSignal, { reportedBy: 'crm-webhook' });
    expect(await handle.result()).toMatchObject({ stage: 'completed' });
    const ended = await events(handle);
    expect(stagesUpserted(ended)).toEqual(['awaiting-tos', 'completed']);
    expect((await memosWritten(ended)).map((m) => m.stage)).toEqual(['awaiting-tos', 'completed']);
  });
});

test('a wait continued as new: the new run finds its attributes carried and does not upsert them again', async () => {
  const domain = uniqueDomain('wf-lean-can');
  // Checks every minute fill a run's history within hours: it continues as new by itself.
  const order = domainOrder(domain, {
    verifyDomain: false,
    waitPolicy: { checkEvery: '1 minute', deadline: '30 days' },
  });
  await withStubWorker(env, stubActivities(), async () => {
    const handle = await startOnboarding(env, domain, order);
    await stageReached(handle, 'awaiting-tos');
    const firstRun = (await handle.describe()).runId;
    await env.sleep('4 hours');
    const continued = await waitForStatus(
      () => handle.describe(),
      (d) => d.runId !== firstRun,
      60_000,
    );
    await waitForStatus(
      async () => (await events(handle, continued.runId)).length,
      (n) => n > 4,
    );
    const history = await events(handle, continued.runId);
    expect(stagesUpserted(history)).toEqual([]);
    // Its only upserts are the SDK's, one for its one release marker.
    expect(patchMarkers(history)).toEqual(['release-0.4']);
    const upserted = history.flatMap((e) =>
      Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
    );
    expect(upserted).toEqual(['TemporalChangeVersion']);
    // The attributes are there all the same (carried by the continue-as-new), and the status answers.
    expect(continued.typedSearchAttributes.get({ name: 'OnboardingStage', type: 'KEYWORD' })).toBe('awaiting-tos');
    expect(await statusOf(handle)).toMatchObject({ stage: 'awaiting-tos', customerDomain: domain });
    await handle.cancel();
  });
});

test('a validation answered by a worker older than 0.4 (no wait defaults in its result): the local activity still gives them', async () => {
  const domain = uniqueDomain('wf-lean-old-worker');
  const stubs = stubActivities({
    async validateOrder(input) {
      return { order: validateOrder(input), attempt: 1 }; // as release 0.3's activity answered
    },
  });
  await withStubWorker(env, stubs, async () => {
    const handle = await startOnboarding(env, domain, domainOrder(domain, { verifyDomain: false }));
    const parked = await stageReached(handle, 'awaiting-tos');
    expect(stubs.calls.map((c) => c.name)).toContain('waitDefaults');
    expect(localActivityMarkers(await events(handle))).toHaveLength(1);
    // The defaults it gave are the ones the wait uses (the stubs' 30-day deadline).
    const deadline = Date.parse(parked.waitingFor?.deadline ?? '') - Date.parse(parked.waitingFor?.since ?? '');
    expect(deadline).toBe(TEST_WAIT_DEFAULTS.deadlineMs);
    await handle.cancel();
  });
});
