/**
 * The emulator's in-memory model of Google, seen from one reseller ("this reseller"), and the
 * rules Google applies to the Reseller and Directory calls the onboarding uses. Every method takes
 * the raw request body (`unknown`) and either returns the API response or throws a GoogleApiError.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { isGoogleLanguageCode } from '../order/google-languages';
import type { SeedCustomer, SettingsPatch } from './control-schema';
import { duplicate, forbidden, invalid, notFound } from './errors';

export const OWNERS = ['this-reseller', 'google', 'other-reseller'] as const;
export type Owner = (typeof OWNERS)[number];
export const PLAN_NAMES = ['ANNUAL_MONTHLY_PAY', 'ANNUAL_YEARLY_PAY', 'FLEXIBLE', 'TRIAL'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];
export const SUSPENSION_REASONS = [
  'PENDING_TOS_ACCEPTANCE',
  'RESELLER_INITIATED',
  'TRIAL_ENDED',
  'RENEWAL_WITH_TYPE_CANCEL',
  'OTHER',
] as const;
export type SuspensionReason = (typeof SUSPENSION_REASONS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;
// Google's help pages give transfer tokens 14 days; seeds may set their own expiry.
const TRANSFER_TOKEN_LIFETIME_MS = 14 * DAY_MS;
const MAX_FIELD_LENGTH = 255;
const MAX_NAME_LENGTH = 60;
const HASH_FUNCTIONS = ['MD5', 'SHA-1', 'crypt'];
const DELETION_TYPES = ['cancel', 'transfer_to_direct'];
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const EMAIL = /^[^\s@]+@([^\s@]+)$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const SKU_NAMES: Readonly<Record<string, string>> = {
  '1010020027': 'Google Workspace Business Starter',
  '1010020028': 'Google Workspace Business Standard',
  '1010020025': 'Google Workspace Business Plus',
  '1010020026': 'Google Workspace Enterprise Standard',
  '1010020020': 'Google Workspace Enterprise Plus',
  'Google-Vault': 'Google Vault',
  'Google-Drive-storage-20GB': 'Google Drive storage 20GB',
};
// Fields Google fills in itself: sending them back (e.g. a listed subscription re-sent as is) is a 400.
const READ_ONLY_SUBSCRIPTION_FIELDS: ReadonlyArray<readonly [path: readonly string[], label: string]> = [
  [['seats', 'licensedNumberOfSeats'], 'Licensed number of seats'],
  [['subscriptionId'], 'Subscription id'],
  [['status'], 'Status'],
  [['suspensionReasons'], 'Suspension reasons'],
  [['transferInfo'], 'Transfer info'],
  [['trialSettings'], 'Trial settings'],
  [['creationTime'], 'Creation time'],
  [['resourceUiUrl'], 'Resource UI URL'],
  [['billingMethod'], 'Billing method'],
  [['plan', 'commitmentInterval'], 'Commitment interval'],
];

export interface PostalAddress {
  contactName: string;
  organizationName: string;
  postalCode: string;
  countryCode: string;
  addressLine1?: string;
  addressLine2?: string;
  addressLine3?: string;
  locality?: string;
  region?: string;
}
const OPTIONAL_ADDRESS_FIELDS = ['addressLine1', 'addressLine2', 'addressLine3', 'locality', 'region'] as const;

export interface TransferToken {
  token: string;
  forReseller: 'this' | 'other';
  expiresAt: number;
}

export interface Customer {
  customerId: string;
  customerDomain: string;
  customerType: 'domain' | 'team';
  owner: Owner;
  alternateEmail?: string;
  postalAddress: PostalAddress;
  phoneNumber?: string;
  primaryAdminEmail?: string;
  language: string;
  tosAccepted: boolean;
  transferTokens: TransferToken[];
  creationTime: number;
}

export interface Subscription {
  subscriptionId: string;
  customerId: string;
  skuId: string;
  skuName: string;
  planName: PlanName;
  /** numberOfSeats for annual plans, maximumNumberOfSeats for flexible and trial plans. */
  seats: number;
  licensedSeats: number;
  minimumTransferableSeats: number;
  owner: Owner;
  status: 'ACTIVE' | 'SUSPENDED';
  suspensionReasons: SuspensionReason[];
  creationTime: number;
  transferredAt?: number;
}

