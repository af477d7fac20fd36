/**
 * The worker's configuration, from the environment (see .env.example). Every default runs
 * everything locally: Google's endpoints are the emulator's, e-mail goes to its SMTP sink.
 * Production sets GOOGLE_BACKEND=google and a service account (see README).
 */
import { z } from 'zod';
import type { WaitDefaults } from '../activities/dependencies';
import type { GoogleClientConfig } from '../activities/google-clients';
import { ConfigError } from '../client/config-error';
import { parseDurationMs } from '../order/duration';
import { orderPolicyFromEnv } from '../order/policy-env';
import { requireEncryptedFromEnv } from '../encryption/keys';
import { temporalSettingsFromEnv, type TemporalSettings } from '../client/temporal-connection';

const EMULATOR_DEFAULT_URL = 'http://127.0.0.1:8090';
const EMULATOR_DEFAULT_SMTP_URL = 'smtp://127.0.0.1:2525';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A Temporal duration ("3 days", "1h", "90m"), to milliseconds. */
const duration = z.string().transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms !== undefined && ms >= 1000) return ms;
  ctx.issues.push({ code: 'custom', message: 'must be a duration of at least 1 second, such as "3 days", "12h" or "90m"', input: value });
  return z.NEVER;
});
const durations = z.string().transform((value) => value.split(',').map((d) => d.trim()).filter(Boolean)).pipe(z.array(duration));

const envSchema = z.object({
  GOOGLE_BACKEND: z.enum(['emulator', 'google']).default('emulator'),
  GOOGLE_API_ROOT_URL: z.url().optional(),
  GOOGLE_ACCESS_TOKEN: z.string().min(1).default('local-emulator-token'),
  GOOGLE_SERVICE_ACCOUNT_KEY_FILE: z.string().min(1).optional(),
  GOOGLE_IMPERSONATE_ADMIN: z.email().optional(),
  // An activity makes up to 3 calls within its 30 s: keep one call well below 10 s.
  GOOGLE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(10_000).default(8_000),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').default(EMULATOR_DEFAULT_SMTP_URL),
  MAIL_FROM: z.string().min(3).default('Workspace onboarding <onboarding@reseller.example>'),
  RESELLER_NAME: z.string().min(1).default('Your Google Workspace reseller'),
  SALES_NOTIFY_EMAIL: z.email().default('sales@reseller.example'),
  TOS_CHECK_EVERY: duration.default(HOUR),
  CUSTOMER_REMINDERS: durations.default([3 * DAY, 7 * DAY]),
  CUSTOMER_WAIT_DEADLINE: duration.default(30 * DAY),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  // How many workflows the worker keeps in memory between their tasks; the others are replayed from
  // history when they wake. Parked onboardings beyond this hold no worker memory.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(500),
});

export interface WorkerConfig {
  temporal: TemporalSettings;
  google: GoogleClientConfig;
  smtpUrl: string;
  mailFrom: string;
  resellerName: string;
  salesNotifyEmail: string;
  waits: WaitDefaults;
  allowedCountries: readonly string[];
  /** SALES_EMAIL_DOMAINS: where an order's salesContactEmail may be (empty: SALES_NOTIFY_EMAIL's domain). */
  salesEmailDomains?: readonly string[];
  /** ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: unencrypted input is refused (encryption/plaintext-refusal.ts). */
  requireEncryptedPayloads?: boolean;
  maxCachedWorkflows: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Name the variable and the rule; never print values (some are secrets).
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const e = parsed.data;
  let google: GoogleClientConfig;
  if (e.GOOGLE_BACKEND === 'google') {
    if (!e.GOOGLE_SERVICE_ACCOUNT_KEY_FILE || !e.GOOGLE_IMPERSONATE_ADMIN) {
      throw new ConfigError(
        'GOOGLE_BACKEND=google needs GOOGLE_SERVICE_ACCOUNT_KEY_FILE (a service account key with domain-wide delegation) ' +
          'and GOOGLE_IMPERSONATE_ADMIN (an admin of the reseller domain to act as)',
      );
    }
    google = {
      auth: { kind: 'service-account', keyFile: e.GOOGLE_SERVICE_ACCOUNT_KEY_FILE, impersonate: e.GOOGLE_IMPERSONATE_ADMIN },
      rootUrl: e.GOOGLE_API_ROOT_URL,
      requestTimeoutMs: e.GOOGLE_REQUEST_TIMEOUT_MS,
    };
  } else {
    google = {
      auth: { kind: 'static-token', accessToken: e.GOOGLE_ACCESS_TOKEN },
      rootUrl: e.GOOGLE_API_ROOT_URL ?? EMULATOR_DEFAULT_URL,
      requestTimeoutMs: e.GOOGLE_REQUEST_TIMEOUT_MS,
    };
  }
  return {
    temporal: temporalSettingsFromEnv(env),
    google,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    resellerName: e.RESELLER_NAME,
    salesNotifyEmail: e.SALES_NOTIFY_EMAIL,
    waits: { tosCheckEveryMs: e.TOS_CHECK_EVERY, remindersMs: e.CUSTOMER_REMINDERS, deadlineMs: e.CUSTOMER_WAIT_DEADLINE },
    allowedCountries: orderPolicyFromEnv(env).allowedCountries,
    salesEmailDomains: orderPolicyFromEnv(env).salesEmailDomains ?? [],
    requireEncryptedPayloads: requireEncryptedFromEnv(env, false),
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    logLevel: e.LOG_LEVEL,
  };
}
