import { ConfigError } from '../client/config-error';
import { isIsoCountryCode } from './iso-countries';
import type { OrderPolicy } from './order';


/** `ONBOARDING_ALLOWED_COUNTRIES=US,CA,FR`: the countries this reseller may sell to; unset means any. */
export function orderPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): Required<OrderPolicy> {
  const raw = env.ONBOARDING_ALLOWED_COUNTRIES ?? '';
  const allowedCountries = raw.split(',').map((code) => code.trim().toUpperCase()).filter(Boolean);
  // A typo (UK for GB) would otherwise silently refuse every order from that country.
  const bad = allowedCountries.filter((code) => !isIsoCountryCode(code));
  if (bad.length) {
    throw new ConfigError(`ONBOARDING_ALLOWED_COUNTRIES: must be comma-separated ISO 3166-1 alpha-2 codes (bad: ${bad.join(', ')})`);
  }
  return { allowedCountries };
}
