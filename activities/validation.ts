/**
 * The onboarding's first activity: the order judged by the one validation (order/order.ts) with
 * this worker's policy. Its verdict — the normalized order, or `InvalidOrder` naming every field
 * and rule — is recorded in history, so a later, stricter rule never changes a running onboarding.
 * The policy includes the worker's floor for `waitPolicy.checkEvery` (MIN_CHECK_EVERY): periodic
 * acceptance checks cost Google quota, so an order may not ask for them more often than that.
 * Its result also carries this worker's wait defaults (release 0.4): recorded with the verdict, they
 * replace the `waitDefaults` local activity that used to follow (one marker event fewer per onboarding).
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { OrderValidationError, validateOrder, type Order } from '../order/order';
import { onboardingWorkflowId } from '../workflows/messages';
import type { ActivityDependencies, WaitDefaults } from './dependencies';

export function validationActivities({ policy, waits }: ActivityDependencies) {
  return {
    /** `encryptionRequired` (0.4): recorded, so the workflow knows deterministically whether keyless messages count. */
    async validateOrder(
      input: unknown,
    ): Promise<{ order: Order; attempt: number; waitDefaults?: WaitDefaults; encryptionRequired?: boolean }> {
      try {
        const order = validateOrder(input, policy);
        // One onboarding per domain, under its own id: the ownership proof (ownership.ts) relies on it.
        const expected = onboardingWorkflowId(order.customerDomain);
        if (activityInfo().workflowExecution?.workflowId !== expected) {
          throw ApplicationFailure.nonRetryable(
            `Invalid order: its onboarding must run as workflow id ${expected}`,
            'InvalidOrder',
          );
        }
        return {
          order,
          attempt: activityInfo().attempt,
          waitDefaults: waits,
          encryptionRequired: policy.requireEncryptedInput === true,
        };
      } catch (err) {
        if (err instanceof OrderValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidOrder');
        throw err;
      }
    },
  };
}
