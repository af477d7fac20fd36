/** Temporal connection settings now live in config/temporal.ts (shared with the worker); re-exported for the client's imports. */
export { temporalSettingsFromEnv, type TemporalSettings } from '../config/temporal';
