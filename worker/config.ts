/**
 * The worker's configuration, from the environment (see .env.example), by mode (config/mode.ts):
 *
 * - production (ONBOARDING_MODE=production, and the default when unset): Google's own endpoints with
 *   a service account, an SMTP server reached over TLS, configured encryption keys; every missing
 *   setting is named at once and the worker refuses to start. Nothing points at the emulator.
 * - local (ONBOARDING_MODE=local): the Google emulator, its SMTP sink, a local key; said loudly.
 */
import { z } from 'zod';
import type { WaitDefaults } from '../activities/dependencies';
import type { GoogleClientConfig } from '../activities/google-clients';
import type { PacingConfig } from '../activities/google-pacer';
import { ConfigError } from '../config/config-error';
import {
  localKeyConvenience,
  localModeWarning,
  onboardingMode,
  refuseIfProblems,
  requireEncryptedPayloads,
  sharedProductionProblems,
  type MissingSetting,
  type OnboardingMode,
} from '../config/mode';
import { temporalSettingsFromEnv, type TemporalSettings } from '../config/temporal';
import { parseDurationMs } from '../order/duration';
import { MIN_CHECK_EVERY_LOCAL_MS, MIN_CHECK_EVERY_PRODUCTION_MS, orderPolicyFromEnv } from '../order/policy-env';

const EMULATOR_DEFAULT_URL = 'http://127.0.0.1:8090';
const EMULATOR_DEFAULT_SMTP_URL = 'smtp://127.0.0.1:2525';
/** Local mode's stand-in for RESELLER_PUBLIC_ID (required in production): the emulator takes any. */
export const LOCAL_RESELLER_PUBLIC_ID = 'local-reseller-public-id';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Google's default Directory quota: 2,400 queries per minute per user per project (Directory API limits page). */
export const DIRECTORY_QUERIES_PER_MINUTE = 2400;
/**
 * The Reseller API's per-minute quota: Google's limits page gives no number (unconfirmed; see
 * docs/google-behaviour.md E5): a conservative default. Set the project's own value from the Google
 * Cloud console (APIs & Services → Google Workspace Reseller API → Quotas).
 */
export const RESELLER_QUERIES_PER_MINUTE = 300;
/**
 * Workflows kept in memory between their tasks, sized to the active set: the onboardings between
 * their start and their first wait — as many as a bulk start or the sales system's busiest minute
 * starts at once, a few seconds each — plus parked ones waking for a check or a reminder (10,000
 * parked with hourly checks wake ~3 a second). A parked onboarding is replayed from its short,
 * continued-as-new history when it wakes, so it needs no cache entry meanwhile. A burst larger than
 * the cache makes the worker replay whole histories between steps: 200 started at once against a
 * PostgreSQL cluster cost the worker 145 ms of CPU each with a cache of 50, 87 ms with 250
 * (bench/throughput.ts). With the heap caps and arena bound below, 200 entries keep 10,000 parked
 * onboardings at 383 MiB RSS (bench/parked-memory.ts; docs/benchmarks.md).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 200;
/**
 * The same with tracing on: the tracing bundle's interceptors make each cached workflow larger, and
 * with an old space of 128 MiB (measured with a semi-space of 8) the workflow thread ran out of memory
 * (ERR_WORKER_OUT_OF_MEMORY, the worker failed) with between 77 and 200 cached; 60 cached ran at
 * 336 MiB RSS (bench/parked-memory.ts phase 2). A larger cache with tracing needs a larger --max-old-space-size.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS_TRACING = 50;
/**
 * The heap caps production runs the worker with (NODE_OPTIONS in the Dockerfile, the same flags in
 * `npm run worker`; scripts/check-dockerfile.sh holds all three to this string). V8 applies them to
 * each isolate: the main thread that runs the activities and the thread that runs the workflows.
 * Without them V8 sizes each heap from the machine's memory and collects garbage lazily while it
 * has room: a worker that had parked 10,000 onboardings sat at 780 MiB RSS, most of it garbage.
 * `--max-old-space-size` bounds what survives collections; `--max-semi-space-size` the young
 * generation (× 3 per isolate), left at V8's 16 MiB but written out. A semi-space of 8 saved ~40 MiB
 * at 10,000 parked (without the arena bound); bursts ran at ×0.81, 0.85 and 0.87 of the bare workflow
 * with it and ×0.87–0.96 with 16, a difference within the runs' spread (docs/benchmarks.md,
 * "Throughput"): V8's default was chosen, and the arena bound keeps it within the memory target.
 * bench/parked-memory.ts measures the caps against none in the same run ("Memory of parked onboardings").
 */
