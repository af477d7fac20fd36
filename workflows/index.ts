/** The workflow bundle's entry point: every workflow the worker registers. */
export { onboardCustomer } from './onboard-customer';
export { reconcileOnboardings } from './reconcile';
