/**
 * ONBOARDING_MODE: `local` or `production`, read by the worker, the client/CLI and the codec server.
 *
 * - production: nothing falls back to a local convenience. Every setting production needs must be
 *   configured, or the process refuses to start and names every missing setting at once (never
 *   its value). No key file is created, the emulator and the SMTP sink are never used.
 * - local: today's conveniences (Google emulator, SMTP sink, a generated key in .local/), and the
 *   process says so loudly at start-up. `npm start`, the demo, the dev scripts and the tests set it.
 *
 * Unset means production. A deploy that forgets the variable must fail closed (refuse to start,
 * naming what is missing) rather than quietly run against the emulator with a key of its own; the
 * conveniences are a developer's explicit choice, which the dev scripts make for them.
 */
import { ConfigError } from './config-error';
import { configuredTemporalAddress } from './temporal';

export type OnboardingMode = 'local' | 'production';

export const MODE_VARIABLE = 'ONBOARDING_MODE';
export const REQUIRE_ENCRYPTED_VARIABLE = 'ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS';

/** A production requirement that is not met: the variable, and what it must hold. */
export interface MissingSetting {
  variable: string;
  rule: string;
}

export function onboardingMode(env: NodeJS.ProcessEnv = process.env): OnboardingMode {
  const value = env[MODE_VARIABLE]?.trim();
  if (value === undefined || value === '') return 'production';
  if (value === 'local' || value === 'production') return value;
  throw new ConfigError(`${MODE_VARIABLE}: must be "local" or "production" (unset means production)`);
}

const isSet = (env: NodeJS.ProcessEnv, name: string) => (env[name]?.trim() ?? '') !== '';

/** What every production process needs: Temporal's address and the shared encryption keys. */
export function sharedProductionProblems(env: NodeJS.ProcessEnv, needs: { temporal: boolean }): MissingSetting[] {
  const problems: MissingSetting[] = [];
  if (needs.temporal && !configuredTemporalAddress(env)) {
    problems.push({
      variable: 'TEMPORAL_ADDRESS',
      rule: 'your Temporal frontend, host:port (or a TOML profile via TEMPORAL_CONFIG_FILE)',
    });
  }
  if (!isSet(env, 'ONBOARDING_ENCRYPTION_KEYS') && !isSet(env, 'ONBOARDING_ENCRYPTION_KEY_FILE')) {
    problems.push({
      variable: 'ONBOARDING_ENCRYPTION_KEYS',
      rule: 'the payload keys shared by every client, worker and codec server, "<id>:<base64 32 bytes>,…" (or ONBOARDING_ENCRYPTION_KEY_FILE)',
    });
  }
  return problems;
}

/** Throws one ConfigError naming every problem, so an operator fixes them all in one go. */
export function refuseIfProblems(component: string, problems: readonly MissingSetting[]): void {
  if (problems.length === 0) return;
  throw new ConfigError(
    `${component} refuses to start in production mode (${MODE_VARIABLE}=production, also the default when unset); ` +
      `set ${problems.map((p) => p.variable).join(', ')}:\n` +
      problems.map((p) => `  - ${p.variable}: ${p.rule}`).join('\n') +
      `\n(for the local stack with the Google emulator and SMTP sink, set ${MODE_VARIABLE}=local)`,
  );
}

/**
 * Defaults that depend on the mode, written into `env` where the variable is unset, so that every
 * reader of the environment sees the same value. Payloads that are not encrypted are refused in
 * production, accepted (for old local histories) in local mode.
 */
export function applyModeDefaults(env: NodeJS.ProcessEnv, mode: OnboardingMode): NodeJS.ProcessEnv {
  if (!isSet(env, REQUIRE_ENCRYPTED_VARIABLE))
    env[REQUIRE_ENCRYPTED_VARIABLE] = mode === 'production' ? 'true' : 'false';
  return env;
}

/** ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS: explicit value, else true in production and false in local mode. */
export function requireEncryptedPayloads(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[REQUIRE_ENCRYPTED_VARIABLE]?.trim().toLowerCase();
  if (value === undefined || value === '') return onboardingMode(env) === 'production';
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`${REQUIRE_ENCRYPTED_VARIABLE}: must be true or false`);
}

/** The loud start-up line of a process running with local conveniences. */
export function localModeWarning(component: string, conveniences: readonly string[]): string {
  return (
    `LOCAL MODE (${MODE_VARIABLE}=local): ${component} uses local conveniences, NOT FOR PRODUCTION: ${conveniences.join('; ')}. ` +
    `Production: ${MODE_VARIABLE}=production with every setting configured (docs/production.md).`
  );
}

/**
 * The start-up check of a client or codec server: in production, refuses (naming every missing
 * setting) and sets the production defaults; in local mode returns the warning to print.
 */
export function checkStartupMode(
  component: string,
  env: NodeJS.ProcessEnv,
  options: { temporal: boolean; conveniences: readonly string[] },
): { mode: OnboardingMode; warning?: string } {
  const mode = onboardingMode(env);
  if (mode === 'production') refuseIfProblems(component, sharedProductionProblems(env, { temporal: options.temporal }));
  applyModeDefaults(env, mode);
  return mode === 'local' ? { mode, warning: localModeWarning(component, options.conveniences) } : { mode };
}

/** What local mode's key handling means, for the warnings. */
export function localKeyConvenience(env: NodeJS.ProcessEnv): string {
  return isSet(env, 'ONBOARDING_ENCRYPTION_KEYS') || isSet(env, 'ONBOARDING_ENCRYPTION_KEY_FILE')
    ? 'encryption keys configured'
    : 'encryption key = .local/encryption-keys.json, created if missing (other hosts cannot read these payloads)';
}