export const WORKER_NODE_OPTIONS = '--max-old-space-size=128 --max-semi-space-size=16';

/**
 * glibc's malloc arenas for the worker process (MALLOC_ARENA_MAX, in the Dockerfile's ENV and in
 * `npm run worker`; scripts/check-dockerfile.sh holds both to this value). The worker's native
 * allocations — Temporal Core's Rust threads, the buffers that carry each activation between the
 * main thread and the workflow thread — otherwise spread over up to 8 arenas per core, each keeping
 * what was freed in it: two arenas left ~30 MiB less RSS at 2,000 parked (351 → 323 MiB, one run),
 * and with them the heap caps above held 10,000 parked at 383 MiB. glibc reads it when the process
 * starts, so it is set in the environment, never from code; the start-up line reports it
 * (`mallocArenaMax`).
 */
export const WORKER_MALLOC_ARENA_MAX = '2';

/** Both, as the environment of a worker process started the way production starts it (the benches). */
export const WORKER_PROCESS_ENV = {
  NODE_OPTIONS: WORKER_NODE_OPTIONS,
  MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX,
} as const;

/** A Temporal duration ("3 days", "1h", "90m"), to milliseconds. */
const duration = z.string().transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms !== undefined && ms >= 1000) return ms;
  ctx.issues.push({
    code: 'custom',
    message: 'must be a duration of at least 1 second, such as "3 days", "12h" or "90m"',
    input: value,
  });
  return z.NEVER;
});
const durations = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean),
  )
  .pipe(z.array(duration));

const envSchema = z.object({
  GOOGLE_BACKEND: z.enum(['emulator', 'google']).optional(),
  GOOGLE_API_ROOT_URL: z.url().optional(),
  GOOGLE_ACCESS_TOKEN: z.string().min(1).default('local-emulator-token'),
  GOOGLE_SERVICE_ACCOUNT_KEY_FILE: z.string().min(1).optional(),
  GOOGLE_IMPERSONATE_ADMIN: z.email().optional(),
  // An activity makes up to 3 calls within its 30 s: keep one call well below 10 s.
  GOOGLE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(10_000).default(8_000),
  // Google's quotas, which this worker paces itself at (activities/google-pacer.ts; docs/operations.md, "Quotas and pacing").
  GOOGLE_DIRECTORY_QUERIES_PER_MINUTE: z.coerce.number().int().min(1).default(DIRECTORY_QUERIES_PER_MINUTE),
  GOOGLE_RESELLER_QUERIES_PER_MINUTE: z.coerce.number().int().min(1).default(RESELLER_QUERIES_PER_MINUTE),
  GOOGLE_QUOTA_SHARE: z.coerce
    .number()
    .gt(0, 'must be a fraction above 0')
    .max(1, 'must be at most 1 (the whole quota)')
    .default(1),
  // The shortest waitPolicy.checkEvery an order may ask for (and TOS_CHECK_EVERY may be).
  MIN_CHECK_EVERY: duration.optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Workspace onboarding <onboarding@reseller.example>'),
  RESELLER_NAME: z.string().min(1).default('Your Google Workspace reseller'),
  // The reseller's Public Identifier (Partner Sales Console): customers enter it to generate a transfer token.
  RESELLER_PUBLIC_ID: z
    .string()
    .trim()
    .regex(
      /^[\x21-\x7E]{1,100}$/,
      "must be the reseller's Public Identifier from the Partner Sales Console (no spaces)",
    )
    .default(LOCAL_RESELLER_PUBLIC_ID),
  SALES_NOTIFY_EMAIL: z.email().default('sales@reseller.example'),
  TOS_CHECK_EVERY: duration.default(HOUR),
  CUSTOMER_REMINDERS: durations.default([3 * DAY, 7 * DAY]),
  CUSTOMER_WAIT_DEADLINE: duration.default(30 * DAY),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  // Unset: DEFAULT_MAX_CACHED_WORKFLOWS, or DEFAULT_MAX_CACHED_WORKFLOWS_TRACING with tracing on.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).optional(),
  // host:port for Prometheus' /metrics (e.g. 0.0.0.0:9464); unset: no metrics endpoint.
  METRICS_BIND_ADDRESS: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464')
    .optional(),
  // OpenTelemetry traces go there (OTLP over HTTP, e.g. http://otel-collector:4318); unset: no tracing.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('workspace-onboarding-worker'),
  // Worker Versioning (docs/operations.md "Deploying with Worker Versioning"): both, or neither.
  WORKER_DEPLOYMENT_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$/, 'must be letters, digits, "-", "_" or "." (no "/"), e.g. onboarding')
    .optional(),
  WORKER_BUILD_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$/, 'must be letters, digits, "-", "_" or "." (no "/"), e.g. a git sha')
    .optional(),
  WORKER_VERSIONING_BEHAVIOR: z.enum(['pinned', 'auto-upgrade']).default('pinned'),
});
type Env = z.infer<typeof envSchema>;

