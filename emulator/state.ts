/**
 * The emulator's in-memory model of Google, seen from one reseller ("this reseller"), and the
 * rules Google applies to the Reseller and Directory calls the onboarding uses. Every method takes
 * the raw request body (`unknown`) and either returns the API response or throws a GoogleApiError.
 * Each rule's source is in docs/google-behaviour.md.
 */
import { isGoogleLanguageCode } from '../order/google-languages';
import type { SeedCustomer, SettingsPatch } from './control-schema';

/** An ISO 639 code, optionally with a region or script (en, fr-CA, es-419, zh-Hant). */
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;
import { duplicate, forbidden, GoogleApiError, invalid, notFound } from './errors';
import {
  type Customer,
  defaultSettings,
  type OutgoingMail,
  type Settings,
  isWorkspaceBase,
  SKU_NAMES,
  type Subscription,
  TEAM_SKUS,
  isAnnual,
  type TransferToken,
  type User,
} from './model';
import { page } from './pagination';
import {
  asObject,
  checkCustomerBody,
  type CustomerFields,
  checkPassword,
  checkSubscriptionRequest,
  emailDomain,
  externalIdsOf,
  type Json,
  optionalBoolean,
  optionalString,
  personName,
  requiredEmail,
} from './request-checks';
import { type SeedResult, seedCustomers } from './seeding';
import { Store } from './store';
import { type Outcome, transferSubscriptions } from './transfers';
import { directoryCustomerView, resellerCustomerView, subscriptionView, userView } from './views';

export { OWNERS, PLAN_NAMES, SUSPENSION_REASONS } from './model';
export type { Customer, Owner, PlanName, Settings, Subscription, SuspensionReason, User } from './model';
export type { SeedResult } from './seeding';
export { defaultSettings } from './model';

const DELETION_TYPES = ['cancel', 'transfer_to_direct'];
const NOT_AUTHORIZED = 'Not Authorized to access this resource/api';

export interface StateSnapshot {
  customers: Array<Omit<Customer, 'transferTokens'> & { transferTokens: Array<Omit<TransferToken, 'token'>> }>;
  users: User[];
  subscriptions: Subscription[];
  settings: Settings;
}

export interface TosAcceptance {
  customerId: string;
  users: number;
  subscriptionsActivated: number;
}

export interface ListQuery {
  customerId?: string;
  customerAuthToken?: string;
  maxResults?: string;
  pageToken?: string;
}

export interface BatchDeleteItem {
  customerKey: string;
  subscriptionId: string;
  deletionType: string | undefined;
}

export interface BatchTransferItem {
  customerKey: string;
  customerAuthToken: string | undefined;
  body: unknown;
}

export class EmulatorState {
  private readonly store: Store;
  private settings = defaultSettings();

  constructor(
    now: () => number = Date.now,
    /** Where mail Google itself would send goes (the emulator's mail store). */
    private readonly sendMail: (mail: OutgoingMail) => void = () => undefined,
  ) {
    this.store = new Store(now);
  }

  reset(): void {
    this.store.clear();
    this.settings = defaultSettings();
  }

  // ---- Reseller API: customers

  getResellerCustomer(customerKey: string): Json {
    const customer = this.store.requireCustomer(customerKey);
    this.settleDomainVerification(customer);
    return resellerCustomerView(customer);
  }

  insertResellerCustomer(body: unknown, customerAuthToken?: string): Json {
    const fields = checkCustomerBody(body);
    const existing = this.store.findCustomer(fields.customerDomain);
    if (customerAuthToken !== undefined && customerAuthToken !== '') {
      if (!existing) throw forbidden('The customerAuthToken is not valid for this reseller.');
      return this.registerTransferredCustomer(existing, fields, customerAuthToken);
    }
    if (existing) throw duplicate();
    const customer: Customer = {
      ...fields,
      customerId: this.store.newCustomerId(),
      owner: 'this-reseller',
      language: 'en',
      tosAccepted: false,
      domainVerified: false,
      transferTokens: [],
      creationTime: this.store.now(),
      registeredWithThisReseller: true,
      propagationCallsLeft: this.settings.customerPropagationCalls,
    };
    this.store.customers.set(customer.customerId, customer);
    if (customer.customerType === 'team' && customer.primaryAdminEmail) this.mailVerificationLink(customer);
    return resellerCustomerView(customer);
  }