export interface User {
  id: string;
  primaryEmail: string;
  givenName: string;
  familyName: string;
  customerId: string;
  isAdmin: boolean;
  agreedToTerms: boolean;
  changePasswordAtNextLogin: boolean;
  /** Only whether a password was set: the emulator never keeps passwords. */
  passwordSet: boolean;
  hashFunction?: string;
  /** Directory `externalIds` ({type, customType?, value}), kept as given. */
  externalIds: ExternalId[];
  /** The customer's default language when the user was created (state only, never in API answers). */
  languageAtCreation: string;
  makeAdminCalls: number;
  creationTime: number;
}

export interface ExternalId {
  type: string;
  customType?: string;
  value: string;
}

/** Directory's externalIds: a list of {type, customType (when type is custom), value}. */
function externalIdsOf(b: Json): ExternalId[] | undefined {
  if (b.externalIds === undefined) return undefined;
  if (!Array.isArray(b.externalIds)) throw invalid('Invalid value for externalIds.');
  return b.externalIds.map((item: unknown) => {
    const id = asObject(item, 'externalIds');
    if (typeof id.type !== 'string' || typeof id.value !== 'string') throw invalid('Invalid value for externalIds: type and value are required.');
    if (id.type === 'custom' && typeof id.customType !== 'string') throw invalid('Invalid value for externalIds: customType is required for type custom.');
    return { type: id.type, value: id.value, ...(typeof id.customType === 'string' ? { customType: id.customType } : {}) };
  });
}

export interface Settings {
  /** How many makeAdmin calls per new user answer 404 "User creation is not complete." first. */
  adminPropagationCalls: number;
}

export interface StateSnapshot {
  customers: Array<Omit<Customer, 'transferTokens'> & { transferTokens: Array<Omit<TransferToken, 'token'>> }>;
  users: User[];
  subscriptions: Subscription[];
  settings: Settings;
}

export interface SeedResult {
  customers: Array<{
    customerId: string;
    customerDomain: string;
    owner: Owner;
    subscriptions: Array<{ subscriptionId: string; skuId: string }>;
    users: Array<{ id: string; primaryEmail: string }>;
  }>;
}

export interface TosAcceptance {
  customerId: string;
  users: number;
  subscriptionsActivated: number;
}

type Json = Record<string, unknown>;

function isAnnual(plan: PlanName): boolean {
  return plan === 'ANNUAL_MONTHLY_PAY' || plan === 'ANNUAL_YEARLY_PAY';
}

function randomAlnum(length: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

function randomDigits(length: number): string {
  return Array.from({ length }, (_, i) => String(randomInt(i === 0 ? 1 : 0, 10))).join('');
}

function emailDomain(email: string): string {
  return EMAIL.exec(email)?.[1] ?? '';
}

function asObject(value: unknown, field: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`Invalid value for ${field}.`);
  return value as Json;
}

function optionalString(obj: Json, key: string, field: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`Invalid value for ${field}: must be a string.`);
  if (value.length > MAX_FIELD_LENGTH) {
    throw invalid(`Invalid value for ${field}: longer than ${MAX_FIELD_LENGTH} characters.`);
  }
  return value;
}

function requiredString(obj: Json, key: string, field: string): string {
  const value = optionalString(obj, key, field);
  if (value === undefined || value.trim() === '') throw invalid(`Missing required field: ${field}.`);
  return value;
}

function optionalBoolean(obj: Json, key: string, field: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`Invalid value for ${field}: must be a boolean.`);
  return value;
}

function requiredEmail(obj: Json, key: string, field: string): string {
  const value = requiredString(obj, key, field).toLowerCase();
  if (!DOMAIN.test(emailDomain(value))) throw invalid(`Invalid value for ${field}: not an email address.`);
  return value;
}

function personName(obj: Json, key: string): string {
  const value = requiredString(obj, key, `name.${key}`);
  if (value.length > MAX_NAME_LENGTH) {
    throw invalid(`Invalid value for name.${key}: longer than ${MAX_NAME_LENGTH} characters.`);
  }
  return value;
}

