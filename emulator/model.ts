/**
 * The emulator's data model: what it keeps about customers, subscriptions and users, and the
 * catalogue facts (plans, SKUs, add-ons) Google's rules refer to. Plain types and constants only,
 * shared by the state, its views and the control schema. Sources: docs/google-behaviour.md.
 */

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
export const RENEWAL_TYPES = [
  'AUTO_RENEW_MONTHLY_PAY',
  'AUTO_RENEW_YEARLY_PAY',
  'CANCEL',
  'RENEW_CURRENT_USERS_MONTHLY_PAY',
  'RENEW_CURRENT_USERS_YEARLY_PAY',
  'SWITCH_TO_PAY_AS_YOU_GO',
] as const;

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Seats reference: "A subscription in a 30-day free trial is restricted to maximum 10 seats." */
export const TRIAL_MAX_SEATS = 10;
/** Unconfirmed limit (see docs/google-behaviour.md): longer purchase order ids are refused. */
export const MAX_PURCHASE_ORDER_ID_LENGTH = 80;

/** The only SKUs a team (email-verified) customer may buy: the Essentials editions. */
export const TEAM_SKUS: ReadonlySet<string> = new Set(['1010060001', '1010060003', '1010060005']);

export const SKU_NAMES: Readonly<Record<string, string>> = {
  '1010020027': 'Google Workspace Business Starter',
  '1010020028': 'Google Workspace Business Standard',
  '1010020025': 'Google Workspace Business Plus',
  '1010020026': 'Google Workspace Enterprise Standard',
  '1010020020': 'Google Workspace Enterprise Plus',
  '1010060001': 'Google Workspace Essentials',
  '1010060003': 'Google Workspace Enterprise Essentials',
  '1010060005': 'Google Workspace Enterprise Essentials Plus',
  'Google-Vault': 'Google Vault',
  'Google-Vault-Former-Employee': 'Google Vault - Former Employee',
  'Google-Drive-storage-20GB': 'Google Drive storage 20GB',
};

/** Drive storage and Vault: add-ons that move with their Google Workspace base subscription. */
export function isTransferAddOn(skuId: string): boolean {
  return (
    skuId.startsWith('Google-Drive-storage-') || skuId === 'Google-Vault' || skuId === 'Google-Vault-Former-Employee'
  );
}

/** Google Workspace editions (product 101002…/101006… and other 10100… SKUs). */
export function isWorkspaceBase(skuId: string): boolean {
  return /^10100[26]\d{4}$/.test(skuId); // not Cloud Identity (101001…, 101005…): Google's "Products and SKUs"
}

export function isAnnual(plan: PlanName): boolean {
  return plan === 'ANNUAL_MONTHLY_PAY' || plan === 'ANNUAL_YEARLY_PAY';
}

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
  domainVerified: boolean;
  transferTokens: TransferToken[];
  creationTime: number;
  /** Registered with this reseller by customers.insert?customerAuthToken, before its subscriptions move. */
  registeredWithThisReseller: boolean;
  /** Directory calls still answered "not yet propagated" (customers.insert by this reseller only). */
  propagationCallsLeft: number;
  /** Verified without the customer's admin as owner: customerDomainVerified shows from then on (ms since epoch). */
  domainVerifiedFrom?: number;
  /** This reseller ended its last subscription with transfer_to_direct: it may still remove the users it created. */
  handedBackByThisReseller?: boolean;
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
  renewalType?: string;
  purchaseOrderId?: string;
  dealCode?: string;
  transferredAt?: number;
}

export interface ExternalId {
  type: string;
  customType?: string;
  value: string;
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
  /** How many updates set a new password (state only): how a test sees that the sign-in notice's reset arrived. */
  passwordChanges: number;
  creationTime: number;
}

export interface Settings {
  /** How many makeAdmin calls per new user answer 404 "User creation is not complete." first. */
  adminPropagationCalls: number;
  /** How many Directory calls about a customer just inserted answer 403 "Not Authorized…" first. */
  customerPropagationCalls: number;
  /**
   * Whether batch response parts carry `Content-ID: <response-…>`. Google's Reseller batch guide
   * says the Content-ID is not populated, so by default they do not: match responses by order.
   */
  batchResponseContentIds: boolean;
  /** Directory queries per minute per user (bearer token); null: no limit. */
  directoryQueriesPerMinute: number | null;
  /** Reseller queries per minute (a batch counts its calls); null: no limit. */
  resellerQueriesPerMinute: number | null;
  /** Directory user creations per domain per second; null: no limit. */
  userCreationsPerDomainPerSecond: number | null;
  /**
   * How long a domain verified WITHOUT the customer's admin among the owners takes to show as
   * customerDomainVerified ("about 3 hours"; with the admin as owner it shows at once).
   */
  domainVerificationPropagationMs: number;
}

export function defaultSettings(): Settings {
  return {
    adminPropagationCalls: 0,
    customerPropagationCalls: 0,
    batchResponseContentIds: false,
    directoryQueriesPerMinute: null,
    resellerQueriesPerMinute: null,
    userCreationsPerDomainPerSecond: null,
    domainVerificationPropagationMs: 3 * 60 * 60 * 1000,
  };
}

/** A message the emulator itself sends in Google's place (e.g. a team customer's verification link). */
export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}
