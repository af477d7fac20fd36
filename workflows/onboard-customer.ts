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
import { Onboarding, type CarriedState } from './onboarding/state';
import { awaitTerms } from './onboarding/terms';
import { transferBranch } from './onboarding/transfer';
  const { order, waitDefaults, encryptionRequired } = await ob.progress.step('validate-order', () =>
    run('validateOrder', 'validate the order', ob.input),
  );
  ob.order = order;
  ob.encryptionRequired = encryptionRequired;
  settleHeldKeylessSignals(ob);
  ob.progress.update({ customerType: order.customerType });
  // 0.4: the validation's result carries them (a worker older than 0.4 ran it: the local activity still answers).
  ob.defaults =
    ob.behaviour.waitDefaultsFromValidation && waitDefaults !== undefined ? waitDefaults : await local.waitDefaults();
  return provision(ob);
}

/** Where a run continued as new goes back to, for each kind of wait (workflows/onboarding/wait-kinds.ts). */
const RESUME: Record<WaitKindName, (ob: Onboarding, status: OnboardingStatus) => Promise<OnboardingStatus>> = {
  'tos-acceptance': (ob, { customerId = '', adminEmail }) => awaitTerms(ob, customerId, adminEmail),
  'transfer-token': (ob, { customerId = '' }) => transferBranch(ob, customerId),
};

/** A run continued as new: back into the wait it was in. */
async function resume(ob: Onboarding, carried: CarriedState): Promise<OnboardingStatus> {
  return RESUME[carried.wait.what](ob, carried.status);
}