  // ---- Reseller API: subscriptions

  listSubscriptions(query: ListQuery): Json {
    const { customerId, customerAuthToken } = query;
    let listed: Json[];
    if (customerId === undefined) {
      listed = [...this.store.subscriptions.values()]
        .filter((s) => s.owner === 'this-reseller')
        .map((s) => subscriptionView(s, this.store.customers.get(s.customerId)));
    } else {
      const customer = this.store.requireCustomer(customerId);
      listed = customerAuthToken ? this.transferable(customer, customerAuthToken) : this.ownSubscriptionsOf(customer);
    }
    const scope = `${customerId ?? '*'}|${customerAuthToken ? 'token' : 'own'}`;
    const { items, nextPageToken } = page(listed, { maxResults: query.maxResults, pageToken: query.pageToken, scope });
    return { kind: 'reseller#subscriptions', subscriptions: items, nextPageToken };
  }

  insertSubscription(customerKey: string, customerAuthToken: string | undefined, body: unknown): Json {
    const customer = this.store.requireCustomer(customerKey);
    if (customer.owner === 'this-reseller') return this.newSubscription(customer, body);
    const [outcome] = transferSubscriptions(this.store, [{ customer, customerAuthToken, body }]);
    if (!outcome?.ok) throw outcome?.error ?? new Error('no outcome');
    return outcome.value;
  }

  /** The subscriptions.insert parts of one batch request, judged together. */
  transferBatch(items: BatchTransferItem[]): Outcome[] {
    const resolved = items.map((item) => {
      const customer = this.store.findCustomer(item.customerKey);
      return customer ? { customer, customerAuthToken: item.customerAuthToken, body: item.body } : undefined;
    });
    const present = resolved.filter((r) => r !== undefined);
    const outcomes = transferSubscriptions(this.store, present);
    return resolved.map((r) =>
      r === undefined
        ? { ok: false, error: notFound('Resource Not Found: customerId') }
        : (outcomes[present.indexOf(r)] ?? {
            ok: false,
            error: new GoogleApiError(500, 'backendError', 'Backend Error'),
          }),
    );
  }

  getSubscription(customerKey: string, subscriptionId: string): Json {
    const subscription = this.requireOwnSubscription(customerKey, subscriptionId);
    return subscriptionView(subscription, this.store.customers.get(subscription.customerId));
  }

  /**
   * subscriptions.delete. `cancel` is deprecated and "does not apply" to Google Workspace editions;
   * `transfer_to_direct` hands the subscription to Google (no longer listed for this reseller), and a
   * customer with several subscriptions must end them all in one batch request (`batchCoversAll`);
   * without an administrator Google answers 412 ("add a temporary administrator user and try again").
   */
  deleteSubscription(
    customerKey: string,
    subscriptionId: string,
    deletionType: string | undefined,
    batchCoversAll = false,
  ): void {
    if (deletionType === undefined || !DELETION_TYPES.includes(deletionType)) {
      throw invalid('Invalid value for deletionType: must be cancel or transfer_to_direct.');
    }
    const subscription = this.requireOwnSubscription(customerKey, subscriptionId);
    const customer = this.store.requireCustomer(subscription.customerId);
    if (deletionType === 'cancel' && isWorkspaceBase(subscription.skuId)) {
      throw invalid(
        'deletionType cancel is deprecated and does not apply to a Google Workspace subscription: use transfer_to_direct.',
      );
    }
    if (!this.hasAdministrator(customer)) {
      throw new GoogleApiError(
        412,
        'conditionNotMet',
        'The customer has no administrator. Add a temporary administrator user and try again.',
      );
    }
    if (deletionType === 'cancel') {
      this.store.subscriptions.delete(subscription.subscriptionId);
      return;
    }
    const own = this.store.subscriptionsOf(customer).filter((s) => s.owner === 'this-reseller');
    if (own.length > 1 && !batchCoversAll) {
      throw invalid('This customer has several subscriptions: cancel all of them as one batch request.');
    }
    subscription.owner = 'google';
    if (!this.store.subscriptionsOf(customer).some((s) => s.owner === 'this-reseller')) {
      customer.owner = 'google';
      customer.registeredWithThisReseller = false;
      customer.handedBackByThisReseller = true;
    }
  }

