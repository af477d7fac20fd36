/**
 * Bodies of the emulator's control endpoints (`/_emulator/...`). The server parses with these
 * schemas; the control client uses their input types, so both sides agree on one definition.
 */
import { z } from 'zod';
import { isGoogleLanguageCode } from '../order/google-languages';
import { OWNERS, PLAN_NAMES, SUSPENSION_REASONS } from './model';

const email = z.email().transform((value) => value.toLowerCase());

// ms since epoch or an RFC 3339 date-time.
const instant = z.union([z.number().int(), z.iso.datetime({ offset: true })]);

const transferTokenSeed = z.object({
  token: z.string().min(1),
  forReseller: z.enum(['this', 'other']).default('this'),
  // ms since epoch or ISO date-time; absent = Google's default lifetime from now.
  expiresAt: z.union([z.number().int(), z.iso.datetime({ offset: true })]).optional(),
});

const subscriptionSeed = z.object({
  skuId: z.string().min(1),
  skuName: z.string().min(1).optional(),
  planName: z.enum(PLAN_NAMES),
  seats: z.number().int().positive(),
  // Google derives it from the licenses in use; default: every seat is in use.
  minimumTransferableSeats: z.number().int().nonnegative().optional(),
  status: z.enum(['ACTIVE', 'SUSPENDED']).default('ACTIVE'),
  creationTime: instant.optional(),
  // A customer elsewhere part-way through its transfer: this subscription already moved here.
  movedToThisReseller: z.boolean().default(false),
  suspensionReasons: z.array(z.enum(SUSPENSION_REASONS)).optional(),
});

const userSeed = z.object({
  primaryEmail: email,
  givenName: z.string().min(1).default('Seeded'),
  familyName: z.string().min(1).default('User'),
  isAdmin: z.boolean().default(false),
  agreedToTerms: z.boolean().default(false),
});

const postalAddressSeed = z.object({
  contactName: z.string().min(1),
  organizationName: z.string().min(1),
  postalCode: z.string().min(1),
  countryCode: z.string().regex(/^[A-Z]{2}$/),
  addressLine1: z.string().optional(),
  locality: z.string().optional(),
  region: z.string().optional(),
});

const customerSeed = z.object({
  customerDomain: z
    .string()
    .min(1)
    .transform((value) => value.toLowerCase()),
  customerType: z.enum(['domain', 'team']).default('domain'),
  owner: z.enum(OWNERS),
  customerId: z
    .string()
    .regex(/^C[0-9A-Za-z]+$/)
    .optional(),
  alternateEmail: email.optional(),
  postalAddress: postalAddressSeed.optional(),
  phoneNumber: z
    .string()
    .regex(/^\+[1-9]\d{1,14}$/, 'an E.164 phone number')
    .optional(),
  // Team customers: the address Google mails the verification link to (their first admin).
  primaryAdminEmail: email.optional(),
  domainVerified: z.boolean().default(false),
  // A customer elsewhere already registered with this reseller (customers.insert with its token).
  registeredWithThisReseller: z.boolean().default(false),
  // When the customer was created at Google: "a customer of ours created long ago".
  creationTime: instant.optional(),
  language: z.string().refine(isGoogleLanguageCode, 'not a Google language code').default('en'),
  tosAccepted: z.boolean().default(false),
  transferTokens: z.array(transferTokenSeed).default([]),
  subscriptions: z.array(subscriptionSeed).default([]),
  users: z.array(userSeed).default([]),
});

export const seedRequestSchema = z.object({ customers: z.array(customerSeed).min(1) });
export type SeedRequest = z.input<typeof seedRequestSchema>;
export type SeedCustomer = z.output<typeof customerSeed>;

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export const faultSpecSchema = z
  .object({
    // HTTP method to match (any when absent), compared case-insensitively.
    method: z.string().min(1).optional(),
    // Regular expression tested against the request path (no query string).
    path: z.string().min(1).refine(isRegex, 'not a valid regular expression'),
    status: z.number().int().min(400).max(599).optional(),
    times: z.number().int().positive().default(1),
    delayMs: z.number().int().nonnegative().max(600_000).optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    mode: z.enum(['before', 'after']).default('before'),
    // Probabilistic faults: each matching request is hit with this probability (seeded, so a run
    // repeats); a request not hit passes on to the next matching fault, and uses up nothing.
    probability: z.number().min(0).max(1).default(1),
    seed: z.number().int().default(1),
    // Override Google's default reason/message for the status (e.g. 403 userRateLimitExceeded).
    reason: z.string().min(1).optional(),
    message: z.string().min(1).optional(),
  })
  .refine((fault) => fault.status !== undefined || fault.delayMs !== undefined, 'a fault needs a status or a delayMs');
export type FaultSpec = z.input<typeof faultSpecSchema>;
export type ParsedFaultSpec = z.output<typeof faultSpecSchema>;

export const settingsPatchSchema = z.strictObject({
  adminPropagationCalls: z.number().int().nonnegative().optional(),
  customerPropagationCalls: z.number().int().nonnegative().optional(),
  batchResponseContentIds: z.boolean().optional(),
  // Quotas: a positive limit, or null for none (the default).
  directoryQueriesPerMinute: z.number().int().positive().nullable().optional(),
  resellerQueriesPerMinute: z.number().int().positive().nullable().optional(),
  userCreationsPerDomainPerSecond: z.number().int().positive().nullable().optional(),
  domainVerificationPropagationMs: z.number().int().nonnegative().optional(),
});
export type SettingsPatch = z.input<typeof settingsPatchSchema>;

/** `POST /_emulator/customers/{domain}/verify-domain`: publish the TXT record(s) (default), or the customer verifies in the Admin console. */
export const verifyDomainSchema = z.strictObject({
  by: z.enum(['dns-record', 'customer']).default('dns-record'),
  txtRecord: z.string().min(1).optional(),
});
export type VerifyDomainRequest = z.input<typeof verifyDomainSchema>;
