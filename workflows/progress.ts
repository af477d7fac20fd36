/**
 * The onboarding's visible state, kept in one place so that the `status` query, the
 * `OnboardingStage` search attribute and the Web UI's current details never disagree.
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
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

  constructor(customerDomain: string) {
    this.status = { stage: 'validating', customerDomain, steps: [] };
    upsertSearchAttributes([
      { key: CustomerDomainAttribute, value: customerDomain },
      { key: OnboardingStageAttribute, value: 'validating' },
    ]);
    this.describe('Validating the order.');
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

  private describe(details: string): void {
    const { customerDomain, customerId, adminEmail } = this.status;
    const facts = [`**${customerDomain}** — stage \`${this.status.stage}\``];
    if (customerId) facts.push(`customer \`${customerId}\``);
    if (adminEmail) facts.push(`admin ${adminEmail}`);
    setCurrentDetails(`${facts.join(' · ')}\n\n${details}`);
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
