/**
 * Every side effect of an onboarding. Each activity is safe to run twice: it checks whether its
 * effect already happened before acting, so a retry after a lost answer converges.
 */
import { adminUserActivities } from './admin-user';
import { customerActivities } from './customer';
import type { ActivityDependencies, WaitDefaults } from './dependencies';
import { noticeActivities } from './notices';
import { subscriptionActivities } from './subscriptions';
import { transferActivities } from './transfer';
import { validationActivities } from './validation';

export type { ActivityDependencies, WaitDefaults } from './dependencies';

export function createActivities(deps: ActivityDependencies) {
  return {
    ...validationActivities(deps),
    ...customerActivities(deps),
    ...adminUserActivities(deps),
    ...subscriptionActivities(deps),
    ...noticeActivities(deps),
    ...transferActivities(deps),
    /** Local activity at the start of a run: the worker's configured wait defaults, recorded in history. */
    async waitDefaults(): Promise<WaitDefaults> {
      return deps.waits;
    },
  };
}

export type OnboardingActivities = ReturnType<typeof createActivities>;
