/**
 * The order: the one input of an onboarding, validated in exactly one place.
 *
 * The client library and the CLI call `validateOrder` before anything is started; the onboarding
 * runs it again in its first activity (orders can also arrive through `temporal workflow start`),
 * whose verdict is recorded in history: a later, stricter rule never changes how a running
 * onboarding replays, and zod and the tables stay out of the workflow bundle (see basics.ts for
 * what the workflow itself may use).
 *
 * Error messages name the field and the rule, never the value: a value may be a password or a token.
 */
// The userland `punycode` package under an npm alias: the bare name is Node's deprecated built-in,
// which the workflow bundler refuses (and which Node itself warns about).
import { toASCII, toUnicode } from 'punycode-userland';
import { z } from 'zod';
import { parseDurationMs } from './duration';
import { GOOGLE_LANGUAGE_CODES, type GoogleLanguageCode } from './google-languages';
import { isIsoCountryCode } from './iso-countries';
import { OrderValidationError, TRANSFER_TOKEN_PATTERN, TRANSFER_TOKEN_RULE, type OrderProblem } from './basics';
import { lookalikeRule } from './lookalike';

export { customerContactEmail, OrderValidationError, validateTransferToken, type OrderProblem } from './basics';

/** Google's limit for every postal address field. */
const POSTAL_FIELD_MAX = 255;
/** Google Directory accepts longer names, but the reseller console truncates past 40. */
const ADMIN_NAME_MAX = 40;
const PASSWORD_HASH_FUNCTIONS = ['MD5', 'SHA-1', 'crypt'] as const;

// ---------------------------------------------------------------------------------------------
// Domains

/**
 * UTS #46's mapping, closely enough: compatibility forms folded (full-width `ｅｘａｍｐｌｅ` is
 * `example`), lower case, ideographic full stops as dots, no trailing root dot.
 */
function foldDomain(domain: string): string {
  return domain
    .trim()
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u3002\uff0e\uff61]/g, '.')
    .replace(/\.$/, '');
}

/** Lower-cases, drops a trailing dot and turns an international name into punycode (`bücher.de` → `xn--bcher-kva.de`). */
export function normalizeDomain(domain: string): string {
  const folded = foldDomain(domain);
  try {
    return toASCII(folded);
  } catch {
    return folded; // left as is: validation reports it
  }
}

const PRINTABLE_ASCII = /^[ -~]*$/;
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/** IDNA2008's letters and digits (Ll Lu Lo Lm Mn Mc Nd) and the hyphen: no symbols (emoji), punctuation or invisible characters. */
const IDN_LABEL = /^[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Mn}\p{Mc}\p{Nd}-]+$/u;
/** Variation selectors are marks (Mn), but only ever turn characters into emoji. */
const VARIATION_SELECTOR = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;

/** An `xn--` label decoded, or undefined when it is not the canonical punycode of a valid Unicode label. */
function decodeLabel(label: string): string | undefined {
  if (!label.startsWith('xn--')) return label;
  try {
    const unicode = toUnicode(label);
    return !PRINTABLE_ASCII.test(unicode) && foldDomain(unicode) === unicode && toASCII(unicode) === label
      ? unicode
      : undefined;
  } catch {
    return undefined;
  }
}

function unicodeLabelRule(label: string): string | undefined {
  if (!IDN_LABEL.test(label) || VARIATION_SELECTOR.test(label)) {
    return 'may contain only letters, digits and hyphens (no symbols, emoji, punctuation or invisible characters)';
  }
  if (/^\p{M}/u.test(label)) return 'must not start a label with a combining mark';
  // Mixed scripts and whole-script look-alikes (UTS #39): lookalike.ts.
  return lookalikeRule(label);
}

type ParsedDomain = { domain: string; rule?: undefined } | { rule: string };