  /** The subscriptions.delete parts of one batch request: together they may end all of a customer's subscriptions. */
  deleteBatch(items: BatchDeleteItem[]): Outcome[] {
    const covered = new Set(items.filter((i) => i.deletionType === 'transfer_to_direct').map((i) => i.subscriptionId));
    const coversAll = (customerKey: string) => {
      const customer = this.store.findCustomer(customerKey);
      return (
        customer !== undefined &&
        this.store
          .subscriptionsOf(customer)
          .filter((s) => s.owner === 'this-reseller')
          .every((s) => covered.has(s.subscriptionId))
      );
    };
    const judged = items.map((i) => coversAll(i.customerKey));
    return items.map((item, index): Outcome => {
      try {
        this.deleteSubscription(item.customerKey, item.subscriptionId, item.deletionType, judged[index]);
        return { ok: true, value: {} };
      } catch (error) {
        if (error instanceof GoogleApiError) return { ok: false, error };
        throw error;
      }
    });
  }

  /** A domain customer needs a super admin; a team customer's primaryAdmin is made its administrator by Google. */
  private hasAdministrator(customer: Customer): boolean {
    if (customer.customerType === 'team') return true;
    return [...this.store.users.values()].some((u) => u.customerId === customer.customerId && u.isAdmin);
  }

  // ---- Directory API: customers

  getDirectoryCustomer(customerKey: string): Json {
    return directoryCustomerView(this.requireDirectoryCustomer(customerKey));
  }

  patchDirectoryCustomer(customerKey: string, body: unknown): Json {
    const customer = this.requireDirectoryCustomer(customerKey);
    // Unconfirmed whether Google applies it to a team customer: refused (the product skips it).
    if (customer.customerType === 'team') throw forbidden(NOT_AUTHORIZED);
    const language = optionalString(asObject(body, 'customer'), 'language', 'language');
    if (language !== undefined) {
      // "Valid language codes outside the supported set will be accepted by the API but may lead to
      // unexpected behavior" (D2): a code shaped like a language tag is kept; anything else is refused (unconfirmed).
      if (!isGoogleLanguageCode(language) && !LANGUAGE_TAG.test(language))
        throw invalid(`Invalid value for language: ${language}.`);
      customer.language = language;
    }
    return directoryCustomerView(customer);
  }

  // ---- Directory API: users

  insertUser(body: unknown): Json {
    const b = asObject(body, 'user');
    const primaryEmail = requiredEmail(b, 'primaryEmail', 'primaryEmail');
    const name = asObject(b.name, 'name');
    const givenName = personName(name, 'givenName');
    const familyName = personName(name, 'familyName');
    const { hashFunction } = checkPassword(b);
    const changePasswordAtNextLogin =
      optionalBoolean(b, 'changePasswordAtNextLogin', 'changePasswordAtNextLogin') ?? false;
    const externalIds = externalIdsOf(b) ?? [];
    const customer = this.store.findCustomer(emailDomain(primaryEmail));
    if (!customer || customer.owner !== 'this-reseller') throw invalid('Domain not found.');
    this.passPropagation(customer);
    // Team customers' users are invited by their admin, never created by the reseller.
    if (customer.customerType === 'team') throw forbidden(NOT_AUTHORIZED);
    if (this.store.findUser(primaryEmail)) throw duplicate();

    const user: User = {
      id: this.store.newUserId(),
      primaryEmail,
      givenName,
      familyName,
      customerId: customer.customerId,
      isAdmin: false,
      agreedToTerms: false,
      changePasswordAtNextLogin,
      passwordSet: true,
      hashFunction,
      externalIds,
      languageAtCreation: customer.language,
      makeAdminCalls: 0,
      passwordChanges: 0,
      creationTime: this.store.now(),
    };
    this.store.users.set(user.id, user);
    return userView(user);
  }

