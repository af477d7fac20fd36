import type { OrderPolicy } from './order';

/** `ONBOARDING_ALLOWED_COUNTRIES=US,CA,FR`: the countries this reseller may sell to; unset means any. */
export function orderPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): Required<OrderPolicy> {
  const raw = env.ONBOARDING_ALLOWED_COUNTRIES ?? '';
  const allowedCountries = raw.split(',').map((code) => code.trim().toUpperCase()).filter(Boolean);
  const bad = allowedCountries.filter((code) => !/^[A-Z]{2}$/.test(code));
  if (bad.length) throw new Error(`ONBOARDING_ALLOWED_COUNTRIES: must be comma-separated ISO 3166-1 alpha-2 codes (bad: ${bad.join(', ')})`);
  return { allowedCountries };
}
