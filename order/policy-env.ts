import { ConfigError } from '../config/config-error';
import { onboardingMode } from '../config/mode';
import { parseDurationMs } from './duration';
import { isIsoCountryCode } from './iso-countries';
import { normalizeDomain, type OrderPolicy } from './order';

const DOMAIN = /^(?=.{1,253}$)(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * `SALES_EMAIL_DOMAINS=reseller.example,sales.reseller.example`: where an order's salesContactEmail
 * may point (exact domains). Unset: the domain of SALES_NOTIFY_EMAIL when that is set, else none
 * checked here (the worker falls back to its own SALES_NOTIFY_EMAIL's domain at send time).
 */
export function salesEmailDomainsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.SALES_EMAIL_DOMAINS?.trim();
  if (!raw) {
    const notify = env.SALES_NOTIFY_EMAIL?.trim() ?? '';
    const at = notify.lastIndexOf('@');
    return at > 0 ? [normalizeDomain(notify.slice(at + 1))] : [];
  }
  const domains = raw
    .split(',')
    .map((domain) => normalizeDomain(domain))
    .filter(Boolean);
  if (domains.some((domain) => !DOMAIN.test(domain))) {
    throw new ConfigError('SALES_EMAIL_DOMAINS: must be comma-separated domain names such as reseller.example');
  }
  return domains;
}

/** The floor for `waitPolicy.checkEvery` when MIN_CHECK_EVERY is unset: each check is a Google call. */
export const MIN_CHECK_EVERY_PRODUCTION_MS = 5 * 60_000;
/** Local mode: the demo and the tests detect the customer's part within seconds. */
export const MIN_CHECK_EVERY_LOCAL_MS = 1000;

/** MIN_CHECK_EVERY (a duration), else the mode's default: the same floor the worker enforces. */
export function minCheckEveryFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MIN_CHECK_EVERY?.trim();
  if (!raw) return onboardingMode(env) === 'production' ? MIN_CHECK_EVERY_PRODUCTION_MS : MIN_CHECK_EVERY_LOCAL_MS;
  const ms = parseDurationMs(raw);
  if (ms === undefined || ms < 1000)
    throw new ConfigError('MIN_CHECK_EVERY: must be a duration of at least 1 second, such as "5 minutes"');
  return ms;
}

/** `ONBOARDING_ALLOWED_COUNTRIES=US,CA,FR`: the countries this reseller may sell to; unset means any. */
export function orderPolicyFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): OrderPolicy & { allowedCountries: readonly string[] } {
  const raw = env.ONBOARDING_ALLOWED_COUNTRIES ?? '';
  const allowedCountries = raw
    .split(',')
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
  // A typo (UK for GB) would otherwise silently refuse every order from that country.
  const bad = allowedCountries.filter((code) => !isIsoCountryCode(code));
  if (bad.length) {
    throw new ConfigError(
      `ONBOARDING_ALLOWED_COUNTRIES: must be comma-separated ISO 3166-1 alpha-2 codes (bad: ${bad.join(', ')})`,
    );
  }
  const salesEmailDomains = salesEmailDomainsFromEnv(env);
  return {
    allowedCountries,
    minCheckEveryMs: minCheckEveryFromEnv(env),
    ...(salesEmailDomains.length ? { salesEmailDomains } : {}),
  };
}
