/**
 * The shapes a batch passes between its stages (parse → validate → run → render), in one place so
 * that each stage's file imports only what it uses.
 */
import type { OrderProblem } from '../../order/basics';

/** One order of a batch, as read: `line` is where it starts in the file (1-based; a CSV's header is line 1). */
export interface BatchRow {
  line: number;
  input: unknown;
}

/** What is wrong with one row: the line, the field (dotted path, `(order)` for the whole row) and the rule. Never the value. */
export interface BatchProblem extends OrderProblem {
  line: number;
}

/** Thrown when any row of a batch is bad: nothing was started. */
export class BatchValidationError extends Error {
  override readonly name = 'BatchValidationError';
  constructor(readonly problems: readonly BatchProblem[]) {
    const lines = new Set(problems.map((p) => p.line)).size;
    super(`${lines} ${lines === 1 ? 'line is' : 'lines are'} invalid; nothing was started`);
  }
}

export type BatchFormat = 'jsonl' | 'csv';
