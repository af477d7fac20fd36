/**
 * Reseller customer steps: create the customer (or recognise one this onboarding created), set its
 * default language, and ask Google whether the customer accepted the terms.
 */
import { ApplicationFailure } from '@temporalio/common';
import { activityInfo } from '@temporalio/activity';
import type { admin_directory_v1 } from 'googleapis/build/src/apis/admin';
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import type { Order } from '../order/order';
import type { SubscriptionStatus } from '../workflows/messages';
import type { ActivityDependencies } from './dependencies';
import { callGoogle, googleFailure, isGoogleStatus } from './google-errors';
import { contactMatches, isMinimalRecord, ownershipVerdict, type OnboardingIdentity } from './ownership';
import { callGoogleAfterCreation, PROPAGATION_WINDOW_MS } from './propagation';
import { describeSubscription, listAllSubscriptions } from './subscriptions';

export type CustomerOutcome =
  /** Google created it now. */
  | { outcome: 'created'; customerId: string; createdAt: string; attempt: number }
  /** This onboarding created it in an earlier attempt or run (proven: see ownership.ts). */
  | { outcome: 'resumed'; customerId: string; createdAt: string; attempt: number }
  /** Already this reseller's customer, not created by this onboarding: never touched. */
  | { outcome: 'already-a-customer'; customerId: string; reason: string; attempt: number }
  /** Google or another reseller manages it: its subscriptions must be transferred. */
  | { outcome: 'managed-elsewhere'; customerId: string; attempt: number };

export interface CreateCustomerInput {
  order: Order;
  /** Absent for release 0.1's onboardings: they recorded nothing that could prove they created a customer. */
  onboarding?: OnboardingIdentity;
}

/** The customer body Google takes, from the order (also used to register a transferred customer). */
export function customerBody(order: Order): reseller_v1.Schema$Customer {
  return {
    customerDomain: order.customerDomain,
    customerType: order.customerType,
    alternateEmail: order.alternateEmail,
    postalAddress: order.postalAddress,
    phoneNumber: order.phoneNumber,
    primaryAdmin: order.primaryAdmin,
  };
}