/** Google takes clear-text passwords of 8–100 ASCII characters, or a hash with its function named. */
function checkPassword(body: Json): { hashFunction?: string } {
  const password = body.password;
  if (typeof password !== 'string' || password === '') throw invalid('Missing required field: password.');
  const hashFunction = optionalString(body, 'hashFunction', 'hashFunction');
  if (hashFunction !== undefined) {
    if (!HASH_FUNCTIONS.includes(hashFunction)) {
      throw invalid('Invalid value for hashFunction: must be MD5, SHA-1 or crypt.');
    }
    return { hashFunction };
  }
  if (!/^[\x20-\x7e]{8,100}$/.test(password)) throw invalid('Invalid Password: must be 8 to 100 ASCII characters.');
  return {};
}

function checkPostalAddress(value: unknown): PostalAddress {
  const obj = asObject(value, 'postalAddress');
  const address: PostalAddress = {
    contactName: requiredString(obj, 'contactName', 'postalAddress.contactName'),
    organizationName: requiredString(obj, 'organizationName', 'postalAddress.organizationName'),
    postalCode: requiredString(obj, 'postalCode', 'postalAddress.postalCode'),
    countryCode: requiredString(obj, 'countryCode', 'postalAddress.countryCode'),
  };
  if (!/^[A-Z]{2}$/.test(address.countryCode)) {
    throw invalid('Invalid value for postalAddress.countryCode: must be an ISO 3166 alpha-2 code.');
  }
  for (const key of OPTIONAL_ADDRESS_FIELDS) {
    const field = optionalString(obj, key, `postalAddress.${key}`);
    if (field !== undefined) address[key] = field;
  }
  return address;
}

function rejectReadOnlyFields(body: Json): void {
  for (const [path, label] of READ_ONLY_SUBSCRIPTION_FIELDS) {
    let node: unknown = body;
    for (const key of path) node = node !== null && typeof node === 'object' ? (node as Json)[key] : undefined;
    if (node !== undefined && node !== null) throw invalid(`${label} field is read-only.`);
  }
}

function planAndSeats(body: Json): { planName: PlanName; seats: number } {
  const planName = requiredString(asObject(body.plan, 'plan'), 'planName', 'plan.planName');
  if (!(PLAN_NAMES as readonly string[]).includes(planName)) {
    throw invalid(`Invalid value for plan.planName: ${planName}. Use one of ${PLAN_NAMES.join(', ')}.`);
  }
  const plan = planName as PlanName;
  const key = isAnnual(plan) ? 'numberOfSeats' : 'maximumNumberOfSeats';
  const seats = asObject(body.seats, 'seats')[key];
  if (typeof seats !== 'number' || !Number.isInteger(seats) || seats < 1) {
    throw invalid(`Invalid value for seats.${key}: a positive integer is required for plan ${plan}.`);
  }
  return { planName: plan, seats };
}

export function defaultSettings(): Settings {
  return { adminPropagationCalls: 0 };
}

export class EmulatorState {
  private customers = new Map<string, Customer>();
  private subscriptions = new Map<string, Subscription>();
  private users = new Map<string, User>();
  private settings = defaultSettings();

  constructor(private readonly now: () => number = Date.now) {}

  reset(): void {
    this.customers.clear();
    this.subscriptions.clear();
    this.users.clear();
    this.settings = defaultSettings();
  }

  // ---- Reseller API: customers

  getResellerCustomer(customerKey: string): Json {
    return this.resellerCustomerView(this.requireCustomer(customerKey));
  }

