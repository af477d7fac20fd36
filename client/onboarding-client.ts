/**
 * The library the sales system imports: start an onboarding, report the customer's acceptance,
 * read its status, list onboardings by stage. Orders are validated here, before anything starts.
 * Updates carry the caller's request id as Temporal's update id, so a retried call is applied once;
 * the status is read from the workflow's memo when no worker can answer the `status` query.
 */
import {
  Client,
  Connection,
  isGrpcDeadlineError,
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type ConnectionOptions,
  type WorkflowHandle,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { normalizeDomain, validateOrder, validateTransferToken, type Order, type OrderPolicy } from '../order/order';
import {
  cancellationReasonSignal,
  CustomerDomainAttribute,
  extendDeadlineUpdate,
  provideTransferTokenUpdate,
  OnboardingStageAttribute,
  onboardingWorkflowId,
  statusQuery,
  TASK_QUEUE,
  tosAcceptedSignal,
  WORKFLOW_TYPE,
  type DeadlineExtension,
  type OnboardingStatus,
  type Stage,
  type TosAcceptance,
  type TransferTokenOutcome,
} from '../workflows/messages';
import type { onboardCustomer } from '../workflows/onboard-customer';
import { STATUS_MEMO_KEY } from '../workflows/progress';

export class OnboardingNotFoundError extends Error {
  override readonly name = 'OnboardingNotFoundError';
  constructor(readonly customerDomain: string) {
    super(`No onboarding found for ${customerDomain}`);
  }
}

/** The onboarding of a domain exists but has ended: it takes no more signals or updates. */
export class OnboardingEndedError extends Error {
  override readonly name = 'OnboardingEndedError';
  constructor(
    readonly customerDomain: string,
    readonly executionStatus: string,
  ) {
    super(`The onboarding of ${customerDomain} has already ended (${executionStatus})`);
  }
}

/** No worker answered the `status` query in time, and the onboarding has no status in its memo (started before the memo existed). */
export class NoWorkerAnsweredError extends Error {
  override readonly name = 'NoWorkerAnsweredError';
  constructor(
    readonly customerDomain: string,
    readonly waitedMs: number,
  ) {
    super(
      `No worker answered the status query of ${customerDomain} within ${waitedMs} ms, and this onboarding keeps no status in its memo ` +
        `(it started before the memo existed): start a worker on task queue ${TASK_QUEUE}`,
    );
  }
}

/** A request id must be usable as a Temporal update id and readable in logs. */
export class InvalidRequestIdError extends Error {
  override readonly name = 'InvalidRequestIdError';
}

const MAX_REQUEST_ID_LENGTH = 200;
/** Refuses an empty, over-long or control-character request id (the message does not echo it). */
export function validateRequestId(requestId: string): void {
  const control = [...requestId].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH || control) {
    throw new InvalidRequestIdError(
      `request id: must be 1–${MAX_REQUEST_ID_LENGTH} characters without control characters`,
    );
  }
}

/** For `extendDeadline` and `provideTransferToken`. */
export interface MessageOptions {
  /**
   * The caller's id for this request, used as Temporal's update id: a retry with the same id (after a
   * timeout, a crash, a lost answer) is applied once and returns the first call's result. Without it,
   * each call is a new request. Temporal deduplicates within one run of the onboarding; onboardings
   * started by release 0.3 on also remember the latest 50 request ids across continue-as-new (a long
   * wait continues as new every ~1,000 events).
   */
  requestId?: string;
}

export interface TransferTokenOptions extends MessageOptions {
  /**
   * Wait for the token's outcome (transferred, refused, ...) by reading the status (default true).
   * false: return once the onboarding accepted the token for processing (`accepted`, with its number).
   */
  wait?: boolean;
  /** How long to wait for the outcome before returning `accepted` (default 15 minutes). */
  waitTimeoutMs?: number;
}

