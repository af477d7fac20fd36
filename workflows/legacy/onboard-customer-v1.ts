/**
 * FROZEN: the onboarding workflow of release 0.1, kept only to finish onboardings that release
 * started (`onboard-customer.ts` sends every run without the `google-fidelity` patch marker here).
 * Do not change what it does: its recorded histories (test/histories/0.1/) must keep replaying.
 * Delete it once no 0.1 onboarding can be running (30 days + extensions after the deploy), and
 * replace the gate with `deprecatePatch`.
 *
 * What it did (and the 0.2 workflow does better): validated in the workflow, adopted existing
 * customers, ordered no subscriptions, transferred without registering the customer.
 *
 *   validate → create customer ─┬─ new or ours → set default language (before any user!) → create
 *                               │   first user → make it super admin → e-mail the customer → wait
 *                               │   for the terms to be accepted (signal or detected) → completed
 *                               └─ managed elsewhere (409) → ask for a transfer token → wait for it
 *                                   → transfer the subscriptions → transferred
 *
 * Failures and cancellations undo what can be undone (saga.ts); waits remind, expire and may
 * continue-as-new (customer-wait.ts). Deterministic code only: side effects are activities.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
} from '@temporalio/workflow';
import type { OnboardingActivities, WaitDefaults } from '../../activities';
import { parseDurationMs } from '../../order/duration';
import { customerContactEmail, validateTransferToken } from '../../order/basics';
import type { Order } from '../../order/order';
import { CHECK_CALL, local, REMINDER_CALL, run, runActivity, TRANSFER_CALL } from './activity-stubs-v1';
import {
  durationMs,
  startWait,
  waitForCustomer,
  waitStatus,
  type WaitPolicy,
  type WaitState,
} from './customer-wait-v1';
import {
  cancellationReasonSignal,
  extendDeadlineUpdate,
  provideTransferTokenUpdate,
  statusQuery,
  tosAcceptedSignal,
  type DeadlineExtension,
  type OnboardingStatus,
  type TosAcceptance,
  type TransferTokenOutcome,
} from '../messages';
import { Progress } from './progress-v1';
import { Saga, type SagaState } from './saga-v1';

/** What a run hands to the next when a long wait continues as new. Not part of the public contract. */
export interface CarriedState {
  status: OnboardingStatus;
  saga: SagaState;
  wait: WaitState;
  defaults: WaitDefaults;
  tokensTried: number;
}

const nowIso = () => new Date().toISOString();
const MAX_DEADLINE_AHEAD_MS = 365 * 86_400_000;

function domainOf(input: unknown): string {
  const domain = (input as { customerDomain?: unknown } | null)?.customerDomain;
  return typeof domain === 'string' && domain ? domain.toLowerCase() : '(unknown)';
}

function failureOf(err: ActivityFailure | ApplicationFailure): { type: string; message: string } {
  const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  return { type: (cause instanceof ApplicationFailure && cause.type) || 'Error', message: cause.message };
}

const refusedToken = (err: unknown) =>
  err instanceof ActivityFailure &&
  err.cause instanceof ApplicationFailure &&
  err.cause.type === 'TransferTokenRefused';

