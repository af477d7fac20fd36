/**
 * Transfer tokens handed over by the `provideTransferToken` update: each gets a number, waits in the
 * inbox until the transfer branch takes it, and is answered once (transferred, refused, not needed,
 * failed). A newer token replaces one not yet tried. Plain state, no workflow APIs: unit-tested alone.
 */
import type { TransferTokenOutcome } from '../messages';

export interface InboxToken {
  id: number;
  token: string;
}

/** What a run hands to the next at continue-as-new, besides the count of tokens tried. */
export interface CarriedInbox {
  /** The last number given, so that numbers stay unique across the runs of one onboarding. */
  sequence: number;
  /** A token queued but not tried yet (the update that brought it has already answered). */
  pending?: InboxToken;
}

type Settled = (id: number, outcome: TransferTokenOutcome) => void;

export class TokenInbox {
  private sequence: number;
  private pending: InboxToken | undefined;
  /** The token being tried right now. */
  private inFlight: InboxToken | undefined;
  private readonly outcomes = new Map<number, TransferTokenOutcome>();
  /** Told of every answer (the status shows each token's outcome). */
  onSettled: Settled | undefined;

  /** @param tried how many tokens earlier runs tried (carried across continue-as-new). */
  constructor(
    public tried = 0,
    carried?: CarriedInbox,
  ) {
    this.sequence = carried?.sequence ?? 0;
    this.pending = carried?.pending;
  }

  /** For continue-as-new. */
  get carried(): CarriedInbox {
    return { sequence: this.sequence, ...(this.pending ? { pending: this.pending } : {}) };
  }

  /** Queues a token; one still waiting is answered "replaced". Returns its number. */
  submit(token: string): number {
    if (this.pending)
      this.settle(this.pending.id, { outcome: 'refused', message: 'replaced by a newer token before it was tried' });
    const id = ++this.sequence;
    this.pending = { id, token };
    return id;
  }

  hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** The next token to try (it becomes the one in flight). */
  take(): InboxToken | undefined {
    const next = this.pending;
    this.pending = undefined;
    if (next) {
      this.inFlight = next;
      this.tried += 1;
    }
    return next;
  }

  /** Tries the order's own token first (numbered 0: no caller waits for it). */
  takeOrdered(token: string): InboxToken {
    this.inFlight = { id: 0, token };
    this.tried += 1;
    return this.inFlight;
  }

  /** Answers the token in flight. */
  settleInFlight(outcome: TransferTokenOutcome): void {
    if (this.inFlight) this.settle(this.inFlight.id, outcome);
    this.inFlight = undefined;
  }

  /** Answers every token still waiting or in flight, so that no caller hangs. */
  settleAll(outcome: TransferTokenOutcome): void {
    for (const open of [this.pending, this.inFlight])
      if (open && !this.outcomes.has(open.id)) this.settle(open.id, outcome);
    this.pending = undefined;
    this.inFlight = undefined;
  }

  isSettled(id: number): boolean {
    return this.outcomes.has(id);
  }

  outcome(id: number): TransferTokenOutcome | undefined {
    return this.outcomes.get(id);
  }

  private settle(id: number, outcome: TransferTokenOutcome): void {
    this.outcomes.set(id, outcome);
    this.onSettled?.(id, outcome);
  }
}
