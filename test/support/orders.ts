/** Valid orders for tests, one fresh domain per call so tests never collide. */
import type { OrderInput } from '../../order/order';

let counter = 0;
export function uniqueDomain(prefix = 'acme'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}.example.com`;
}

export function domainOrder(domain = uniqueDomain(), overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    customerDomain: domain,
    customerType: 'domain',
    alternateEmail: 'owner@customer-mail.example.org',
    postalAddress: { contactName: 'Alex Cruz', organizationName: 'Acme Org', postalCode: '94043', countryCode: 'US' },
    language: 'fr',
    admin: { givenName: 'Alex', familyName: 'Cruz', primaryEmail: `admin@${domain}` },
    ...overrides,
  };
}

export function teamOrder(domain = uniqueDomain('team'), overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    customerDomain: domain,
    customerType: 'team',
    primaryAdmin: { primaryEmail: 'founder@gmail.example' },
    postalAddress: { contactName: 'Sam Lee', organizationName: 'Sam Team', postalCode: '10001', countryCode: 'US' },
    language: 'en-GB',
    ...overrides,
  };
}
