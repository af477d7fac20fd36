/**
 * The onboarding's visible state, kept in one place so that the `status` query, the
 * `OnboardingStage` search attribute and the Web UI's current details never disagree.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { markdownText } from './markdown';
import {
  CustomerDomainAttribute,
  OnboardingStageAttribute,
  type OnboardingStatus,
  type Stage,
  type StepRecord,
} from './messages';

const now = () => new Date().toISOString(); // deterministic inside a workflow: the task's time

export class Progress {
  private readonly status: OnboardingStatus;

  /** A fresh onboarding, or (after continue-as-new) the status the previous run handed over. */
  constructor(customerDomain: string, carried?: OnboardingStatus) {
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
    }
    this.describe(details);
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
  async step<T extends { attempt?: number }>(name: string, run: () => Promise<T>, outcome?: (result: T) => string): Promise<T> {
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
