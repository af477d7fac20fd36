/**
 * `startBatch`: what a sales system calls to onboard many customers at once, and what the CLI's
 * `start-batch` is a thin layer over. Every row is validated first (validate.ts); if any is bad,
 * nothing starts (`BatchValidationError`). Then the onboardings start with bounded concurrency,
 * each through `OnboardingClient.start`, so a domain whose onboarding exists is reported, not
 * duplicated: running → `already-onboarding`, ended in success → `already-onboarded` (a failed or
 * cancelled one is started again, as `start` does). Running the same batch twice is therefore safe.
 */
import type { OrderPolicy } from '../../order/order';
import { withCauses } from '../explain-error';
import { isTemporalUnreachable, type OnboardingClient } from '../onboarding-client';
import { BatchValidationError, type BatchRow } from './types';
import { validateBatch, type ValidRow } from './validate';

export type BatchOutcome = 'started' | 'already-onboarding' | 'already-onboarded' | 'failed-to-start';

export interface BatchRowResult {
  line: number;
  customerDomain: string;
  outcome: BatchOutcome;
  workflowId?: string;
  runId?: string;
  /** Temporal's status of the onboarding that already existed (RUNNING, COMPLETED). */
  executionStatus?: string;
  /** Why it could not be started (failed-to-start only). */
  reason?: string;
  /** The failure was Temporal being unreachable (this row, or an earlier one: then it was not tried). */
  unreachable?: boolean;
}

export interface BatchSummary {
  /** One result per row, in the rows' order. */
  results: BatchRowResult[];
  counts: { [outcome in BatchOutcome]: number };
  /** Temporal could not be reached: the rows not yet tried then were not tried. */
  unreachable: boolean;
}

export interface StartBatchOptions {
  /** How many starts are in flight at once (default 8). */
  concurrency?: number;
  /** The order policy (allowed countries, sales e-mail domains, check floor); default: the client's own. */
  policy?: OrderPolicy;
  /** Called as each row finishes, in finishing order; `done` of `total` rows are finished. */
  onRow?: (result: BatchRowResult, progress: { done: number; total: number }) => void;
}

export const DEFAULT_CONCURRENCY = 8;
const REASON_MAX = 300;

function reasonOf(err: unknown): string {
  // With its causes: the SDK's "Failed to start Workflow" alone does not say why (explain-error.ts).
  const message = (
    err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${withCauses(err)}` : String(err)
  )
    .replace(/\s+/g, ' ')
    .trim();
  return message.length > REASON_MAX ? `${message.slice(0, REASON_MAX)}…` : message;
}

async function startOne(client: Pick<OnboardingClient, 'start'>, { line, order }: ValidRow): Promise<BatchRowResult> {
  const customerDomain = order.customerDomain;
  try {
    const started = await client.start(order);
    const { workflowId, runId } = started;
    if (!started.alreadyExisted) return { line, customerDomain, outcome: 'started', workflowId, runId };
    const outcome = started.executionStatus === 'COMPLETED' ? 'already-onboarded' : 'already-onboarding';
    return { line, customerDomain, outcome, workflowId, runId, executionStatus: started.executionStatus };
  } catch (err) {
    return {
      line,
      customerDomain,
      outcome: 'failed-to-start',
      reason: reasonOf(err),
      ...(isTemporalUnreachable(err) ? { unreachable: true } : {}),
    };
  }
}

/** Starts already validated rows, at most `concurrency` at a time; stops trying new rows once Temporal is unreachable. */
export async function runBatch(
  client: Pick<OnboardingClient, 'start'>,
  rows: readonly ValidRow[],
  options: StartBatchOptions = {},
): Promise<BatchSummary> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const results: BatchRowResult[] = new Array<BatchRowResult>(rows.length);
  let next = 0;
  let done = 0;
  let unreachable = false;
  let callbackError: { error: unknown } | undefined;
  const finish = (index: number, result: BatchRowResult) => {
    results[index] = result;
    done += 1;
    try {
      options.onRow?.(result, { done, total: rows.length });
    } catch (error) {
      callbackError ??= { error }; // the other starts go on; the caller hears of it at the end
    }
  };
  const lane = async () => {
    for (let index = next++; index < rows.length; index = next++) {
      const row = rows[index] as ValidRow;
      if (unreachable) {
        finish(index, {
          line: row.line,
          customerDomain: row.order.customerDomain,
          outcome: 'failed-to-start',
          reason: 'not tried: Temporal is unreachable',
          unreachable: true,
        });
        continue;
      }
      const result = await startOne(client, row);
      if (result.unreachable) unreachable = true;
      finish(index, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
  if (callbackError) throw callbackError.error;
  const counts = { started: 0, 'already-onboarding': 0, 'already-onboarded': 0, 'failed-to-start': 0 };
  for (const result of results) counts[result.outcome] += 1;
  return { results, counts, unreachable };
}

/**
 * Validates every row (throws `BatchValidationError` listing each bad line, field and rule, and
 * starts nothing), then starts them all: see `runBatch`. `rows[i].line` is how results and problems
 * name a row (the file's line, or `i + 1` for an array: `numberedRows`).
 */
export async function startBatch(
  client: Pick<OnboardingClient, 'start'> & Partial<Pick<OnboardingClient, 'policy'>>,
  rows: readonly BatchRow[],
  options: StartBatchOptions = {},
): Promise<BatchSummary> {
  const { valid, problems } = validateBatch(rows, options.policy ?? client.policy);
  if (problems.length) throw new BatchValidationError(problems);
  return runBatch(client, valid, options);
}

/** Orders from an array as rows numbered 1, 2, 3, … */
export function numberedRows(orders: readonly unknown[]): BatchRow[] {
  return orders.map((input, i) => ({ line: i + 1, input }));
}