export function customerActivities({ google, policy }: ActivityDependencies) {
  async function findCustomer(domain: string): Promise<reseller_v1.Schema$Customer | undefined> {
    try {
      return (await google.reseller.customers.get({ customerId: domain })).data;
    } catch (err) {
      if (isGoogleStatus(err, 404)) return undefined;
      throw googleFailure(`customers.get ${domain}`, err);
    }
  }

  async function directoryRecord(customerId: string): Promise<admin_directory_v1.Schema$Customer | undefined> {
    try {
      return (await google.directory.customers.get({ customerKey: customerId })).data;
    } catch (err) {
      if (isGoogleStatus(err, 403) || isGoogleStatus(err, 404)) return undefined; // no evidence: not adopted
      throw googleFailure(`directory customers.get ${customerId}`, err);
    }
  }

  /** An existing customer: someone else's (transfer), ours and created by this onboarding, or ours and not to be touched. */
  async function classify(record: reseller_v1.Schema$Customer, input: CreateCustomerInput): Promise<CustomerOutcome> {
    const customerId = record.customerId ?? '';
    const attempt = activityInfo().attempt;
    if (isMinimalRecord(record)) return { outcome: 'managed-elsewhere', customerId, attempt };
    if (!input.onboarding)
      return {
        outcome: 'already-a-customer',
        customerId,
        reason: 'a release 0.1 onboarding cannot prove it created it',
        attempt,
      };
    const onboarding = input.onboarding;
    const directory = await directoryRecord(customerId);
    // Right after our own insert, the Directory may not know the customer yet (propagation): ask again rather than refuse it.
    if (
      !directory &&
      contactMatches(input.order, record) &&
      Date.now() - Date.parse(onboarding.startedAt) < PROPAGATION_WINDOW_MS
    ) {
      throw ApplicationFailure.retryable(
        `directory customers.get ${customerId}: not visible yet`,
        'CustomerNotVisibleYet',
      );
    }
    const verdict = ownershipVerdict(input.order, record, directory, onboarding);
    if (!verdict.proven) return { outcome: 'already-a-customer', customerId, reason: verdict.reason, attempt };
    return {
      outcome: 'resumed',
      customerId,
      createdAt: directory?.customerCreationTime ?? onboarding.startedAt,
      attempt,
    };
  }

  function checkCountry(order: Order): void {
    const country = order.postalAddress.countryCode;
    if (policy.allowedCountries.length > 0 && !policy.allowedCountries.includes(country)) {
      throw ApplicationFailure.nonRetryable(
        `postalAddress.countryCode: must be a country this reseller sells to (${policy.allowedCountries.join(', ')})`,
        'InvalidOrder',
      );
    }
  }

  /** Get-before-insert, as Google advises: safe to run twice. A 409 on insert: `get` says who holds the domain. */
  async function createOrClassify(input: CreateCustomerInput): Promise<CustomerOutcome> {
    const { order } = input;
    checkCountry(order);
    const existing = await findCustomer(order.customerDomain);
    if (existing) return classify(existing, input);
    try {
      const created = await google.reseller.customers.insert({ requestBody: customerBody(order) });
      return {
        outcome: 'created',
        customerId: created.data.customerId ?? '',
        createdAt: new Date().toISOString(),
        attempt: activityInfo().attempt,
      };
    } catch (err) {
      if (!isGoogleStatus(err, 409)) throw googleFailure(`customers.insert ${order.customerDomain}`, err);
      const holder = await findCustomer(order.customerDomain);
      if (!holder)
        throw ApplicationFailure.retryable(
          `customers.insert ${order.customerDomain} answered 409 but the customer is not visible yet`,
          'CustomerNotVisibleYet',
        );
      return classify(holder, input);
    }
  }

  return {
    createResoldCustomer: createOrClassify,

    /**
     * Release 0.1's step, kept for its onboardings still running. It used to carry on with any
     * customer of this reseller; now an existing customer of ours fails the onboarding instead
     * (it cannot prove it created it: 0.1 recorded no start time), so nothing is touched.
     */
    async createCustomer(
      order: Order,
    ): Promise<{ outcome: 'created' | 'managed-elsewhere'; customerId: string; attempt: number }> {
      const outcome = await createOrClassify({ order });
      if (outcome.outcome === 'created' || outcome.outcome === 'managed-elsewhere') return outcome;
      throw ApplicationFailure.nonRetryable(
        `${order.customerDomain} already is a customer of this reseller; nothing was changed`,
        'AlreadyACustomer',
      );
    },

    /**
     * Has the customer accepted the terms? A domain customer's admin shows Directory `agreedToTerms`,
     * and no subscription may still be suspended for PENDING_TOS_ACCEPTANCE. A team customer has no
     * admin this onboarding knows: its subscriptions alone say it (none ordered: not detectable).
     */
    async checkTosAcceptance(input: {
      customerId: string;
      adminEmail?: string;
    }): Promise<{ accepted: boolean; subscriptions: SubscriptionStatus[] }> {
      if (input.adminEmail) {
        const adminEmail = input.adminEmail;
        const user = await callGoogle(`users.get ${adminEmail}`, () =>
          google.directory.users.get({ userKey: adminEmail }),
        );
        if (!user.agreedToTerms) return { accepted: false, subscriptions: [] };
      }
      const listed = await listAllSubscriptions(google, input.customerId).catch((err: unknown) => {
        throw googleFailure(`subscriptions.list ${input.customerId}`, err);
      });
      const subscriptions = listed.map(describeSubscription);
      const pending = subscriptions.some((s) => s.suspensionReasons?.includes('PENDING_TOS_ACCEPTANCE'));
      const observable = input.adminEmail !== undefined || subscriptions.length > 0;
      return { accepted: observable && !pending, subscriptions };
    },

    /** Must run before any user exists: the default language applies only to users created afterwards. */
    async setCustomerLanguage(input: {
      customerId: string;
      language: string;
      createdAt?: string;
    }): Promise<{ attempt: number }> {
      await callGoogleAfterCreation(`customers.patch ${input.customerId} language`, input.createdAt, () =>
        google.directory.customers.patch({ customerKey: input.customerId, requestBody: { language: input.language } }),
      );
      return { attempt: activityInfo().attempt };
    },
  };
}
