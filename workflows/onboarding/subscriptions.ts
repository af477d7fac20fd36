/**
 * What was sold, ordered right after the admin exists (Google's codelab order), one activity per
 * subscription so that each is retried, shown and compensated on its own. Until the customer
 * accepts the terms Google keeps them SUSPENDED (PENDING_TOS_ACCEPTANCE).
 *
 * Undoing: Google Workspace editions cannot be cancelled through the API (`deletionType: cancel`
 * does not apply to them; `transfer_to_direct` would hand the customer to Google), so a failure or
 * cancel reports them as "cannot be undone" for a person to settle; other SKUs are cancelled.
 */
import { CancellationScope } from '@temporalio/workflow';
import { isWorkspaceSku } from '../../order/basics';
import { run } from '../activity-stubs';
import type { SubscriptionStatus } from '../messages';
import type { Onboarding } from './state';

export async function orderSubscriptions(ob: Onboarding, customerId: string): Promise<void> {
  const sold = ob.validOrder.subscriptions;
  if (sold.length === 0) return;
  ob.progress.enter(
    'ordering-subscriptions',
    `Ordering ${sold.map((s) => `${s.skuId} (${s.plan}, ${s.seats} seats)`).join(', ')}.`,
  );
  const ordered: SubscriptionStatus[] = [];
  for (const subscription of sold) {
    // Registered before the step, which a cancel does not interrupt (it waits for it): an order
    // Google took is never left out of the report. cancelSubscription answers already-gone otherwise.
    const what = `subscription ${subscription.skuId} of ${ob.domain}`;
    if (isWorkspaceSku(subscription.skuId)) {
      ob.saga.cannotUndo(
        `${what}: Google Workspace subscriptions cannot be cancelled through the API (cancel it in the Partner Sales Console if it must go)`,
      );
    } else {
      ob.saga.add({
        description: `cancel ${what}`,
        activity: 'cancelSubscription',
        input: { customerId, skuId: subscription.skuId },
      });
    }
    const { attempt: _attempt, ...result } = await CancellationScope.nonCancellable(() =>
      ob.progress.step(
        `order-subscription ${subscription.skuId}`,
        () => run('orderSubscription', `order ${subscription.skuId} for ${ob.domain}`, { customerId, subscription }),
        (r) => r.outcome ?? 'done',
      ),
    );
    ordered.push(result);
    ob.progress.update({ subscriptions: [...ordered] });
  }
}
