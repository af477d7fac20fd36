/**
 * What validate-order established, kept once: the order as validated and whether the worker that
 * validated it required encrypted input (on continue-as-new, the carried order and flag). Messages
 * and endings may come before it (`Onboarding.validation` is undefined until then); every step after
 * validation takes a `Validated` onboarding (state.ts), which has it and the wait defaults: no casts.
 */
import { customerContactEmail } from '../../order/basics';
import type { Order } from '../../order/order';

export class ValidatedOrder {
  constructor(
    readonly order: Order,
    /** Recorded by the validation activity (0.4). Unknown (a run carried over from 0.3): treated as required. */
    readonly encryptionRequired: boolean | undefined,
  ) {}

  get domain(): string {
    return this.order.customerDomain;
  }

  /** Where notices to the customer go. */
  get contact(): string {
    return customerContactEmail(this.order);
  }
}
