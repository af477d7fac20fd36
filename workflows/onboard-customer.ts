/**
 * The onboarding workflow: Google's documented order for a new reseller customer, as durable steps.
 *
 *   validate → create customer → set default language (before any user!) → create first user →
 *   make it super admin → tell the customer to sign in and accept the terms → wait for that.
 *
 * Deterministic code only: every side effect is an activity (../activities).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities';
import { customerContactEmail, OrderValidationError, validateOrder, type Order } from '../order/order';
import { statusQuery, tosAcceptedSignal, type OnboardingStatus, type TosAcceptance } from './messages';
import { Progress } from './progress';

/** Google advises waiting a few seconds, then slowing down, and giving up after 5–7 tries. */
const GOOGLE_CALL: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
};
const activities = proxyActivities<OnboardingActivities>(GOOGLE_CALL);

/** Runs an activity with a one-line summary the Web UI shows on its event. */
function run<K extends keyof OnboardingActivities>(
  name: K,
  summary: string,
  ...args: Parameters<OnboardingActivities[K]>
): ReturnType<OnboardingActivities[K]> {
  const activity = activities[name] as unknown as {
    executeWithOptions(options: ActivityOptions, args: unknown[]): ReturnType<OnboardingActivities[K]>;
  };
  return activity.executeWithOptions({ ...GOOGLE_CALL, summary }, args);
}

function domainOf(input: unknown): string {
  const domain = (input as { customerDomain?: unknown } | null)?.customerDomain;
  return typeof domain === 'string' && domain ? domain.toLowerCase() : '(unknown)';
}

export async function onboardCustomer(input: unknown): Promise<OnboardingStatus> {
  const progress = new Progress(domainOf(input));
  setHandler(statusQuery, () => progress.snapshot());

  // Registered before anything else, so an acceptance reported early (or twice) is kept, once.
  let tosAccepted: (TosAcceptance & { at: string }) | undefined;
  setHandler(tosAcceptedSignal, (acceptance) => {
    tosAccepted ??= { ...acceptance, at: new Date().toISOString() };
  });

  try {
    let order: Order;
    try {
      order = validateOrder(input);
    } catch (err) {
      if (err instanceof OrderValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidOrder');
      throw err;
    }
    const domain = order.customerDomain;

    progress.enter('creating-customer', `Creating the Google Workspace customer for ${domain}.`);
    const customer = await progress.step(
      'create-customer',
      () => run('createCustomer', `create customer ${domain}`, order),
      (r) => r.outcome,
    );
    progress.update({ customerId: customer.customerId });
    if (customer.outcome === 'managed-elsewhere') {
      throw ApplicationFailure.nonRetryable('customer already exists: transfer required', 'CustomerExistsElsewhere');
    }

    progress.enter('setting-language', `Setting the default language to \`${order.language}\` before any user exists.`);
    await progress.step('set-language', () =>
      run('setCustomerLanguage', `set default language ${order.language}`, { customerId: customer.customerId, language: order.language }),
    );

    progress.enter('creating-admin', `Creating the first user ${order.admin.primaryEmail}.`);
    const user = await progress.step(
      'create-admin',
      () => run('createAdminUser', `create user ${order.admin.primaryEmail}`, { customerId: customer.customerId, admin: order.admin }),
      (r) => r.outcome,
    );
    progress.update({ adminEmail: user.primaryEmail });

    progress.enter('granting-admin', `Making ${user.primaryEmail} super admin.`);
    await progress.step(
      'grant-admin',
      () => run('grantSuperAdmin', `make ${user.primaryEmail} super admin`, { userKey: user.primaryEmail }),
      (r) => r.outcome,
    );

    const contact = customerContactEmail(order);
    progress.enter('notifying', `E-mailing ${contact} how to sign in and accept the terms.`);
    await progress.step('send-sign-in-notice', () =>
      run('sendSignInNotice', `e-mail sign-in notice to ${contact}`, {
        customerDomain: domain,
        customerId: customer.customerId,
        to: contact,
        adminEmail: user.primaryEmail,
        issueTemporaryPassword: order.admin.password === undefined,
      }),
    );

    const since = new Date().toISOString();
    progress.update({ waitingFor: { what: 'tos-acceptance', since } });
    progress.enter(
      'awaiting-tos',
      `Waiting for the customer to sign in at admin.google.com and accept the terms (notice sent to ${contact}). ` +
        'Only the customer can accept; report it with the `tosAccepted` signal.',
    );
    await condition(() => tosAccepted !== undefined);
    const acceptance = tosAccepted as TosAcceptance & { at: string };
    progress.update({
      waitingFor: undefined,
      tosAccepted: { at: acceptance.at, via: 'signal', ...(acceptance.reportedBy ? { reportedBy: acceptance.reportedBy } : {}) },
    });
    progress.enter('completed', `Onboarded: customer ${customer.customerId}, super admin ${user.primaryEmail}, terms accepted.`);
    return progress.snapshot();
  } catch (err) {
    // A bug in this code is not the order's failure: let it fail the workflow task, fixable by a deploy.
    if (!(err instanceof ActivityFailure || err instanceof ApplicationFailure)) throw err;
    const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
    const failure = { type: (cause instanceof ApplicationFailure && cause.type) || 'Error', message: cause.message };
    progress.update({ failure, waitingFor: undefined });
    progress.enter('failed', `Failed: ${failure.message}`);
    throw ApplicationFailure.nonRetryable(failure.message, failure.type);
  }
}
