/**
 * What the transfer branch knows (tokens tried, Google's last refusal, what moved, whether a cancel
 * stopped it, each handed-over token's outcome), kept in one place like TokenInbox keeps the tokens.
 * The status's `transfer` is written from it here only, never rebuilt with spreads elsewhere; a run
 * continued as new takes it back from the carried status.
 */
import type { OnboardingStatus, TokenOutcome, TransferredSubscription } from '../messages';
import type { Progress } from '../progress';

type TransferStatus = NonNullable<OnboardingStatus['transfer']>;

const TOKEN_OUTCOMES_SHOWN = 10;

export class TransferRecord {
  private state: TransferStatus | undefined;

  constructor(private readonly progress: Progress) {
    this.state = progress.view.transfer;
  }

  /** What moved to this reseller: everything once transferred, or what had moved when a cancel stopped it. */
  get moved(): TransferredSubscription[] | undefined {
    return this.state?.transferred;
  }

  get stoppedByCancel(): boolean {
    return this.state?.stoppedByCancel === true;
  }

  /** A token is being tried (the `tried`-th). */
  trying(tried: number): void {
    this.write({ ...this.state, tokensTried: tried });
  }

  /** Everything moved with the `tried`-th token. */
  transferred(tried: number, moved: TransferredSubscription[]): void {
    this.write({ ...this.state, tokensTried: tried, transferred: moved });
  }

  /** Google refused the `tried`-th token. */
  refused(tried: number, refusal: string): void {
    this.write({ ...this.state, tokensTried: tried, lastRefusal: refusal });
  }

  /** A cancel stopped the transfer; `moved` is what the activity reported had moved, when it could say. */
  stopped(tried: number, moved: TransferredSubscription[] | undefined): void {
    const stopped = { ...this.state, tokensTried: tried, stoppedByCancel: true };
    this.write(moved ? { ...stopped, transferred: moved } : stopped);
  }

  /** A handed-over token's outcome, where the caller who handed it over reads it (the latest few). */
  tokenSettled(tried: number, settled: TokenOutcome): void {
    const transfer = this.state ?? { tokensTried: tried };
    const tokens = [...(transfer.tokens ?? []), settled];
    this.write({ ...transfer, tokens: tokens.slice(-TOKEN_OUTCOMES_SHOWN) });
  }

  private write(state: TransferStatus): void {
    this.state = state;
    this.progress.update({ transfer: state });
  }
}
