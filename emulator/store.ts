/**
 * The emulator's records and their look-ups (by id or by domain/e-mail, as Google's keys allow),
 * id generation and transfer-token checks: the part shared by every group of API rules.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { forbidden, notFound } from './errors';
import type { Customer, Subscription, TransferToken, User } from './model';

function randomAlnum(length: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

function randomDigits(length: number): string {
  return Array.from({ length }, (_, i) => String(randomInt(i === 0 ? 1 : 0, 10))).join('');
}

export class Store {
  readonly customers = new Map<string, Customer>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly users = new Map<string, User>();

  constructor(readonly now: () => number) {}

  clear(): void {
    this.customers.clear();
    this.subscriptions.clear();
    this.users.clear();
  }

  /** A customer by id or by domain, like the Reseller API's customerId parameter. */
  findCustomer(customerKey: string): Customer | undefined {
    const byId = this.customers.get(customerKey);
    if (byId) return byId;
    const domain = customerKey.toLowerCase();
    return [...this.customers.values()].find((c) => c.customerDomain === domain);
  }

  requireCustomer(customerKey: string): Customer {
    const customer = this.findCustomer(customerKey);
    if (!customer) throw notFound(`Resource Not Found: customerId ${customerKey}`);
    return customer;
  }

  subscriptionsOf(customer: Customer): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => s.customerId === customer.customerId);
  }

  findUser(userKey: string): User | undefined {
    const byId = this.users.get(userKey);
    if (byId) return byId;
    const email = userKey.toLowerCase();
    return [...this.users.values()].find((u) => u.primaryEmail === email);
  }

  /** Token messages never echo the token: they end up in client logs. */
  checkTransferToken(customer: Customer, token: string | undefined): TransferToken {
    if (token === undefined || token === '') {
      throw forbidden('A customerAuthToken is required for a customer of another reseller or of Google.');
    }
    const match = customer.transferTokens.find((t) => t.token === token);
    if (!match || match.forReseller !== 'this')
      throw forbidden('The customerAuthToken is not valid for this reseller.');
    if (match.expiresAt <= this.now()) throw forbidden('The customerAuthToken has expired.');
    return match;
  }

  /** The customer becomes this reseller's once registered and nothing is left with its former owner. */
  settleOwnership(customer: Customer): void {
    if (customer.owner === 'this-reseller' || !customer.registeredWithThisReseller) return;
    if (this.subscriptionsOf(customer).every((s) => s.owner === 'this-reseller')) customer.owner = 'this-reseller';
  }

  newCustomerId(): string {
    let id: string;
    do id = `C${randomAlnum(8)}`;
    while (this.customers.has(id));
    return id;
  }

  newSubscriptionId(): string {
    let id: string;
    do id = randomDigits(9);
    while (this.subscriptions.has(id));
    return id;
  }

  newUserId(): string {
    let id: string;
    do id = randomDigits(21);
    while (this.users.has(id));
    return id;
  }
}
