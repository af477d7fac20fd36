/**
 * The onboarding's first activity: the order judged by the one validation (order/order.ts) with
 * this worker's policy. Its verdict — the normalized order, or `InvalidOrder` naming every field
 * and rule — is recorded in history, so a later, stricter rule never changes a running onboarding.
 * Here too the worker's floor for `waitPolicy.checkEvery` (MIN_CHECK_EVERY): periodic acceptance
 * checks cost Google quota, so an order may not ask for them more often than the worker allows.
 */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { parseDurationMs } from '../order/duration';
import { OrderValidationError, validateOrder, type Order } from '../order/order';
import { onboardingWorkflowId } from '../workflows/messages';
import type { ActivityDependencies } from './dependencies';

function describeMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${ms / 1000} second${ms === 1000 ? '' : 's'}`;
}

/** The worker's floor for the acceptance checks, as an order problem (the schema already checked the duration). */
function checkEveryFloor(order: Order, minCheckEveryMs: number | undefined): void {
  const checkEvery = order.waitPolicy?.checkEvery;
  if (!checkEvery || !minCheckEveryMs) return;
  const ms = parseDurationMs(checkEvery);
  if (ms !== undefined && ms < minCheckEveryMs) {
    throw new OrderValidationError([{ field: 'waitPolicy.checkEvery', rule: `must be at least ${describeMs(minCheckEveryMs)} (this worker's MIN_CHECK_EVERY): each check is a Google call` }]);
  }
}

export function validationActivities({ policy }: ActivityDependencies) {
  return {
    async validateOrder(input: unknown): Promise<{ order: Order; attempt: number }> {
      try {
        const order = validateOrder(input, policy);
        checkEveryFloor(order, policy.minCheckEveryMs);
        // One onboarding per domain, under its own id: the ownership proof (ownership.ts) relies on it.
        const expected = onboardingWorkflowId(order.customerDomain);
        if (activityInfo().workflowExecution?.workflowId !== expected) {
          throw ApplicationFailure.nonRetryable(`Invalid order: its onboarding must run as workflow id ${expected}`, 'InvalidOrder');
        }
        return { order, attempt: activityInfo().attempt };
      } catch (err) {
        if (err instanceof OrderValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidOrder');
        throw err;
      }
    },
  };
}