  getUser(userKey: string): Json {
    return userView(this.requireUser(userKey));
  }

  updateUser(userKey: string, body: unknown): Json {
    const user = this.requireUser(userKey);
    const b = asObject(body, 'user');
    const name = asObject(b.name, 'name');
    // Validate everything before changing anything: a rejected update leaves the user as it was.
    const givenName = name.givenName === undefined ? undefined : personName(name, 'givenName');
    const familyName = name.familyName === undefined ? undefined : personName(name, 'familyName');
    const password = b.password === undefined ? undefined : checkPassword(b);
    const changePasswordAtNextLogin = optionalBoolean(b, 'changePasswordAtNextLogin', 'changePasswordAtNextLogin');
    const externalIds = externalIdsOf(b);
    if (externalIds !== undefined) user.externalIds = externalIds;
    if (givenName !== undefined) user.givenName = givenName;
    if (familyName !== undefined) user.familyName = familyName;
    if (password !== undefined) {
      user.hashFunction = password.hashFunction;
      user.passwordChanges += 1;
    }
    if (changePasswordAtNextLogin !== undefined) user.changePasswordAtNextLogin = changePasswordAtNextLogin;
    return userView(user);
  }

  deleteUser(userKey: string): void {
    this.store.users.delete(this.requireUser(userKey).id);
  }

  makeAdmin(userKey: string, body: unknown): void {
    const user = this.requireUser(userKey);
    if (this.store.customers.get(user.customerId)?.customerType === 'team') throw forbidden(NOT_AUTHORIZED);
    const status = optionalBoolean(asObject(body, 'body'), 'status', 'status');
    if (status === undefined) throw invalid('Missing required field: status.');
    user.makeAdminCalls += 1;
    // Directory is eventually consistent: a user just created may not be visible to makeAdmin yet.
    if (user.makeAdminCalls <= this.settings.adminPropagationCalls) throw notFound('User creation is not complete.');
    user.isAdmin = status;
  }

  // ---- Control operations (no Google counterpart)

  seed(request: { customers: SeedCustomer[] }): SeedResult {
    return seedCustomers(this.store, request.customers);
  }

  acceptTos(customerDomain: string): TosAcceptance {
    const customer = this.store.findCustomer(customerDomain);
    if (!customer) throw notFound(`Unknown customer ${customerDomain}.`);
    customer.tosAccepted = true;
    const users = [...this.store.users.values()].filter((u) => u.customerId === customer.customerId);
    for (const user of users) user.agreedToTerms = true;
    let subscriptionsActivated = 0;
    for (const s of this.store.subscriptionsOf(customer)) {
      s.suspensionReasons = s.suspensionReasons.filter((reason) => reason !== 'PENDING_TOS_ACCEPTANCE');
      if (s.status === 'SUSPENDED' && s.suspensionReasons.length === 0) {
        s.status = 'ACTIVE';
        subscriptionsActivated += 1;
      }
    }
    return { customerId: customer.customerId, users: users.length, subscriptionsActivated };
  }

  /**
   * Site Verification verified the domain: the Reseller record shows customerDomainVerified at once
   * when the customer's admin is among the owners, else after the propagation delay ("about 3 hours").
   */
  markDomainVerified(domain: string, owners: string[] = []): void {
    const customer = this.store.findCustomer(domain);
    if (!customer || customer.domainVerified) return;
    const adminOwns = [...this.store.users.values()].some(
      (u) => u.customerId === customer.customerId && u.isAdmin && owners.includes(u.primaryEmail.toLowerCase()),
    );
    const from = adminOwns ? this.store.now() : this.store.now() + this.settings.domainVerificationPropagationMs;
    customer.domainVerifiedFrom = Math.min(customer.domainVerifiedFrom ?? Infinity, from);
    this.settleDomainVerification(customer);
  }

