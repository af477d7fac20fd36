/**
 * Bulk onboarding for a sales system: `startBatch(client, rows, options)` validates every row and
 * then starts them all (see run.ts); `parseBatch` reads JSON Lines or CSV into rows.
 */
export { batchFormatOf, parseBatch, parseJsonl, BATCH_FORMATS } from './parse';
export { parseCsv } from './parse-csv';
export {
  numberedRows,
  runBatch,
  startBatch,
  DEFAULT_CONCURRENCY,
  type BatchOutcome,
  type BatchRowResult,
  type BatchSummary,
  type StartBatchOptions,
} from './run';
export { BatchValidationError, type BatchFormat, type BatchProblem, type BatchRow } from './types';
export { validateBatch, type ValidRow } from './validate';
