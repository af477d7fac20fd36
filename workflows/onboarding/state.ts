/**
 * One onboarding's state, shared by the files of workflows/onboarding/ (one per step or branch):
 * the order, the visible status, the saga, the transfer-token inbox, the current customer wait.
 * Each step is a small function taking this object; nothing else is shared between them.
 */
import { allHandlersFinished, condition, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import type { WaitDefaults } from '../../activities';
import type { OnboardingIdentity } from '../../activities/ownership';
import { customerContactEmail, orderDomainOf } from '../../order/basics';
import type { Order } from '../../order/order';
import type { onboardCustomer } from '../onboard-customer';
import { durationMs, type WaitPolicy, type WaitState } from '../customer-wait';
import type { OnboardingStatus, TokenOutcome, TransferTokenOutcome, WaitStatus } from '../messages';
import { Progress, STATUS_MEMO_KEY } from '../progress';
import { Saga, type SagaState } from '../saga';
import { DOMAIN_VERIFICATION_DEADLINE_MS } from './domain';
import { TokenInbox, type CarriedInbox } from './token-inbox';
import { UpdateLedger, type AppliedUpdate } from './update-ledger';
import { behavioursOfThisRun, type Behaviours } from '../versions';

const TOKEN_OUTCOMES_SHOWN = 10;

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
  /** Release 0.4 on: the worker that validated the order required encrypted input (keyless messages ignored). */
  encryptionRequired?: boolean;
}

export class Onboarding {
  readonly progress: Progress;
  readonly saga: Saga;
  readonly tokens: TokenInbox;
  readonly updates: UpdateLedger;
  /** What this run does where releases differ (workflows/versions.ts). */
  readonly behaviour: Behaviours;
  /** Names this order's onboarding in the users it creates, and dates its start (ownership evidence). */
  readonly identity: OnboardingIdentity;
  /** The validated order (the carried one after continue-as-new). */
  order: Order | undefined;
  defaults: WaitDefaults | undefined;
  wait: WaitState | undefined;
  tosAccepted: OnboardingStatus['tosAccepted'];
  /** Recorded by the validation activity (0.4): whether the worker required encrypted input. Unknown: treated as required. */
  encryptionRequired: boolean | undefined;

  constructor(
    readonly input: unknown,
    readonly carried?: CarriedState,
  ) {
    this.progress = new Progress(orderDomainOf(input) ?? '(unknown)', carried?.status, { memo: true });
    this.saga = new Saga(carried?.saga);
    this.behaviour = behavioursOfThisRun();
    this.tokens = new TokenInbox(carried?.tokensTried ?? 0, carried?.inbox);
    if (this.behaviour.tokenAnsweredWhenQueued)
      this.tokens.onSettled = (token, outcome) => this.showTokenOutcome(token, outcome);
    this.updates = new UpdateLedger(carried?.updates);
    this.wait = carried?.wait;
    this.defaults = carried?.defaults;
    this.tosAccepted = carried?.status.tosAccepted;
    this.encryptionRequired = carried?.encryptionRequired;
    if (carried) this.order = input as Order;
    const info = workflowInfo();
    this.identity = carried?.onboarding ?? {
      key: `${info.workflowId}/${info.firstExecutionRunId}`,
      startedAt: info.startTime.toISOString(),
    };
  }

  /** The customer accepted the terms (signal or detected): kept once, and shown in the status at once. */
  termsAccepted(acceptance: NonNullable<OnboardingStatus['tosAccepted']>): void {
    this.tosAccepted ??= acceptance;
    this.progress.update({ tosAccepted: this.tosAccepted });
    // From now on the admin and the subscriptions are the customer's: a later cancel must not undo them.
    this.saga.keepAll(
      'the customer accepted the terms: the admin and subscriptions created are theirs now and were kept',
    );
  }

  /** Each token's outcome in the status (and its memo), where the caller who handed it over reads it. */
  private showTokenOutcome(token: number, { outcome, message }: TransferTokenOutcome): void {
    if (token === 0 || outcome === 'accepted') return; // 0: the order's own token, no caller waits for it
    const transfer = this.progress.view.transfer ?? { tokensTried: this.tokens.tried };
    const tokens: TokenOutcome[] = [
      ...(transfer.tokens ?? []),
      { token, outcome, message, at: new Date().toISOString() },
    ];
    this.progress.update({ transfer: { ...transfer, tokens: tokens.slice(-TOKEN_OUTCOMES_SHOWN) } });
    this.progress.publish();
  }

  get validOrder(): Order {
    if (!this.order) throw new Error('the order is not validated yet');
    return this.order;
  }

  get domain(): string {
    return this.validOrder.customerDomain;
  }

  /** Where notices to the customer go. */
  get contact(): string {
    return customerContactEmail(this.validOrder);
  }

  /** The worker's wait defaults, overridden by the order where it says so. */
  policy(what: WaitStatus['what']): WaitPolicy {
    const defaults = this.defaults as WaitDefaults;
    const overrides = this.validOrder.waitPolicy ?? {};
    // While the domain is to be verified, the default deadline stays ahead of Google's suspension of unverified accounts.
    const verification = this.progress.view.domainVerification;
    const verifying =
      what === 'tos-acceptance' && verification?.required === true && verification.verified === undefined;
    const defaultDeadlineMs = verifying
      ? Math.min(defaults.deadlineMs, DOMAIN_VERIFICATION_DEADLINE_MS)
      : defaults.deadlineMs;
    return {
      remindersMs: [...(overrides.reminders?.map((d) => durationMs(d)) ?? defaults.remindersMs)].sort((a, b) => a - b),
      deadlineMs: overrides.deadline ? durationMs(overrides.deadline) : defaultDeadlineMs,
      ...(what === 'tos-acceptance'
        ? { checkEveryMs: overrides.checkEvery ? durationMs(overrides.checkEvery) : defaults.tosCheckEveryMs }
        : {}),
    };
  }

  /** Hands the wait over to a fresh run (history stays short); never returns. */
  async carryOn(): Promise<never> {
    await condition(allHandlersFinished);
    // The status memo goes along, so that `status` keeps answering without a worker in the new run.
    const continueAsNew = makeContinueAsNewFunc<typeof onboardCustomer>({
      memo: { [STATUS_MEMO_KEY]: this.progress.snapshot() },
    });
    return continueAsNew(this.validOrder, {
      version: 2,
      status: this.progress.snapshot(),
      saga: this.saga.state,
      wait: this.wait as WaitState,
      defaults: this.defaults as WaitDefaults,
      tokensTried: this.tokens.tried,
      onboarding: this.identity,
      ...(this.behaviour.inboxAndUpdatesCarried ? { inbox: this.tokens.carried, updates: this.updates.state } : {}),
      ...(this.behaviour.keylessMessagesIgnored && this.encryptionRequired !== undefined
        ? { encryptionRequired: this.encryptionRequired }
        : {}),
    });
  }
}
