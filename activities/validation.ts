/**
 * The onboarding's first activity: the order judged by the one validation (order/order.ts) with
 * this worker's policy. Its verdict — the normalized order, or `InvalidOrder` naming every field
 * and rule — is recorded in history, so a later, stricter rule never changes a running onboarding.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { OrderValidationError, validateOrder, type Order } from '../order/order';
import type { ActivityDependencies } from './dependencies';

export function validationActivities({ policy }: ActivityDependencies) {
  return {
    async validateOrder(input: unknown): Promise<{ order: Order; attempt: number }> {
      try {
        return { order: validateOrder(input, policy), attempt: activityInfo().attempt };
      } catch (err) {
        if (err instanceof OrderValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidOrder');
        throw err;
      }
    },
  };
}
