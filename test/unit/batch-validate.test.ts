/**
 * Why this file exists: a batch starts nothing unless every row would be accepted by `start`, so
 * the batch's validation must be `start`'s (schema and order policy) plus its own duplicate rule,
 * and must name every bad line, field and rule without echoing values (tokens, passwords).
 */
import { validateBatch } from '../../client/batch/validate';
import { domainOrder, teamOrder } from '../support/orders';

const rows = (...inputs: unknown[]) => inputs.map((input, i) => ({ line: i + 1, input }));

test('valid rows come back normalized, with their lines', () => {
  const { valid, problems } = validateBatch(rows(domainOrder('A.Example.com'), teamOrder('t.example.com')));
  expect(problems).toEqual([]);
  expect(valid.map((v) => [v.line, v.order.customerDomain])).toEqual([
    [1, 'a.example.com'],
    [2, 't.example.com'],
  ]);
});

test('every bad row is named by line, field and rule — and the values are not', () => {
  const secretToken = 'tok_SECRET_value_123';
  const { valid, problems } = validateBatch(
    rows(
      domainOrder('ok.example.com'),
      domainOrder('bad.example.com', {
        postalAddress: { contactName: 'A', organizationName: 'B', postalCode: '1', countryCode: 'ZZ' },
        transferToken: `${secretToken} !`,
      }),
      'not an order',
      {
        ...domainOrder('x.example.com'),
        admin: { givenName: 'A', familyName: 'B', primaryEmail: 'a@x.example.com', password: 'short' },
      },
    ),
  );
  expect(valid.map((v) => v.line)).toEqual([1]);
  expect(problems).toEqual([
    {
      line: 2,
      field: 'postalAddress.countryCode',
      rule: 'must be an ISO 3166-1 alpha-2 country code such as US or FR',
    },
    { line: 2, field: 'transferToken', rule: expect.stringContaining('must be 8–512 characters') },
    { line: 3, field: '(order)', rule: 'must be an object' },
    { line: 4, field: 'admin.password', rule: 'must be 8–100 printable ASCII characters' },
  ]);
  expect(JSON.stringify(problems)).not.toContain('SECRET');
  expect(JSON.stringify(problems)).not.toContain('short');
});

test('the order policy applies as for start (allowed countries, sales e-mail domains)', () => {
  const fr = { contactName: 'A', organizationName: 'B', postalCode: '75002', countryCode: 'fr' };
  const { problems } = validateBatch(
    rows(
      domainOrder('us.example.com'),
      domainOrder('fr.example.com', { postalAddress: fr }),
      domainOrder('s.example.com', { salesContactEmail: 'rep@elsewhere.example' }),
    ),
    { allowedCountries: ['US'], salesEmailDomains: ['reseller.example'] },
  );
  expect(problems).toEqual([
    { line: 2, field: 'postalAddress.countryCode', rule: 'must be a country this reseller sells to (US)' },
    {
      line: 3,
      field: 'salesContactEmail',
      rule: 'must be an address on a sales domain of this reseller (reseller.example)',
    },
  ]);
});

test('the same domain twice is an error naming both lines, however it is typed', () => {
  const { problems } = validateBatch(
    rows(domainOrder('dup.example.com'), domainOrder('other.example.com'), domainOrder('DUP.example.com.')),
  );
  expect(problems).toEqual([
    {
      line: 3,
      field: 'customerDomain',
      rule: 'must not repeat the domain of line 1 (lines 1 and 3 name the same customer)',
    },
  ]);
});

test('a duplicate is caught even when one of the rows is invalid for another reason', () => {
  const { problems } = validateBatch(
    rows({ ...domainOrder('dup.example.com'), language: 'xx' }, domainOrder('dup.example.com')),
  );
  expect(problems.map((p) => `${p.line} ${p.field}`)).toEqual(['1 language', '2 customerDomain']);
});
