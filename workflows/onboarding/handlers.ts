/**
 * The onboarding's messages (workflows/messages.ts): registered before the first step, so that an
 * early (or repeated) signal or update is kept, once. Validators refuse at once what cannot apply:
 * the caller gets the error and the workflow's history is untouched.
 */
import { condition, currentUpdateInfo, log, metricMeter, setHandler } from '@temporalio/workflow';
import { isRefusedPlaintext } from '../../encryption/plaintext-refusal';
import { parseDurationMs } from '../../order/duration';
import { validateTransferToken } from '../../order/basics';
import { durationMs } from '../customer-wait';
import {
  cancellationReasonSignal,
  domainVerifiedSignal,
  extendDeadlineUpdate,
  provideTransferTokenUpdate,
  statusQuery,
  tosAcceptedSignal,
  type DeadlineExtension,
  type TosAcceptance,
  type TransferTokenOutcome,
} from '../messages';
import { reportDomainVerified } from './domain';
import type { Onboarding } from './state';
import { WAIT_KINDS } from './wait-kinds';
import { nowIso } from '../progress';

const MAX_DEADLINE_AHEAD_MS = 365 * 86_400_000;
const TAKES_TOKENS = ['validating', 'creating-customer', 'awaiting-transfer-token'];

export function registerHandlers(ob: Onboarding): void {
  setHandler(statusQuery, () => ob.progress.snapshot());
  // A signal whose argument arrived unencrypted where encryption is required is ignored: whoever sent it lacks the key.
  setHandler(tosAcceptedSignal, (acceptance?: TosAcceptance) => {
    if (isRefusedPlaintext(acceptance) || notAReport(ob, 'tosAccepted', acceptance)) return;
    const accepted = {
      at: nowIso(),
      via: 'signal' as const,
      ...(acceptance?.reportedBy ? { reportedBy: acceptance.reportedBy } : {}),
    };
    if (acceptance === undefined && ob.behaviour.keylessMessagesIgnored) {
      keyless(ob, 'tosAccepted', () => ob.termsAccepted(accepted));
      return;
    }
    ob.termsAccepted(accepted);
  });
  setHandler(domainVerifiedSignal, (report) => {
    if (isRefusedPlaintext(report) || notAReport(ob, 'domainVerified', report)) return;
    if (report === undefined && ob.behaviour.keylessMessagesIgnored) {
      keyless(ob, 'domainVerified', () => reportDomainVerified(ob, report));
      return;
    }
    reportDomainVerified(ob, report);
  });
  setHandler(cancellationReasonSignal, (cancellation) => {
    // A malformed signal (no argument, not an object) is ignored: a throw here would fail every workflow task after it.
    if (isRefusedPlaintext(cancellation) || typeof cancellation?.reason !== 'string') return;
    const reason = cancellation.reason.slice(0, 1000);
    const requestedBy =
      typeof cancellation.requestedBy === 'string' ? cancellation.requestedBy.slice(0, 200) : undefined;
    ob.progress.update({ cancellation: { reason, at: nowIso(), ...(requestedBy ? { requestedBy } : {}) } });
  });
  setHandler(provideTransferTokenUpdate, (token: string) => appliedOnce(ob, () => takeToken(ob, token)), {
    validator: (token: string) => {
      if (repeated(ob)) return;
      refusePlaintext(token);
      validateTransferToken(token);
      if (!TAKES_TOKENS.includes(ob.progress.stage))
        throw new Error(`this onboarding does not take a transfer token now (stage ${ob.progress.stage})`);
    },
  });
  setHandler(extendDeadlineUpdate, (extension) => appliedOnce(ob, () => extendDeadline(ob, extension)), {
    validator: (extension: DeadlineExtension) => {
      if (!repeated(ob)) validateExtension(ob, extension);
    },
  });
}

/** Keyless signals held until the validation says whether this worker requires encrypted input. */
const heldKeyless = new WeakMap<Onboarding, { signal: string; apply: () => void }[]>();

/**
 * Release 0.4: a signal with no argument needs no key, so where encryption is required it changes
 * nothing (counted and logged, like refused plaintext). Whether it is required is recorded by the
 * validation activity (deterministic); before that the signal is held, and when it cannot be known
 * (a run carried over from 0.3) it is treated as required. The client always sends an argument.
 */
function keyless(ob: Onboarding, signal: 'tosAccepted' | 'domainVerified', apply: () => void): void {
  if (ob.validation?.encryptionRequired === false) return apply();
  if (ob.validation === undefined) {
    heldKeyless.set(ob, [...(heldKeyless.get(ob) ?? []), { signal, apply }]);
    return;
  }
  ignoredKeyless(signal);
}

/**
 * Release 0.4: a report is `{ reportedBy?: string }` and nothing else. Ciphertext is bound to its workflow,
 * not to a message: without this, any payload of the onboarding's own history (its order, an activity's
 * result), signalled back unchanged by someone without the key, would decrypt here and count as a report.
 */
