/**
 * What `start-batch` prints: the problems of a refused batch (`line 7: field: rule`), the per-row
 * result table or JSON lines, and a one-line summary. Only domains, outcomes and Temporal's
 * reasons are printed — never an order's other values (transfer tokens, passwords).
 *
 * Every string that comes from input (CSV header names and cells quoted in problems, domains,
 * reasons, error messages) goes through `terminalSafe` first (issue 19): a header holding escape
 * sequences could set the window title, clear the screen or print a fake "all started".
 */
import type { BatchSummary, BatchRowResult } from './run';
import type { BatchProblem } from './types';

/** C0 and C1 controls, DEL, and the bidirectional overrides/isolates that reorder what is shown. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character shown as a visible `\uXXXX` escape instead of acting on the terminal. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON.stringify escapes C0 controls only: the rest are escaped too (still valid JSON). */
function jsonSafe(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function problemLine(p: BatchProblem): string {
  return terminalSafe(`line ${p.line}: ${p.field}: ${p.rule}`);
}

export function problemJsonLine(p: BatchProblem): string {
  return jsonSafe(p);
}

function outcomeText(r: BatchRowResult): string {
  if (r.reason) return `${r.outcome}: ${r.reason}`;
  return r.executionStatus ? `${r.outcome} (${r.executionStatus})` : r.outcome;
}

export function resultTable(results: readonly BatchRowResult[]): string {
  const rows = [
    ['LINE', 'DOMAIN', 'OUTCOME'],
    ...results.map((r) => [String(r.line), terminalSafe(r.customerDomain), terminalSafe(outcomeText(r))]),
  ];
  const widths = [0, 1].map((col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  return rows
    .map(
      ([line = '', domain = '', outcome = '']) =>
        `${line.padEnd(widths[0] ?? 0)}  ${domain.padEnd(widths[1] ?? 0)}  ${outcome}`,
    )
    .join('\n');
}

export function resultJsonLines(results: readonly BatchRowResult[]): string {
  return results.map((r) => jsonSafe(r)).join('\n');
}

export function summaryLine({ results, counts }: BatchSummary): string {
  const parts = [`${counts.started} started`, `${counts['already-onboarding']} already onboarding`];
  if (counts['already-onboarded']) parts.push(`${counts['already-onboarded']} already onboarded`);
  parts.push(`${counts['failed-to-start']} failed to start`);
  return `${results.length} ${results.length === 1 ? 'order' : 'orders'}: ${parts.join(', ')}`;
}