  /** Control: the customer verified its domain in the Admin console (Google's own flow, no token of ours). */
  customerVerifiesDomain(domain: string): { customerDomain: string; customerDomainVerified: boolean } {
    const customer = this.store.findCustomer(domain);
    if (!customer) throw notFound(`Unknown customer ${domain}.`);
    customer.domainVerified = true;
    return { customerDomain: customer.customerDomain, customerDomainVerified: true };
  }

  private settleDomainVerification(customer: Customer): void {
    if (customer.domainVerifiedFrom !== undefined && customer.domainVerifiedFrom <= this.store.now())
      customer.domainVerified = true;
  }

  updateSettings(patch: SettingsPatch): Settings {
    if (patch.adminPropagationCalls !== undefined) this.settings.adminPropagationCalls = patch.adminPropagationCalls;
    if (patch.customerPropagationCalls !== undefined)
      this.settings.customerPropagationCalls = patch.customerPropagationCalls;
    if (patch.batchResponseContentIds !== undefined)
      this.settings.batchResponseContentIds = patch.batchResponseContentIds;
    if (patch.domainVerificationPropagationMs !== undefined)
      this.settings.domainVerificationPropagationMs = patch.domainVerificationPropagationMs;
    for (const key of [
      'directoryQueriesPerMinute',
      'resellerQueriesPerMinute',
      'userCreationsPerDomainPerSecond',
    ] as const) {
      const value = patch[key];
      if (value !== undefined) this.settings[key] = value;
    }
    return { ...this.settings };
  }

  currentSettings(): Settings {
    return { ...this.settings };
  }

  snapshot(): StateSnapshot {
    return structuredClone({
      customers: [...this.store.customers.values()].map((c) => ({
        ...c,
        transferTokens: c.transferTokens.map(({ forReseller, expiresAt }) => ({ forReseller, expiresAt })),
      })),
      users: [...this.store.users.values()],
      subscriptions: [...this.store.subscriptions.values()],
      settings: this.settings,
    });
  }

  // ---- internals

  /** customers.insert?customerAuthToken: the existing customer is registered with this reseller. */
  private registerTransferredCustomer(customer: Customer, fields: CustomerFields, token: string): Json {
    if (customer.owner === 'this-reseller') throw duplicate();
    this.store.checkTransferToken(customer, token);
    // Unconfirmed what Google answers to a second registration: 409, like any existing customer.
    if (customer.registeredWithThisReseller) throw duplicate();
    Object.assign(customer, {
      alternateEmail: fields.alternateEmail ?? customer.alternateEmail,
      postalAddress: fields.postalAddress,
      phoneNumber: fields.phoneNumber ?? customer.phoneNumber,
      registeredWithThisReseller: true,
      // "If a customer moves to a new reseller, every super administrator in the organization must sign a new Google TOS."
      tosAccepted: false,
    } satisfies Partial<Customer>);
    this.store.settleOwnership(customer);
    return resellerCustomerView(customer, { full: true });
  }

