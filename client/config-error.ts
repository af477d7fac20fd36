/** A setting in the environment is missing or malformed; the message names the variable and the rule, never its value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