function notAReport(ob: Onboarding, signal: 'tosAccepted' | 'domainVerified', arg: unknown): boolean {
  if (arg === undefined || !ob.behaviour.keylessMessagesIgnored) return false;
  const isReport =
    typeof arg === 'object' &&
    arg !== null &&
    !Array.isArray(arg) &&
    Object.keys(arg).every((key) => key === 'reportedBy') &&
    ['string', 'undefined'].includes(typeof (arg as { reportedBy?: unknown }).reportedBy);
  if (isReport) return false;
  log.warn('signal ignored: its argument is not a report ({ reportedBy?: string })', { signal });
  metricMeter
    .createCounter('onboarding_malformed_messages_ignored', '1', 'Signals whose argument is not of their shape')
    .add(1, { signal });
  return true;
}

function ignoredKeyless(signal: string): void {
  log.warn('keyless signal ignored: this worker requires encrypted input (send an argument through the client)', {
    signal,
  });
  metricMeter
    .createCounter(
      'onboarding_keyless_messages_ignored',
      '1',
      'Signals without an argument ignored (encryption required)',
    )
    .add(1, { signal });
}

/** After validation: the keyless signals held meanwhile apply, or are ignored where encryption is required. */
export function settleHeldKeylessSignals(ob: Onboarding): void {
  const held = heldKeyless.get(ob) ?? [];
  heldKeyless.delete(ob);
  for (const { signal, apply } of held) {
    if (ob.validation?.encryptionRequired === false) apply();
    else ignoredKeyless(signal);
  }
}

/** An update id this onboarding already applied, in an earlier run (Temporal dedupes within one run only). */
const repeated = (ob: Onboarding): boolean => ob.updates.find(currentUpdateInfo()?.id) !== undefined;

/** Applies an update once per update id: a repeat gets the first answer back, across continue-as-new too. */
async function appliedOnce<T>(ob: Onboarding, apply: () => T | Promise<T>): Promise<T> {
  const id = currentUpdateInfo()?.id;
  const earlier = ob.updates.find(id);
  if (earlier) return earlier.result as T;
  const result = await apply();
  ob.updates.record(id, result);
  return result;
}

/**
 * Release 0.3 on: answers as soon as the token is queued, with its number (the transfer takes
 * minutes; its outcome shows in the status). Earlier runs answer once the token has been tried.
 */
async function takeToken(ob: Onboarding, token: string): Promise<TransferTokenOutcome> {
  const id = ob.tokens.submit(token);
  if (ob.behaviour.tokenAnsweredWhenQueued)
    return {
      outcome: 'accepted',
      message: `token ${id} queued for the transfer: its outcome will show in the status`,
      token: id,
    };
  await condition(() => ob.tokens.isSettled(id));
  const outcome = ob.tokens.outcome(id);
  if (!outcome) throw new Error(`token ${id} settled without an outcome`); // settling records one
  return outcome;
}

/** The wait loop wakes on the change and refreshes the status and the Web UI itself. */
function extendDeadline(ob: Onboarding, { until, by }: DeadlineExtension): { deadline: string } {
  const { wait } = ob;
  if (!wait) throw new Error('nothing to extend'); // the validator refused it already
  wait.deadlineAtMs = until ? Date.parse(until) : wait.deadlineAtMs + durationMs(by as string);
  return { deadline: new Date(wait.deadlineAtMs).toISOString() };
}

function refusePlaintext(value: unknown): void {
  // No argument: nothing encrypted, so nothing to trust (and nothing to apply).
  if (value === undefined) throw new Error('this update takes one argument: send it through the client library');
  if (isRefusedPlaintext(value))
    throw new Error(
      'this worker requires encrypted input: send it through the client library or with --codec-endpoint',
    );
}

function validateExtension(ob: Onboarding, extension: DeadlineExtension): void {
  refusePlaintext(extension);
  const { until, by } = extension;
  const waiting =
    Object.values(WAIT_KINDS).some((kind) => kind.stage === ob.progress.stage) ||
    ob.progress.stage === 'awaiting-domain-verification';
  if (!ob.wait || !waiting)
    throw new Error(`nothing to extend: the onboarding is not waiting for the customer (stage ${ob.progress.stage})`);
  if ((until === undefined) === (by === undefined))
    throw new Error('give exactly one of "until" (ISO date-time) or "by" (duration)');
  const byMs = by === undefined ? undefined : parseDurationMs(by);
  if (by !== undefined && !(byMs !== undefined && byMs >= 1000))
    throw new Error('by: must be a duration of at least 1 second, such as "7 days"');
  const at = until !== undefined ? Date.parse(until) : ob.wait.deadlineAtMs + (byMs as number);
  if (Number.isNaN(at)) throw new Error('until: must be an ISO 8601 date-time');
  if (at <= Date.now()) throw new Error('the new deadline must be in the future');
  if (at <= ob.wait.deadlineAtMs) throw new Error('the new deadline must be later than the current one');
  if (at > Date.now() + MAX_DEADLINE_AHEAD_MS) throw new Error('the new deadline must be at most 365 days ahead');
}