export interface WorkerConfig {
  mode: OnboardingMode;
  temporal: TemporalSettings;
  google: GoogleClientConfig;
  smtpUrl: string;
  mailFrom: string;
  resellerName: string;
  /** RESELLER_PUBLIC_ID: named in the transfer-token request (the customer enters it at admin.google.com/TransferToken). */
  resellerPublicId: string;
  salesNotifyEmail: string;
  waits: WaitDefaults;
  allowedCountries: readonly string[];
  /** MIN_CHECK_EVERY: orders asking for more frequent acceptance checks are refused (validation.ts). */
  minCheckEveryMs?: number;
  /** SALES_EMAIL_DOMAINS: where an order's salesContactEmail may be (empty: SALES_NOTIFY_EMAIL's domain). */
  salesEmailDomains?: readonly string[];
  /** ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: unencrypted input is refused (encryption/plaintext-refusal.ts). */
  requireEncryptedPayloads?: boolean;
  maxCachedWorkflows: number;
  logLevel: Env['LOG_LEVEL'];
  metricsBindAddress?: string;
  tracing?: { otlpEndpoint: string; serviceName: string };
  /**
   * Worker Versioning: this worker is build `buildId` of Worker Deployment `deploymentName`, and the
   * runs it starts are pinned to it (or auto-upgrade); unset: unversioned (patching alone).
   */
  deployment?: WorkerDeployment;
  /** Local mode only: the start-up warning that says which conveniences are on. */
  localModeWarning?: string;
}

export interface WorkerDeployment {
  deploymentName: string;
  buildId: string;
  defaultVersioningBehavior: 'PINNED' | 'AUTO_UPGRADE';
}

/** WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID go together: one without the other is a configuration error. */
function workerDeployment(e: Env): WorkerDeployment | undefined {
  const { WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: buildId } = e;
  if (!deploymentName && !buildId) return undefined;
  if (!deploymentName || !buildId)
    throw new ConfigError(
      `${deploymentName ? 'WORKER_BUILD_ID' : 'WORKER_DEPLOYMENT_NAME'}: must be set with ` +
        `${deploymentName ? 'WORKER_DEPLOYMENT_NAME' : 'WORKER_BUILD_ID'} (Worker Versioning needs both), or both unset`,
    );
  return {
    deploymentName,
    buildId,
    defaultVersioningBehavior: e.WORKER_VERSIONING_BEHAVIOR === 'pinned' ? 'PINNED' : 'AUTO_UPGRADE',
  };
}

const isSet = (env: NodeJS.ProcessEnv, name: string) => (env[name]?.trim() ?? '') !== '';

