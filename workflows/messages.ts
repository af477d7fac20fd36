/**
 * The onboarding's public contract: names other systems depend on (task queue, workflow type and
 * id, signals, queries, updates, search attributes, stages) and the shapes they carry. Imported by
 * the workflow, the client library and the tests, so each name is written once.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { WaitKindName } from './onboarding/wait-kinds';

export const TASK_QUEUE = 'customer-onboarding';
export const WORKFLOW_TYPE = 'onboardCustomer';

/** One onboarding per domain: the id is derived from the (normalized) domain. */
export function onboardingWorkflowId(customerDomain: string): string {
  return `onboarding:${customerDomain.toLowerCase()}`;
}

export const CustomerDomainAttribute = defineSearchAttributeKey('CustomerDomain', SearchAttributeType.KEYWORD);
export const OnboardingStageAttribute = defineSearchAttributeKey('OnboardingStage', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTES = [CustomerDomainAttribute, OnboardingStageAttribute];

export const STAGES = [
  'validating',
  'creating-customer',
  'setting-language',
  'creating-admin',
  'granting-admin',
  'ordering-subscriptions',
  'notifying',
  'awaiting-tos',
  /** The terms are accepted; the customer's domain is not verified yet (domain customers). */
  'awaiting-domain-verification',
  'completed',
  'awaiting-transfer-token',
  'transferring',
  'transferred',
  'failed',
  'cancelled',
  'expired',
  /** The domain already is this reseller's customer, not created by this onboarding: nothing was touched. */
  'already-a-customer',
] as const;
export type Stage = (typeof STAGES)[number];

export interface TosAcceptance {
  /** Who reports it, e.g. the sales system's user or "crm-webhook"; shown in the status. */
  reportedBy?: string;
}

/** The customer signed in and accepted the Google Workspace terms (only the customer can). */
export const tosAcceptedSignal = defineSignal<[TosAcceptance?]>('tosAccepted');

/** Why an operator or the sales system cancels; sent just before Temporal's own cancel request (which carries no reason). */
export const cancellationReasonSignal = defineSignal<[{ reason: string; requestedBy?: string }]>('cancellationReason');

export interface DomainVerificationReport {
  /** Who reports it, e.g. an operator who checked the DNS record by hand; shown in the status. */
  reportedBy?: string;
}

/** The customer's domain is verified (noticed by the onboarding itself; this lets an operator report it, as `tosAccepted` does). */
export const domainVerifiedSignal = defineSignal<[DomainVerificationReport?]>('domainVerified');

/** A DNS record the customer must publish. */
export interface DnsRecord {
  host: string;
  type: 'TXT';
  value: string;
}

export interface TransferTokenOutcome {
  /**
   * `accepted`: queued for the transfer (release 0.3 on: the update answers at once; the token's own
   * outcome then shows in `status`, `transfer.tokens`, under `token`). The others are a token's
   * outcome: `failed` means the onboarding ended (failed or cancelled) before or while trying it.
   */
  outcome: 'accepted' | 'transferred' | 'refused' | 'not-needed' | 'failed';
  message: string;
  /** The token's number in this onboarding (release 0.3 on), to find its outcome in `status`. */
  token?: number;
}
/** What became of one token handed over, as `status` shows it (`transfer.tokens`, the latest few). */
export interface TokenOutcome {
  token: number;
  outcome: Exclude<TransferTokenOutcome['outcome'], 'accepted'>;
  message: string;
  at: string;
}
/**
 * The customer's transfer token, from the sales system. The validator rejects a malformed token at
 * once (the caller gets the error, the workflow is untouched). From release 0.3 the update returns
 * as soon as the token is queued (`accepted`, with its number) and the transfer's outcome is read
 * from `status` (the client library waits for it unless told not to); onboardings started by
 * earlier releases answer once the token has been tried.
 */
export const provideTransferTokenUpdate = defineUpdate<TransferTokenOutcome, [string]>('provideTransferToken');

export interface DeadlineExtension {
  /** The new deadline, as an ISO date-time... */
  until?: string;
  /** ...or how far to push the current one, as a Temporal duration ("7 days"). */
  by?: string;
}
/** Moves the deadline of the current wait (terms acceptance or transfer token). Returns the new deadline. */
export const extendDeadlineUpdate = defineUpdate<{ deadline: string }, [DeadlineExtension]>('extendDeadline');

export interface StepRecord {
  name: string;
  startedAt: string;
  finishedAt?: string;
  /** How many attempts the activity took (1 = first try), when it finished. */
  attempts?: number;
  outcome?: string;
}

export interface WaitStatus {
  /** The kind of wait: a row of workflows/onboarding/wait-kinds.ts. */
  what: WaitKindName;
  since: string;
  deadline: string;
  nextReminder?: string;
  /** Terms acceptance only: when the onboarding next asks Google whether the customer accepted. */
  nextCheck?: string;
  remindersSent: number;
}

export interface TransferredSubscription {
  subscriptionId: string;
  skuId: string;
  skuName?: string;
  planName: string;
  seats: number;
}

/** A subscription this onboarding ordered, as Google last described it. */
export interface SubscriptionStatus {
  skuId: string;
  skuName?: string;
  plan: string;
  /** numberOfSeats (annual plans) or maximumNumberOfSeats (FLEXIBLE, TRIAL). */
  seats: number;
  subscriptionId?: string;
  /** Google's status, e.g. ACTIVE or SUSPENDED. */
  status?: string;
  /** e.g. PENDING_TOS_ACCEPTANCE until the customer accepts the terms. */
  suspensionReasons?: string[];
  /** `ordered` now, or `already-ordered` (found on Google by an earlier attempt of this onboarding). */
  outcome?: 'ordered' | 'already-ordered';
}

/** What a compensation undoes: the activity that undoes it. */
export type CompensationKind = 'deleteUser' | 'revokeSuperAdmin' | 'cancelSubscription' | 'endSubscriptions';

/** One compensation's result, as data (release 0.4 on): what the reconciliation reads, not the lines above. */
export interface CompensationResult {
  kind: CompensationKind;
  /** `kept`: not run on purpose (an administrator stays while subscriptions it takes to end still bill). */
  result: 'undone' | 'failed' | 'kept';
  /** The line of `undone` or `failed` that says it. */
  line: string;
}

export interface CompensationReport {
  undone: string[];
  /** Compensations that kept failing: an operator must finish them by hand. */
  failed: string[];
  /** What the APIs cannot undo (e.g. a customer record cannot be deleted). */
  cannotUndo: string[];
  /** Each compensation that ran, by kind (onboardings started by release 0.4 on). */
  results?: CompensationResult[];
  /**
   * Release 0.4 on: subscriptions this onboarding ordered that could not be ended. Google bills the
   * reseller for them until someone ends them (Partner Sales Console, or transfer_to_direct).
   */
  stillBilling?: string[];
}

export interface OnboardingStatus {
  stage: Stage;
  customerDomain: string;
  customerId?: string;
  /** `domain` or `team` (absent until the order was validated). */
  customerType?: 'domain' | 'team';
  adminEmail?: string;
  steps: StepRecord[];
  /** What was sold, with Google's status (refreshed by each acceptance check). */
  subscriptions?: SubscriptionStatus[];
  /** Why the onboarding stopped at `already-a-customer`. */
  alreadyACustomer?: { customerId: string; reason: string };
  /** What the onboarding is waiting for, until when, and what it does meanwhile. */
  waitingFor?: WaitStatus;
  tosAccepted?: { at: string; via: 'signal' | 'detected'; reportedBy?: string };
  /**
   * Release 0.4: a `tosAccepted` signal that came before the customer could accept (no notice sent
   * yet): recorded as reported; it counts once the onboarding waits for the terms, unless Google
   * confirms the acceptance first. Until then it neither completes the onboarding nor keeps what a
   * cancel would undo.
   */
  tosReportedEarly?: { at: string; via: 'signal' | 'detected'; reportedBy?: string };
  /** Domain customers: the TXT record to publish, and when and how the verification was learned. */
  domainVerification?: {
    required: boolean;
    record?: DnsRecord;
    verified?: { at: string; via: 'signal' | 'detected' | 'already-verified'; reportedBy?: string };
  };
  transfer?: {
    tokensTried: number;
    lastRefusal?: string;
    /** What moved: everything (stage `transferred`), or what had moved when a cancel stopped the transfer. */
    transferred?: TransferredSubscription[];
    /** The transfer was stopped by a cancel between subscriptions: `transferred` is what had moved by then. */
    stoppedByCancel?: boolean;
    /** Each token's outcome (the latest 10), by the number the update answered with. */
    tokens?: TokenOutcome[];
  };
  failure?: { type: string; message: string };
  cancellation?: { reason: string; requestedBy?: string; at: string };
  expired?: { what: WaitStatus['what']; at: string };
  compensation?: CompensationReport;
  /**
   * Release 0.4's status memo (read when no worker answers): a compact summary — no step log, short
   * entries, long texts cut. The `status` query answers with everything.
   */
  summary?: true;
}

export const statusQuery = defineQuery<OnboardingStatus>('status');
