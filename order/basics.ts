/**
 * The parts of the order that the workflow itself needs: the error type, the transfer-token rule,
 * where customer notices go, and a cheap shape check. Kept free of zod and the country/language
 * tables so that the workflow bundle stays small and a stricter validation rule (which lives in
 * order.ts and runs in an activity) can never change how a running onboarding replays.
 */
import type { Order } from './order';

export interface OrderProblem {
  /** Dotted path of the field, e.g. `admin.primaryEmail`; `(order)` for the whole document. */
  field: string;
  /** The rule it breaks, in words a person can act on. */
  rule: string;
}

export class OrderValidationError extends Error {
  override readonly name = 'OrderValidationError';
  constructor(readonly problems: readonly OrderProblem[]) {
    super(`Invalid order: ${problems.map((p) => `${p.field}: ${p.rule}`).join('; ')}`);
  }
}

/** Transfer tokens are opaque; this is the character set and length seen in Admin-console tokens, with margin. */
export const TRANSFER_TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{8,512}$/;
export const TRANSFER_TOKEN_RULE = 'must be 8–512 characters of letters, digits and . _ ~ + / = -';

/** Validates a transfer token on its own (the `provideTransferToken` update and the CLI). */
export function validateTransferToken(token: unknown): string {
  if (typeof token !== 'string' || !TRANSFER_TOKEN_PATTERN.test(token)) {
    throw new OrderValidationError([{ field: 'transferToken', rule: TRANSFER_TOKEN_RULE }]);
  }
  return token;
}

/** Where notices to the customer go: the alternate e-mail, or the team customer's verified admin address. */
export function customerContactEmail(order: Pick<Order, 'alternateEmail' | 'primaryAdmin' | 'admin'>): string {
  return order.alternateEmail ?? order.primaryAdmin?.primaryEmail ?? order.admin?.primaryEmail ?? '';
}

/**
 * The workflow's own check of its input before the validation activity runs: an object naming a
 * domain. Everything else is judged by `validateOrder`, once, and its verdict is recorded in history.
 */
export function orderDomainOf(input: unknown): string | undefined {
  const domain = (input as { customerDomain?: unknown } | null)?.customerDomain;
  return typeof input === 'object' &&
    input !== null &&
    !Array.isArray(input) &&
    typeof domain === 'string' &&
    domain.trim()
    ? domain.trim().toLowerCase()
    : undefined;
}

/**
 * The Google-Apps product's SKUs (Business, Enterprise and Essentials editions: 10100…). Google
 * cannot cancel them through the API (`deletionType: cancel` "does not apply to a Google Workspace
 * subscription"), and in a transfer their Drive storage and Vault add-ons move with them.
 */
export function isWorkspaceSku(skuId: string): boolean {
  return /^10100\d+$/.test(skuId) || skuId.startsWith('Google-Apps');
}

/**
 * A Google Workspace edition as Google's "Products and SKUs" page lists them under product
 * `Google-Apps`: 101002…/101006… and `Google-Apps-*` (not Postini). Unlike isWorkspaceSku (kept as
 * released for the workflow's saga), Cloud Identity (101001…, 101005…) is not one: a customer with an
 * edition and Cloud Identity Premium has one edition, and transfers (docs/google-behaviour.md T13).
 */
export function isWorkspaceEdition(skuId: string): boolean {
  return /^10100[26]\d{4}$/.test(skuId) || (skuId.startsWith('Google-Apps') && skuId !== 'Google-Apps-For-Postini');
}
