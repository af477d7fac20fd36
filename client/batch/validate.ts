/**
 * Every row of a batch judged before anything starts: the same `validateOrder` (and order policy)
 * as a single `start`, plus the batch's own rule that a domain appears once (a second row for the
 * same domain would silently be "already onboarding" — it is almost always a copy-paste mistake).
 */
import { normalizeDomain, OrderValidationError, validateOrder, type Order, type OrderPolicy } from '../../order/order';
import type { BatchProblem, BatchRow } from './types';

export interface ValidRow {
  line: number;
  order: Order;
}

function typedDomain(input: unknown): string | undefined {
  const domain =
    typeof input === 'object' && input !== null ? (input as { customerDomain?: unknown }).customerDomain : undefined;
  return typeof domain === 'string' && domain.trim() !== '' ? normalizeDomain(domain) : undefined;
}

/** The validated orders, or every problem of every row (in line order). */
export function validateBatch(
  rows: readonly BatchRow[],
  policy: OrderPolicy = {},
): { valid: ValidRow[]; problems: BatchProblem[] } {
  const valid: ValidRow[] = [];
  const problems: BatchProblem[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { line, input } of rows) {
    let domain = typedDomain(input);
    try {
      const order = validateOrder(input, policy);
      domain = order.customerDomain;
      valid.push({ line, order });
    } catch (err) {
      if (!(err instanceof OrderValidationError)) throw err;
      problems.push(...err.problems.map((p) => ({ line, field: p.field, rule: p.rule })));
    }
    if (domain === undefined) continue;
    const first = firstLineOf.get(domain);
    if (first === undefined) firstLineOf.set(domain, line);
    else
      problems.push({
        line,
        field: 'customerDomain',
        rule: `must not repeat the domain of line ${first} (lines ${first} and ${line} name the same customer)`,
      });
  }
  return { valid, problems: problems.sort((a, b) => a.line - b.line) };
}
