/**
 * FROZEN for release 0.1's workflow (onboard-customer-v1.ts): a copy of workflows/progress.ts as 0.1 runs
 * ran it on release 0.3's worker (the newest code they have run on, with every later change gated),
 * so that changing today's file cannot change an old run. Do not edit; delete with onboard-customer-v1.ts.
 */
/**
 * The onboarding's visible state, kept in one place so that the `status` query, the
 * `OnboardingStage` search attribute and the Web UI's current details never disagree.
 */
import { setCurrentDetails, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { markdownText } from './markdown-v1';
import {
  CustomerDomainAttribute,
  OnboardingStageAttribute,
  type OnboardingStatus,
  type Stage,
  type StepRecord,
} from '../messages';

/** Now, as an ISO string: deterministic inside a workflow (the task's time). */
export const nowIso = (): string => new Date().toISOString();
const now = nowIso;

/** The memo key under which the status is kept, so that it can be read with no worker running (encrypted like any payload). */
export const STATUS_MEMO_KEY = 'status';

export class Progress {
  private readonly status: OnboardingStatus;

  /**
   * A fresh onboarding, or (after continue-as-new) the status the previous run handed over.
   * `memo`: publish the status in the workflow's memo at each stage (release 0.2 on; 0.1's
   * histories have no such events, so its frozen workflow passes false).
   */
  constructor(
    customerDomain: string,
    carried?: OnboardingStatus,
    private readonly options: { memo: boolean } = { memo: false },
  ) {
    this.status = carried ?? { stage: 'validating', customerDomain, steps: [] };
    upsertSearchAttributes([
      { key: CustomerDomainAttribute, value: this.status.customerDomain },
      { key: OnboardingStageAttribute, value: this.status.stage },
    ]);
    if (!carried) this.describe('Validating the order.');
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
      upsertSearchAttributes([{ key: OnboardingStageAttribute, value: stage }]);
      this.publish();
    }
    this.describe(details);
  }

  /** Puts the current status in the memo: `status` then answers without a worker (client/onboarding-client.ts). */
  publish(): void {
    if (this.options.memo) upsertMemo({ [STATUS_MEMO_KEY]: this.snapshot() });
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
    const record: StepRecord = { name, startedAt: now() };
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
      record.finishedAt = now();
    }
  }
}
