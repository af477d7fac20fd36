/**
 * Every side effect of an onboarding, and of the reconciliation that finds what ended onboardings
 * left behind. Each activity is safe to run twice: it checks whether its effect already happened
 * before acting, so a retry after a lost answer converges.
 */
import { adminUserActivities } from './admin-user';
import { customerActivities } from './customer';
import type { ActivityDependencies, WaitDefaults } from './dependencies';
import { domainVerificationActivities } from './domain-verification';
import { noticeActivities } from './notices';
import { reconciliationActivities } from './reconciliation';
import { subscriptionEndingActivities } from './subscription-endings';
import { subscriptionActivities } from './subscriptions';
import { transferActivities } from './transfer';
import { validationActivities } from './validation';

export type { ActivityDependencies, WaitDefaults } from './dependencies';

/** Every activity the worker registers: the onboarding's and the reconciliation's. */
export function createActivities(deps: ActivityDependencies) {
  return { ...onboardingActivities(deps), ...reconciliationActivities(deps) };
}

function onboardingActivities(deps: ActivityDependencies) {
  return {
    ...validationActivities(deps),
    ...customerActivities(deps),
    ...adminUserActivities(deps),
    ...subscriptionActivities(deps),
    ...subscriptionEndingActivities(deps),
    ...domainVerificationActivities(deps),
    ...noticeActivities(deps),
    ...transferActivities(deps),
    /** Local activity at the start of a run: the worker's configured wait defaults, recorded in history. */
    async waitDefaults(): Promise<WaitDefaults> {
      return deps.waits;
    },
  };
}

/** The onboarding workflow's activities (what its stubs in tests implement). */
export type OnboardingActivities = ReturnType<typeof onboardingActivities>;
export type { ReconciliationActivities } from './reconciliation';
