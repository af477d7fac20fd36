/**
 * The onboarding's visible state, kept in one place so that the `status` query, the
 * `OnboardingStage` search attribute and the Web UI's current details never disagree.
 */
import { setCurrentDetails, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { markdownText } from './markdown';
import {
  CustomerDomainAttribute,
  OnboardingStageAttribute,
  type OnboardingStatus,
  type Stage,
  type StepRecord,
} from './messages';
import { memoSummary } from './status-memo';

/** Now, as an ISO string: deterministic inside a workflow (the task's time). */
export const nowIso = (): string => new Date().toISOString();

/** The memo key under which the status is kept, so that it can be read with no worker running (encrypted like any payload). */
export const STATUS_MEMO_KEY = 'status';

/**
 * The stages an onboarding rests in: it waits for someone outside it (the customer, the sales system)
 * or it has ended — or, for `validating`, it has just started. Release 0.4 writes the `OnboardingStage`
 * attribute and the memo at these only. The stages in between (`creating-customer` … `notifying`,
 * `transferring`) are one activity or a few, done in well under a second when Google answers; each
 * attribute write there was a history event plus a visibility write, read by nobody. While a step is
 * retried (Google down) the attribute keeps the stage the onboarding came from, and the `status`
 * query and the Web UI (current details, the pending activity and its last failure) show the step.
 */
export const RESTING_STAGES: ReadonlySet<Stage> = new Set<Stage>([
  'validating',
  'awaiting-tos',
  'awaiting-domain-verification',
  'awaiting-transfer-token',
  'completed',
  'transferred',
  'failed',
  'cancelled',
  'expired',
  'already-a-customer',
]);

export interface ProgressOptions {
  /** Publish the status in the memo (release 0.2 on; 0.1's frozen workflow passes false). */
  memo: boolean;
  /** 0.4 (a run continued by 0.4): do not upsert the search attributes this run already carries from its start or continue-as-new. */
  skipCarriedAttributes?: boolean;
}

export class Progress {
  private readonly status: OnboardingStatus;

  /**
   * A fresh onboarding, or (after continue-as-new) the status the previous run handed over.
   * `options`: see ProgressOptions (each release's histories fix what it writes).
   */
  constructor(
    customerDomain: string,
    carried?: OnboardingStatus,
    private readonly options: ProgressOptions = { memo: false },
  ) {
    this.status = carried ?? { stage: 'validating', customerDomain, steps: [] };
    this.publishedStage = this.status.stage;
    if (!(options.skipCarriedAttributes && this.attributesCarried())) {
      upsertSearchAttributes([
        { key: CustomerDomainAttribute, value: this.status.customerDomain },
        { key: OnboardingStageAttribute, value: this.status.stage },
      ]);
    }
    if (!carried) this.describe('Validating the order.');
  }

  /** 0.4: write the stage attribute and the memo at resting stages only (RESTING_STAGES). Set before any `enter`. */
  publishAtRestOnly(on: boolean): void {
    this.atRestOnly = on;
  }

  /** 0.4: the memo holds the compact summary (status-memo.ts), not the whole status. */
  compactMemo(on: boolean): void {
    this.compact = on;
  }

  private atRestOnly = false;
  private compact = false;

  /** The run already carries both attributes with these values (the client library sets them at start). */
  private attributesCarried(): boolean {
    const attributes = workflowInfo().typedSearchAttributes;
    return (
      attributes.get(CustomerDomainAttribute) === this.status.customerDomain &&
      attributes.get(OnboardingStageAttribute) === this.status.stage
    );
  }

  get stage(): Stage {
    return this.status.stage;
  }

  /** The live status, read-only: for reading a field (a snapshot is a deep copy, for handing out). */
  get view(): Readonly<OnboardingStatus> {
    return this.status;
  }

  snapshot(): OnboardingStatus {
    return JSON.parse(JSON.stringify(this.status)) as OnboardingStatus; // no structuredClone in the workflow sandbox
  }

  update(fields: Partial<Omit<OnboardingStatus, 'stage' | 'steps'>>): void {
    Object.assign(this.status, fields);
  }

  /** Moves to a stage and says in the Web UI what is happening, in markdown. */
  enter(stage: Stage, details: string): void {
    if (stage !== this.status.stage) {
      this.status.stage = stage;
      if (!this.atRestOnly) {
        upsertSearchAttributes([{ key: OnboardingStageAttribute, value: stage }]);
        this.publish();
      } else if (RESTING_STAGES.has(stage)) {
        if (stage !== this.publishedStage) upsertSearchAttributes([{ key: OnboardingStageAttribute, value: stage }]);
        this.publishedStage = stage;
        this.publish(); // back at the same resting stage (a refused token), the memo still has news
      }
    }
    this.describe(details);
  }

  /** The stage last written to the attribute (0.4, atRestOnly: skipped steps do not move it). */
  private publishedStage: Stage;

  /** What goes in the memo: the whole status, or (0.4) its compact summary. */
  memoValue(): OnboardingStatus {
    return this.compact ? memoSummary(this.status) : this.snapshot();
  }

  /** Puts the current status in the memo: `status` then answers without a worker (client/onboarding-client.ts). */
  publish(): void {
    if (this.options.memo) upsertMemo({ [STATUS_MEMO_KEY]: this.memoValue() });
  }

  /** Says in the Web UI what is happening (markdown), with the wait's schedule when there is one. */
  describe(details: string): void {
    const { customerDomain, customerId, adminEmail } = this.status;
    // The domain may be an unvalidated input's (before validation, or of an invalid order): shown as text.
    const facts = [`**${markdownText(customerDomain, 300)}** — stage \`${this.status.stage}\``];
    if (customerId) facts.push(`customer \`${customerId}\``);
    if (adminEmail) facts.push(`admin ${adminEmail}`);
    const wait = this.status.waitingFor;
    const schedule = wait
      ? [
          `\n\n| waiting for | since | next reminder | next check | deadline |\n|---|---|---|---|---|`,
          `| ${wait.what} | ${wait.since} | ${wait.nextReminder ?? '—'} | ${wait.nextCheck ?? '—'} | ${wait.deadline} |`,
        ].join('\n')
      : '';
    setCurrentDetails(`${facts.join(' · ')}\n\n${details}${schedule}`);
  }

  /** Records a step around `run`; `attempt` in the result (from the activity) becomes the step's attempt count. */
  async step<T extends { attempt?: number }>(
    name: string,
    run: () => Promise<T>,
    outcome?: (result: T) => string,
  ): Promise<T> {
    const record: StepRecord = { name, startedAt: nowIso() };
    this.status.steps.push(record);
    try {
      const result = await run();
      record.attempts = result.attempt;
      record.outcome = outcome?.(result) ?? 'done';
      return result;
    } catch (err) {
      record.outcome = 'failed';
      throw err;
    } finally {
      record.finishedAt = nowIso();
    }
  }
}
