/**
 * Every side effect of an onboarding. Each activity is safe to run twice: it checks whether its
 * effect already happened before acting, so a retry after a lost answer converges.
 */
import { adminUserActivities } from './admin-user';
import { customerActivities } from './customer';
import type { ActivityDependencies } from './dependencies';
import { noticeActivities } from './notices';

export type { ActivityDependencies } from './dependencies';

export function createActivities(deps: ActivityDependencies) {
  return {
    ...customerActivities(deps),
    ...adminUserActivities(deps),
    ...noticeActivities(deps),
  };
}

export type OnboardingActivities = ReturnType<typeof createActivities>;