/**
 * The token's outcome is read from the onboarding's memo (a describe: no workflow task, no replay),
 * first soon, then less and less often: a transfer takes seconds to minutes. A `status` query per
 * second instead made a worker replay an evicted run (up to 1,000 events) every second for 15 minutes.
 */
export const TOKEN_OUTCOME_FIRST_READ_MS = 250;
export const TOKEN_OUTCOME_MAX_READ_INTERVAL_MS = 10_000;
const DEFAULT_TOKEN_WAIT_MS = 15 * 60_000;

/** Where a status came from. */
export interface StatusReading {
  status: OnboardingStatus;
  /**
   * `query`: the running workflow answered (a worker ran it) — the freshest answer.
   * `memo`: the status the workflow published in its memo (at each stage change; release 0.4: at the
   * stages it rests in, as a summary marked `summary: true`, without the step log) — read without a
   * worker, for an ended onboarding or when no worker answered in time.
   * `result`: a completed 0.4 onboarding's result (its final status, whole), read from its history.
   */
  source: 'query' | 'memo' | 'result';
  /** Temporal's execution status of the onboarding's latest run: RUNNING, COMPLETED, FAILED, ... */
  executionStatus: string;
}

export interface OnboardingClientOptions {
  /** How long `status` waits for a worker to answer the query before reading the memo instead (default 3,000 ms). */
  statusQueryTimeoutMs?: number;
}

const DEFAULT_STATUS_QUERY_TIMEOUT_MS = 3000;
// temporal.api.enums.v1 values (@temporalio/proto is not a dependency of this project's own).
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;
// gRPC status codes (as @grpc/grpc-js numbers them).
const GRPC_CANCELLED = 1;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_UNAVAILABLE = 14;

/** The gRPC errors in an error's cause chain (the client wraps them in its own errors). */
function grpcErrors(err: unknown): { code: number; details: string }[] {
  const found: { code: number; details: string }[] = [];
  for (let e = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e)) found.push({ code: e.code, details: e.details });
  }
  return found;
}

/**
 * The query reached no worker before `deadline`: our deadline passed (DEADLINE_EXCEEDED, from the
 * server or locally; grpc-js may report a call cut by its deadline as CANCELLED), or the server gave
 * up on its own (FAILED_PRECONDITION "no poller seen for task queue recently", after ~30 s).
 */
function isNoWorkerAnswer(err: unknown, deadline: number): boolean {
  return (
    isGrpcDeadlineError(err) ||
    grpcErrors(err).some(
      ({ code, details }) =>
        (code === GRPC_FAILED_PRECONDITION && /no poller/i.test(details)) ||
        (code === GRPC_CANCELLED && Date.now() >= deadline),
    )
  );
}

/** Temporal itself could not be reached during a call (the CLI's exit code 4). */
export function isTemporalUnreachable(err: unknown): boolean {
  return grpcErrors(err).some(({ code }) => code === GRPC_UNAVAILABLE);
}

function statusFromMemo(memo: Record<string, unknown> | undefined): OnboardingStatus | undefined {
  const value = memo?.[STATUS_MEMO_KEY];
  return value && typeof value === 'object' && typeof (value as OnboardingStatus).stage === 'string'
    ? (value as OnboardingStatus)
    : undefined;
}

export interface StartedOnboarding {
  workflowId: string;
  runId: string;
  customerDomain: string;
  /**
   * True when this domain's onboarding already existed — running, or ended in success (a domain is
   * onboarded once) — so nothing new started; `executionStatus` says which.
   */
  alreadyExisted: boolean;
  executionStatus: string;
}

export interface OnboardingSummary {
  workflowId: string;
  runId: string;
  customerDomain: string;
  stage: Stage | undefined;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, ... */
  executionStatus: string;
  startTime: string;
  closeTime?: string;
}

export class OnboardingClient {
  private readonly statusQueryTimeoutMs: number;

