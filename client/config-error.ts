/** Moved to config/ (shared by worker, client and codec server); re-exported for existing imports. */
export { ConfigError } from '../config/config-error';
