/** Worker Versioning's settings (worker/config.ts): both or neither, checked before the worker starts, each error naming the variable. */
import { ConfigError } from '../../config/config-error';
import { loadWorkerConfig } from '../../worker/config';
import { deploymentOptions } from '../../worker/create-worker';

const local = (env: Record<string, string>) => loadWorkerConfig({ ONBOARDING_MODE: 'local', ...env });

test('unset: an unversioned worker', () => {
  expect(local({}).deployment).toBeUndefined();
});

test('both set: pinned by default, the options Temporal takes', () => {
  const { deployment } = local({ WORKER_DEPLOYMENT_NAME: 'onboarding', WORKER_BUILD_ID: '2026-12-03-4f2a9c1' });
  expect(deployment).toEqual({
    deploymentName: 'onboarding',
    buildId: '2026-12-03-4f2a9c1',
    defaultVersioningBehavior: 'PINNED',
  });
  expect(deploymentOptions(deployment as NonNullable<typeof deployment>)).toEqual({
    version: { deploymentName: 'onboarding', buildId: '2026-12-03-4f2a9c1' },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'PINNED',
  });
  expect(
    local({ WORKER_DEPLOYMENT_NAME: 'onboarding', WORKER_BUILD_ID: 'b1', WORKER_VERSIONING_BEHAVIOR: 'auto-upgrade' })
      .deployment?.defaultVersioningBehavior,
  ).toBe('AUTO_UPGRADE');
});

test('one without the other, or a bad value: a ConfigError naming the variable', () => {
  expect(() => local({ WORKER_DEPLOYMENT_NAME: 'onboarding' })).toThrow(ConfigError);
  expect(() => local({ WORKER_DEPLOYMENT_NAME: 'onboarding' })).toThrow(
    /^WORKER_BUILD_ID: must be set with WORKER_DEPLOYMENT_NAME/,
  );
  expect(() => local({ WORKER_BUILD_ID: 'b1' })).toThrow(/^WORKER_DEPLOYMENT_NAME: must be set with WORKER_BUILD_ID/);
  expect(() => local({ WORKER_DEPLOYMENT_NAME: 'onboarding', WORKER_BUILD_ID: 'a/b' })).toThrow(
    /WORKER_BUILD_ID: must be letters/,
  );
  expect(() =>
    local({ WORKER_DEPLOYMENT_NAME: 'x', WORKER_BUILD_ID: 'b', WORKER_VERSIONING_BEHAVIOR: 'sometimes' }),
  ).toThrow(/WORKER_VERSIONING_BEHAVIOR/);
});