  constructor(
    readonly temporal: Client,
    /** The order policy `start` validates with (allowed countries, sales domains, check floor). */
    readonly policy: OrderPolicy = {},
    options: OnboardingClientOptions = {},
  ) {
    this.statusQueryTimeoutMs = options.statusQueryTimeoutMs ?? DEFAULT_STATUS_QUERY_TIMEOUT_MS;
  }

  /** Connects with the given settings; `close()` closes the connection it opened. */
  static async connect(
    options: {
      /** As @temporalio/envconfig reads them: address, TLS, API key, gRPC metadata. */
      connectionOptions: ConnectionOptions;
      namespace: string;
      dataConverter?: DataConverter;
      policy?: OrderPolicy;
      connectTimeoutMs?: number;
    } & OnboardingClientOptions,
  ): Promise<OnboardingClient & { close(): Promise<void> }> {
    const connection = await Connection.connect({
      connectTimeout: options.connectTimeoutMs ?? 5000,
      ...options.connectionOptions,
    });
    const client = new OnboardingClient(
      new Client({
        connection,
        namespace: options.namespace,
        ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
      }),
      options.policy,
      options.statusQueryTimeoutMs === undefined ? {} : { statusQueryTimeoutMs: options.statusQueryTimeoutMs },
    );
    return Object.assign(client, { close: () => connection.close() });
  }

