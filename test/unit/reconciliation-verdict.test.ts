/**
 * The reconciliation's rules that need no server: which ended onboardings are ruled out from what
 * they recorded before Google is asked, and the worker's settings (named errors, never values).
 */
import { reconciliationSettingsFromEnv } from '../../activities/reconciliation-settings';
import { notALeftoverBecause } from '../../activities/reconciliation-verdict';
import { ConfigError } from '../../config/config-error';
import type { OnboardingStatus } from '../../workflows/messages';

const status = (fields: Partial<OnboardingStatus>): OnboardingStatus => ({
  stage: 'awaiting-tos',
  customerDomain: 'a.example',
  customerType: 'domain',
  adminEmail: 'admin@a.example',
  steps: [],
  ...fields,
});
const compensation = (undone: string[], failed: string[] = []) => ({ undone, failed, cannotUndo: [] });

test('terminated or timed out at a stage after the admin was created: Google is asked', () => {
  for (const stage of [
    'creating-admin',
    'granting-admin',
    'notifying',
    'awaiting-tos',
    'failed',
    'cancelled',
  ] as const) {
    expect(notALeftoverBecause('TERMINATED', status({ stage }))).toBeUndefined();
    expect(notALeftoverBecause('TIMED_OUT', status({ stage }))).toBeUndefined();
  }
  expect(notALeftoverBecause('TERMINATED', undefined)).toBeUndefined(); // release 0.1: no memo
});

test('ruled out: before any user, transfer branch, team customer, terms accepted, expired', () => {
  expect(notALeftoverBecause('TERMINATED', status({ stage: 'setting-language' }))).toContain('no user was created');
  expect(notALeftoverBecause('TERMINATED', status({ stage: 'awaiting-transfer-token' }))).toContain(
    'no user was created',
  );
  expect(notALeftoverBecause('TERMINATED', status({ customerType: 'team' }))).toContain('team customer');
  expect(
    notALeftoverBecause('TERMINATED', status({ tosAccepted: { at: '2026-01-01T00:00:00Z', via: 'signal' } })),
  ).toContain('accepted the terms');
  expect(notALeftoverBecause('FAILED', status({ stage: 'expired' }))).toContain('expired');
  expect(notALeftoverBecause('FAILED', undefined, 'OnboardingExpired')).toContain('expired');
});

test('a 0.4 summary written at `validating` does not prove that no user was created (published at rest only)', () => {
  expect(notALeftoverBecause('TERMINATED', status({ stage: 'validating' }))).toContain('no user was created');
  expect(notALeftoverBecause('TERMINATED', status({ stage: 'validating', summary: true }))).toBeUndefined();
});

test('an admin kept on purpose while subscriptions still bill is not a leftover to remove', () => {
  const kept = status({
    stage: 'failed',
    compensation: {
      undone: [],
      failed: ['end subscription(s) 1010020028: 412'],
      cannotUndo: ['delete user admin@a.example: not done'],
      stillBilling: ['subscription 1010020028 of a.example'],
      results: [
        { kind: 'endSubscriptions', result: 'failed', line: 'end subscription(s) 1010020028: 412' },
        { kind: 'deleteUser', result: 'kept', line: 'delete user admin@a.example: not done' },
      ],
    },
  });
  expect(notALeftoverBecause('FAILED', kept)).toContain('kept on purpose');
});

test("failed or cancelled: reported only when the user's deletion did not happen", () => {
  const deleted = status({
    stage: 'cancelled',
    compensation: compensation(['revoke super admin of admin@a.example', 'delete user admin@a.example']),
  });
  expect(notALeftoverBecause('CANCELLED', deleted)).toContain('its compensation finished');
  const gone = status({ stage: 'failed', compensation: compensation(['delete user admin@a.example (already-gone)']) });
  expect(notALeftoverBecause('FAILED', gone)).toContain('its compensation finished');
  const none = status({ stage: 'failed', compensation: compensation([]) });
  expect(notALeftoverBecause('FAILED', none)).toContain('no user to delete');
  const stuck = status({
    stage: 'failed',
    compensation: compensation([], ['delete user admin@a.example: 403 forbidden']),
  });
  expect(notALeftoverBecause('FAILED', stuck)).toBeUndefined();
  expect(notALeftoverBecause('CANCELLED', status({ stage: 'cancelled' }))).toBeUndefined(); // no report recorded
});

test('0.4 reports compensations by kind: the verdict reads the kind, never the words of the line', () => {
  // Worded so that no line starts with "delete user ": only the kind says it is the user's deletion.
  const byKind = (result: 'undone' | 'failed') =>
    status({
      stage: 'cancelled',
      compensation: {
        ...compensation(result === 'undone' ? ['remove the first user admin@a.example'] : [], []),
        ...(result === 'failed' ? { failed: ['remove the first user admin@a.example: 403 forbidden'] } : {}),
        results: [
          { kind: 'revokeSuperAdmin', result: 'undone', line: 'delete user (not really) admin@a.example' },
          { kind: 'deleteUser', result, line: 'remove the first user admin@a.example' },
        ],
      },
    });
  expect(notALeftoverBecause('CANCELLED', byKind('undone'))).toBe(
    'its compensation finished: remove the first user admin@a.example',
  );
  expect(notALeftoverBecause('CANCELLED', byKind('failed'))).toBeUndefined();
  const noUser = status({
    stage: 'cancelled',
    compensation: {
      ...compensation(['delete user admin@a.example']),
      results: [{ kind: 'cancelSubscription', result: 'undone', line: 'delete user admin@a.example' }],
    },
  });
  expect(notALeftoverBecause('CANCELLED', noUser)).toBe('its compensation had no user to delete');
});

test('worker settings: report only and 8 days by default; bad values named without echoing them', () => {
  expect(reconciliationSettingsFromEnv({})).toEqual({ removeUsers: false, lookbackMs: 8 * 86_400_000 });
  expect(reconciliationSettingsFromEnv({ RECONCILE_REMOVE_USERS: 'true', RECONCILE_LOOKBACK: '36h' })).toEqual({
    removeUsers: true,
    lookbackMs: 36 * 3_600_000,
  });
  expect(() => reconciliationSettingsFromEnv({ RECONCILE_REMOVE_USERS: 'yes-secret' })).toThrow(ConfigError);
  expect(() => reconciliationSettingsFromEnv({ RECONCILE_REMOVE_USERS: 'yes-secret' })).toThrow(
    /RECONCILE_REMOVE_USERS: must be true or false/,
  );
  expect(() => reconciliationSettingsFromEnv({ RECONCILE_LOOKBACK: '1000 days' })).toThrow(
    /RECONCILE_LOOKBACK: must be between/,
  );
  const thrown = (() => {
    try {
      reconciliationSettingsFromEnv({ RECONCILE_LOOKBACK: 'soon-secret' });
      return undefined;
    } catch (err) {
      return err as Error;
    }
  })();
  expect(thrown?.message).toMatch(/^RECONCILE_LOOKBACK: must be a duration/);
  expect(thrown?.message).not.toContain('soon-secret');
});
