/**
 * How the emulator's records look on the wire: the JSON shapes of Google's Reseller customer and
 * subscription, Directory customer and user resources. Pure functions of the model.
 */
import { createHash } from 'node:crypto';
import { type Customer, DAY_MS, isAnnual, type Subscription, type TransferToken, type User } from './model';
import type { Json } from './request-checks';

function etagOf(value: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 27)}"`;
}

/**
 * Reseller customers.get: the full record for this reseller's customers, a minimal one otherwise.
 * `full` forces the full record (the answer to this reseller's own registration of a customer).
 */
export function resellerCustomerView(c: Customer, options: { full?: boolean } = {}): Json {
  const { customerId, customerDomain, customerType } = c;
  const minimal = { kind: 'reseller#customer', customerId, customerDomain, customerType };
  // Customers of Google or of another reseller show only who they are.
  if (c.owner !== 'this-reseller' && !options.full) return minimal;
  return {
    ...minimal,
    alternateEmail: c.alternateEmail,
    postalAddress: { kind: 'customers#address', ...c.postalAddress },
    phoneNumber: c.phoneNumber,
    customerDomainVerified: c.domainVerified,
    resourceUiUrl: `https://admin.google.com/ac/home?customerId=${c.customerId}`,
    primaryAdmin: c.customerType === 'team' ? { primaryEmail: c.primaryAdminEmail } : undefined,
  };
}

export function subscriptionView(s: Subscription, customer: Customer | undefined, transferToken?: TransferToken): Json {
  const annual = isAnnual(s.planName);
  return {
    kind: 'reseller#subscription',
    customerId: s.customerId,
    customerDomain: customer?.customerDomain,
    subscriptionId: s.subscriptionId,
    skuId: s.skuId,
    skuName: s.skuName,
    plan: {
      // Google answers the plan ANNUAL_MONTHLY_PAY as ANNUAL.
      planName: s.planName === 'ANNUAL_MONTHLY_PAY' ? 'ANNUAL' : s.planName,
      isCommitmentPlan: annual,
      commitmentInterval: annual
        ? { startTime: String(s.creationTime), endTime: String(s.creationTime + 365 * DAY_MS) }
        : undefined,
    },
    seats: {
      kind: 'subscriptions#seats',
      [annual ? 'numberOfSeats' : 'maximumNumberOfSeats']: s.seats,
      licensedNumberOfSeats: s.licensedSeats,
    },
    renewalSettings: s.renewalType ? { kind: 'subscriptions#renewalSettings', renewalType: s.renewalType } : undefined,
    purchaseOrderId: s.purchaseOrderId,
    dealCode: s.dealCode,
    trialSettings: { isInTrial: s.planName === 'TRIAL' && !s.suspensionReasons.includes('TRIAL_ENDED') },
    creationTime: String(s.creationTime),
    billingMethod: 'ONLINE',
    status: s.status,
    suspensionReasons: s.suspensionReasons.length > 0 ? s.suspensionReasons : undefined,
    resourceUiUrl: `https://admin.google.com/ac/billing/subscriptions?customerId=${s.customerId}`,
    transferInfo: transferToken
      ? {
          minimumTransferableSeats: s.minimumTransferableSeats,
          transferabilityExpirationTime: String(transferToken.expiresAt),
        }
      : undefined,
  };
}

/** Directory customers.get: Google's admin#directory#customer resource. */
export function directoryCustomerView(c: Customer): Json {
  const view = {
    kind: 'admin#directory#customer',
    id: c.customerId,
    customerDomain: c.customerDomain,
    alternateEmail: c.alternateEmail,
    customerCreationTime: new Date(c.creationTime).toISOString(),
    language: c.language,
    phoneNumber: c.phoneNumber,
    postalAddress: {
      contactName: c.postalAddress.contactName,
      organizationName: c.postalAddress.organizationName,
      addressLine1: c.postalAddress.addressLine1,
      addressLine2: c.postalAddress.addressLine2,
      addressLine3: c.postalAddress.addressLine3,
      locality: c.postalAddress.locality,
      region: c.postalAddress.region,
      postalCode: c.postalAddress.postalCode,
      countryCode: c.postalAddress.countryCode,
    },
  };
  return { ...view, etag: etagOf(view) };
}

export function userView(u: User): Json {
  return {
    kind: 'admin#directory#user',
    id: u.id,
    primaryEmail: u.primaryEmail,
    name: { givenName: u.givenName, familyName: u.familyName, fullName: `${u.givenName} ${u.familyName}` },
    customerId: u.customerId,
    isAdmin: u.isAdmin,
    isDelegatedAdmin: false,
    agreedToTerms: u.agreedToTerms,
    changePasswordAtNextLogin: u.changePasswordAtNextLogin,
    suspended: false,
    orgUnitPath: '/',
    ...(u.externalIds.length ? { externalIds: u.externalIds } : {}),
    creationTime: new Date(u.creationTime).toISOString(),
  };
}