  insertResellerCustomer(body: unknown): Json {
    const b = asObject(body, 'customer');
    const customerDomain = requiredString(b, 'customerDomain', 'customerDomain').trim().toLowerCase();
    if (customerDomain.startsWith('www.')) {
      throw invalid('Invalid value for customerDomain: must not start with "www.".');
    }
    if (!DOMAIN.test(customerDomain)) {
      throw invalid(`Invalid value for customerDomain: ${customerDomain} is not a domain name.`);
    }
    const customerType = optionalString(b, 'customerType', 'customerType') ?? 'domain';
    if (customerType !== 'domain' && customerType !== 'team') {
      throw invalid('Invalid value for customerType: must be domain or team.');
    }
    const alternateEmail =
      customerType === 'domain' || b.alternateEmail !== undefined
        ? requiredEmail(b, 'alternateEmail', 'alternateEmail')
        : undefined;
    if (alternateEmail !== undefined) {
      const domain = emailDomain(alternateEmail);
      if (domain === customerDomain || domain.endsWith(`.${customerDomain}`)) {
        throw invalid('Invalid value for alternateEmail: it must not be on the customer domain.');
      }
    }
    const postalAddress = checkPostalAddress(b.postalAddress);
    const primaryAdminEmail =
      customerType === 'team'
        ? requiredEmail(asObject(b.primaryAdmin, 'primaryAdmin'), 'primaryEmail', 'primaryAdmin.primaryEmail')
        : undefined;
    // Google silently drops phone numbers that are not E.164.
    const phone = optionalString(b, 'phoneNumber', 'phoneNumber');
    const phoneNumber = phone !== undefined && E164.test(phone) ? phone : undefined;
    if (this.findCustomer(customerDomain)) throw duplicate();

    const customer: Customer = {
      customerId: this.newCustomerId(),
      customerDomain,
      customerType,
      owner: 'this-reseller',
      alternateEmail,
      postalAddress,
      phoneNumber,
      primaryAdminEmail,
      language: 'en',
      tosAccepted: false,
      transferTokens: [],
      creationTime: this.now(),
    };
    this.customers.set(customer.customerId, customer);
    return this.resellerCustomerView(customer);
  }

  // ---- Reseller API: subscriptions

  listSubscriptions(customerKey: string | undefined, customerAuthToken: string | undefined): Json {
    let subscriptions: Json[];
    if (customerKey === undefined) {
      subscriptions = [...this.subscriptions.values()]
        .filter((s) => s.owner === 'this-reseller')
        .map((s) => this.subscriptionView(s));
    } else {
      const customer = this.requireCustomer(customerKey);
      if (customer.owner === 'this-reseller') {
        subscriptions = this.subscriptionsOf(customer)
          .filter((s) => s.owner === 'this-reseller')
          .map((s) => this.subscriptionView(s));
      } else {
        // Already transferred ones are listed too (without transferInfo), so a retried transfer sees its progress.
        const token = this.checkTransferToken(customer, customerAuthToken);
        subscriptions = this.subscriptionsOf(customer).map((s) =>
          this.subscriptionView(s, s.owner === 'this-reseller' ? undefined : token),
        );
      }
    }
    return { kind: 'reseller#subscriptions', subscriptions };
  }

  insertSubscription(customerKey: string, customerAuthToken: string | undefined, body: unknown): Json {
    const customer = this.requireCustomer(customerKey);
    const transferring = customer.owner !== 'this-reseller';
    if (transferring) this.checkTransferToken(customer, customerAuthToken);
    const b = asObject(body, 'subscription');
    rejectReadOnlyFields(b);
    const skuId = requiredString(b, 'skuId', 'skuId');
    const { planName, seats } = planAndSeats(b);
    const existing = this.subscriptionsOf(customer).find((s) => s.skuId === skuId);
    if (existing?.owner === 'this-reseller') throw duplicate();
    const pending: SuspensionReason[] = customer.tosAccepted ? [] : ['PENDING_TOS_ACCEPTANCE'];

    if (!transferring) {
      const subscription: Subscription = {
        subscriptionId: this.newSubscriptionId(),
        customerId: customer.customerId,
        skuId,
        skuName: SKU_NAMES[skuId] ?? skuId,
        planName,
        seats,
        licensedSeats: 0,
        minimumTransferableSeats: 0,
        owner: 'this-reseller',
        status: pending.length > 0 ? 'SUSPENDED' : 'ACTIVE',
        suspensionReasons: pending,
        creationTime: this.now(),
      };
      this.subscriptions.set(subscription.subscriptionId, subscription);
      return this.subscriptionView(subscription);
    }

    if (!existing) {
      throw invalid(`Invalid value for skuId: ${skuId} has no transferable subscription for this customer.`);
    }
    if (seats < existing.minimumTransferableSeats) {
      throw invalid(
        `Invalid number of seats: at least ${existing.minimumTransferableSeats} (minimumTransferableSeats) are required.`,
      );
    }
    Object.assign(existing, {
      owner: 'this-reseller',
      planName,
      seats,
      status: pending.length > 0 ? 'SUSPENDED' : 'ACTIVE',
      suspensionReasons: pending,
      transferredAt: this.now(),
    } satisfies Partial<Subscription>);
    if (this.subscriptionsOf(customer).every((s) => s.owner === 'this-reseller')) customer.owner = 'this-reseller';
    return this.subscriptionView(existing);
  }

