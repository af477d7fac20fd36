/** Moved to config/ (shared by worker, client and codec server); re-exported for existing imports. */
export { loadEnvFile } from '../config/env-file';