/** The SMTP URL's TLS, as nodemailer reads the URL: smtps:// (implicit TLS) or STARTTLS required. */
export function smtpTlsProblem(smtpUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return 'must be a URL (smtps://user:password@host:465, or smtp://…:587?requireTLS=true)';
  }
  const query = url.searchParams;
  if (query.get('tls.rejectUnauthorized') === 'false')
    return "must verify the server's certificate (drop tls.rejectUnauthorized=false)";
  if (url.protocol === 'smtps:') return undefined;
  if (url.protocol === 'smtp:' && query.get('requireTLS') === 'true' && query.get('ignoreTLS') !== 'true')
    return undefined;
  return 'must use TLS: smtps://… (port 465), or smtp://…?requireTLS=true (STARTTLS required); mail carries a temporary admin password';
}

/** Everything production needs that the environment lacks or gets wrong: all of it, at once. */
export function workerProductionProblems(env: NodeJS.ProcessEnv): MissingSetting[] {
  const problems = sharedProductionProblems(env, { temporal: true });
  if (env.GOOGLE_BACKEND === 'emulator')
    problems.push({
      variable: 'GOOGLE_BACKEND',
      rule: 'must be "google" (or unset) in production: never the emulator',
    });
  if (!isSet(env, 'GOOGLE_SERVICE_ACCOUNT_KEY_FILE')) {
    problems.push({
      variable: 'GOOGLE_SERVICE_ACCOUNT_KEY_FILE',
      rule: 'path of the service account key (JSON) with domain-wide delegation',
    });
  }
  if (!isSet(env, 'GOOGLE_IMPERSONATE_ADMIN')) {
    problems.push({
      variable: 'GOOGLE_IMPERSONATE_ADMIN',
      rule: 'e-mail of an admin of your reseller domain for the service account to act as',
    });
  }
  if (isSet(env, 'GOOGLE_API_ROOT_URL') && !env.GOOGLE_API_ROOT_URL?.startsWith('https://')) {
    problems.push({
      variable: 'GOOGLE_API_ROOT_URL',
      rule: "must be an https:// URL in production (or unset: Google's own endpoints)",
    });
  }
  if (!isSet(env, 'SMTP_URL')) {
    problems.push({
      variable: 'SMTP_URL',
      rule: 'your SMTP server, with TLS: smtps://user:password@host:465 or smtp://…:587?requireTLS=true',
    });
  } else {
    const tls = smtpTlsProblem(env.SMTP_URL as string);
    if (tls) problems.push({ variable: 'SMTP_URL', rule: tls });
  }
  for (const [variable, rule] of [
    ['MAIL_FROM', 'the sender of the e-mails to customers, e.g. "Onboarding <onboarding@your-reseller.com>"'],
    ['SALES_NOTIFY_EMAIL', 'where failures, cancellations and expiries are reported'],
    ['RESELLER_NAME', 'your company name, shown to customers in the e-mails'],
    [
      'RESELLER_PUBLIC_ID',
      "your reseller's Public Identifier (Partner Sales Console): customers enter it to generate a transfer token",
    ],
  ] as const) {
    if (!isSet(env, variable)) problems.push({ variable, rule });
  }
  return problems;
}