  /** Validates the order (throws `OrderValidationError`) and starts its onboarding, or returns the one that exists. */
  async start(input: unknown): Promise<StartedOnboarding> {
    const order: Order = validateOrder(input, this.policy);
    const workflowId = onboardingWorkflowId(order.customerDomain);
    try {
      const handle = await this.temporal.workflow.start<typeof onboardCustomer>(WORKFLOW_TYPE, {
        workflowId,
        taskQueue: TASK_QUEUE,
        args: [order],
        // A domain is onboarded once; only a failed or cancelled onboarding may be started again.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: [
          { key: CustomerDomainAttribute, value: order.customerDomain },
          { key: OnboardingStageAttribute, value: 'validating' },
        ],
        staticSummary: `Onboard ${order.customerDomain} (${order.customerType} customer)`,
      });
      return {
        workflowId,
        runId: handle.firstExecutionRunId,
        customerDomain: order.customerDomain,
        alreadyExisted: false,
        executionStatus: 'RUNNING',
      };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const existing = await this.temporal.workflow.getHandle(workflowId).describe();
      return {
        workflowId,
        runId: existing.runId,
        customerDomain: order.customerDomain,
        alreadyExisted: true,
        executionStatus: existing.status.name,
      };
    }
  }

  /** The latest onboarding of a domain. */
  handle(customerDomain: string): WorkflowHandle<typeof onboardCustomer> {
    return this.temporal.workflow.getHandle(onboardingWorkflowId(normalizeDomain(customerDomain)));
  }

  /** Reports that the customer accepted the terms (only the customer can accept; this only tells the workflow). */
  async acceptTos(customerDomain: string, acceptance: TosAcceptance = {}): Promise<void> {
    await this.notFoundAware(customerDomain, () => this.handle(customerDomain).signal(tosAcceptedSignal, acceptance));
  }

  /**
   * Hands over the customer's transfer token. A malformed token is refused here and by the
   * workflow's validator (nothing changes). The onboarding answers once the token is queued
   * (`accepted`); unless `wait: false`, this then follows the status until the token's outcome
   * (transferred, refused, ...) shows. Onboardings of earlier releases answer with the outcome itself.
   * With `requestId`, a retry of the same request is tried once (see `MessageOptions`).
   */
  async provideTransferToken(
    customerDomain: string,
    token: string,
    options: TransferTokenOptions = {},
  ): Promise<TransferTokenOutcome> {
    validateTransferToken(token);
    const updateId = this.updateIdOf(options);
    const answer = await this.notFoundAware(customerDomain, () =>
      this.handle(customerDomain).executeUpdate(provideTransferTokenUpdate, { args: [token], ...updateId }),
    );
    if (answer.outcome !== 'accepted' || answer.token === undefined || options.wait === false) return answer;
    return this.tokenOutcome(customerDomain, answer, options.waitTimeoutMs ?? DEFAULT_TOKEN_WAIT_MS);
  }

  /**
   * Reads the onboarding's memo (describe only) until the token's outcome shows, with backoff
   * (TOKEN_OUTCOME_FIRST_READ_MS doubling to TOKEN_OUTCOME_MAX_READ_INTERVAL_MS). The onboarding
   * publishes each token's outcome to its memo when it settles (workflows/onboarding/state.ts); an
   * onboarding without a status memo is read as `status` reads it.
   */
  private async tokenOutcome(
    customerDomain: string,
    accepted: TransferTokenOutcome,
    timeoutMs: number,
  ): Promise<TransferTokenOutcome> {
    const until = Date.now() + timeoutMs;
    const handle = this.handle(customerDomain);
    for (
      let interval = TOKEN_OUTCOME_FIRST_READ_MS;
      ;
      interval = Math.min(2 * interval, TOKEN_OUTCOME_MAX_READ_INTERVAL_MS)
    ) {
      const description = await this.notFoundAware(customerDomain, () => handle.describe());
      const executionStatus = description.status.name;
      const status = statusFromMemo(description.memo) ?? (await this.readStatus(customerDomain)).status;
      const settled = status.transfer?.tokens?.find((t) => t.token === accepted.token);
      if (settled) return { outcome: settled.outcome, message: settled.message, token: settled.token };
      if (executionStatus !== 'RUNNING')
        return {
          outcome: 'failed',
          message: `the onboarding ended (${status.stage}) before the token's outcome showed`,
          token: accepted.token,
        };
      const left = until - Date.now();
      if (left <= 0) return accepted;
      await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
    }
  }

  /**
   * Moves the deadline of the customer wait; returns the new deadline. With `requestId`, a retry of
   * the same request moves it once and returns the same deadline (see `MessageOptions`).
   */
  async extendDeadline(
    customerDomain: string,
    extension: DeadlineExtension,
    options: MessageOptions = {},
  ): Promise<{ deadline: string }> {
    const updateId = this.updateIdOf(options);
    return this.notFoundAware(customerDomain, () =>
      this.handle(customerDomain).executeUpdate(extendDeadlineUpdate, { args: [extension], ...updateId }),
    );
  }

  private updateIdOf({ requestId }: MessageOptions): { updateId?: string } {
    if (requestId === undefined) return {}; // the SDK draws a fresh one
    validateRequestId(requestId);
    return { updateId: requestId };
  }

  /**
   * Cancels the onboarding: it undoes what can be undone, tells sales, and ends `cancelled`.
   * Temporal's cancel request carries no reason, so the reason goes first, as a signal.
   */
  async cancel(customerDomain: string, reason: string, requestedBy?: string): Promise<void> {
    await this.notFoundAware(customerDomain, async () => {
      const handle = this.handle(customerDomain);
      await handle.signal(cancellationReasonSignal, { reason, ...(requestedBy ? { requestedBy } : {}) });
      await handle.cancel();
    });
  }

  /** Where the onboarding is: see `readStatus`. */
  async status(customerDomain: string): Promise<OnboardingStatus> {
    return (await this.readStatus(customerDomain)).status;
  }

  /**
   * The onboarding's status, and where it came from. An ended onboarding answers from its memo
   * (no worker needed) when the memo holds the whole status (runs before 0.4); a 0.4 run's memo is a
   * summary (no step log): a completed one answers from its result (the history's close event, no
   * worker needed), a failed or cancelled one, as a running one, from a worker first. A running one answers the `status` query when a worker does within
   * `statusQueryTimeoutMs` — without a worker the server would hold the query ~30 s and then fail —
   * and from its memo otherwise (at once when no worker has polled the task queue for minutes).
   * Onboardings started before the memo existed have none: they always take the query, and throw
   * `NoWorkerAnsweredError` when no worker answers.
   */
  async readStatus(customerDomain: string): Promise<StatusReading> {
    return this.notFoundAware(customerDomain, async () => {
      const handle = this.handle(customerDomain);
      const description = await handle.describe(); // its memo is decoded with this client's data converter
      const executionStatus = description.status.name;
      const memo = statusFromMemo(description.memo);
      // A whole status in the memo (runs before 0.4) is an ended onboarding's last word; a 0.4 summary has
      // no step log and cut texts, so a worker is asked for the whole status when one is there.
      const memoIsWhole = memo !== undefined && memo.summary !== true;
      if (memo && executionStatus === 'COMPLETED' && !memoIsWhole)
        return { status: await handle.result(), source: 'result', executionStatus }; // the close event: no worker
      if (memo && ((executionStatus !== 'RUNNING' && memoIsWhole) || !(await this.workersPolling())))
        return { status: memo, source: 'memo', executionStatus };
      const deadline = Date.now() + this.statusQueryTimeoutMs;
      try {
        const status = await this.temporal.withDeadline(deadline, () => handle.query(statusQuery));
        return { status, source: 'query', executionStatus };
      } catch (err) {
        if (!isNoWorkerAnswer(err, deadline)) throw err;
        if (memo) return { status: memo, source: 'memo', executionStatus };
        throw new NoWorkerAnsweredError(normalizeDomain(customerDomain), this.statusQueryTimeoutMs);
      }
    });
  }

  /**
   * False when no worker polled the onboarding task queue recently (Temporal forgets a poller a few
   * minutes after its last poll); true when one did, or when this cannot be told (e.g. not allowed).
   */
  private async workersPolling(): Promise<boolean> {
    try {
      const { pollers } = await this.temporal.withDeadline(Date.now() + this.statusQueryTimeoutMs, () =>
        this.temporal.workflowService.describeTaskQueue({
          namespace: this.temporal.options.namespace,
          taskQueue: { name: TASK_QUEUE, kind: TASK_QUEUE_KIND_NORMAL },
          taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      return pollers.length > 0;
    } catch {
      return true;
    }
  }

  /** Waits until the onboarding ends and returns its final status (throws `WorkflowFailedError` if it failed). */
  async result(customerDomain: string): Promise<OnboardingStatus> {
    return this.notFoundAware(customerDomain, () => this.handle(customerDomain).result());
  }

  /** Onboardings in Temporal's visibility order (running first), optionally only those at one stage (uses the `OnboardingStage` search attribute). */
  async list(filter: { stage?: Stage; limit?: number } = {}): Promise<OnboardingSummary[]> {
    // A long wait continues as new; its earlier runs keep their last stage and must not be listed again.
    const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, `ExecutionStatus != 'ContinuedAsNew'`];
    if (filter.stage) clauses.push(`OnboardingStage = '${filter.stage}'`);
    const summaries: OnboardingSummary[] = [];
    for await (const execution of this.temporal.workflow.list({ query: clauses.join(' AND ') })) {
      summaries.push({
        workflowId: execution.workflowId,
        runId: execution.runId,
        customerDomain:
          execution.typedSearchAttributes.get(CustomerDomainAttribute) ??
          execution.workflowId.replace(/^onboarding:/, ''),
        stage: execution.typedSearchAttributes.get(OnboardingStageAttribute) as Stage | undefined,
        executionStatus: execution.status.name,
        startTime: execution.startTime.toISOString(),
        ...(execution.closeTime ? { closeTime: execution.closeTime.toISOString() } : {}),
      });
      if (filter.limit && summaries.length >= filter.limit) break;
    }
    return summaries;
  }

  private async notFoundAware<T>(customerDomain: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // Signals and updates to an ended workflow fail like a missing one: say which it is.
      const domain = normalizeDomain(customerDomain);
      const ended = await this.handle(domain)
        .describe()
        .catch(() => undefined);
      if (ended) throw new OnboardingEndedError(domain, ended.status.name);
      throw new OnboardingNotFoundError(domain);
    }
  }
}
