/**
 * The product's own metrics, counted around the onboarding workflow (registered in the bundle as a
 * workflow interceptor module, so the workflow itself stays free of metric code). They go through
 * Temporal's workflow `metricMeter` — recorded only when not replaying — to the worker's Prometheus
 * endpoint beside the `temporal_*` series:
 *
 *   onboarding_started{customer_type}                                     a first run begins
 *   onboarding_finished{outcome, customer_type, branch, reason}          the onboarding ends
 *   onboarding_customer_wait_seconds{what, customer_type}                 how long the customer took
 *
 * outcome is the final stage (completed, transferred, already-a-customer, failed, cancelled,
 * expired); branch is `new`, `transfer` or `undecided` (ended before Google said which); reason is
 * the failure type for `failed` (e.g. Google.invalid, InvalidOrder), else "none". Every tag has a
 * small, fixed set of values: no domains, no e-mails.
 */
import {
  ApplicationFailure,
  ContinueAsNew,
  isCancellation,
  metricMeter,
  workflowInfo,
  type ActivityInput,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { WORKFLOW_TYPE } from './messages';
import { isWaitKindName, waitKind } from './onboarding/wait-kinds';

type Branch = 'new' | 'transfer' | 'undecided';

const TRANSFER_ACTIVITIES = new Set([
  'sendTransferTokenRequest',
  'registerTransferredCustomer',
  'transferSubscriptions',
]);
const NEW_CUSTOMER_ACTIVITIES = new Set([
  'setCustomerLanguage',
  'createAdminUser',
  'grantSuperAdmin',
  'orderSubscription',
  'sendSignInNotice',
]);
const FAILURE_TYPE = /^[A-Za-z][\w.-]{0,63}$/;

interface StepLike {
  name?: unknown;
  startedAt?: unknown;
  finishedAt?: unknown;
}
interface StatusLike {
  stage?: unknown;
  transfer?: { tokensTried?: number };
  steps?: StepLike[];
  tosAccepted?: { at?: unknown };
}

function customerTypeOf(order: unknown): 'domain' | 'team' {
  return (order as { customerType?: unknown } | null)?.customerType === 'team' ? 'team' : 'domain';
}

/** The branch a continued run was on, from the state it carries (see onboard-customer.ts). */
function carriedBranch(carried: unknown): Branch {
  const what = (carried as { wait?: { what?: unknown } } | null)?.wait?.what;
  return isWaitKindName(what) ? waitKind(what).branch : 'undecided';
}

const timeOf = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : NaN);

function lastStep(status: StatusLike, name: string): StepLike | undefined {
  return [...(status.steps ?? [])].reverse().find((step) => step.name === name);
}

/** How long the customer took, from the final status: notice sent → terms accepted; 409 → token used. */
function customerWait(status: StatusLike): { what: string; seconds: number } | undefined {
  let from = NaN;
  let to = NaN;
  let what = '';
  if (status.stage === 'completed') {
    [what, from, to] = [
      'tos-acceptance',
      // Release 0.4: a transferred customer's wait for the new terms starts at its own notice.
      timeOf((lastStep(status, 'send-sign-in-notice') ?? lastStep(status, 'send-transfer-terms-notice'))?.finishedAt),
      timeOf(status.tosAccepted?.at),
    ];
  } else if (status.stage === 'transferred') {
    [what, from, to] = [
      'transfer-token',
      timeOf(lastStep(status, 'create-customer')?.finishedAt),
      timeOf(lastStep(status, 'transfer-subscriptions')?.startedAt),
    ];
  }
  const seconds = (to - from) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? { what, seconds } : undefined;
}

function outcomeOfError(err: unknown): { outcome: string; reason: string } {
  if (isCancellation(err)) return { outcome: 'cancelled', reason: 'none' };
  if (err instanceof ApplicationFailure && err.type === 'OnboardingExpired')
    return { outcome: 'expired', reason: 'none' };
  const type = err instanceof ApplicationFailure && err.type && FAILURE_TYPE.test(err.type) ? err.type : 'Error';
  return { outcome: 'failed', reason: type };
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  let branch: Branch = 'undecided';

  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
      if (TRANSFER_ACTIVITIES.has(input.activityType)) branch = 'transfer';
      else if (branch === 'undecided' && NEW_CUSTOMER_ACTIVITIES.has(input.activityType)) branch = 'new';
      return next(input);
    },
  };

  const inbound: WorkflowInboundCallsInterceptor = {
    async execute(
      input: WorkflowExecuteInput,
      next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
    ): Promise<unknown> {
      // Other workflows of the bundle (the reconciliation) are not onboardings: not counted.
      if (workflowInfo().workflowType !== WORKFLOW_TYPE) return next(input);
      const [order, carried] = input.args;
      const customerType = customerTypeOf(order);
      if (carried !== undefined) branch = carriedBranch(carried);
      else if (!workflowInfo().continuedFromExecutionRunId) {
        metricMeter
          .createCounter('onboarding_started', undefined, 'Onboardings started (first runs)')
          .add(1, { customer_type: customerType });
      }
      const finished = (outcome: string, reason: string) =>
        metricMeter
          .createCounter('onboarding_finished', undefined, 'Onboardings ended, by final stage')
          .add(1, { outcome, customer_type: customerType, branch, reason });
      let result: unknown;
      try {
        result = await next(input);
      } catch (err) {
        if (!(err instanceof ContinueAsNew)) {
          const { outcome, reason } = outcomeOfError(err);
          finished(outcome, reason);
        }
        throw err;
      }
      const status = (result ?? {}) as StatusLike;
      const stage = typeof status.stage === 'string' ? status.stage : 'unknown';
      // A token sent to what turned out a new customer leaves a `transfer` with no token tried.
      if (stage === 'transferred' || (status.transfer?.tokensTried ?? 0) > 0) branch = 'transfer';
      else if (stage === 'completed') branch = 'new';
      finished(stage, 'none');
      const wait = customerWait(status);
      if (wait) {
        metricMeter
          .createHistogram(
            'onboarding_customer_wait_seconds',
            'float',
            's',
            'Time the customer took: terms accepted, or transfer token given',
          )
          .record(wait.seconds, { what: wait.what, customer_type: customerType });
      }
      return result;
    },
  };

  return { inbound: [inbound], outbound: [outbound] };
};
