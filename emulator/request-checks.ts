/**
 * Checks of Google request bodies, field by field, with Google's 400 `invalid` answers naming the
 * field. Pure functions over the raw body (`unknown`), used by the emulator's state.
 */
import { invalid } from './errors';
import {
  type ExternalId,
  isAnnual,
  MAX_PURCHASE_ORDER_ID_LENGTH,
  PLAN_NAMES,
  type PlanName,
  type PostalAddress,
  RENEWAL_TYPES,
  TRIAL_MAX_SEATS,
} from './model';

export type Json = Record<string, unknown>;

const MAX_FIELD_LENGTH = 255;
// Directory: first and last names "have a maximum of 40 characters" (docs/google-behaviour.md D7).
const MAX_NAME_LENGTH = 40;
const HASH_FUNCTIONS = ['MD5', 'SHA-1', 'crypt'];
export const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const EMAIL = /^[^\s@]+@([^\s@]+)$/;
export const E164 = /^\+[1-9]\d{1,14}$/;
/**
 * Reseller `phoneNumber`: "Must start with "+" followed by the country code. The rest of the number can
 * be contiguous numbers or respect the phone local format conventions" (C5): digits with the usual
 * separators, 7 to 15 digits in all. What Google counts as "a real phone number" is unconfirmed.
 */
export const RESELLER_PHONE = /^\+[1-9][0-9 ()./-]{5,24}$/;
const realPhone = (phone: string) => RESELLER_PHONE.test(phone) && /^(?:\D*\d){7,15}\D*$/.test(phone);
const OPTIONAL_ADDRESS_FIELDS = ['addressLine1', 'addressLine2', 'addressLine3', 'locality', 'region'] as const;
// Fields Google fills in itself: sending them back (e.g. a listed subscription re-sent as is) is a 400.
// Not `seats.licensedNumberOfSeats`: Google's own transfer example sends it (docs/google-behaviour.md S6); it is ignored.
const READ_ONLY_SUBSCRIPTION_FIELDS: ReadonlyArray<readonly [path: readonly string[], label: string]> = [
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

export function emailDomain(email: string): string {
  return EMAIL.exec(email)?.[1] ?? '';
}

export function asObject(value: unknown, field: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`Invalid value for ${field}.`);
  return value as Json;
}

export function optionalString(obj: Json, key: string, field: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`Invalid value for ${field}: must be a string.`);
  if (value.length > MAX_FIELD_LENGTH) {
    throw invalid(`Invalid value for ${field}: longer than ${MAX_FIELD_LENGTH} characters.`);
  }
  return value;
}

export function requiredString(obj: Json, key: string, field: string): string {
  const value = optionalString(obj, key, field);
  if (value === undefined || value.trim() === '') throw invalid(`Missing required field: ${field}.`);
  return value;
}

export function optionalBoolean(obj: Json, key: string, field: string): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`Invalid value for ${field}: must be a boolean.`);
  return value;
}

export function requiredEmail(obj: Json, key: string, field: string): string {
  const value = requiredString(obj, key, field).toLowerCase();
  if (!DOMAIN.test(emailDomain(value))) throw invalid(`Invalid value for ${field}: not an email address.`);
  return value;
}

export function personName(obj: Json, key: string): string {
  const value = requiredString(obj, key, `name.${key}`);
  if (value.length > MAX_NAME_LENGTH) {
    throw invalid(`Invalid value for name.${key}: longer than ${MAX_NAME_LENGTH} characters.`);
  }
  return value;
}

/** Google takes clear-text passwords of 8–100 ASCII characters, or a hash with its function named. */
export function checkPassword(body: Json): { hashFunction?: string } {
  const password = body.password;
  if (typeof password !== 'string' || password === '') throw invalid('Missing required field: password.');
  const hashFunction = optionalString(body, 'hashFunction', 'hashFunction');
  if (hashFunction !== undefined) {
    if (!HASH_FUNCTIONS.includes(hashFunction)) {
      throw invalid('Invalid value for hashFunction: must be MD5, SHA-1 or crypt.');
    }
    return { hashFunction };
  }
  // "A password can contain any combination of ASCII characters" (D7).
  // eslint-disable-next-line no-control-regex -- any ASCII character, as Google says
  if (!/^[\x00-\x7f]{8,100}$/.test(password)) throw invalid('Invalid Password: must be 8 to 100 ASCII characters.');
  return {};
}

