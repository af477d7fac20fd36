/**
 * Where the SDK's log records (workflow `log`, activity `log`, the worker's own "Activity failed"
 * lines, core) go: the worker's structured logger, with personal data scrubbed first (config/pii.ts)
 * — an activity failure's message and stack name the admin it was creating.
 */
import type { LogLevel, LogMetadata } from '@temporalio/common';
import type pino from 'pino';
import { scrubPii, scrubPiiDeep } from '../config/pii';

export function runtimeLogFunction(
  logger: Pick<pino.Logger, 'trace' | 'debug' | 'info' | 'warn' | 'error'>,
): (entry: { level: LogLevel; message: string; meta?: LogMetadata }) => void {
  return ({ level, message, meta }) => {
    const method = level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'info');
    logger[method](scrubPiiDeep({ ...meta }) as object, scrubPii(message));
  };
}
