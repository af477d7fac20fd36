/**
 * What a worker that requires encrypted input (ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS=true) hands
 * the workflow instead of a payload that arrived unencrypted: anyone who may start workflows in the
 * namespace could otherwise start orders or send transfer tokens without holding the key.
 *
 * The codec (codec.ts) puts this sentinel in place of the plaintext payload, so its content never
 * reaches workflow code; the workflow recognises it with `isRefusedPlaintext` and fails the
 * onboarding (non-retryable `UnencryptedInput`) before any Google call, and update validators
 * reject it. Bundled into the workflow sandbox: no imports at all.
 *
 * Release 0.4: the same sentinel, with a `reason`, stands in for a payload that claims encryption
 * but cannot be decrypted by this worker (forged, altered, unknown key, or bound to another
 * workflow: encryption/codec.ts), so that it is refused like plaintext instead of failing every
 * workflow task of the run.
 */

/** Why the codec refused a payload. */
export type RefusalReason = 'plaintext' | 'undecryptable' | 'bound-elsewhere' | 'unbound';

/** The one key of the sentinel object; its value is always `true`. */
export const REFUSED_PLAINTEXT_MARKER = '__onboardingRefusedPlaintext';

/** The sentinel value, as the workflow receives it (JSON). */
export const REFUSED_PLAINTEXT = Object.freeze({ [REFUSED_PLAINTEXT_MARKER]: true as const });

/** The failure type the workflow reports when its input was refused plaintext. */
export const UNENCRYPTED_INPUT_FAILURE_TYPE = 'UnencryptedInput';

/** True when `value` is the sentinel the codec put in place of an unencrypted payload. */
export function isRefusedPlaintext(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>)[REFUSED_PLAINTEXT_MARKER] === true
  );
}
