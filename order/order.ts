/**
 * The order: the one input of an onboarding, validated in exactly one place.
 *
 * The client library and the CLI call `validateOrder` before anything is started; the workflow
 * calls it again (orders can also arrive through `temporal workflow start`) and fails at once,
 * non-retryably, with the same messages. This file is bundled into the workflow sandbox, so it may
 * only use deterministic, dependency-light code (zod, the userland `punycode`).
 *
 * Error messages name the field and the rule, never the value: a value may be a password or a token.
 */
// The userland `punycode` package under an npm alias: the bare name is Node's deprecated built-in,
// which the workflow bundler refuses (and which Node itself warns about).
import { toASCII } from 'punycode-userland';
import { z } from 'zod';
import { GOOGLE_LANGUAGE_CODES } from './google-languages';
import { isIsoCountryCode } from './iso-countries';

/** Google's limit for every postal address field. */
const POSTAL_FIELD_MAX = 255;
/** Google Directory accepts longer names, but the reseller console truncates past 40. */
const ADMIN_NAME_MAX = 40;
/** Transfer tokens are opaque; this is the character set and length seen in Admin-console tokens, with margin. */
export const TRANSFER_TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{8,512}$/;
export const TRANSFER_TOKEN_RULE = 'must be 8–512 characters of letters, digits and . _ ~ + / = -';
export const PASSWORD_HASH_FUNCTIONS = ['MD5', 'SHA-1', 'crypt'] as const;

export class OrderValidationError extends Error {
  override readonly name = 'OrderValidationError';
  constructor(readonly problems: readonly OrderProblem[]) {
    super(`Invalid order: ${problems.map((p) => `${p.field}: ${p.rule}`).join('; ')}`);
  }
}

export interface OrderProblem {
  /** Dotted path of the field, e.g. `admin.primaryEmail`; `(order)` for the whole document. */
  field: string;
  /** The rule it breaks, in words a person can act on. */
  rule: string;
}

/** Lower-cases, drops a trailing dot and turns an international name into punycode (`bücher.de` → `xn--bcher-kva.de`). */
export function normalizeDomain(domain: string): string {
  const lowered = domain.trim().toLowerCase().replace(/\.$/, '');
  try {
    return toASCII(lowered);
  } catch {
    return lowered; // left as is: the syntax check below reports it
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
function domainRule(domain: string): string | undefined {
  if (domain.length > 253) return 'must be at most 253 characters';
  if (domain.startsWith('www.')) return 'must be the bare domain, without "www."';
  const labels = domain.split('.');
  if (labels.length < 2) return 'must be a domain name such as example.com';
  if (!labels.every((label) => LABEL.test(label)) || !TLD.test(labels[labels.length - 1] ?? '')) {
    return 'must be a domain name: labels of letters, digits and hyphens, separated by dots';
  }
  return undefined;
}

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** Normalizes the domain part of an address (lower case, punycode); the local part is kept as typed. */
function normalizeEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return address.trim();
  return `${address.slice(0, at).trim()}@${normalizeDomain(address.slice(at + 1))}`;
}
function emailDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
const email = () =>
  z
    .string()
    .max(254, { error: 'must be at most 254 characters' })
    .transform(normalizeEmail)
    .check((ctx) => {
      const at = ctx.value.lastIndexOf('@');
      const local = ctx.value.slice(0, at);
      if (at < 1 || local.length > 64 || !EMAIL_LOCAL.test(local) || domainRule(ctx.value.slice(at + 1))) {
        ctx.issues.push({ code: 'custom', message: 'must be an e-mail address such as name@example.com', input: ctx.value });
      }
    });

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => ![...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), { error: 'must not contain control characters' });
const optionalText = (max: number) => text(max).optional();

const postalAddress = z.strictObject({
  contactName: text(POSTAL_FIELD_MAX),
  organizationName: text(POSTAL_FIELD_MAX),
  addressLine1: optionalText(POSTAL_FIELD_MAX),
  addressLine2: optionalText(POSTAL_FIELD_MAX),
  addressLine3: optionalText(POSTAL_FIELD_MAX),
  locality: optionalText(POSTAL_FIELD_MAX),
  region: optionalText(POSTAL_FIELD_MAX),
  postalCode: text(POSTAL_FIELD_MAX),
  countryCode: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isIsoCountryCode, { error: 'must be an ISO 3166-1 alpha-2 country code such as US or FR' }),
});

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const admin = z
  .strictObject({
    givenName: text(ADMIN_NAME_MAX),
    familyName: text(ADMIN_NAME_MAX),
    primaryEmail: email(),
    /** A password the customer chose; without it the onboarding generates a temporary one. */
    password: z.string().optional(),
    /** When set, `password` is a hash made with this function rather than the password itself. */
    passwordHashFunction: z.enum(PASSWORD_HASH_FUNCTIONS, { error: `must be one of ${PASSWORD_HASH_FUNCTIONS.join(', ')}` }).optional(),
  })
  .check((ctx) => {
    const { password, passwordHashFunction } = ctx.value;
    const problem = (message: string) =>
      ctx.issues.push({ code: 'custom', message, path: ['password'], input: undefined });
    if (password === undefined) {
      if (passwordHashFunction) ctx.issues.push({ code: 'custom', message: 'is only allowed together with password', path: ['passwordHashFunction'], input: undefined });
    } else if (passwordHashFunction) {
      if (!PRINTABLE_ASCII.test(password) || password.length > 500) problem('must be a hash of printable ASCII characters, at most 500');
    } else if (password.length < 8 || password.length > 100 || !PRINTABLE_ASCII.test(password)) {
      problem('must be 8–100 printable ASCII characters');
    }
  });