  getSubscription(customerKey: string, subscriptionId: string): Json {
    return this.subscriptionView(this.requireOwnSubscription(customerKey, subscriptionId));
  }

  deleteSubscription(customerKey: string, subscriptionId: string, deletionType: string | undefined): void {
    if (deletionType === undefined || !DELETION_TYPES.includes(deletionType)) {
      throw invalid('Invalid value for deletionType: must be cancel or transfer_to_direct.');
    }
    const subscription = this.requireOwnSubscription(customerKey, subscriptionId);
    if (deletionType === 'cancel') {
      this.subscriptions.delete(subscription.subscriptionId);
      return;
    }
    subscription.owner = 'google';
    const customer = this.requireCustomer(subscription.customerId);
    if (!this.subscriptionsOf(customer).some((s) => s.owner === 'this-reseller')) customer.owner = 'google';
  }

  // ---- Directory API: customers

  getDirectoryCustomer(customerKey: string): Json {
    return this.directoryCustomerView(this.requireOwnCustomer(customerKey));
  }

  patchDirectoryCustomer(customerKey: string, body: unknown): Json {
    const customer = this.requireOwnCustomer(customerKey);
    const language = optionalString(asObject(body, 'customer'), 'language', 'language');
    if (language !== undefined) {
      if (!isGoogleLanguageCode(language)) throw invalid(`Invalid value for language: ${language}.`);
      customer.language = language;
    }
    return this.directoryCustomerView(customer);
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
    const customer = this.findCustomer(emailDomain(primaryEmail));
    if (!customer || customer.owner !== 'this-reseller') throw invalid('Domain not found.');
    if (this.findUser(primaryEmail)) throw duplicate();

    const user: User = {
      id: this.newUserId(),
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
      creationTime: this.now(),
    };
    this.users.set(user.id, user);
    return this.userView(user);
  }

  getUser(userKey: string): Json {
    return this.userView(this.requireUser(userKey));
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
    if (password !== undefined) user.hashFunction = password.hashFunction;
    if (changePasswordAtNextLogin !== undefined) user.changePasswordAtNextLogin = changePasswordAtNextLogin;
    return this.userView(user);
  }

  deleteUser(userKey: string): void {
    this.users.delete(this.requireUser(userKey).id);
  }

  makeAdmin(userKey: string, body: unknown): void {
    const user = this.requireUser(userKey);
    const status = optionalBoolean(asObject(body, 'body'), 'status', 'status');
    if (status === undefined) throw invalid('Missing required field: status.');
    user.makeAdminCalls += 1;
    // Directory is eventually consistent: a user just created may not be visible to makeAdmin yet.
    if (user.makeAdminCalls <= this.settings.adminPropagationCalls) throw notFound('User creation is not complete.');
    user.isAdmin = status;
  }

  // ---- Control operations (no Google counterpart)

  seed(request: { customers: SeedCustomer[] }): SeedResult {
    // Check the whole batch first so that a rejected seed adds nothing.
    const domains = new Set<string>();
    for (const c of request.customers) {
      if (this.findCustomer(c.customerDomain) || domains.has(c.customerDomain)) {
        throw invalid(`Seed: customer ${c.customerDomain} already exists.`);
      }
      if (c.customerId !== undefined && this.customers.has(c.customerId)) {
        throw invalid(`Seed: customer id ${c.customerId} already exists.`);
      }
      domains.add(c.customerDomain);
      for (const u of c.users) {
        if (emailDomain(u.primaryEmail) !== c.customerDomain) {
          throw invalid(`Seed: user ${u.primaryEmail} is not on ${c.customerDomain}.`);
        }
        if (this.findUser(u.primaryEmail)) throw invalid(`Seed: user ${u.primaryEmail} already exists.`);
      }
    }
    return { customers: request.customers.map((c) => this.seedCustomer(c)) };
  }