/** Validates a domain as typed (Unicode or punycode) and returns its normalized ASCII form. */
function parseDomain(input: string): ParsedDomain {
  const folded = foldDomain(input);
  // A code point is at most two UTF-16 units, and punycode never shortens a label.
  if (folded.length > 2 * 253) return { rule: 'must be at most 253 characters' };
  if (folded.startsWith('www.')) return { rule: 'must be the bare domain, without "www."' };
  const labels = folded.split('.');
  if (labels.length < 2) return { rule: 'must be a domain name such as example.com' };
  const ascii: string[] = [];
  for (const label of labels) {
    const unicode = decodeLabel(label);
    if (unicode === undefined) return { rule: 'must not contain malformed punycode (xn--) labels' };
    if (!PRINTABLE_ASCII.test(unicode)) {
      const rule = unicodeLabelRule(unicode);
      if (rule) return { rule };
    }
    ascii.push(toASCII(unicode));
  }
  const domain = ascii.join('.');
  if (domain.length > 253) return { rule: 'must be at most 253 characters' };
  if (!ascii.every((label) => LDH_LABEL.test(label)) || !TLD.test(ascii[ascii.length - 1] ?? '')) {
    return { rule: 'must be a domain name: labels of letters, digits and hyphens, separated by dots' };
  }
  return { domain };
}

// ---------------------------------------------------------------------------------------------
// Field types

const EMAIL_RULE = 'must be an e-mail address such as name@example.com';
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** What Google allows in a username: letters, digits, dashes, underscores, apostrophes and dots. */
const GOOGLE_USERNAME = /^[A-Za-z0-9_'-]+(?:\.[A-Za-z0-9_'-]+)*$/;
const GOOGLE_USERNAME_RULE = "must be an e-mail address whose name part has only letters, digits, - _ ' and .";

/** An address, its domain normalized (lower case, punycode); the local part is kept as typed. */
const email = (local = EMAIL_LOCAL, rule = EMAIL_RULE) =>
  z
    .string()
    .max(254, { error: 'must be at most 254 characters' })
    .transform((typed, ctx) => {
      const address = typed.trim();
      const at = address.lastIndexOf('@');
      const localPart = address.slice(0, at);
      const domain = parseDomain(address.slice(at + 1));
      if (at < 1 || localPart.length > 64 || !local.test(localPart) || domain.rule !== undefined) {
        ctx.addIssue({ code: 'custom', message: rule, input: undefined });
        return z.NEVER;
      }
      const normalized = `${localPart}@${domain.domain}`;
      if (normalized.length > 254) {
        ctx.addIssue({ code: 'custom', message: 'must be at most 254 characters', input: undefined });
        return z.NEVER;
      }
      return normalized;
    });
const emailDomain = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/**
 * Control characters (CR/LF header injection), line separators, bidi overrides and isolates
 * (text shown in another order than stored), zero-width and other invisible characters, lone
 * surrogates. ZWJ/ZWNJ stay allowed: Persian and Indic names need them.
 */
const INVISIBLE =
  /[\p{Cc}\p{Cs}\u00AD\u061C\u180E\u200B\u200E\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/u;
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => !INVISIBLE.test(value), {
      error: 'must not contain control, invisible or text-direction characters',
    });
const optionalText = (max: number) => text(max).optional();

/**
 * Google: names may hold Unicode letters, digits, spaces, dashes, slashes and periods; apostrophes
 * for O'Brien, ZWNJ/ZWJ for Persian and Indic spellings.
 */