const orderSchema = z
  .strictObject({
    customerDomain: z.string().transform(normalizeDomain).check((ctx) => {
      const rule = domainRule(ctx.value);
      if (rule) ctx.issues.push({ code: 'custom', message: rule, input: undefined });
    }),
    customerType: z.enum(['domain', 'team'], { error: 'must be "domain" or "team"' }).default('domain'),
    /** Where Google and this onboarding write to the customer; required for `domain` customers. */
    alternateEmail: email().optional(),
    /** Team customers only: Google mails the e-mail verification link to this address. */
    primaryAdmin: z.strictObject({ primaryEmail: email() }).optional(),
    postalAddress,
    phoneNumber: z
      .string()
      .trim()
      .regex(/^\+[1-9][0-9]{1,14}$/, { error: 'must be an E.164 number such as +14155550100' })
      .optional(),
    language: z.enum(GOOGLE_LANGUAGE_CODES, { error: "must be one of Google's language codes (e.g. en, fr, pt-BR, iw)" }).default('en'),
    admin,
    /** The token the customer generated for this reseller, when the domain already belongs to a Google customer. */
    transferToken: z.string().regex(TRANSFER_TOKEN_PATTERN, { error: TRANSFER_TOKEN_RULE }).optional(),
    /** Who at the reseller hears about failures, cancellations and expiries. */
    salesContactEmail: email().optional(),
  })
  .check((ctx) => {
    const order = ctx.value;
    const push = (path: string[], message: string) => ctx.issues.push({ code: 'custom', message, path, input: undefined });
    const onCustomerDomain = (address: string) => {
      const domain = emailDomain(address);
      return domain === order.customerDomain || domain.endsWith(`.${order.customerDomain}`);
    };
    if (order.customerType === 'domain' && !order.alternateEmail) push(['alternateEmail'], 'is required for customerType "domain"');
    if (order.alternateEmail && onCustomerDomain(order.alternateEmail)) push(['alternateEmail'], "must not be on the customer's own domain");
    if (order.customerType === 'team' && !order.primaryAdmin) push(['primaryAdmin', 'primaryEmail'], 'is required for customerType "team"');
    if (order.customerType === 'domain' && order.primaryAdmin) push(['primaryAdmin'], 'is only allowed for customerType "team"');
    if (emailDomain(order.admin.primaryEmail) !== order.customerDomain) push(['admin', 'primaryEmail'], `must be on the customer's domain (${order.customerDomain})`);
  });

/** A validated, normalized order. */
export type Order = z.output<typeof orderSchema>;
/** What a sales system sends: the JSON before normalization (defaults may be omitted). */
export type OrderInput = z.input<typeof orderSchema>;

export interface OrderPolicy {
  /** ISO codes of the countries this reseller may sell to (from the Partner Sales Console); empty means no restriction. */
  allowedCountries?: readonly string[];
}

/** Turns a zod issue into a rule that names what is expected but never echoes the value. */
function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
    case 'unrecognized_keys':
      return `is not a known field (${issue.keys.join(', ')})`;
    default:
      return issue.message;
  }
}

function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path.length ? issue.path.join('.') : '(order)';
}

/** Validates and normalizes an order; throws `OrderValidationError` listing every problem. */
export function validateOrder(input: unknown, policy: OrderPolicy = {}): Order {
  const result = orderSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    throw new OrderValidationError(
      result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), rule: 'is not a known field' }))
          : [{ field: fieldOf(issue), rule: ruleOf(issue) }],
      ),
    );
  }
  const order = result.data;
  const allowed = policy.allowedCountries ?? [];
  if (allowed.length > 0 && !allowed.includes(order.postalAddress.countryCode)) {
    throw new OrderValidationError([
      { field: 'postalAddress.countryCode', rule: `must be a country this reseller sells to (${allowed.join(', ')})` },
    ]);
  }
  return order;
}

/** Validates a transfer token on its own (the `provideTransferToken` update and the CLI). */
export function validateTransferToken(token: unknown): string {
  if (typeof token !== 'string' || !TRANSFER_TOKEN_PATTERN.test(token)) {
    throw new OrderValidationError([{ field: 'transferToken', rule: TRANSFER_TOKEN_RULE }]);
  }
  return token;
}

/** Where notices to the customer go: the alternate e-mail, or the team customer's verified admin address. */
export function customerContactEmail(order: Order): string {
  return order.alternateEmail ?? order.primaryAdmin?.primaryEmail ?? order.admin.primaryEmail;
}
