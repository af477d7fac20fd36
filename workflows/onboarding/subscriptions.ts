/**
 * What was sold, ordered right after the admin exists (Google's codelab order), one activity per
 * subscription so that each is retried, shown and compensated on its own. Until the customer
 * accepts the terms Google keeps them SUSPENDED (PENDING_TOS_ACCEPTANCE).
 *
 * Undoing (release 0.4 on): "Billing starts immediately after you add a subscription, whether or not
 * the customers has signed the TOS", so a failure or cancel before the customer accepted the terms
 * ends every subscription ordered, by Google's route (`transfer_to_direct`, all of them in one batch
 * request), registered before the first order so that it runs before the administrator is removed
 * (saga order: last registered, first run). Before 0.4, Workspace editions were only reported as
 * "cannot be undone" and other SKUs cancelled one by one; runs started then keep that.
 */
import { CancellationScope } from '@temporalio/workflow';
import { isWorkspaceSku } from '../../order/basics';
import { run } from '../activity-stubs';
import type { SubscriptionStatus } from '../messages';
import type { Validated } from './state';

export async function orderSubscriptions(ob: Validated, customerId: string): Promise<void> {
  const sold = ob.validation.order.subscriptions;
  if (sold.length === 0) return;
  ob.progress.enter(
    'ordering-subscriptions',
    `Ordering ${sold.map((s) => `${s.skuId} (${s.plan}, ${s.seats} seats)`).join(', ')}.`,
  );
  if (ob.behaviour.subscriptionsEndedBeforeAdmin) {
    const skuIds = sold.map((s) => s.skuId);
    ob.saga.add({
      description: `end subscription(s) ${skuIds.join(', ')} of ${ob.validation.domain} (transfer_to_direct)`,
      activity: 'endSubscriptions',
      input: {
        customerId,
        customerDomain: ob.validation.domain,
        customerType: ob.validation.order.customerType,
        skuIds,
        onboardingKey: ob.identity.key,
      },
    });
  }
  const ordered: SubscriptionStatus[] = [];
  for (const subscription of sold) {
    // Registered before the step, which a cancel does not interrupt (it waits for it): an order
    // Google took is never left out of the report. cancelSubscription answers already-gone otherwise.
    const what = `subscription ${subscription.skuId} of ${ob.validation.domain}`;
    if (ob.behaviour.subscriptionsEndedBeforeAdmin) {
      // Ended together by the compensation registered above.
    } else if (isWorkspaceSku(subscription.skuId)) {
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
        () =>
          run('orderSubscription', `order ${subscription.skuId} for ${ob.validation.domain}`, {
            customerId,
            subscription,
          }),
        (r) => r.outcome ?? 'done',
      ),
    );
    ordered.push(result);
    ob.progress.update({ subscriptions: [...ordered] });
  }
}
