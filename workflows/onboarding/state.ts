/**
 * One onboarding's state, shared by the files of workflows/onboarding/ (one per step or branch):
 * the validated order (context.ts), the visible status, the saga, the transfer-token inbox, the
 * transfer and domain-verification records (which write their parts of the status), the current
 * customer wait. Each step is a small function taking this object — after validation as `Validated`,
 * which has the order and the wait defaults — and nothing else is shared between them.
 */
import { allHandlersFinished, condition, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import type { WaitDefaults } from '../../activities';
import type { OnboardingIdentity } from '../../activities/ownership';
import { orderDomainOf } from '../../order/basics';
import type { Order } from '../../order/order';
import type { onboardCustomer } from '../onboard-customer';
import { durationMs, type WaitPolicy, type WaitState } from '../customer-wait';
import type { OnboardingStatus, TransferTokenOutcome, WaitStatus } from '../messages';
import { Progress, STATUS_MEMO_KEY } from '../progress';
import { Saga, type SagaState } from '../saga';
import { ValidatedOrder } from './context';
import { DOMAIN_VERIFICATION_DEADLINE_MS } from './domain';
import { DomainVerificationRecord } from './domain-record';
import { TokenInbox, type CarriedInbox } from './token-inbox';
import { TransferRecord } from './transfer-record';
import { UpdateLedger, type AppliedUpdate } from './update-ledger';
import { waitKind } from './wait-kinds';
import { behavioursOfThisRun, type Behaviours } from '../versions';

/** What a run hands to the next when a long wait continues as new. Not part of the public contract. */
export interface CarriedState {
  /** The shape of this state; release 0.1's had none (workflows/legacy/). */
  version: 2;
  status: OnboardingStatus;
  saga: SagaState;
  wait: WaitState;
  defaults: WaitDefaults;
  tokensTried: number;
  onboarding: OnboardingIdentity;
  /** Release 0.3 on: token numbering and a token queued but not tried yet. */
  inbox?: CarriedInbox;
  /** Release 0.3 on: answers to updates already applied, so that a retried update id is applied once. */
  updates?: AppliedUpdate[];
  /**
   * Release 0.4 on: the build this run left to move to the deployment's current build (Worker
   * Versioning). A run that finds itself on it still (a pinned override) does not try again.
   */
  movedFromBuild?: string;
  /** Release 0.4 on: the worker that validated the order required encrypted input (keyless messages ignored). */
  encryptionRequired?: boolean;
}

/**
 * The onboarding once its order is validated (after validate-order and the wait defaults, or carried
 * over by continue-as-new): what every step after validation takes (`Onboarding.validated()`).
 */
export type Validated = Onboarding & { readonly validation: ValidatedOrder; readonly defaults: WaitDefaults };

export class Onboarding {
  readonly progress: Progress;
  readonly saga: Saga;
  readonly tokens: TokenInbox;
  /** Where the domain verification stands, shown as the status's `domainVerification`. */
  readonly domainVerification: DomainVerificationRecord;
  /** The transfer branch's facts, shown as the status's `transfer`. */
  readonly transfer: TransferRecord;
  readonly updates: UpdateLedger;
  /** What this run does where releases differ (workflows/versions.ts). */
  readonly behaviour: Behaviours;
  /** Names this order's onboarding in the users it creates, and dates its start (ownership evidence). */
  readonly identity: OnboardingIdentity;
  /** What validate-order established (carried over after continue-as-new); undefined before it. */
  validation: ValidatedOrder | undefined;
  /** The worker's wait defaults, known right after validation (carried over after continue-as-new). */
  defaults: WaitDefaults | undefined;
  wait: WaitState | undefined;
  /** Release 0.4: the onboarding waits for the terms (terms.ts): a reported acceptance counts from now on. */
  private termsAcceptable = false;

  /** `release4`: what isRelease4Run answered at the start of this run (workflows/versions.ts). */
  constructor(
    readonly input: unknown,
    readonly carried?: CarriedState,
    release4 = false,
  ) {
    // Progress upserts the attributes before release 0.3's marker is asked for (the order recorded
    // histories have); a 0.4 run knows it is one already (startAttributesNotRepeated = release4).
    this.progress = new Progress(orderDomainOf(input) ?? '(unknown)', carried?.status, {
      memo: true,
      skipCarriedAttributes: release4,
    });
    this.saga = new Saga(carried?.saga);
    this.behaviour = behavioursOfThisRun(release4);
    this.progress.publishAtRestOnly(this.behaviour.stagePublishedAtRest);
    this.progress.compactMemo(this.behaviour.compactStatusMemo);
    this.saga.reportsResults = this.behaviour.compensationResultsReported;
    this.tokens = new TokenInbox(carried?.tokensTried ?? 0, carried?.inbox);
    this.transfer = new TransferRecord(this.progress);
    this.domainVerification = new DomainVerificationRecord(this.progress);
    if (this.behaviour.tokenAnsweredWhenQueued)
      this.tokens.onSettled = (token, outcome) => this.showTokenOutcome(token, outcome);
    this.updates = new UpdateLedger(carried?.updates);
    this.wait = carried?.wait;
    this.defaults = carried?.defaults;
    // A run continued as new was handed the order its first run validated.
    if (carried) this.validation = new ValidatedOrder(input as Order, carried.encryptionRequired);
    const info = workflowInfo();
    this.identity = carried?.onboarding ?? {
      key: `${info.workflowId}/${info.firstExecutionRunId}`,
      startedAt: info.startTime.toISOString(),
    };
  }

  /** The customer's acceptance of the terms: the status's, its one record (set by termsAccepted only). */
  get tosAccepted(): OnboardingStatus['tosAccepted'] {
    return this.progress.view.tosAccepted;
  }

  /** The customer accepted the terms (signal or detected): kept once, and shown in the status at once. */
  termsAccepted(acceptance: NonNullable<OnboardingStatus['tosAccepted']>): void {
    if (this.reportedTooEarly(acceptance)) {
      // Before the notice the customer cannot have accepted: kept as reported, taken when the wait for the terms starts.
      this.progress.update({ tosReportedEarly: this.progress.view.tosReportedEarly ?? acceptance });
      return;
    }
    if (this.tosAccepted === undefined) this.progress.update({ tosAccepted: acceptance });
    // From now on the admin and the subscriptions are the customer's: a later cancel must not undo them.
    this.saga.keepAll(
      'the customer accepted the terms: the admin and subscriptions created are theirs now and were kept',
    );
  }

  /** Release 0.4: a report (not Google's confirmation) while nothing waits for the terms yet. */
  private reportedTooEarly(acceptance: NonNullable<OnboardingStatus['tosAccepted']>): boolean {
    return (
      this.behaviour.earlyTermsReportHeld &&
      acceptance.via === 'signal' &&
      !this.termsAcceptable &&
      this.tosAccepted === undefined
    );
  }

  /**
   * Release 0.4, after a transfer: terms accepted (or reported too early) before the move were not
   * Google's new ones, which exist only from now on.
   */
  termsForgotten(): void {
    if (this.tosAccepted || this.progress.view.tosReportedEarly)
      this.progress.update({ tosAccepted: undefined, tosReportedEarly: undefined });
  }

  /** The wait for the terms starts (or resumes after continue-as-new): an acceptance reported earlier counts now. */
  termsNowAcceptable(): void {
    this.termsAcceptable = true;
    const early = this.progress.view.tosReportedEarly;
    if (early && this.behaviour.earlyTermsReportHeld) this.termsAccepted(early);
  }

  /** Each token's outcome in the status (and its memo), where the caller who handed it over reads it. */
  private showTokenOutcome(token: number, { outcome, message }: TransferTokenOutcome): void {
    if (token === 0 || outcome === 'accepted') return; // 0: the order's own token, no caller waits for it
    this.transfer.tokenSettled(this.tokens.tried, { token, outcome, message, at: new Date().toISOString() });
    this.progress.publish();
  }

  /** Whether the order is validated and the wait defaults known (always, on a run continued as new). */
  isValidated(): this is Validated {
    return this.validation !== undefined && this.defaults !== undefined;
  }

  /** This onboarding as the steps after validation take it. */
  validated(): Validated {
    if (!this.isValidated()) throw new Error('the order is not validated yet');
    return this;
  }

  /** The worker's wait defaults, overridden by the order where it says so. */
  policy(this: Validated, what: WaitStatus['what']): WaitPolicy {
    const { defaults } = this;
    const overrides = this.validation.order.waitPolicy ?? {};
    // While the domain is to be verified, the default deadline stays ahead of Google's suspension of unverified accounts.
    const verifying = what === 'tos-acceptance' && this.domainVerification.missing;
    const defaultDeadlineMs = verifying
      ? Math.min(defaults.deadlineMs, DOMAIN_VERIFICATION_DEADLINE_MS)
      : defaults.deadlineMs;
    return {
      remindersMs: [...(overrides.reminders?.map((d) => durationMs(d)) ?? defaults.remindersMs)].sort((a, b) => a - b),
      deadlineMs: overrides.deadline ? durationMs(overrides.deadline) : defaultDeadlineMs,
      ...(waitKind(what).checkable
        ? { checkEveryMs: overrides.checkEvery ? durationMs(overrides.checkEvery) : defaults.tosCheckEveryMs }
        : {}),
      ...(this.behaviour.checksSpreadWithoutMarker ? { spreadChecks: true } : {}),
    };
  }

  /**
   * Release 0.4, Worker Versioning: another build became the deployment's current version while this
   * run is pinned to its own; false when this run already tried to leave this build (pinned override).
   */
  newBuildIsCurrent(): boolean {
    if (!this.behaviour.waitMovesToCurrentBuild) return false;
    const info = workflowInfo();
    if (!info.targetWorkerDeploymentVersionChanged) return false;
    const build = info.currentDeploymentVersion?.buildId;
    return build === undefined || build !== this.carried?.movedFromBuild;
  }

  /** Hands the wait over to a fresh run (history stays short); never returns. */
  async carryOn(this: Validated, wait: WaitState): Promise<never> {
    await condition(allHandlersFinished);
    // The status memo goes along, so that `status` keeps answering without a worker in the new run.
    // Worker Versioning: a pinned run whose deployment has a new current build starts its next run there.
    const upgrade = this.newBuildIsCurrent();
    const build = workflowInfo().currentDeploymentVersion?.buildId;
    const continueAsNew = makeContinueAsNewFunc<typeof onboardCustomer>({
      memo: { [STATUS_MEMO_KEY]: this.progress.memoValue() },
      ...(upgrade ? { initialVersioningBehavior: 'AUTO_UPGRADE' as const } : {}),
    });
    const { order, encryptionRequired } = this.validation;
    return continueAsNew(order, {
      version: 2,
      status: this.progress.snapshot(),
      saga: this.saga.state,
      wait,
      defaults: this.defaults,
      tokensTried: this.tokens.tried,
      onboarding: this.identity,
      ...(this.behaviour.inboxAndUpdatesCarried ? { inbox: this.tokens.carried, updates: this.updates.state } : {}),
      ...(upgrade && build ? { movedFromBuild: build } : {}),
      ...(this.behaviour.keylessMessagesIgnored && encryptionRequired !== undefined ? { encryptionRequired } : {}),
    });
  }
}