  private newSubscription(customer: Customer, body: unknown): Json {
    const request = checkSubscriptionRequest(body);
    if (customer.customerType === 'team' && !TEAM_SKUS.has(request.skuId)) {
      throw invalid('Customer is not eligible to purchase this subscription');
    }
    // "Customers purchasing Essentials … might not be able to use annual commitment plans" (create-subscription);
    // the error body is unconfirmed (docs/google-behaviour.md): the conservative reading refuses.
    if (TEAM_SKUS.has(request.skuId) && isAnnual(request.planName)) {
      throw invalid('Annual commitment plans are not available for this SKU.');
    }
    if (this.store.subscriptionsOf(customer).some((s) => s.skuId === request.skuId && s.owner === 'this-reseller')) {
      throw duplicate();
    }
    const pending = customer.tosAccepted ? [] : (['PENDING_TOS_ACCEPTANCE'] as const);
    const subscription: Subscription = {
      subscriptionId: this.store.newSubscriptionId(),
      customerId: customer.customerId,
      skuId: request.skuId,
      skuName: SKU_NAMES[request.skuId] ?? request.skuId,
      planName: request.planName,
      seats: request.seats,
      licensedSeats: 0,
      minimumTransferableSeats: 0,
      owner: 'this-reseller',
      status: pending.length > 0 ? 'SUSPENDED' : 'ACTIVE',
      suspensionReasons: [...pending],
      creationTime: this.store.now(),
      renewalType: request.renewalType,
      purchaseOrderId: request.purchaseOrderId,
      dealCode: request.dealCode,
    };
    this.store.subscriptions.set(subscription.subscriptionId, subscription);
    return subscriptionView(subscription, customer);
  }

  /** Listing with a token: what is still transferable, with transferInfo. Moved ones are left out. */
  private transferable(customer: Customer, token: string): Json[] {
    const match = this.store.checkTransferToken(customer, token);
    return this.store
      .subscriptionsOf(customer)
      .filter((s) => s.owner !== 'this-reseller')
      .map((s) => subscriptionView(s, customer, match));
  }

  /** Listing without a token: this reseller's subscriptions of the customer (what has moved). */
  private ownSubscriptionsOf(customer: Customer): Json[] {
    const own = this.store.subscriptionsOf(customer).filter((s) => s.owner === 'this-reseller');
    if (customer.owner !== 'this-reseller' && !customer.registeredWithThisReseller && own.length === 0) {
      this.store.checkTransferToken(customer, undefined);
    }
    return own.map((s) => subscriptionView(s, customer));
  }

  /** The first Directory calls about a customer just inserted find it not yet propagated. */
  private passPropagation(customer: Customer): void {
    if (customer.propagationCallsLeft <= 0) return;
    customer.propagationCallsLeft -= 1;
    throw forbidden(NOT_AUTHORIZED);
  }

  private requireDirectoryCustomer(customerKey: string): Customer {
    const customer = this.store.findCustomer(customerKey);
    if (!customer || customer.owner !== 'this-reseller') throw forbidden(NOT_AUTHORIZED);
    this.passPropagation(customer);
    return customer;
  }

  private requireOwnSubscription(customerKey: string, subscriptionId: string): Subscription {
    const customer = this.store.requireCustomer(customerKey);
    const subscription = this.store.subscriptions.get(subscriptionId);
    if (!subscription || subscription.customerId !== customer.customerId) {
      throw notFound(`Resource Not Found: subscriptionId ${subscriptionId}`);
    }
    if (subscription.owner !== 'this-reseller') throw forbidden('Not Authorized to access this subscription.');
    return subscription;
  }

  private requireUser(userKey: string): User {
    const user = this.store.findUser(userKey);
    if (!user) throw notFound('Resource Not Found: userKey');
    const customer = this.store.customers.get(user.customerId);
    // Unconfirmed: whether the reseller keeps Directory access to a customer it handed back (transfer_to_direct).
    if (customer?.owner !== 'this-reseller' && !customer?.handedBackByThisReseller) throw forbidden(NOT_AUTHORIZED);
    return user;
  }

  private mailVerificationLink(customer: Customer): void {
    this.sendMail({
      from: 'workspace-noreply@google.com',
      to: [customer.primaryAdminEmail ?? ''],
      subject: 'Verify your email address to get started with Google Workspace',
      text:
        `Your reseller signed ${customer.customerDomain} up for Google Workspace.\n` +
        `Verify your email address to become its administrator: https://accounts.google.com/signup/verify?customer=${customer.customerId}\n`,
    });
  }
}