export function checkPostalAddress(value: unknown): PostalAddress {
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

/** Directory's externalIds: a list of {type, customType (when type is custom), value}. */
export function externalIdsOf(b: Json): ExternalId[] | undefined {
  if (b.externalIds === undefined) return undefined;
  if (!Array.isArray(b.externalIds)) throw invalid('Invalid value for externalIds.');
  return b.externalIds.map((item: unknown) => {
    const id = asObject(item, 'externalIds');
    if (typeof id.type !== 'string' || typeof id.value !== 'string')
      throw invalid('Invalid value for externalIds: type and value are required.');
    if (id.type === 'custom' && typeof id.customType !== 'string')
      throw invalid('Invalid value for externalIds: customType is required for type custom.');
    return {
      type: id.type,
      value: id.value,
      ...(typeof id.customType === 'string' ? { customType: id.customType } : {}),
    };
  });
}

export function rejectReadOnlyFields(body: Json): void {
  for (const [path, label] of READ_ONLY_SUBSCRIPTION_FIELDS) {
    let node: unknown = body;
    for (const key of path) node = node !== null && typeof node === 'object' ? (node as Json)[key] : undefined;
    if (node !== undefined && node !== null) throw invalid(`${label} field is read-only.`);
  }
}

export interface SubscriptionRequest {
  skuId: string;
  planName: PlanName;
  seats: number;
  renewalType?: string;
  purchaseOrderId?: string;
  /** "Google-issued code (100 char max) for discounted pricing on subscription plans" (Subscription reference). */
  dealCode?: string;
}

const MAX_DEAL_CODE_LENGTH = 100;

/** numberOfSeats for annual plans, maximumNumberOfSeats for flexible and trial plans (Seats reference). */
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
  if (plan === 'TRIAL' && seats > TRIAL_MAX_SEATS) {
    throw invalid(
      `Invalid value for seats.maximumNumberOfSeats: a TRIAL subscription has at most ${TRIAL_MAX_SEATS} seats.`,
    );
  }
  return { planName: plan, seats };
}

/** renewalSettings apply to annual commitment plans only; purchaseOrderId is free text. */
function renewalAndOrder(body: Json, planName: PlanName): { renewalType?: string; purchaseOrderId?: string } {
  const renewalType = optionalString(
    asObject(body.renewalSettings, 'renewalSettings'),
    'renewalType',
    'renewalSettings.renewalType',
  );
  if (renewalType !== undefined) {
    if (!(RENEWAL_TYPES as readonly string[]).includes(renewalType)) {
      throw invalid(
        `Invalid value for renewalSettings.renewalType: ${renewalType}. Use one of ${RENEWAL_TYPES.join(', ')}.`,
      );
    }
    if (!isAnnual(planName)) {
      throw invalid(
        `Invalid value for renewalSettings.renewalType: renewal settings apply to annual plans only, not ${planName}.`,
      );
    }
  }
  const purchaseOrderId = optionalString(body, 'purchaseOrderId', 'purchaseOrderId');
  if (purchaseOrderId !== undefined && purchaseOrderId.length > MAX_PURCHASE_ORDER_ID_LENGTH) {
    throw invalid(`Invalid value for purchaseOrderId: longer than ${MAX_PURCHASE_ORDER_ID_LENGTH} characters.`);
  }
  return { renewalType, purchaseOrderId };
}

/** The writable part of a subscriptions.insert body, checked. */
export function checkSubscriptionRequest(body: unknown): SubscriptionRequest {
  const b = asObject(body, 'subscription');
  rejectReadOnlyFields(b);
  const skuId = requiredString(b, 'skuId', 'skuId');
  const { planName, seats } = planAndSeats(b);
  const dealCode = optionalString(b, 'dealCode', 'dealCode');
  if (dealCode !== undefined && (dealCode.length === 0 || dealCode.length > MAX_DEAL_CODE_LENGTH))
    throw invalid(`Invalid value for dealCode: 1 to ${MAX_DEAL_CODE_LENGTH} characters.`);
  return { skuId, planName, seats, ...renewalAndOrder(b, planName), ...(dealCode !== undefined ? { dealCode } : {}) };
}

export interface CustomerFields {
  customerDomain: string;
  customerType: 'domain' | 'team';
  alternateEmail?: string;
  postalAddress: PostalAddress;
  phoneNumber?: string;
  primaryAdminEmail?: string;
}

/** customers.insert body, checked field by field. */
export function checkCustomerBody(body: unknown): CustomerFields {
  const b = asObject(body, 'customer');
  const customerDomain = requiredString(b, 'customerDomain', 'customerDomain').trim().toLowerCase();
  if (customerDomain.startsWith('www.')) throw invalid('Invalid value for customerDomain: must not start with "www.".');
  if (!DOMAIN.test(customerDomain))
    throw invalid(`Invalid value for customerDomain: ${customerDomain} is not a domain name.`);
  const customerType = optionalString(b, 'customerType', 'customerType') ?? 'domain';
  if (customerType !== 'domain' && customerType !== 'team')
    throw invalid('Invalid value for customerType: must be domain or team.');
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
  const phoneNumber = phone !== undefined && realPhone(phone) ? phone : undefined;
  return { customerDomain, customerType, alternateEmail, postalAddress, phoneNumber, primaryAdminEmail };
}
