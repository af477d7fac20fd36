/**
 * Durations as Temporal writes them ("3 days", "12h", "90m"), parsed by Temporal's own parser so
 * that they mean exactly what they mean to Temporal. Bundle-safe (used inside the workflow too).
 */
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  try {
    const ms = msToNumber(text as Duration);
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}
