/**
 * Why this file exists: each periodic acceptance check is a Google call, so an order may not ask for
 * checks more often than the worker's MIN_CHECK_EVERY (5 minutes in production, 1 second in local
 * mode for the tests and the demo). The floor is enforced by the validation activity, whose verdict
 * is recorded; the worker's configuration sets it and refuses a TOS_CHECK_EVERY below it, and
 * carries Google's quotas to the pacer. Plain jest and Temporal's mock activity environment.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDependencies } from '../../activities/dependencies';
import { validationActivities } from '../../activities/validation';
import { loadWorkerConfig } from '../../worker/config';
import { domainOrder } from '../support/orders';

const DOMAIN = 'floor-test.example.com';

function validate(minCheckEveryMs: number | undefined, checkEvery: string | undefined): Promise<unknown> {
  const deps = {
    policy: { allowedCountries: [], ...(minCheckEveryMs ? { minCheckEveryMs } : {}) },
  } as unknown as ActivityDependencies;
  const env = new MockActivityEnvironment({ workflowExecution: { workflowId: `onboarding:${DOMAIN}`, runId: 'r1' } });
  const order = domainOrder(DOMAIN, checkEvery ? { waitPolicy: { checkEvery } } : {});
  return env.run(validationActivities(deps).validateOrder, order);
}

describe('waitPolicy.checkEvery floor (MIN_CHECK_EVERY)', () => {
  test('a shorter checkEvery is refused, naming the field and the rule', async () => {
    const caught = (await validate(5 * 60_000, '1 minute').catch((e: unknown) => e)) as {
      type?: string;
      nonRetryable?: boolean;
      message?: string;
    };
    expect(caught.type).toBe('InvalidOrder');
    expect(caught.nonRetryable).toBe(true);
    expect(caught.message).toBe(
      "Invalid order: waitPolicy.checkEvery: must be at least 5 minutes (this worker's MIN_CHECK_EVERY): each check is a Google call",
    );
  });

  test('at or above the floor, or no checkEvery at all, the order passes', async () => {
    await expect(validate(5 * 60_000, '5 minutes')).resolves.toMatchObject({ order: { customerDomain: DOMAIN } });
    await expect(validate(5 * 60_000, '2 hours')).resolves.toBeDefined();
    await expect(validate(5 * 60_000, undefined)).resolves.toBeDefined();
    await expect(validate(undefined, '1s')).resolves.toBeDefined();
  });

  test('seconds are named as seconds', async () => {
    await expect(validate(30_000, '10s')).rejects.toThrow('waitPolicy.checkEvery: must be at least 30 seconds');
  });
});

describe('worker configuration', () => {
  test('local mode: 1 second floor, Google quota defaults for the pacer', () => {
    const config = loadWorkerConfig({ ONBOARDING_MODE: 'local' });
    expect(config.minCheckEveryMs).toBe(1000);
    expect(config.google.pacing).toEqual({ directoryQueriesPerMinute: 2400, resellerQueriesPerMinute: 300, share: 1 });
  });

  test('settings are read, and a TOS_CHECK_EVERY below MIN_CHECK_EVERY stops the worker', () => {
    const config = loadWorkerConfig({
      ONBOARDING_MODE: 'local',
      MIN_CHECK_EVERY: '10 minutes',
      GOOGLE_DIRECTORY_QUERIES_PER_MINUTE: '600',
      GOOGLE_RESELLER_QUERIES_PER_MINUTE: '120',
      GOOGLE_QUOTA_SHARE: '0.5',
    });
    expect(config.minCheckEveryMs).toBe(600_000);
    expect(config.google.pacing).toEqual({ directoryQueriesPerMinute: 600, resellerQueriesPerMinute: 120, share: 0.5 });
    expect(() => loadWorkerConfig({ ONBOARDING_MODE: 'local', MIN_CHECK_EVERY: '2 hours' })).toThrow(
      'TOS_CHECK_EVERY: must be at least MIN_CHECK_EVERY',
    );
    expect(() => loadWorkerConfig({ ONBOARDING_MODE: 'local', GOOGLE_QUOTA_SHARE: '0' })).toThrow('GOOGLE_QUOTA_SHARE');
    expect(() => loadWorkerConfig({ ONBOARDING_MODE: 'local', GOOGLE_QUOTA_SHARE: '1.5' })).toThrow(
      'GOOGLE_QUOTA_SHARE',
    );
  });
});
