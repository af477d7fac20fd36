/**
 * Why this file exists: the workflow tests in test/workflow/ run the real workflow bundle against
 * hand-written activities instead of Google and SMTP, so that each branch (refusals, transfers,
 * failures, expiry) can be provoked in milliseconds. Every activity here answers like the real one
 * would on success and records its call; a test overrides the few it wants to behave otherwise.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { OnboardingActivities, WaitDefaults } from '../../activities';
import { OrderValidationError, validateOrder } from '../../order/order';

export type ActivityName = keyof OnboardingActivities;

export interface ActivityCall<K extends ActivityName = ActivityName> {
  name: K;
  input: Parameters<OnboardingActivities[K]>[0];
}

export type StubOverrides = { [K in ActivityName]?: OnboardingActivities[K] };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Long enough that nothing but the test's own clock moves a wait. */
export const TEST_WAIT_DEFAULTS: WaitDefaults = {
  tosCheckEveryMs: 100 * DAY,
  remindersMs: [3 * DAY, 7 * DAY],
  deadlineMs: 30 * DAY,
};

const customerIdOf = (domain: string) => `C-${domain}`;

function successfulActivities(waits: WaitDefaults): OnboardingActivities {
  return {
    async validateOrder(input) {
      try {
        return { order: validateOrder(input), attempt: 1, waitDefaults: waits, encryptionRequired: false };
      } catch (err) {
        if (err instanceof OrderValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidOrder');
        throw err;
      }
    },
    async createResoldCustomer({ order }) {
      return {
        outcome: 'created',
        customerId: customerIdOf(order.customerDomain),
        createdAt: new Date().toISOString(),
        attempt: 1,
      };
    },
    async createCustomer(order) {
      return { outcome: 'created', customerId: customerIdOf(order.customerDomain), attempt: 1 };
    },
    async checkTosAcceptance() {
      return { accepted: false, subscriptions: [] };
    },
    async setCustomerLanguage() {
      return { attempt: 1 };
    },
    async createAdminUser({ admin }) {
      return {
        userId: `U-${admin.primaryEmail}`,
        primaryEmail: admin.primaryEmail,
        outcome: 'created',
        createdAt: new Date().toISOString(),
        attempt: 1,
      };
    },
    async grantSuperAdmin() {
      return { outcome: 'granted', attempt: 1 };
    },
    async revokeSuperAdmin() {
      return { outcome: 'revoked' };
    },
    async deleteUser() {
      return { outcome: 'deleted' };
    },
    async orderSubscription({ subscription }) {
      return {
        skuId: subscription.skuId,
        plan: subscription.plan,
        seats: subscription.seats,
        subscriptionId: `S-${subscription.skuId}`,
        status: 'SUSPENDED',
        suspensionReasons: ['PENDING_TOS_ACCEPTANCE'],
        outcome: 'ordered',
        attempt: 1,
      };
    },
    async cancelSubscription() {
      return { outcome: 'cancelled' };
    },
    async endSubscriptions({ skuIds }) {
      return { outcome: 'ended', ended: skuIds };
    },
    // Google already shows the domain verified: nothing for the customer to publish.
    async prepareDomainVerification() {
      return { verified: true, attempt: 1 };
    },
    async tryDomainVerification() {
      return { verified: true };
    },
    async sendSignInNotice({ customerDomain }) {
      return { messageId: `<sign-in@${customerDomain}>`, attempt: 1 };
    },
    async sendTransferTokenRequest({ customerDomain }) {
      return { messageId: `<token-request@${customerDomain}>`, attempt: 1 };
    },
    async sendTransferTermsNotice({ customerDomain }) {
      return { messageId: `<transfer-terms@${customerDomain}>`, attempt: 1 };
    },
    async sendReminder({ customerDomain, reminderNumber }) {
      return { messageId: `<reminder-${reminderNumber}@${customerDomain}>`, attempt: 1 };
    },
    async notifySales({ customerDomain }) {
      return { messageId: `<sales@${customerDomain}>`, attempt: 1, to: 'sales-notify-email' };
    },
    async registerTransferredCustomer() {
      return { outcome: 'registered', attempt: 1 };
    },
    async transferSubscriptions() {
      return { transferred: [], attempt: 1 };
    },
    async waitDefaults() {
      return waits;
    },
  };
}

export interface StubActivities {
  /** What the Worker registers. */
  activities: OnboardingActivities;
  /** Every call, in the order the activities were entered. */
  calls: ActivityCall[];
  /** The names called, in order, leaving out the `waitDefaults` local activity. */
  names(): ActivityName[];
  /** The inputs of every call of one activity, in order. */
  inputs<K extends ActivityName>(name: K): ActivityCall<K>['input'][];
}

/** Activities that succeed like Google on a good day, except those overridden; every call is recorded. */
export function stubActivities(
  overrides: StubOverrides = {},
  waits: WaitDefaults = TEST_WAIT_DEFAULTS,
): StubActivities {
  const calls: ActivityCall[] = [];
  const chosen: Record<string, unknown> = { ...successfulActivities(waits) };
  for (const [name, override] of Object.entries(overrides)) if (override !== undefined) chosen[name] = override;
  const recorded: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [name, implementation] of Object.entries(chosen)) {
    const run = implementation as (input: unknown) => Promise<unknown>;
    recorded[name] = async (input: unknown) => {
      calls.push({ name: name as ActivityName, input });
      return run(input);
    };
  }
  return {
    activities: recorded as unknown as OnboardingActivities,
    calls,
    names: () => calls.map((c) => c.name).filter((name) => name !== 'waitDefaults'),
    inputs: <K extends ActivityName>(name: K) =>
      calls.filter((c): c is ActivityCall<K> => c.name === name).map((c) => c.input),
  };
}

/** A domain Google does not show verified yet, whose TXT record is never found (other activities as on a good day). */
export function unverifiedDomainStubs(): StubActivities {
  return stubActivities({
    async prepareDomainVerification({ domain }) {
      return {
        verified: false,
        record: { host: domain, type: 'TXT', value: 'google-site-verification=stub-token' },
        attempt: 1,
      };
    },
    async tryDomainVerification() {
      return { verified: false };
    },
  });
}

/** What Google's refusal looks like to the workflow: a non-retryable failure of a given type. */
export function refusal(message: string, type: string): never {
  throw ApplicationFailure.nonRetryable(message, type);
}