const PERSON_NAME = /^(?:[\p{L}\p{M}\p{N} .'’/-]|\u200C|\u200D)+$/u;
const personName = () =>
  text(ADMIN_NAME_MAX).regex(PERSON_NAME, { error: "may contain only letters, digits, spaces and . - / '" });

/** Every country's postal codes are Latin letters and digits, at most separated by single spaces or hyphens. */
const POSTAL_CODE = /^[A-Za-z0-9]+(?:[ -][A-Za-z0-9]+)*$/;
const normalizeCountry = (code: string) => code.trim().toUpperCase();

/** BCP 47 tags are case-insensitive: `PT-br` is Google's `pt-BR`. */
const LANGUAGE_BY_LOWER_CASE = new Map<string, GoogleLanguageCode>(
  GOOGLE_LANGUAGE_CODES.map((code) => [code.toLowerCase(), code]),
);
const LANGUAGE_RULE = "must be one of Google's language codes (e.g. en, fr, pt-BR, iw)";

const HASH_FORMATS: Record<(typeof PASSWORD_HASH_FUNCTIONS)[number], { pattern: RegExp; rule: string }> = {
  MD5: {
    pattern: /^[0-9a-fA-F]{32}$/,
    rule: 'must be a hex-encoded MD5 hash (32 hex digits) when passwordHashFunction is MD5',
  },
  'SHA-1': {
    pattern: /^[0-9a-fA-F]{40}$/,
    rule: 'must be a hex-encoded SHA-1 hash (40 hex digits) when passwordHashFunction is SHA-1',
  },
  crypt: {
    pattern: /^(?:[./0-9A-Za-z]{13}|\$[156]\$(?:rounds=[0-9]{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{22,86})$/,
    rule: 'must be a crypt(3) hash (DES, $1$, $5$ or $6$) when passwordHashFunction is crypt',
  },
};
/** A hex MD5/SHA-1 digest or a modular crypt hash sent as a plain password would become the password itself. */
const LOOKS_HASHED =
  /^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|\$[156]\$(?:rounds=[0-9]{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{22,86})$/;

/** Whether a field (dotted path) or anything around it already failed; unknown extra keys do not count. */
function failed(issues: readonly { code?: string; path?: readonly PropertyKey[] }[], path: string): boolean {
  return issues.some((issue) => {
    if (issue.code === 'unrecognized_keys') return false;
    const at = (issue.path ?? []).map(String).join('.');
    return at === path || at.startsWith(`${path}.`) || path.startsWith(`${at}.`);
  });
}
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
// Cross-field rules also run when other fields failed, so that one answer lists every problem; each
// rule reads only fields that passed on their own.
const whenObject = { when: (payload: z.core.ParsePayload) => isRecord(payload.value) };

// ---------------------------------------------------------------------------------------------
// The order

const postalAddress = z.strictObject({
  contactName: text(POSTAL_FIELD_MAX),
  organizationName: text(POSTAL_FIELD_MAX),
  addressLine1: optionalText(POSTAL_FIELD_MAX),
  addressLine2: optionalText(POSTAL_FIELD_MAX),
  addressLine3: optionalText(POSTAL_FIELD_MAX),
  locality: optionalText(POSTAL_FIELD_MAX),
  region: optionalText(POSTAL_FIELD_MAX),
  postalCode: text(POSTAL_FIELD_MAX).regex(POSTAL_CODE, {
    error: 'must be letters and digits, optionally separated by spaces or hyphens',
  }),
  countryCode: z
    .string()
    .transform(normalizeCountry)
    .refine(isIsoCountryCode, { error: 'must be an ISO 3166-1 alpha-2 country code such as US or FR' }),
});

const admin = z
  .strictObject({
    givenName: personName(),
    familyName: personName(),
    primaryEmail: email(GOOGLE_USERNAME, GOOGLE_USERNAME_RULE),
    /** A password the customer chose; without it the onboarding generates a temporary one. */
    password: z.string().optional(),
    /** When set, `password` is a hash made with this function rather than the password itself. */
    passwordHashFunction: z
      .enum(PASSWORD_HASH_FUNCTIONS, { error: `must be one of ${PASSWORD_HASH_FUNCTIONS.join(', ')}` })
      .optional(),
  })
  .superRefine((user, ctx) => {
    if (failed(ctx.issues, 'password') || failed(ctx.issues, 'passwordHashFunction')) return;
    const { password, passwordHashFunction } = user;
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', message, path: [path], input: undefined });
    if (password === undefined) {
      if (passwordHashFunction) problem('passwordHashFunction', 'is only allowed together with password');
    } else if (passwordHashFunction) {
      const format = HASH_FORMATS[passwordHashFunction];
      if (!format.pattern.test(password)) problem('password', format.rule);
    } else if (password.length < 8 || password.length > 100 || !PRINTABLE_ASCII.test(password)) {
      problem('password', 'must be 8–100 printable ASCII characters');
    } else if (LOOKS_HASHED.test(password)) {
      problem(
        'password',
        `looks like a password hash: set passwordHashFunction (${PASSWORD_HASH_FUNCTIONS.join(', ')})`,
      );
    }
  }, whenObject);

const MAX_WAIT_MS = 365 * 86_400_000;
/** A Temporal duration ("3 days", "12h", "90m"), kept as written; Temporal itself parses it. */
const duration = z.string().refine(
  (value) => {
    const ms = parseDurationMs(value);
    return ms !== undefined && ms >= 1000 && ms <= MAX_WAIT_MS;
  },
  { error: 'must be a duration between 1 second and 365 days, such as "3 days", "12h" or "90m"' },
);
const waitPolicy = z.strictObject({
  /** How often to ask Google whether the customer accepted the terms. */
  checkEvery: duration.optional(),
  /** Reminder e-mails, as offsets from the start of the wait. */
  reminders: z.array(duration).max(20, { error: 'must list at most 20 reminders' }).optional(),
  /** When the onboarding gives up (ends `expired`), from the start of the wait. */
  deadline: duration.optional(),
});

// ---------------------------------------------------------------------------------------------
// Subscriptions: what was sold

/** Reseller API plan names (subscriptions resource, `plan.planName`). */
export const PLAN_NAMES = ['ANNUAL_MONTHLY_PAY', 'ANNUAL_YEARLY_PAY', 'FLEXIBLE', 'TRIAL'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];
export const isAnnualPlan = (plan: string): boolean => plan === 'ANNUAL_MONTHLY_PAY' || plan === 'ANNUAL_YEARLY_PAY';
/** Reseller API `renewalSettings.renewalType`: annual plans only. */
const RENEWAL_TYPES = [
  'AUTO_RENEW_MONTHLY_PAY',
  'AUTO_RENEW_YEARLY_PAY',
  'CANCEL',
  'RENEW_CURRENT_USERS_MONTHLY_PAY',
  'RENEW_CURRENT_USERS_YEARLY_PAY',
  'SWITCH_TO_PAY_AS_YOU_GO',
] as const;
/** Team (email-verified) customers can buy only these: Essentials, Enterprise Essentials, Enterprise Essentials Plus. */
export const TEAM_SKUS = ['1010060001', '1010060003', '1010060005'] as const;
/** Google's limit on a trial's seats; seats above 50,000 are refused by the Partner Sales Console (unconfirmed for the API). */
const TRIAL_MAX_SEATS = 10;
const MAX_SEATS = 50_000;
const PURCHASE_ORDER_MAX = 80;
/** Subscription reference, `dealCode`: "Google-issued code (100 char max) for discounted pricing on subscription plans". */
const DEAL_CODE_MAX = 100;

const subscription = z
  .strictObject({
    /** Google's SKU id, e.g. 1010020028 (Business Standard). */
    skuId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'must be a Google SKU id such as 1010020028' }),
    plan: z.enum(PLAN_NAMES, { error: `must be one of ${PLAN_NAMES.join(', ')}` }),
    /** numberOfSeats for annual plans (the commitment), maximumNumberOfSeats for FLEXIBLE and TRIAL (the cap). */
    seats: z
      .number({ error: 'must be a whole number of seats' })
      .int({ error: 'must be a whole number of seats' })
      .min(1, { error: 'must be at least 1' })
      .max(MAX_SEATS, { error: `must be at most ${MAX_SEATS}` }),
    renewalType: z.enum(RENEWAL_TYPES, { error: `must be one of ${RENEWAL_TYPES.join(', ')}` }).optional(),
    purchaseOrderId: text(PURCHASE_ORDER_MAX).optional(),
    /** Google's deal code for a discounted price, sent with the insert (not on transfers: docs/google-behaviour.md S12). */
    dealCode: z
      .string({ error: 'must be a text' })
      .regex(/^[\x21-\x7E]{1,100}$/, {
        error: `must be Google's deal code: 1 to ${DEAL_CODE_MAX} visible characters, no spaces`,
      })
      .optional(),
  })
  .superRefine((sub, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', message, path: [path], input: undefined });
    if (failed(ctx.issues, 'plan')) return;
    if (sub.plan === 'TRIAL' && !failed(ctx.issues, 'seats') && sub.seats > TRIAL_MAX_SEATS)
      problem('seats', `must be at most ${TRIAL_MAX_SEATS} for a TRIAL`);
    if (sub.renewalType !== undefined && !isAnnualPlan(sub.plan))
      problem('renewalType', 'is only allowed for ANNUAL_MONTHLY_PAY and ANNUAL_YEARLY_PAY plans');
  }, whenObject);
export type OrderedSubscription = z.output<typeof subscription>;

/**
 * The renewal settings sent with every annual plan (Google: "We recommend always passing
 * renewalSettings", how-tos/create-subscription): the order's, else renewing the same commitment
 * on the same payment plan, the Admin console's default ("automatically renew").
 */
export function renewalSettingsFor(plan: string, renewalType?: string): { renewalType: string } | undefined {
  if (!isAnnualPlan(plan)) return undefined;
  return {
    renewalType: renewalType ?? (plan === 'ANNUAL_YEARLY_PAY' ? 'AUTO_RENEW_YEARLY_PAY' : 'AUTO_RENEW_MONTHLY_PAY'),
  };
}

export const orderSchema = z
  .strictObject({
    customerDomain: z.string().transform((typed, ctx) => {
      const parsed = parseDomain(typed);
      if (parsed.rule === undefined) return parsed.domain;
      ctx.addIssue({ code: 'custom', message: parsed.rule, input: undefined });
      return z.NEVER;
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
    language: z
      .string()
      .transform((code, ctx) => {
        const known = LANGUAGE_BY_LOWER_CASE.get(code.trim().toLowerCase());
        if (known) return known;
        ctx.addIssue({ code: 'custom', message: LANGUAGE_RULE, input: undefined });
        return z.NEVER;
      })
      .default('en'),
    /** The first user of a domain customer, made super admin (team customers: Google makes primaryAdmin the admin). */
    admin: admin.optional(),
    /** What was sold, ordered right after the admin exists; none for a transfer (what exists moves). */
    subscriptions: z.array(subscription).max(20, { error: 'must list at most 20 subscriptions' }).default([]),
    /** The token the customer generated for this reseller, when the domain already belongs to a Google customer. */
    transferToken: z.string().regex(TRANSFER_TOKEN_PATTERN, { error: TRANSFER_TOKEN_RULE }).optional(),
    /** Who at the reseller hears about failures, cancellations and expiries. */
    salesContactEmail: email().optional(),
    /** Domain customers: whether the onboarding verifies the domain (default true); false for resellers who verify another way. */
    verifyDomain: z.boolean({ error: 'must be true or false' }).optional(),
    /** Overrides of the worker's wait defaults for this order (terms acceptance and transfer token). */
    waitPolicy: waitPolicy.optional(),
  })
  .superRefine((order, ctx) => {
    const ok = (path: string) => !failed(ctx.issues, path);
    const push = (path: string[], message: string) => ctx.addIssue({ code: 'custom', message, path, input: undefined });
    const onCustomerDomain = (address: string) => {
      const domain = emailDomain(address);
      return domain === order.customerDomain || domain.endsWith(`.${order.customerDomain}`);
    };
    if (ok('customerType')) {
      if (order.customerType === 'domain' && order.alternateEmail === undefined && ok('alternateEmail')) {
        push(['alternateEmail'], 'is required for customerType "domain"');
      }
      if (order.customerType === 'team' && order.primaryAdmin === undefined && ok('primaryAdmin'))
        push(['primaryAdmin'], 'is required for customerType "team"');
      if (order.customerType === 'domain' && order.primaryAdmin !== undefined)
        push(['primaryAdmin'], 'is only allowed for customerType "team"');
      if (order.customerType === 'domain' && order.admin === undefined && ok('admin'))
        push(['admin'], 'is required for customerType "domain"');
      if (order.customerType === 'team' && order.verifyDomain === true) {
        push(['verifyDomain'], 'is only for customerType "domain": a team customer does not own its domain');
      }
      if (order.customerType === 'team' && order.admin !== undefined) {
        push(
          ['admin'],
          'is not allowed for customerType "team": Google makes primaryAdmin the administrator through its verification e-mail',
        );
      }
      if (order.customerType === 'team' && ok('subscriptions')) {
        order.subscriptions.forEach((sub, i) => {
          if (!(TEAM_SKUS as readonly string[]).includes(sub.skuId)) {
            push(
              ['subscriptions', String(i), 'skuId'],
              `must be an Essentials SKU for customerType "team" (${TEAM_SKUS.join(', ')})`,
            );
          }
        });
      }
    }
    if (ok('subscriptions')) {
      const seen = new Set<string>();
      order.subscriptions.forEach((sub, i) => {
        if (seen.has(sub.skuId))
          push(['subscriptions', String(i), 'skuId'], 'must not repeat a SKU already in the order');
        seen.add(sub.skuId);
        // Google: "Customers purchasing Essentials … might not be able to use annual commitment plans"
        // (how-tos/create-subscription): the conservative path is not to order one.
        if ((TEAM_SKUS as readonly string[]).includes(sub.skuId) && isAnnualPlan(sub.plan))
          push(
            ['subscriptions', String(i), 'plan'],
            'must be FLEXIBLE or TRIAL for an Essentials SKU (Google: Essentials might not be able to use annual commitment plans)',
          );
        // Google: "Transfers don't work with discount deal codes" (how-tos/create-subscription).
        if (order.transferToken !== undefined && sub.dealCode !== undefined)
          push(
            ['subscriptions', String(i), 'dealCode'],
            "is not allowed with a transferToken: Google's transfers don't work with deal codes",
          );
      });
    }
    if (!ok('customerDomain')) return;
    if (order.alternateEmail !== undefined && ok('alternateEmail') && onCustomerDomain(order.alternateEmail)) {
      push(['alternateEmail'], "must not be on the customer's own domain");
    }
    if (order.admin && ok('admin.primaryEmail') && emailDomain(order.admin.primaryEmail) !== order.customerDomain) {
      push(['admin', 'primaryEmail'], `must be on the customer's domain (${order.customerDomain})`);
    }
  }, whenObject);

/** A validated, normalized order. */
export type Order = z.output<typeof orderSchema>;
/** What a sales system sends: the JSON before normalization (defaults may be omitted). */
export type OrderInput = z.input<typeof orderSchema>;

export interface OrderPolicy {
  /** ISO codes of the countries this reseller may sell to (from the Partner Sales Console); empty means no restriction. */
  allowedCountries?: readonly string[];
  /**
   * Domains (lower case, punycode) a `salesContactEmail` may be on: the reseller's own. Failure,
   * cancellation and expiry notices name the admin and the customer, so they go nowhere else.
   * Empty means not checked here (the worker still checks at send time).
   */
  salesEmailDomains?: readonly string[];
  /**
   * The worker's floor for `waitPolicy.checkEvery` (MIN_CHECK_EVERY): each periodic acceptance check
   * is a Google call. Checked by the client before starting, and by the worker's validation.
   */
  minCheckEveryMs?: number;
}

/** Turns a zod issue into a rule that names what is expected but never echoes the value. */
function ruleOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'int' && issue.input !== undefined) return 'must be a whole number';
    return issue.input === undefined
      ? 'is required'
      : `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
  }
  return issue.message;
}

/** An unknown key as a field name: it is input too, so it is cut short and stripped of anything unprintable. */
function keyName(key: string): string {
  const printable = key.replace(/[^!-~]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}

function problemsOf(issue: z.core.$ZodIssue): OrderProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ field: [...issue.path, keyName(key)].join('.'), rule: 'is not a known field' }));
  }
  return [{ field: issue.path.length ? issue.path.join('.') : '(order)', rule: ruleOf(issue) }];
}

/** The policy check reads the raw input, so that it is reported together with the schema's problems. */
function countryPolicyProblem(input: unknown, policy: OrderPolicy): OrderProblem | undefined {
  const allowed = (policy.allowedCountries ?? []).map(normalizeCountry);
  const address = isRecord(input) ? input.postalAddress : undefined;
  const typed = isRecord(address) ? address.countryCode : undefined;
  if (allowed.length === 0 || typeof typed !== 'string') return undefined;
  const code = normalizeCountry(typed);
  // A code that is not ISO at all is the schema's to report.
  if (!isIsoCountryCode(code) || allowed.includes(code)) return undefined;
  return {
    field: 'postalAddress.countryCode',
    rule: `must be a country this reseller sells to (${allowed.join(', ')})`,
  };
}

/** Whether `address` (as typed) is on one of `domains` (normalized); exact domains only, no subdomains. */
export function isOnSalesDomain(address: string, domains: readonly string[]): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && domains.map(normalizeDomain).includes(normalizeDomain(address.slice(at + 1)));
}

function salesContactPolicyProblem(input: unknown, policy: OrderPolicy): OrderProblem | undefined {
  const domains = policy.salesEmailDomains ?? [];
  const typed = isRecord(input) ? input.salesContactEmail : undefined;
  // Not a string, or not an address at all: the schema's to report.
  if (domains.length === 0 || typeof typed !== 'string' || !typed.includes('@')) return undefined;
  if (isOnSalesDomain(typed.trim(), domains)) return undefined;
  return {
    field: 'salesContactEmail',
    rule: `must be an address on a sales domain of this reseller (${domains.map(normalizeDomain).join(', ')})`,
  };
}

function describeMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${ms / 1000} second${ms === 1000 ? '' : 's'}`;
}

function checkEveryFloorProblem(order: Order, policy: OrderPolicy): OrderProblem | undefined {
  const checkEvery = order.waitPolicy?.checkEvery;
  const floor = policy.minCheckEveryMs;
  const ms = checkEvery ? parseDurationMs(checkEvery) : undefined;
  if (!floor || ms === undefined || ms >= floor) return undefined;
  return {
    field: 'waitPolicy.checkEvery',
    rule: `must be at least ${describeMs(floor)} (this worker's MIN_CHECK_EVERY): each check is a Google call`,
  };
}

/** Validates and normalizes an order; throws `OrderValidationError` listing every problem. */
export function validateOrder(input: unknown, policy: OrderPolicy = {}): Order {
  const result = orderSchema.safeParse(input, { reportInput: true });
  const problems = result.success ? [] : result.error.issues.flatMap(problemsOf);
  const country = countryPolicyProblem(input, policy);
  if (country) problems.push(country);
  const salesContact = salesContactPolicyProblem(input, policy);
  if (salesContact) problems.push(salesContact);
  const checks = result.success ? checkEveryFloorProblem(result.data, policy) : undefined;
  if (checks) problems.push(checks);
  if (!result.success || problems.length > 0) throw new OrderValidationError(problems);
  return result.data;
}
