/**
 * The onboarding workflow: Google's documented order for a new reseller customer, as durable steps.
 *
 *   validate (activity) → create customer ─┬─ new → [domain: set language → create admin → make it
 *                                          │   super admin] → order subscriptions → e-mail the
 *                                          │   customer → wait for the terms (signal or detected)
 *                                          ├─ ours, not created by this onboarding → already-a-customer
 *                                          └─ held elsewhere (409) → transfer token → register →
 *                                              move the subscriptions → transferred
 *
 * One file per step or branch in onboarding/ (provisioning, subscriptions, transfer, terms,
 * waiting, endings, handlers), sharing one Onboarding state. Deterministic code only.
 *
 * Versioning: runs started by release 0.1 carry no `google-fidelity` marker and finish on the frozen
 * 0.1 code (legacy/); see docs/operations.md for the procedure.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { isRefusedPlaintext, UNENCRYPTED_INPUT_FAILURE_TYPE } from '../encryption/plaintext-refusal';
import { orderDomainOf } from '../order/basics';
import { local, run } from './activity-stubs';
import { onboardCustomerV1, type CarriedState as CarriedStateV1 } from './legacy/onboard-customer-v1';
import type { OnboardingStatus } from './messages';
import { endAfter } from './onboarding/endings';
import { registerHandlers, settleHeldKeylessSignals } from './onboarding/handlers';
import { provision } from './onboarding/provisioning';
import { ValidatedOrder } from './onboarding/context';
import { Onboarding, type CarriedState, type Validated } from './onboarding/state';
import { awaitTerms } from './onboarding/terms';
import { transferBranch } from './onboarding/transfer';
import type { WaitKindName } from './onboarding/wait-kinds';
import { isRelease4Run } from './versions';

/** The patch that moved onboardings from release 0.1's workflow to this one. */
export const GOOGLE_FIDELITY_PATCH = 'google-fidelity';

export async function onboardCustomer(
  input: unknown,
  carried?: CarriedState | CarriedStateV1,
): Promise<OnboardingStatus> {
  // The second argument is for continue-as-new only: from a caller it would skip validation and the ownership proof.
  if (carried !== undefined && !workflowInfo().continuedFromExecutionRunId) {
    throw ApplicationFailure.nonRetryable('Invalid order: an onboarding takes one argument, the order', 'InvalidOrder');
  }
  // A 0.1 chain continues on the frozen 0.1 code, asking for no marker (as before 0.4). Carried state has
  // had a version since 0.2 (2, later ones higher): only a state without one is 0.1's.
  const legacyChain = carried !== undefined && !('version' in carried && carried.version >= 2);
  if (legacyChain) return onboardCustomerV1(input, carried as CarriedStateV1);
  const release4 = isRelease4Run(); // newest release first (workflows/versions.ts)
  const current = release4 || carried !== undefined || patched(GOOGLE_FIDELITY_PATCH);
  if (!current) return onboardCustomerV1(input, undefined);
  const ob = new Onboarding(input, carried, release4);
  registerHandlers(ob);
  try {
    const result = ob.carried ? await resume(ob, ob.carried) : await start(ob);
    ob.tokens.settleAll({ outcome: 'not-needed', message: `no token needed any more (stage ${ob.progress.stage})` });
    // The outcome is decided: a cancel arriving now (say, as a transfer completed) must not turn it into "cancelled".
    await (ob.behaviour.outcomeStandsAgainstLateCancel
      ? CancellationScope.nonCancellable(() => condition(allHandlersFinished))
      : condition(allHandlersFinished));
    return result;
  } catch (err) {
    return endAfter(ob, err);
  }
}

async function start(ob: Onboarding): Promise<OnboardingStatus> {
  if (isRefusedPlaintext(ob.input)) {
    throw ApplicationFailure.nonRetryable(
      'the order arrived unencrypted and this worker requires encrypted input (ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS): start onboardings with the client library, or the temporal CLI with --codec-endpoint',
      UNENCRYPTED_INPUT_FAILURE_TYPE,
    );
  }
  if (!orderDomainOf(ob.input))
    throw ApplicationFailure.nonRetryable(
      'Invalid order: (order): must be an order object naming customerDomain',
      'InvalidOrder',
    );
  const { order, waitDefaults, encryptionRequired } = await ob.progress.step('validate-order', () =>
    run('validateOrder', 'validate the order', ob.input),
  );
  ob.validation = new ValidatedOrder(order, encryptionRequired);
  settleHeldKeylessSignals(ob);
  ob.progress.update({ customerType: order.customerType });
  // 0.4: the validation's result carries them (a worker older than 0.4 ran it: the local activity still answers).
  ob.defaults =
    ob.behaviour.waitDefaultsFromValidation && waitDefaults !== undefined ? waitDefaults : await local.waitDefaults();
  return provision(ob.validated());
}

/** Where a run continued as new goes back to, for each kind of wait (workflows/onboarding/wait-kinds.ts). */
const RESUME: Record<WaitKindName, (ob: Validated, status: OnboardingStatus) => Promise<OnboardingStatus>> = {
  'tos-acceptance': (ob, { customerId = '', adminEmail }) => awaitTerms(ob, customerId, adminEmail),
  'transfer-token': (ob, { customerId = '' }) => transferBranch(ob, customerId),
};

/** A run continued as new: back into the wait it was in. */
async function resume(ob: Onboarding, carried: CarriedState): Promise<OnboardingStatus> {
  return RESUME[carried.wait.what](ob.validated(), carried.status);
}