  acceptTos(customerDomain: string): TosAcceptance {
    const customer = this.findCustomer(customerDomain);
    if (!customer) throw notFound(`Unknown customer ${customerDomain}.`);
    customer.tosAccepted = true;
    const users = [...this.users.values()].filter((u) => u.customerId === customer.customerId);
    for (const user of users) user.agreedToTerms = true;
    let subscriptionsActivated = 0;
    for (const s of this.subscriptionsOf(customer)) {
      s.suspensionReasons = s.suspensionReasons.filter((reason) => reason !== 'PENDING_TOS_ACCEPTANCE');
      if (s.status === 'SUSPENDED' && s.suspensionReasons.length === 0) {
        s.status = 'ACTIVE';
        subscriptionsActivated += 1;
      }
    }
    return { customerId: customer.customerId, users: users.length, subscriptionsActivated };
  }

  updateSettings(patch: SettingsPatch): Settings {
    if (patch.adminPropagationCalls !== undefined) this.settings.adminPropagationCalls = patch.adminPropagationCalls;
    return { ...this.settings };
  }

  snapshot(): StateSnapshot {
    return structuredClone({
      customers: [...this.customers.values()].map((c) => ({
        ...c,
        transferTokens: c.transferTokens.map(({ forReseller, expiresAt }) => ({ forReseller, expiresAt })),
      })),
      users: [...this.users.values()],
      subscriptions: [...this.subscriptions.values()],
      settings: this.settings,
    });
  }

  // ---- internals

  private seedCustomer(c: SeedCustomer): SeedResult['customers'][number] {
    const now = this.now();
    const customer: Customer = {
      customerId: c.customerId ?? this.newCustomerId(),
      customerDomain: c.customerDomain,
      customerType: c.customerType,
      owner: c.owner,
      // A full record always has an alternate email: the onboarding tells "ours" from "theirs" by it.
      alternateEmail: c.alternateEmail ?? `contact@${c.customerDomain}.example.net`,
      postalAddress: c.postalAddress ?? {
        contactName: 'Seeded Contact',
        organizationName: c.customerDomain,
        postalCode: '94043',
        countryCode: 'US',
      },
      language: c.language,
      tosAccepted: c.tosAccepted,
      transferTokens: c.transferTokens.map((t) => ({
        token: t.token,
        forReseller: t.forReseller,
        expiresAt:
          t.expiresAt === undefined
            ? now + TRANSFER_TOKEN_LIFETIME_MS
            : typeof t.expiresAt === 'number'
              ? t.expiresAt
              : Date.parse(t.expiresAt),
      })),
      creationTime: now,
    };
    this.customers.set(customer.customerId, customer);
    const subscriptions = c.subscriptions.map((s) => {
      const minimum = s.minimumTransferableSeats ?? s.seats;
      const subscription: Subscription = {
        subscriptionId: this.newSubscriptionId(),
        customerId: customer.customerId,
        skuId: s.skuId,
        skuName: s.skuName ?? SKU_NAMES[s.skuId] ?? s.skuId,
        planName: s.planName,
        seats: s.seats,
        licensedSeats: minimum,
        minimumTransferableSeats: minimum,
        owner: c.owner,
        status: s.status,
        suspensionReasons: s.suspensionReasons ?? (s.status === 'SUSPENDED' ? ['OTHER'] : []),
        creationTime: now,
      };
      this.subscriptions.set(subscription.subscriptionId, subscription);
      return { subscriptionId: subscription.subscriptionId, skuId: subscription.skuId };
    });
    const users = c.users.map((u) => {
      const user: User = {
        id: this.newUserId(),
        primaryEmail: u.primaryEmail,
        givenName: u.givenName,
        familyName: u.familyName,
        customerId: customer.customerId,
        isAdmin: u.isAdmin,
        agreedToTerms: u.agreedToTerms,
        changePasswordAtNextLogin: false,
        passwordSet: true,
        externalIds: [],
        languageAtCreation: customer.language,
        makeAdminCalls: 0,
        creationTime: now,
      };
      this.users.set(user.id, user);
      return { id: user.id, primaryEmail: user.primaryEmail };
    });
    return {
      customerId: customer.customerId,
      customerDomain: customer.customerDomain,
      owner: customer.owner,
      subscriptions,
      users,
    };
  }

  /** A customer by id or by domain, like the Reseller API's customerId parameter. */
  private findCustomer(customerKey: string): Customer | undefined {
    const byId = this.customers.get(customerKey);
    if (byId) return byId;
    const domain = customerKey.toLowerCase();
    return [...this.customers.values()].find((c) => c.customerDomain === domain);
  }

