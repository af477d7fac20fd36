/** The client as the CLI and scripts build it: Temporal settings, encryption keys and order policy from the environment. */
import type { ConnectionOptions } from '@temporalio/client';
import { createDataConverter } from '../encryption/keys';
import { orderPolicyFromEnv } from '../order/policy-env';
import { OnboardingClient } from './onboarding-client';
import { temporalSettingsFromEnv } from './temporal-connection';

export async function connectFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const temporal = temporalSettingsFromEnv(env);
  return OnboardingClient.connect({
    connectionOptions: temporal.connectionOptions as ConnectionOptions,
    namespace: temporal.namespace,
    dataConverter: createDataConverter(env),
    policy: orderPolicyFromEnv(env),
  });
}
