/** Reseller customer steps: create (or recognise) the customer, then set its default language. */
import { ApplicationFailure } from '@temporalio/common';
import { activityInfo } from '@temporalio/activity';
import type { reseller_v1 } from 'googleapis/build/src/apis/reseller';
import type { Order } from '../order/order';
import type { ActivityDependencies } from './dependencies';
import { callGoogle, googleFailure, isGoogleStatus } from './google-errors';

export type CustomerOutcome =
  /** Google created it now. */
  | { outcome: 'created'; customerId: string; attempt: number }
  /** It already was this reseller's customer (e.g. an earlier attempt whose answer was lost). */
  | { outcome: 'already-ours'; customerId: string; attempt: number }
  /** Google or another reseller manages it: its subscriptions must be transferred. */
  | { outcome: 'managed-elsewhere'; customerId: string; attempt: number };

/** Google answers a full record for its reseller's own customers, a minimal one (no alternateEmail) otherwise. */
function outcomeOf(record: reseller_v1.Schema$Customer): CustomerOutcome {
  const customerId = record.customerId ?? '';
  const attempt = activityInfo().attempt;
  return record.alternateEmail !== undefined && record.alternateEmail !== null
    ? { outcome: 'already-ours', customerId, attempt }
    : { outcome: 'managed-elsewhere', customerId, attempt };
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

  return {
    /**
     * Get-before-insert, as Google advises: safe to run twice. A 409 on insert means someone (maybe
     * our own earlier attempt) holds the domain: the record from `get` says who.
     */
    async createCustomer(order: Order): Promise<CustomerOutcome> {
      const domain = order.customerDomain;
      const country = order.postalAddress.countryCode;
      if (policy.allowedCountries.length > 0 && !policy.allowedCountries.includes(country)) {
        throw ApplicationFailure.nonRetryable(
          `postalAddress.countryCode: must be a country this reseller sells to (${policy.allowedCountries.join(', ')})`,
          'InvalidOrder',
        );
      }
      const existing = await findCustomer(domain);
      if (existing) return outcomeOf(existing);
      try {
        const created = await google.reseller.customers.insert({
          requestBody: {
            customerDomain: domain,
            customerType: order.customerType,
            alternateEmail: order.alternateEmail,
            postalAddress: order.postalAddress,
            phoneNumber: order.phoneNumber,
            primaryAdmin: order.primaryAdmin,
          },
        });
        return { outcome: 'created', customerId: created.data.customerId ?? '', attempt: activityInfo().attempt };
      } catch (err) {
        if (!isGoogleStatus(err, 409)) throw googleFailure(`customers.insert ${domain}`, err);
        const holder = await findCustomer(domain);
        if (!holder) throw ApplicationFailure.retryable(`customers.insert ${domain} answered 409 but the customer is not visible yet`, 'CustomerNotVisibleYet');
        return outcomeOf(holder);
      }
    },

    /**
     * Has the customer accepted the terms? Directory `agreedToTerms` on the admin is the direct signal;
     * once subscriptions exist, none may still be suspended for PENDING_TOS_ACCEPTANCE.
     */
    async checkTosAcceptance(input: { customerId: string; adminEmail: string }): Promise<{ accepted: boolean }> {
      const user = await callGoogle(`users.get ${input.adminEmail}`, () => google.directory.users.get({ userKey: input.adminEmail }));
      if (!user.agreedToTerms) return { accepted: false };
      const listed = await callGoogle(`subscriptions.list ${input.customerId}`, () =>
        google.reseller.subscriptions.list({ customerId: input.customerId }),
      );
      const pending = (listed.subscriptions ?? []).some((s) => s.suspensionReasons?.includes('PENDING_TOS_ACCEPTANCE'));
      return { accepted: !pending };
    },

    /** Must run before any user exists: the default language applies only to users created afterwards. */
    async setCustomerLanguage(input: { customerId: string; language: string }): Promise<{ attempt: number }> {
      await callGoogle(`customers.patch ${input.customerId} language`, () =>
        google.directory.customers.patch({ customerKey: input.customerId, requestBody: { language: input.language } }),
      );
      return { attempt: activityInfo().attempt };
    },
  };
}
