/**
 * The library the sales system imports: start an onboarding, report the customer's acceptance,
 * read its status, list onboardings by stage. Orders are validated here, before anything starts.
 */
import {
  Client,
  Connection,
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
  constructor(
    readonly temporal: Client,
    private readonly policy: OrderPolicy = {},
  ) {}

  /** Connects with the given settings; `close()` closes the connection it opened. */
  static async connect(options: {
    /** As @temporalio/envconfig reads them: address, TLS, API key, gRPC metadata. */
    connectionOptions: ConnectionOptions;
    namespace: string;
    dataConverter?: DataConverter;
    policy?: OrderPolicy;
    connectTimeoutMs?: number;
  }): Promise<OnboardingClient & { close(): Promise<void> }> {
    const connection = await Connection.connect({ connectTimeout: options.connectTimeoutMs ?? 5000, ...options.connectionOptions });
    const client = new OnboardingClient(
      new Client({ connection, namespace: options.namespace, ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}) }),
      options.policy,
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
      return { workflowId, runId: handle.firstExecutionRunId, customerDomain: order.customerDomain, alreadyExisted: false, executionStatus: 'RUNNING' };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const existing = await this.temporal.workflow.getHandle(workflowId).describe();
      return { workflowId, runId: existing.runId, customerDomain: order.customerDomain, alreadyExisted: true, executionStatus: existing.status.name };
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
   * workflow's validator (nothing changes); otherwise this returns once Google accepted or refused it.
   */
  async provideTransferToken(customerDomain: string, token: string): Promise<TransferTokenOutcome> {
    validateTransferToken(token);
    return this.notFoundAware(customerDomain, () => this.handle(customerDomain).executeUpdate(provideTransferTokenUpdate, { args: [token] }));
  }

  /** Moves the deadline of the customer wait; returns the new deadline. */
  async extendDeadline(customerDomain: string, extension: DeadlineExtension): Promise<{ deadline: string }> {
    return this.notFoundAware(customerDomain, () => this.handle(customerDomain).executeUpdate(extendDeadlineUpdate, { args: [extension] }));
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

  async status(customerDomain: string): Promise<OnboardingStatus> {
    return this.notFoundAware(customerDomain, () => this.handle(customerDomain).query(statusQuery));
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
        customerDomain: execution.typedSearchAttributes.get(CustomerDomainAttribute) ?? execution.workflowId.replace(/^onboarding:/, ''),
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
