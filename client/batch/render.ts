/**
 * What `start-batch` prints: the problems of a refused batch (`line 7: field: rule`), the per-row
 * result table or JSON lines, and a one-line summary. Only domains, outcomes and Temporal's
 * reasons are printed — never an order's other values (transfer tokens, passwords).
 */
import type { BatchSummary, BatchRowResult } from './run';
import type { BatchProblem } from './types';

export function problemLine(p: BatchProblem): string {
  return `line ${p.line}: ${p.field}: ${p.rule}`;
}

function outcomeText(r: BatchRowResult): string {
  if (r.reason) return `${r.outcome}: ${r.reason}`;
  return r.executionStatus ? `${r.outcome} (${r.executionStatus})` : r.outcome;
}

export function resultTable(results: readonly BatchRowResult[]): string {
  const rows = [
    ['LINE', 'DOMAIN', 'OUTCOME'],
    ...results.map((r) => [String(r.line), r.customerDomain, outcomeText(r)]),
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
  return results.map((r) => JSON.stringify(r)).join('\n');
}

export function summaryLine({ results, counts }: BatchSummary): string {
  const parts = [`${counts.started} started`, `${counts['already-onboarding']} already onboarding`];
  if (counts['already-onboarded']) parts.push(`${counts['already-onboarded']} already onboarded`);
  parts.push(`${counts['failed-to-start']} failed to start`);
  return `${results.length} ${results.length === 1 ? 'order' : 'orders'}: ${parts.join(', ')}`;
}