  private requireCustomer(customerKey: string): Customer {
    const customer = this.findCustomer(customerKey);
    if (!customer) throw notFound(`Resource Not Found: customerId ${customerKey}`);
    return customer;
  }

  private requireOwnCustomer(customerKey: string): Customer {
    const customer = this.findCustomer(customerKey);
    if (!customer || customer.owner !== 'this-reseller') throw forbidden('Not Authorized to access this resource/api');
    return customer;
  }

  private requireOwnSubscription(customerKey: string, subscriptionId: string): Subscription {
    const customer = this.requireCustomer(customerKey);
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription || subscription.customerId !== customer.customerId) {
      throw notFound(`Resource Not Found: subscriptionId ${subscriptionId}`);
    }
    if (subscription.owner !== 'this-reseller') throw forbidden('Not Authorized to access this subscription.');
    return subscription;
  }

  private subscriptionsOf(customer: Customer): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => s.customerId === customer.customerId);
  }

  /** Token messages never echo the token: they end up in client logs. */
  private checkTransferToken(customer: Customer, token: string | undefined): TransferToken {
    if (token === undefined || token === '') {
      throw forbidden('A customerAuthToken is required for a customer of another reseller or of Google.');
    }
    const match = customer.transferTokens.find((t) => t.token === token);
    if (!match || match.forReseller !== 'this') throw forbidden('The customerAuthToken is not valid for this reseller.');
    if (match.expiresAt <= this.now()) throw forbidden('The customerAuthToken has expired.');
    return match;
  }

  private findUser(userKey: string): User | undefined {
    const byId = this.users.get(userKey);
    if (byId) return byId;
    const email = userKey.toLowerCase();
    return [...this.users.values()].find((u) => u.primaryEmail === email);
  }

  private requireUser(userKey: string): User {
    const user = this.findUser(userKey);
    if (!user) throw notFound('Resource Not Found: userKey');
    if (this.customers.get(user.customerId)?.owner !== 'this-reseller') {
      throw forbidden('Not Authorized to access this resource/api');
    }
    return user;
  }

  private newCustomerId(): string {
    let id: string;
    do id = `C${randomAlnum(8)}`;
    while (this.customers.has(id));
    return id;
  }

  private newSubscriptionId(): string {
    let id: string;
    do id = randomDigits(9);
    while (this.subscriptions.has(id));
    return id;
  }

  private newUserId(): string {
    let id: string;
    do id = randomDigits(21);
    while (this.users.has(id));
    return id;
  }

  // ---- API views

  private resellerCustomerView(c: Customer): Json {
    const { customerId, customerDomain, customerType } = c;
    const minimal = { kind: 'reseller#customer', customerId, customerDomain, customerType };
    // Customers of Google or of another reseller show only who they are.
    if (c.owner !== 'this-reseller') return minimal;
    return {
      ...minimal,
      alternateEmail: c.alternateEmail,
      postalAddress: { kind: 'customers#address', ...c.postalAddress },
      phoneNumber: c.phoneNumber,
      customerDomainVerified: false,
      resourceUiUrl: `https://admin.google.com/ac/home?customerId=${c.customerId}`,
      primaryAdmin: c.customerType === 'team' ? { primaryEmail: c.primaryAdminEmail } : undefined,
    };
  }

  private subscriptionView(s: Subscription, transferToken?: TransferToken): Json {
    const customer = this.customers.get(s.customerId);
    const annual = isAnnual(s.planName);
    return {
      kind: 'reseller#subscription',
      customerId: s.customerId,
      customerDomain: customer?.customerDomain,
      subscriptionId: s.subscriptionId,
      skuId: s.skuId,
      skuName: s.skuName,
      plan: {
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
      trialSettings: { isInTrial: s.planName === 'TRIAL' },
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

  private directoryCustomerView(c: Customer): Json {
    return {
      kind: 'admin#directory#customer',
      id: c.customerId,
      customerDomain: c.customerDomain,
      language: c.language,
      alternateEmail: c.alternateEmail,
      phoneNumber: c.phoneNumber,
      postalAddress: c.postalAddress,
      customerCreationTime: new Date(c.creationTime).toISOString(),
    };
  }

  private userView(u: User): Json {
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
}
