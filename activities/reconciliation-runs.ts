/**
 * What the reconciliation reads from Temporal: the onboardings that ended without finishing their
 * saga (visibility), what each recorded (its status memo), and which user it created with which
 * marker (its history). Kept apart from the Google side so each reads in one screen.
 *
 * A continue-as-new chain: visibility shows its LAST run as terminated (the earlier ones are
 * ContinuedAsNew), while the user's marker names the FIRST run. The marker is therefore taken from
 * what the workflow itself used: the createAdminUser input in this run's history (a first run), or
 * the state carried into this run (`onboarding.key`; release 0.1 carried none: its marker is the
 * workflow id) — never rebuilt from the id's text.
 *
 * Release 0.4 (issue 19): only this product's runs are listed (its id scheme, its task queue:
 * reconciliation-trust.ts), and a history is decoded for its own workflow id, so a ciphertext
 * copied from another onboarding does not decrypt there (encryption/codec.ts).
 */
import type { Client } from '@temporalio/client';
import type { LoadedDataConverter, Payload, SerializationContext } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { CustomerDomainAttribute, WORKFLOW_TYPE, type OnboardingStatus } from '../workflows/messages';
import { STATUS_MEMO_KEY } from '../workflows/progress';
import type { EndedOutcome } from '../workflows/reconcile-messages';
import { domainOfWorkflowId, notOurRunBecause } from './reconciliation-trust';

export interface EndedRun {
  workflowId: string;
  runId: string;
  domain: string;
  outcome: EndedOutcome;
  closedAt: string;
  /** The status memo (release 0.2 on); absent for release 0.1 runs, or when it cannot be decoded. */
  status?: OnboardingStatus;
}

/** The user a run's onboarding created (or tried to), and the marker it put on it. */
export interface AdminCreation {
  adminEmail: string;
  customerId: string;
  marker: string;
}

export interface RunFacts {
  creation?: AdminCreation;
  /** The status carried into this run by continue-as-new (a stand-in for a missing memo). */
  carriedStatus?: OnboardingStatus;
  /** The failure type the run ended with (e.g. OnboardingExpired), if it failed. */
  failureType?: string;
}

const OUTCOMES: Record<string, EndedOutcome> = {
  TERMINATED: 'TERMINATED',
  TIMED_OUT: 'TIMED_OUT',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
};

/** Onboardings (not their continued-as-new runs) that ended other than by completing, closed since `since`. */
export function endedRunsQuery(since: Date): string {
  return [
    `WorkflowType = '${WORKFLOW_TYPE}'`,
    `ExecutionStatus IN ('Terminated', 'TimedOut', 'Failed', 'Canceled')`,
    `CloseTime >= '${since.toISOString()}'`,
  ].join(' AND ');
}

function statusOf(value: unknown): OnboardingStatus | undefined {
  return value && typeof value === 'object' && typeof (value as OnboardingStatus).stage === 'string'
    ? (value as OnboardingStatus)
    : undefined;
}

export async function* endedRuns(client: Client, since: Date): AsyncGenerator<EndedRun> {
  for await (const execution of client.workflow.list({ query: endedRunsQuery(since) })) {
    const outcome = OUTCOMES[execution.status.name];
    // Anyone may start `onboardCustomer` under any id on any queue: such a run is not an onboarding of ours.
    if (!outcome || notOurRunBecause(execution)) continue;
    const status = statusOf(execution.memo?.[STATUS_MEMO_KEY]);
    yield {
      workflowId: execution.workflowId,
      runId: execution.runId,
      // From the workflow id (checked above): search attributes and memo are whatever the starter wrote.
      domain:
        domainOfWorkflowId(execution.workflowId) ??
        execution.typedSearchAttributes.get(CustomerDomainAttribute) ??
        execution.workflowId,
      outcome,
      closedAt: (execution.closeTime ?? execution.startTime).toISOString(),
      ...(status ? { status } : {}),
    };
  }
}

/** Decodes payloads as the worker's data converter does (the codec decrypts). */
async function decode(
  converter: LoadedDataConverter,
  payloads: Payload[] | null | undefined,
  context: SerializationContext,
): Promise<unknown[]> {
  let decoded = payloads ?? [];
  for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded, context);
  return decoded.map((payload) => converter.payloadConverter.fromPayload(payload));
}

interface CreateAdminUserInput {
  customerId?: string;
  admin?: { primaryEmail?: string };
  onboardingKey?: string;
}
interface Carried {
  status?: unknown;
  onboarding?: { key?: unknown };
}

function failureTypeOf(event: temporal.api.history.v1.IHistoryEvent | undefined): string | undefined {
  return event?.workflowExecutionFailedEventAttributes?.failure?.applicationFailureInfo?.type ?? undefined;
}

/** Reads one ended run's history: the admin it created and its marker, or the state it carried. */
export async function runFacts(client: Client, workflowId: string, runId: string): Promise<RunFacts> {
  const converter = client.options.loadedDataConverter;
  // Decoded as this workflow's own payloads: one bound to another workflow does not decrypt here.
  const context: SerializationContext = { type: 'workflow', namespace: client.options.namespace, workflowId };
  const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
  const failureType = failureTypeOf(events.at(-1));
  const facts: RunFacts = failureType ? { failureType } : {};
  let creation: CreateAdminUserInput | undefined;
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'createAdminUser')
      creation = (await decode(converter, scheduled.input?.payloads, context))[0] as CreateAdminUserInput;
  }
  if (creation?.admin?.primaryEmail && creation.customerId) {
    // Release 0.1 sent no onboardingKey: it marked users with the workflow id.
    return {
      ...facts,
      creation: {
        adminEmail: creation.admin.primaryEmail,
        customerId: creation.customerId,
        marker: creation.onboardingKey ?? workflowId,
      },
    };
  }
  const [, carried] = (await decode(
    converter,
    events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads,
    context,
  )) as [unknown, Carried | undefined];
  const carriedStatus = statusOf(carried?.status);
  if (!carriedStatus) return facts;
  const key = typeof carried?.onboarding?.key === 'string' ? carried.onboarding.key : workflowId;
  const { adminEmail, customerId } = carriedStatus;
  return {
    ...facts,
    carriedStatus,
    ...(adminEmail && customerId ? { creation: { adminEmail, customerId, marker: key } } : {}),
  };
}
