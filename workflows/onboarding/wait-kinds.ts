/**
 * The kinds of customer wait, in one table: the stage each shows and what the customer has not done
 * yet. Read by the wait itself, its endings (expiry) and the update that extends a deadline.
 */
import type { Stage, WaitStatus } from '../messages';

export interface WaitKind {
  stage: Stage;
  /** What the customer has not done yet, as in "did not … by <deadline>". */
  missing: string;
}

export const WAIT_KINDS: Record<WaitStatus['what'], WaitKind> = {
  'tos-acceptance': { stage: 'awaiting-tos', missing: 'accept the terms' },
  'transfer-token': { stage: 'awaiting-transfer-token', missing: 'provide a transfer token' },
};
