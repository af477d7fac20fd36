/**
 * Saga bookkeeping: after each reversible step its compensation is recorded as plain data — an
 * activity name and its input — so it survives continue-as-new; on failure or cancellation they
 * run in reverse. What the APIs cannot undo is recorded too, so the status can say it.
 */
import { ActivityFailure, CancellationScope } from '@temporalio/workflow';
import type { OnboardingActivities } from '../activities';
import { COMPENSATION_CALL, runActivity } from './activity-stubs';
import type { CompensationKind, CompensationReport } from './messages';

/** The activities that undo a step (the compensation's kind); each answers `{ outcome }` and is safe to run twice. */
export type CompensationActivity = CompensationKind;

/** Removing the administrator: never before the subscriptions it takes to end are gone (Google answers 412 without one). */
const ADMIN_REMOVALS: ReadonlySet<CompensationActivity> = new Set(['deleteUser', 'revokeSuperAdmin']);

export interface Compensation<K extends CompensationActivity = CompensationActivity> {
  description: string;
  activity: K;
  input: Parameters<OnboardingActivities[K]>[0];
}

export interface SagaState {
  compensations: Compensation[];
  cannotUndo: string[];
}

/** The outcome that means "undone as asked", per kind; any other is reported beside the description. */
const DONE: Record<CompensationKind, string> = {
  deleteUser: 'deleted',
  revokeSuperAdmin: 'revoked',
  cancelSubscription: 'cancelled',
  endSubscriptions: 'ended',
};

export class Saga {
  readonly state: SagaState;
  /** Release 0.4 on: the report lists each compensation's kind and result as data (`results`). */
  reportsResults = false;

  constructor(state?: SagaState) {
    this.state = state ?? { compensations: [], cannotUndo: [] };
  }

  add<K extends CompensationActivity>(compensation: Compensation<K>): void {
    if (!this.state.compensations.some((c) => c.description === compensation.description)) {
      this.state.compensations.push(compensation);
    }
  }

  /** Drops every compensation (what was created is no longer this onboarding's to undo), saying why. */
  keepAll(why: string): void {
    if (this.state.compensations.length === 0) return;
    this.state.compensations = [];
    this.cannotUndo(why);
  }

  cannotUndo(description: string): void {
    if (!this.state.cannotUndo.includes(description)) this.state.cannotUndo.push(description);
  }

  /**
   * Runs the compensations in reverse, each retried, in a scope that a cancellation cannot interrupt.
   * Release 0.4 on, subscriptions are ended before the administrator is removed; when they could not
   * be ended, the administrator stays (without one Google refuses to end them) and the report says
   * what keeps billing the reseller.
   */
  compensate(): Promise<CompensationReport> {
    return CancellationScope.nonCancellable(async () => {
      const report: CompensationReport = { undone: [], failed: [], cannotUndo: [...this.state.cannotUndo] };
      const results: NonNullable<CompensationReport['results']> = [];
      for (const compensation of [...this.state.compensations].reverse()) {
        if (report.stillBilling && ADMIN_REMOVALS.has(compensation.activity)) {
          const line = `${compensation.description}: not done, so that the subscriptions still billing can be ended (Google refuses to end a subscription of a customer without an administrator)`;
          report.cannotUndo.push(line);
          results.push({ kind: compensation.activity, result: 'kept', line });
          continue;
        }
        try {
          const { outcome, temporaryAdminLeft } = (await runActivity(
            COMPENSATION_CALL,
            compensation.activity,
            compensation.description,
            compensation.input as never,
          )) as {
            outcome: string;
            /** endSubscriptions: ended, but its temporary administrator stayed (what to do). */
            temporaryAdminLeft?: string;
          };
          const done =
            outcome === DONE[compensation.activity]
              ? compensation.description
              : `${compensation.description} (${outcome})`;
          const line = temporaryAdminLeft ? `${done}; ${temporaryAdminLeft}` : done;
          report.undone.push(line);
          results.push({ kind: compensation.activity, result: 'undone', line });
        } catch (err) {
          if (!(err instanceof ActivityFailure)) throw err;
          const line = `${compensation.description}: ${err.cause?.message ?? err.message}`;
          report.failed.push(line);
          results.push({ kind: compensation.activity, result: 'failed', line });
          if (compensation.activity === 'endSubscriptions') {
            const { skuIds, customerDomain } = compensation.input as Compensation<'endSubscriptions'>['input'];
            report.stillBilling = skuIds.map((sku) => `subscription ${sku} of ${customerDomain}`);
          }
        }
      }
      this.state.compensations = [];
      return this.reportsResults ? { ...report, results } : report;
    });
  }
}
