/**
 * Updates already applied, by update id, carried across continue-as-new. Temporal answers a
 * repeated update id with the first answer only within one run: a sales system retrying
 * `extendDeadline {by: "7 days"}` with the same request id after the onboarding continued as new
 * would extend twice. The ledger keeps the latest answers and gives the earlier one back instead.
 * Plain state, no workflow APIs: unit-tested alone.
 */

export interface AppliedUpdate {
  id: string;
  result: unknown;
}

/** Enough for any sales system's retries of one onboarding; each entry is a small answer (never a token). */
export const MAX_REMEMBERED_UPDATES = 50;

export class UpdateLedger {
  private readonly applied: AppliedUpdate[];

  constructor(carried: AppliedUpdate[] = []) {
    this.applied = carried.slice(-MAX_REMEMBERED_UPDATES);
  }

  /** The answer given to this update id earlier, in this run or an earlier one. */
  find(id: string | undefined): AppliedUpdate | undefined {
    return id === undefined ? undefined : this.applied.find((entry) => entry.id === id);
  }

  record(id: string | undefined, result: unknown): void {
    if (id === undefined || this.find(id)) return;
    this.applied.push({ id, result });
    if (this.applied.length > MAX_REMEMBERED_UPDATES) this.applied.shift();
  }

  /** For continue-as-new. */
  get state(): AppliedUpdate[] {
    return this.applied.map((entry) => ({ ...entry }));
  }
}