export async function onboardCustomerV1(input: unknown, carried?: CarriedState): Promise<OnboardingStatus> {
  const progress = new Progress(domainOf(input), carried?.status);
  const saga = new Saga(carried?.saga);
  setHandler(statusQuery, () => progress.snapshot());

  // Messages are accepted from the first moment, so an early (or repeated) one is kept, once.
  let tosAccepted: OnboardingStatus['tosAccepted'];
  setHandler(tosAcceptedSignal, (acceptance?: TosAcceptance) => {
    tosAccepted ??= {
      at: nowIso(),
      via: 'signal',
      ...(acceptance?.reportedBy ? { reportedBy: acceptance.reportedBy } : {}),
    };
  });
  setHandler(cancellationReasonSignal, (cancellation) => {
    // (0.2 fix, no command changes) a malformed signal is ignored instead of failing every workflow task.
    if (typeof cancellation?.reason !== 'string') return;
    const { reason, requestedBy } = cancellation;
    progress.update({ cancellation: { reason, at: nowIso(), ...(requestedBy ? { requestedBy } : {}) } });
  });

  // Transfer tokens: each gets a number; its update returns when that token has been tried.
  let tokensTried = carried?.tokensTried ?? 0;
  let tokenSequence = 0;
  let pendingToken: { id: number; token: string } | undefined;
  /** The token being tried right now. */
  let inFlightToken: { id: number } | undefined;
  const tokenOutcomes = new Map<number, TransferTokenOutcome>();
  const settleToken = (id: number, outcome: TransferTokenOutcome) => tokenOutcomes.set(id, outcome);
  /** Answers every token still waiting, so that no caller hangs and no handler is left unfinished. */
  const settleOpenTokens = (outcome: TransferTokenOutcome) => {
    for (const open of [pendingToken, inFlightToken])
      if (open && !tokenOutcomes.has(open.id)) settleToken(open.id, outcome);
    pendingToken = undefined;
    inFlightToken = undefined;
  };
  setHandler(
    provideTransferTokenUpdate,
    async (token: string) => {
      if (pendingToken)
        settleToken(pendingToken.id, { outcome: 'refused', message: 'replaced by a newer token before it was tried' });
      const id = ++tokenSequence;
      pendingToken = { id, token };
      await condition(() => tokenOutcomes.has(id));
      return tokenOutcomes.get(id) as TransferTokenOutcome;
    },
    {
      validator: (token: string) => {
        validateTransferToken(token);
        const stage = progress.stage;
        if (!['validating', 'creating-customer', 'awaiting-transfer-token'].includes(stage)) {
          throw new Error(`this onboarding does not take a transfer token now (stage ${stage})`);
        }
      },
    },
  );

  let wait: WaitState | undefined = carried?.wait;
  setHandler(
    extendDeadlineUpdate,
    ({ until, by }) => {
      // The wait loop wakes on the change and refreshes the status and the Web UI itself.
      const current = wait as WaitState;
      current.deadlineAtMs = until ? Date.parse(until) : current.deadlineAtMs + durationMs(by as string);
      return { deadline: new Date(current.deadlineAtMs).toISOString() };
    },
    {
      validator: ({ until, by }: DeadlineExtension) => {
        if (!wait || !['awaiting-tos', 'awaiting-transfer-token'].includes(progress.stage)) {
          throw new Error(
            `nothing to extend: the onboarding is not waiting for the customer (stage ${progress.stage})`,
          );
        }
        if ((until === undefined) === (by === undefined))
          throw new Error('give exactly one of "until" (ISO date-time) or "by" (duration)');
        const byMs = by === undefined ? undefined : parseDurationMs(by);
        if (by !== undefined && !(byMs !== undefined && byMs >= 1000))
          throw new Error('by: must be a duration of at least 1 second, such as "7 days"');
        const at = until !== undefined ? Date.parse(until) : wait.deadlineAtMs + (byMs as number);
        if (Number.isNaN(at)) throw new Error('until: must be an ISO 8601 date-time');
        if (at <= Date.now()) throw new Error('the new deadline must be in the future');
        if (at > Date.now() + MAX_DEADLINE_AHEAD_MS) throw new Error('the new deadline must be at most 365 days ahead');
      },
    },
  );

  let order: Order | undefined;
  try {
    // Release 0.1 validated here; a 0.1 run that is still running passed that validation long ago.
    order = input as Order;
    const validOrder = order;
    const domain = validOrder.customerDomain;
    const contact = customerContactEmail(validOrder);
    const defaults = carried?.defaults ?? (await local.waitDefaults());
    // The worker's defaults, overridden by the order where it says so.
    const overrides = validOrder.waitPolicy ?? {};
    const policy = (check: boolean): WaitPolicy => ({
      remindersMs: [...(overrides.reminders?.map((d) => durationMs(d)) ?? defaults.remindersMs)].sort((a, b) => a - b),
      deadlineMs: overrides.deadline ? durationMs(overrides.deadline) : defaults.deadlineMs,
      ...(check
        ? { checkEveryMs: overrides.checkEvery ? durationMs(overrides.checkEvery) : defaults.tosCheckEveryMs }
        : {}),
    });

    /** Hands the wait over to a fresh run (history stays short); never returns. */
    const carryOn = async (): Promise<never> => {
      await condition(allHandlersFinished);
      return continueAsNew<typeof onboardCustomerV1>(validOrder, {
        status: progress.snapshot(),
        saga: saga.state,
        wait: wait as WaitState,
        defaults,
        tokensTried,
      });
    };

    const expire = async (what: 'tos-acceptance' | 'transfer-token'): Promise<never> => {
      const deadline = progress.snapshot().waitingFor?.deadline ?? nowIso();
      progress.update({ waitingFor: undefined, expired: { what, at: nowIso() } });
      progress.enter(
        'expired',
        `Expired: the customer did not ${what === 'tos-acceptance' ? 'accept the terms' : 'provide a transfer token'} by ${deadline}. Nothing was deleted.`,
      );
      await CancellationScope.nonCancellable(() =>
        tellSales(validOrder, 'expired', [
          `Deadline: ${deadline}`,
          'Nothing was deleted; start the order again once the customer is ready.',
        ]),
      );
      throw ApplicationFailure.nonRetryable(
        `the customer did not ${what === 'tos-acceptance' ? 'accept the terms' : 'provide a transfer token'} by ${deadline}`,
        'OnboardingExpired',
      );
    };

    /** A reminder that cannot be sent (mail down for hours) must not end the onboarding: it is logged and the wait goes on. */
    const remind = async (
      summary: string,
      reminder: Parameters<OnboardingActivities['sendReminder']>[0],
    ): Promise<void> => {
      try {
        await runActivity(REMINDER_CALL, 'sendReminder', summary, reminder);
      } catch (err) {
        if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
        log.warn('reminder not sent', { reminderNumber: reminder.reminderNumber, what: reminder.what });
      }
    };

    // ── the 409 branch: the customer exists under Google or another reseller ──
    const transferBranch = async (customerId: string): Promise<OnboardingStatus> => {
      const tokenPolicy = policy(false);
      let token: { id: number; token: string } | undefined;
      if (!carried && validOrder.transferToken) token = { id: 0, token: validOrder.transferToken };
      let refusal: string | undefined;
      if (!carried && !token && !pendingToken) {
        await run('sendTransferTokenRequest', `e-mail transfer-token request to ${contact}`, {
          customerDomain: domain,
          to: contact,
        });
      }
      for (;;) {
        if (!token && pendingToken) [token, pendingToken] = [pendingToken, undefined];
        if (!token) {
          if (refusal)
            await run('sendTransferTokenRequest', `e-mail new transfer-token request to ${contact}`, {
              customerDomain: domain,
              to: contact,
              refusal,
            });
          refusal = undefined;
          wait ??= startWait('transfer-token', tokenPolicy);
          progress.update({ waitingFor: waitStatus(wait, tokenPolicy) });
          progress.enter(
            'awaiting-transfer-token',
            `Waiting for the customer's transfer token (requested from ${contact}); provide it with the \`provideTransferToken\` update.`,
          );
          const outcome = await waitForCustomer({
            state: wait,
            policy: tokenPolicy,
            done: () => pendingToken !== undefined,
            sendReminder: (n, deadline) =>
              remind(`transfer-token reminder ${n} to ${contact}`, {
                what: 'transfer-token',
                customerDomain: domain,
                to: contact,
                reminderNumber: n,
                deadline,
              }),
            onSchedule: (status) => {
              progress.update({ waitingFor: status });
              progress.describe("Waiting for the customer's transfer token.");
            },
          });
          if (outcome === 'expired') return expire('transfer-token');
          if (outcome === 'continue-as-new') return carryOn();
          [token, pendingToken] = [pendingToken, undefined];
          if (!token) continue;
        }
        const attempt = token;
        inFlightToken = attempt;
        tokensTried += 1;
        progress.update({ waitingFor: undefined, transfer: { ...progress.snapshot().transfer, tokensTried } });
        progress.enter(
          'transferring',
          `Transferring the subscriptions of ${domain} with the customer's token (token ${tokensTried}).`,
        );
        try {
          const result = await progress.step('transfer-subscriptions', () =>
            runActivity(TRANSFER_CALL, 'transferSubscriptions', `transfer subscriptions of ${domain}`, {
              customerId,
              customerDomain: domain,
              transferToken: attempt.token,
            }),
          );
          inFlightToken = undefined;
          const moved = result.transferred;
          progress.update({ transfer: { tokensTried, transferred: moved } });
          settleToken(attempt.id, { outcome: 'transferred', message: `${moved.length} subscription(s) transferred` });
          progress.enter(
            'transferred',
            `Transferred ${moved.length} subscription(s): ${moved.map((s) => `${s.skuName ?? s.skuId} (${s.seats} seats)`).join(', ') || 'none pending'}.`,
          );
          return progress.snapshot();
        } catch (err) {
          if (!refusedToken(err)) throw err;
          inFlightToken = undefined;
          refusal = failureOf(err as ActivityFailure).message;
          progress.update({ transfer: { ...progress.snapshot().transfer, tokensTried, lastRefusal: refusal } });
          // Back to waiting at once, so that the caller told "refused" may send the next token straight away.
          progress.enter('awaiting-transfer-token', 'Google refused the transfer token; waiting for a new one.');
          settleToken(attempt.id, {
            outcome: 'refused',
            message: 'Google refused the token (wrong, expired, or made for another reseller)',
          });
          token = undefined;
          wait = undefined; // a fresh wait, with its own reminders and deadline
        }
      }
    };

    // ── the terms: signal, or detected by polling Google ──
    const awaitTos = async (customerId: string, adminEmail: string): Promise<OnboardingStatus> => {
      const tosPolicy = policy(true);
      wait ??= startWait('tos-acceptance', tosPolicy);
      progress.update({ waitingFor: waitStatus(wait, tosPolicy) });
      progress.enter(
        'awaiting-tos',
        `Waiting for the customer to sign in at admin.google.com and accept the terms (notice sent to ${contact}). ` +
          'Only the customer can accept; it is noticed by itself, or reported with the `tosAccepted` signal.',
      );
      const outcome = await waitForCustomer({
        state: wait,
        policy: tosPolicy,
        done: () => tosAccepted !== undefined,
        sendReminder: (n, deadline) =>
          remind(`terms reminder ${n} to ${contact}`, {
            what: 'tos-acceptance',
            customerDomain: domain,
            to: contact,
            adminEmail,
            reminderNumber: n,
            deadline,
          }),
        check: async () => {
          try {
            const { accepted } = await runActivity(
              CHECK_CALL,
              'checkTosAcceptance',
              `has ${adminEmail} accepted the terms?`,
              { customerId, adminEmail },
            );
            if (accepted) tosAccepted ??= { at: nowIso(), via: 'detected' };
            return accepted;
          } catch (err) {
            if (err instanceof ActivityFailure && !isCancellation(err)) return false; // unknown for now: the next check asks again
            throw err;
          }
        },
        onSchedule: (status) => {
          progress.update({ waitingFor: status });
          progress.describe('Waiting for the customer to accept the terms.');
        },
      });
      if (outcome === 'expired') return expire('tos-acceptance');
      if (outcome === 'continue-as-new') return carryOn();
      progress.update({ waitingFor: undefined, tosAccepted });
      progress.enter(
        'completed',
        `Onboarded: customer ${customerId}, super admin ${adminEmail}, terms accepted (${tosAccepted?.via}).`,
      );
      return progress.snapshot();
    };

    let result: OnboardingStatus;
    if (carried) {
      const { customerId = '', adminEmail = '' } = carried.status;
      result =
        carried.wait.what === 'tos-acceptance'
          ? await awaitTos(customerId, adminEmail)
          : await transferBranch(customerId);
    } else {
      progress.enter('creating-customer', `Creating the Google Workspace customer for ${domain}.`);
      const customer = await progress.step(
        'create-customer',
        () => run('createCustomer', `create customer ${domain}`, validOrder),
        (r) => r.outcome,
      );
      progress.update({ customerId: customer.customerId });
      if (customer.outcome === 'managed-elsewhere') {
        result = await transferBranch(customer.customerId);
      } else {
        if (customer.outcome === 'created')
          saga.cannotUndo(`customer ${customer.customerId} (${domain}): Google offers no API to delete a customer`);
        if (pendingToken)
          settleToken(pendingToken.id, {
            outcome: 'not-needed',
            message: `${domain} was not an existing Google customer: no transfer needed`,
          });
        pendingToken = undefined;

        progress.enter(
          'setting-language',
          `Setting the default language to \`${validOrder.language}\` before any user exists.`,
        );
        await progress.step('set-language', () =>
          run('setCustomerLanguage', `set default language ${validOrder.language}`, {
            customerId: customer.customerId,
            language: validOrder.language,
          }),
        );

        const admin = validOrder.admin as NonNullable<Order['admin']>;
        const adminEmail = admin.primaryEmail;
        progress.enter('creating-admin', `Creating the first user ${adminEmail}.`);
        // Registered before the step, and the step is not interruptible: a cancel meanwhile waits for it,
        // then removes the user it created. The compensation spares any user this onboarding did not create.
        const customerId = customer.customerId;
        saga.add({ description: `delete user ${adminEmail}`, activity: 'deleteUser', userKey: adminEmail, customerId });
        const user = await CancellationScope.nonCancellable(() =>
          progress.step(
            'create-admin',
            () => run('createAdminUser', `create user ${adminEmail}`, { customerId, admin }),
            (r) => r.outcome,
          ),
        );
        progress.update({ adminEmail });

        progress.enter('granting-admin', `Making ${adminEmail} super admin.`);
        await progress.step(
          'grant-admin',
          () => run('grantSuperAdmin', `make ${adminEmail} super admin`, { userKey: user.primaryEmail }),
          (r) => r.outcome,
        );
        saga.add({
          description: `revoke super admin of ${adminEmail}`,
          activity: 'revokeSuperAdmin',
          userKey: adminEmail,
          customerId,
        });

        progress.enter('notifying', `E-mailing ${contact} how to sign in and accept the terms.`);
        await progress.step('send-sign-in-notice', () =>
          run('sendSignInNotice', `e-mail sign-in notice to ${contact}`, {
            customerDomain: domain,
            customerId: customer.customerId,
            to: contact,
            adminEmail,
            issueTemporaryPassword: admin.password === undefined,
          }),
        );
        result = await awaitTos(customer.customerId, adminEmail);
      }
    }
    settleOpenTokens({ outcome: 'not-needed', message: `no token needed any more (stage ${progress.stage})` });
    await condition(allHandlersFinished);
    return result;
  } catch (err) {
    const cancelled = isCancellation(err);
    // Only failures of the order are the onboarding's failure; a bug here must fail the workflow
    // task instead (and be fixed by a deploy), so it is rethrown as is.
    if (!cancelled && !(err instanceof ActivityFailure || err instanceof ApplicationFailure)) throw err;
    const failure = cancelled ? undefined : failureOf(err as ActivityFailure | ApplicationFailure);
    // What follows must finish even if a cancel arrives meanwhile.
    await CancellationScope.nonCancellable(async () => {
      if (cancelled) {
        const cancellation = progress.snapshot().cancellation ?? {
          reason: 'cancelled from Temporal (no reason given)',
          at: nowIso(),
        };
        progress.update({ cancellation, waitingFor: undefined });
        const report = await undo('cancelled', cancellation.reason);
        await tellSales(order, 'cancelled', [`Reason: ${cancellation.reason}`, ...reportLines(report)]);
      } else if (failure && failure.type !== 'OnboardingExpired') {
        progress.update({ failure, waitingFor: undefined });
        const report = await undo('failed', failure.message);
        await tellSales(order, 'failed', [`Reason: ${failure.type}: ${failure.message}`, ...reportLines(report)]);
      }
      settleOpenTokens({ outcome: 'failed', message: `the onboarding ended (${progress.stage})` });
      await condition(allHandlersFinished);
    });
    if (!failure || failure.type === 'OnboardingExpired') throw err;
    throw ApplicationFailure.nonRetryable(failure.message, failure.type);
  }

  async function undo(stage: 'failed' | 'cancelled', why: string) {
    progress.enter(stage, `${stage === 'failed' ? 'Failed' : 'Cancelled'}: ${why}. Undoing what can be undone.`);
    const report = await saga.compensate();
    progress.update({ compensation: report });
    progress.describe(`${stage === 'failed' ? 'Failed' : 'Cancelled'}: ${why}.\n\n${reportLines(report).join('\n\n')}`);
    return report;
  }
}

function reportLines(report: { undone: string[]; failed: string[]; cannotUndo: string[] }): string[] {
  return [
    `Undone: ${report.undone.join('; ') || 'nothing'}`,
    ...(report.failed.length ? [`Could NOT undo (finish by hand): ${report.failed.join('; ')}`] : []),
    ...(report.cannotUndo.length ? [`Cannot be undone through the API: ${report.cannotUndo.join('; ')}`] : []),
  ];
}

/** Best effort: the outcome stands even if the e-mail to sales cannot be sent. */
async function tellSales(
  order: Order | undefined,
  outcome: 'failed' | 'cancelled' | 'expired',
  lines: string[],
): Promise<void> {
  try {
    await run('notifySales', `tell sales: onboarding ${outcome}`, {
      customerDomain: order?.customerDomain ?? '(invalid order)',
      ...(order?.salesContactEmail ? { to: order.salesContactEmail } : {}),
      outcome,
      lines,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
  }
}
