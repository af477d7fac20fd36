/**
 * The reconciliation for operators and scripts: the Temporal Schedule that runs it (daily by
 * default; creating it again updates it) and a run now that returns the report. The CLI's
 * `onboarding reconciliation schedule|run` call these.
 */
import { randomUUID } from 'node:crypto';
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { parseDurationMs } from '../order/duration';
import { TASK_QUEUE } from '../workflows/messages';
import type { reconcileOnboardings } from '../workflows/reconcile';
import {
  lookbackMs,
  RECONCILE_WORKFLOW_TYPE,
  RECONCILIATION_SCHEDULE_ID,
  type ReconciliationInput,
  type ReconciliationReport,
} from '../workflows/reconcile-messages';

/**
 * A run takes minutes; one stuck (e.g. a deploy broke it mid-run) ends after this, so that the
 * schedule, which skips a run while the previous one is still running, carries on.
 */
const RUN_TIMEOUT = '6 hours';

/** Every day at 06:00 UTC. */
export const DEFAULT_RECONCILIATION_CRON = '0 6 * * *';

/** A bad option: the message names it and its rule (the CLI's exit code 2). */
export class ReconciliationInputError extends Error {
  override readonly name = 'ReconciliationInputError';
}

export interface ReconciliationScheduleOptions extends ReconciliationInput {
  /** A cron expression (UTC), e.g. "0 6 * * *"; or */
  cron?: string;
  /** an interval as a Temporal duration, e.g. "1d", "12 hours". Neither: DEFAULT_RECONCILIATION_CRON. */
  every?: string;
}

const CRON_FIELD = /^[0-9A-Za-z*?/,#-]+$/;

/** The schedule's spec and the runs' input, checked: every bad option named with its rule. */
export function reconciliationSchedulePlan(options: ReconciliationScheduleOptions): {
  spec: ScheduleSpec;
  input: ReconciliationInput;
  describe: string;
} {
  const problems: string[] = [];
  if (options.cron !== undefined && options.every !== undefined)
    problems.push('--cron and --every: give one, not both');
  const cron = options.cron?.trim();
  if (cron !== undefined && !(cron.split(/\s+/).length === 5 && cron.split(/\s+/).every((f) => CRON_FIELD.test(f)))) {
    problems.push(
      '--cron: must be a cron expression of 5 fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * *"',
    );
  }
  const everyMs = options.every === undefined ? undefined : parseDurationMs(options.every);
  if (options.every !== undefined && (everyMs === undefined || everyMs < 60_000))
    problems.push('--every: must be a duration of at least 1 minute, e.g. "1d" or "12 hours"');
  const input = reconciliationInput(options, problems);
  if (problems.length) throw new ReconciliationInputError(problems.join('; '));
  if (everyMs !== undefined)
    return { spec: { intervals: [{ every: everyMs }] }, input, describe: `every ${options.every}` };
  const expression = cron ?? DEFAULT_RECONCILIATION_CRON;
  return { spec: { cronExpressions: [expression] }, input, describe: `cron "${expression}" (UTC)` };
}

function reconciliationInput(options: ReconciliationInput, problems: string[]): ReconciliationInput {
  const lookback = options.lookback === undefined ? undefined : lookbackMs(options.lookback);
  if (typeof lookback === 'string') problems.push(`--lookback: ${lookback}`);
  return {
    ...(options.removeUsers ? { removeUsers: true } : {}),
    ...(options.lookback !== undefined ? { lookback: options.lookback } : {}),
  };
}

export interface ScheduledReconciliation {
  scheduleId: string;
  /** false: the schedule existed and was updated to these settings. */
  created: boolean;
  runs: string;
  input: ReconciliationInput;
}

/** Creates the reconciliation's schedule, or updates the existing one to these settings (idempotent). */
export async function scheduleReconciliation(
  client: Client,
  options: ReconciliationScheduleOptions = {},
): Promise<ScheduledReconciliation> {
  const { spec, input, describe } = reconciliationSchedulePlan(options);
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: RECONCILE_WORKFLOW_TYPE,
    // Temporal appends each run's scheduled time to this id.
    workflowId: RECONCILIATION_SCHEDULE_ID,
    taskQueue: TASK_QUEUE,
    args: [input],
    workflowExecutionTimeout: RUN_TIMEOUT,
  };
  // One run at a time; after an outage, one late run rather than a burst (the lookback covers the gap).
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
  const result = { scheduleId: RECONCILIATION_SCHEDULE_ID, runs: describe, input };
  try {
    await client.schedule.create({ scheduleId: RECONCILIATION_SCHEDULE_ID, spec, action, policies });
    return { ...result, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule
    .getHandle(RECONCILIATION_SCHEDULE_ID)
    .update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, ...policies } }));
  return { ...result, created: false };
}

/** Runs the reconciliation once now (a worker must be polling the onboarding task queue) and returns its report. */
export async function runReconciliation(
  client: Client,
  input: ReconciliationInput = {},
): Promise<ReconciliationReport> {
  const problems: string[] = [];
  const checked = reconciliationInput(input, problems);
  if (problems.length) throw new ReconciliationInputError(problems.join('; '));
  return client.workflow.execute<typeof reconcileOnboardings>(RECONCILE_WORKFLOW_TYPE, {
    workflowId: `${RECONCILIATION_SCHEDULE_ID}-now-${randomUUID()}`,
    taskQueue: TASK_QUEUE,
    args: [checked],
    workflowExecutionTimeout: RUN_TIMEOUT,
  });
}
