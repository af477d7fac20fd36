/**
 * FROZEN with onboard-customer-v1.ts (release 0.1): its carried state has this shape.
 *
 * Saga bookkeeping: after each reversible step its compensation is recorded, as plain data (so it
 * survives continue-as-new); on failure or cancellation they run in reverse. What the APIs cannot
 * undo is recorded too, so the status can say it.
 */
import { ActivityFailure, CancellationScope } from '@temporalio/workflow';
import type { CompensationReport } from '../messages';
import { COMPENSATION_CALL, runActivity } from './activity-stubs-v1';

export interface Compensation {
  description: string;
  activity: 'deleteUser' | 'revokeSuperAdmin';
  userKey: string;
  /** The customer the user belongs to: deleteUser spares any user this onboarding did not create. */
  customerId: string;
}

export interface SagaState {
  compensations: Compensation[];
  cannotUndo: string[];
}

export class Saga {
  readonly state: SagaState;

  constructor(state?: SagaState) {
    this.state = state ?? { compensations: [], cannotUndo: [] };
  }

  add(compensation: Compensation): void {
    if (
      !this.state.compensations.some((c) => c.activity === compensation.activity && c.userKey === compensation.userKey)
    ) {
      this.state.compensations.push(compensation);
    }
  }

  cannotUndo(description: string): void {
    if (!this.state.cannotUndo.includes(description)) this.state.cannotUndo.push(description);
  }

  /** Runs the compensations in reverse, each retried, in a scope that a cancellation cannot interrupt. */
  compensate(): Promise<CompensationReport> {
    return CancellationScope.nonCancellable(async () => {
      const report: CompensationReport = { undone: [], failed: [], cannotUndo: [...this.state.cannotUndo] };
      for (const compensation of [...this.state.compensations].reverse()) {
        try {
          const { userKey, customerId } = compensation;
          const { outcome } =
            compensation.activity === 'deleteUser'
              ? await runActivity(COMPENSATION_CALL, 'deleteUser', compensation.description, { userKey, customerId })
              : await runActivity(COMPENSATION_CALL, 'revokeSuperAdmin', compensation.description, { userKey });
          report.undone.push(
            outcome === 'deleted' || outcome === 'revoked'
              ? compensation.description
              : `${compensation.description} (${outcome})`,
          );
        } catch (err) {
          if (!(err instanceof ActivityFailure)) throw err;
          report.failed.push(`${compensation.description}: ${err.cause?.message ?? err.message}`);
        }
      }
      this.state.compensations = [];
      return report;
    });
  }
}
