/**
 * POST /_emulator/seed: puts customers (this reseller's, Google's, another reseller's), their
 * subscriptions, users and transfer tokens straight into the store, so tests can start from any
 * situation the onboarding may meet. A rejected seed adds nothing.
 */
import type { SeedCustomer } from './control-schema';
import { invalid } from './errors';
import { type Customer, DAY_MS, SKU_NAMES, type Subscription, type User } from './model';
import { emailDomain } from './request-checks';
import type { Store } from './store';

// Google's help pages give transfer tokens 14 days; seeds may set their own expiry.
const TRANSFER_TOKEN_LIFETIME_MS = 14 * DAY_MS;

export interface SeedResult {
  customers: Array<{
    customerId: string;
    customerDomain: string;
    owner: Customer['owner'];
    subscriptions: Array<{ subscriptionId: string; skuId: string }>;
    users: Array<{ id: string; primaryEmail: string }>;
  }>;
}

function time(value: number | string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? value : Date.parse(value);
}

function checkSeed(store: Store, customers: SeedCustomer[]): void {
  const domains = new Set<string>();
  for (const c of customers) {
    if (store.findCustomer(c.customerDomain) || domains.has(c.customerDomain)) {
      throw invalid(`Seed: customer ${c.customerDomain} already exists.`);
    }
    if (c.customerId !== undefined && store.customers.has(c.customerId)) {
      throw invalid(`Seed: customer id ${c.customerId} already exists.`);
    }
    if (
      c.owner === 'this-reseller' &&
      (c.registeredWithThisReseller || c.subscriptions.some((s) => s.movedToThisReseller))
    ) {
      throw invalid(
        `Seed: ${c.customerDomain} is this reseller's already: registeredWithThisReseller and movedToThisReseller describe customers elsewhere.`,
      );
    }
    if (c.customerType === 'team' && c.primaryAdminEmail === undefined && c.owner === 'this-reseller') {
      throw invalid(`Seed: team customer ${c.customerDomain} needs a primaryAdminEmail.`);
    }
    domains.add(c.customerDomain);
    for (const u of c.users) {
      if (emailDomain(u.primaryEmail) !== c.customerDomain) {
        throw invalid(`Seed: user ${u.primaryEmail} is not on ${c.customerDomain}.`);
      }
      if (store.findUser(u.primaryEmail)) throw invalid(`Seed: user ${u.primaryEmail} already exists.`);
    }
  }
}

function seedCustomerRecord(store: Store, c: SeedCustomer, now: number): Customer {
  return {
    customerId: c.customerId ?? store.newCustomerId(),
    customerDomain: c.customerDomain,
    customerType: c.customerType,
    owner: c.owner,
    // A domain customer's full record always has an alternate email; a team customer's may not.
    alternateEmail:
      c.alternateEmail ?? (c.customerType === 'domain' ? `contact@${c.customerDomain}.example.net` : undefined),
    postalAddress: c.postalAddress ?? {
      contactName: 'Seeded Contact',
      organizationName: c.customerDomain,
      postalCode: '94043',
      countryCode: 'US',
    },
    phoneNumber: c.phoneNumber,
    primaryAdminEmail: c.primaryAdminEmail,
    language: c.language,
    tosAccepted: c.tosAccepted,
    domainVerified: c.domainVerified,
    transferTokens: c.transferTokens.map((t) => ({
      token: t.token,
      forReseller: t.forReseller,
      expiresAt: time(t.expiresAt, now + TRANSFER_TOKEN_LIFETIME_MS),
    })),
    creationTime: time(c.creationTime, now),
    registeredWithThisReseller: c.owner === 'this-reseller' || c.registeredWithThisReseller,
    propagationCallsLeft: 0,
  };
}

function seedSubscription(
  store: Store,
  customer: Customer,
  s: SeedCustomer['subscriptions'][number],
  now: number,
): Subscription {
  const minimum = s.minimumTransferableSeats ?? s.seats;
  return {
    subscriptionId: store.newSubscriptionId(),
    customerId: customer.customerId,
    skuId: s.skuId,
    skuName: s.skuName ?? SKU_NAMES[s.skuId] ?? s.skuId,
    planName: s.planName,
    seats: s.seats,
    licensedSeats: minimum,
    minimumTransferableSeats: minimum,
    owner: s.movedToThisReseller ? 'this-reseller' : customer.owner,
    status: s.status,
    suspensionReasons: s.suspensionReasons ?? (s.status === 'SUSPENDED' ? ['OTHER'] : []),
    creationTime: time(s.creationTime, now),
  };
}

function seedUser(store: Store, customer: Customer, u: SeedCustomer['users'][number], now: number): User {
  return {
    id: store.newUserId(),
    primaryEmail: u.primaryEmail,
    givenName: u.givenName,
    familyName: u.familyName,
    customerId: customer.customerId,
    isAdmin: u.isAdmin,
    agreedToTerms: u.agreedToTerms,
    changePasswordAtNextLogin: false,
    passwordSet: true,
    passwordChanges: 0,
    externalIds: [],
    languageAtCreation: customer.language,
    makeAdminCalls: 0,
    creationTime: now,
  };
}

export function seedCustomers(store: Store, customers: SeedCustomer[]): SeedResult {
  checkSeed(store, customers);
  const now = store.now();
  return {
    customers: customers.map((c) => {
      const customer = seedCustomerRecord(store, c, now);
      store.customers.set(customer.customerId, customer);
      const subscriptions = c.subscriptions.map((s) => {
        const subscription = seedSubscription(store, customer, s, now);
        store.subscriptions.set(subscription.subscriptionId, subscription);
        return { subscriptionId: subscription.subscriptionId, skuId: subscription.skuId };
      });
      const users = c.users.map((u) => {
        const user = seedUser(store, customer, u, now);
        store.users.set(user.id, user);
        return { id: user.id, primaryEmail: user.primaryEmail };
      });
      store.settleOwnership(customer);
      return {
        customerId: customer.customerId,
        customerDomain: customer.customerDomain,
        owner: customer.owner,
        subscriptions,
        users,
      };
    }),
  };
}
