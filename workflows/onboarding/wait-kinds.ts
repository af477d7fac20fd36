/**
 * The kinds of customer wait, in one table: everything the workflow decides by the kind of wait. A
 * row here is what makes a kind exist (`WaitKindName` is this table's keys, and the status's
 * `waitingFor.what`); every other place that depends on the kind is a `Record<WaitKindName, …>`
 * (the resume after continue-as-new in onboard-customer.ts, the reminder copy in
 * activities/notices.ts), so a new row does not compile until each of them says what it does.
 * Plain data: read by the wait, its endings, the update that extends a deadline and the metrics
 * interceptor, without importing any of them.
 */
import type { Stage } from '../messages';

export interface WaitKind {
  stage: Stage;
  /** What the customer has not done yet, as in "did not … by <deadline>". */
  missing: string;
  /** Whether the onboarding asks Google periodically if the customer did it (the order's `checkEvery`). */
  checkable: boolean;
  /** The `branch` tag of the onboarding metrics for a run that continued as new in this wait. */
  branch: 'new' | 'transfer';
  /** What sales is told on expiry, after the deadline (`missing` is what the customer still had to do). */
  expiryAdvice: (missing: string) => string[];
}

export const WAIT_KINDS = {
  'tos-acceptance': {
    stage: 'awaiting-tos',
    missing: 'accept the terms',
    checkable: true,
    branch: 'new',
    expiryAdvice: (missing) => [
      `Nothing was deleted: what was created stays, and the customer can still ${missing}.`,
      'A new order for this domain would stop at already-a-customer (it cannot prove it created the customer); extend the deadline before it passes instead (extendDeadline).',
    ],
  },
  'transfer-token': {
    stage: 'awaiting-transfer-token',
    missing: 'provide a transfer token',
    checkable: false,
    branch: 'transfer',
    expiryAdvice: () => [
      'Nothing was changed at Google: the customer stays where it is. Start the order again once the customer has a transfer token.',
    ],
  },
} satisfies Record<string, WaitKind>;

/** The kinds of wait (the status's `waitingFor.what`). */
export type WaitKindName = keyof typeof WAIT_KINDS;

/** The row of a kind, typed as a row (the table above keeps its literal keys). */
export const waitKind = (name: WaitKindName): WaitKind => WAIT_KINDS[name];

/** Whether a value read back from a carried state or a status names a kind of wait. */
export const isWaitKindName = (value: unknown): value is WaitKindName =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(WAIT_KINDS, value);
