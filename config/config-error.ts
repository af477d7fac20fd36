/**
 * A setting in the environment is missing or malformed; the message names the variable and the
 * rule, never its value. Shared by worker, client, CLI and codec server (exit code 2 in the CLI).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