function parseEnv(env: NodeJS.ProcessEnv): Env {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Name the variable and the rule; never print values (some are secrets).
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

function googleConfig(e: Env, mode: OnboardingMode): GoogleClientConfig {
  const backend = e.GOOGLE_BACKEND ?? (mode === 'production' ? 'google' : 'emulator');
  if (backend === 'emulator') {
    return {
      auth: { kind: 'static-token', accessToken: e.GOOGLE_ACCESS_TOKEN },
      rootUrl: e.GOOGLE_API_ROOT_URL ?? EMULATOR_DEFAULT_URL,
      requestTimeoutMs: e.GOOGLE_REQUEST_TIMEOUT_MS,
      pacing: pacingConfig(e),
    };
  }
  if (!e.GOOGLE_SERVICE_ACCOUNT_KEY_FILE || !e.GOOGLE_IMPERSONATE_ADMIN) {
    throw new ConfigError(
      'GOOGLE_BACKEND=google needs GOOGLE_SERVICE_ACCOUNT_KEY_FILE (a service account key with domain-wide delegation) ' +
        'and GOOGLE_IMPERSONATE_ADMIN (an admin of the reseller domain to act as)',
    );
  }
  return {
    auth: {
      kind: 'service-account',
      keyFile: e.GOOGLE_SERVICE_ACCOUNT_KEY_FILE,
      impersonate: e.GOOGLE_IMPERSONATE_ADMIN,
    },
    rootUrl: e.GOOGLE_API_ROOT_URL,
    requestTimeoutMs: e.GOOGLE_REQUEST_TIMEOUT_MS,
    pacing: pacingConfig(e),
  };
}

function pacingConfig(e: Env): PacingConfig {
  return {
    directoryQueriesPerMinute: e.GOOGLE_DIRECTORY_QUERIES_PER_MINUTE,
    resellerQueriesPerMinute: e.GOOGLE_RESELLER_QUERIES_PER_MINUTE,
    share: e.GOOGLE_QUOTA_SHARE,
  };
}

/** MIN_CHECK_EVERY, by mode; TOS_CHECK_EVERY below it is a configuration error. */
function minCheckEvery(e: Env, mode: OnboardingMode): number {
  const floor = e.MIN_CHECK_EVERY ?? (mode === 'production' ? MIN_CHECK_EVERY_PRODUCTION_MS : MIN_CHECK_EVERY_LOCAL_MS);
  if (e.TOS_CHECK_EVERY < floor)
    throw new ConfigError(`TOS_CHECK_EVERY: must be at least MIN_CHECK_EVERY (${floor / 1000} s)`);
  return floor;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const mode = onboardingMode(env);
  if (mode === 'production') refuseIfProblems('The worker', workerProductionProblems(env));
  const e = parseEnv(env);
  const google = googleConfig(e, mode);
  const deployment = workerDeployment(e);
  const smtpUrl = e.SMTP_URL ?? EMULATOR_DEFAULT_SMTP_URL; // production: required above
  const conveniences = [
    google.auth.kind === 'static-token' ? `Google = emulator at ${google.rootUrl}` : 'Google = service account',
    smtpUrl === EMULATOR_DEFAULT_SMTP_URL
      ? `e-mail = the emulator's SMTP sink ${smtpUrl}`
      : `e-mail = SMTP_URL${smtpTlsProblem(smtpUrl) ? ' WITHOUT TLS' : ''}`,
    localKeyConvenience(env),
  ];
  return {
    mode,
    temporal: temporalSettingsFromEnv(env),
    google,
    smtpUrl,
    mailFrom: e.MAIL_FROM,
    resellerName: e.RESELLER_NAME,
    resellerPublicId: e.RESELLER_PUBLIC_ID,
    salesNotifyEmail: e.SALES_NOTIFY_EMAIL,
    waits: {
      tosCheckEveryMs: e.TOS_CHECK_EVERY,
      remindersMs: e.CUSTOMER_REMINDERS,
      deadlineMs: e.CUSTOMER_WAIT_DEADLINE,
    },
    allowedCountries: orderPolicyFromEnv(env).allowedCountries,
    minCheckEveryMs: minCheckEvery(e, mode),
    salesEmailDomains: orderPolicyFromEnv(env).salesEmailDomains ?? [],
    // Explicit value, else true in production and false in local mode (config/mode.ts).
    requireEncryptedPayloads: requireEncryptedPayloads(env),
    maxCachedWorkflows:
      e.WORKER_MAX_CACHED_WORKFLOWS ??
      (e.OTEL_EXPORTER_OTLP_ENDPOINT ? DEFAULT_MAX_CACHED_WORKFLOWS_TRACING : DEFAULT_MAX_CACHED_WORKFLOWS),
    logLevel: e.LOG_LEVEL,
    ...(e.METRICS_BIND_ADDRESS ? { metricsBindAddress: e.METRICS_BIND_ADDRESS } : {}),
    ...(e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { tracing: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME } }
      : {}),
    ...(deployment ? { deployment } : {}),
    ...(mode === 'local' ? { localModeWarning: localModeWarning('the worker', conveniences) } : {}),
  };
}
