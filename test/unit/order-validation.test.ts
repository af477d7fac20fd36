/**
 * The rules of the one order validation, one by one: what each refuses, with which words, what it
 * normalizes, and the country policy from the environment. The bad-input corpus covers breadth.
 */
import {
  normalizeDomain,
  OrderValidationError,
  validateOrder,
  validateTransferToken,
  type OrderProblem,
} from '../../order/order';
import { orderPolicyFromEnv } from '../../order/policy-env';
import { TRICKY_VALID_ORDERS } from '../fixtures/bad-orders/corpus';
import { domainOrder } from '../support/orders';

const DOMAIN = 'acme.example.com';
const base = () => domainOrder(DOMAIN);

function problemsOf(input: unknown, policy = {}): OrderProblem[] {
  try {
    validateOrder(input, policy);
  } catch (err) {
    if (err instanceof OrderValidationError) return [...err.problems];
    throw err;
  }
  throw new Error('the order was accepted');
}

describe('customerDomain', () => {
  test.each([
    ['www.acme.example.com', 'must be the bare domain, without "www."'],
    ['acme', 'must be a domain name such as example.com'],
    ['acme_corp.example', 'must be a domain name: labels of letters, digits and hyphens, separated by dots'],
    [
      '☕.example',
      'may contain only letters, digits and hyphens (no symbols, emoji, punctuation or invisible characters)',
    ],
    [
      'xn--53h.example',
      'may contain only letters, digits and hyphens (no symbols, emoji, punctuation or invisible characters)',
    ],
    ['\u0301acme.example', 'must not start a label with a combining mark'],
    ['p\u0430ypal.example', 'must not mix Latin, Greek and Cyrillic letters in one label (look-alike characters)'],
    ['xn--acme-.example', 'must not contain malformed punycode (xn--) labels'],
  ])('%s is refused: %s', (customerDomain, rule) => {
    expect(problemsOf({ ...base(), customerDomain })).toEqual([{ field: 'customerDomain', rule }]);
  });

  test('a domain of four 63-character labels is refused as too long', () => {
    const customerDomain = ['a', 'b', 'c', 'd'].map((c) => c.repeat(63)).join('.');
    expect(problemsOf({ ...base(), customerDomain: `${customerDomain}.example` })).toEqual([
      { field: 'customerDomain', rule: 'must be at most 253 characters' },
    ]);
  });

  test('an all-Cyrillic or all-Greek label is a valid international name', () => {
    expect(
      validateOrder({
        ...base(),
        customerDomain: 'пример.рф',
        admin: { ...base().admin, primaryEmail: 'admin@пример.рф' },
      }).customerDomain,
    ).toBe('xn--e1afmkfd.xn--p1ai');
    expect(
      validateOrder({
        ...base(),
        customerDomain: 'παράδειγμα.gr',
        admin: { ...base().admin, primaryEmail: 'admin@παράδειγμα.gr' },
      }).customerDomain,
    ).toMatch(/^xn--/);
  });

  test('normalizeDomain maps case, full-width forms, decomposed accents and ideographic dots the way validation does', () => {
    expect(normalizeDomain(' Bücher.DE. ')).toBe('xn--bcher-kva.de');
    expect(normalizeDomain('bu\u0308cher.de')).toBe('xn--bcher-kva.de');
    expect(normalizeDomain('ＡＣＭＥ。example。com')).toBe(DOMAIN);
  });
});

describe('e-mail addresses', () => {
  test("the admin must be on the customer's domain, and the alternate address must not be", () => {
    expect(
      problemsOf({
        ...base(),
        alternateEmail: `owner@eu.${DOMAIN}`,
        admin: { ...base().admin, primaryEmail: 'admin@other.example' },
      }),
    ).toEqual([
      { field: 'alternateEmail', rule: "must not be on the customer's own domain" },
      { field: 'admin.primaryEmail', rule: `must be on the customer's domain (${DOMAIN})` },
    ]);
  });

  test('the admin e-mail domain is compared after normalization', () => {
    const order = validateOrder({
      ...base(),
      customerDomain: 'BÜCHER.example',
      admin: { ...base().admin, primaryEmail: 'admin@bücher.EXAMPLE' },
    });
    expect(order.admin?.primaryEmail).toBe(`admin@${order.customerDomain}`);
  });

  test('the admin username follows Google (no +), other addresses follow RFC 5322', () => {
    expect(problemsOf({ ...base(), admin: { ...base().admin, primaryEmail: `a+b@${DOMAIN}` } })).toEqual([
      {
        field: 'admin.primaryEmail',
        rule: "must be an e-mail address whose name part has only letters, digits, - _ ' and .",
      },
    ]);
    expect(validateOrder({ ...base(), alternateEmail: 'owner+acme@mail.example.org' }).alternateEmail).toBe(
      'owner+acme@mail.example.org',
    );
  });
});

describe('customer types', () => {
  test('team customers need primaryAdmin and no alternateEmail or admin; domain customers the reverse', () => {
    const { alternateEmail: _, admin: _admin, ...team } = { ...base(), customerType: 'team' as const };
    expect(problemsOf(team)).toEqual([{ field: 'primaryAdmin', rule: 'is required for customerType "team"' }]);
    expect(validateOrder({ ...team, primaryAdmin: { primaryEmail: 'founder@gmail.example' } }).customerType).toBe(
      'team',
    );
    expect(
      problemsOf({ ...team, primaryAdmin: { primaryEmail: 'founder@gmail.example' }, admin: base().admin }),
    ).toEqual([
      {
        field: 'admin',
        rule: 'is not allowed for customerType "team": Google makes primaryAdmin the administrator through its verification e-mail',
      },
    ]);
    const { admin: _gone, ...noAdmin } = base();
    expect(problemsOf(noAdmin)).toEqual([{ field: 'admin', rule: 'is required for customerType "domain"' }]);
    expect(problemsOf({ ...base(), primaryAdmin: { primaryEmail: 'founder@gmail.example' } })).toEqual([
      { field: 'primaryAdmin', rule: 'is only allowed for customerType "team"' },
    ]);
  });

  test('customerType defaults to domain, language to en', () => {
    const { customerType: _type, language: _language, ...order } = base();
    expect(validateOrder(order)).toMatchObject({ customerType: 'domain', language: 'en' });
  });
});

describe('admin names and postal fields', () => {
  test('names are at most 40 characters, postal fields at most 255', () => {
    expect(
      validateOrder({ ...base(), admin: { ...base().admin, givenName: 'G'.repeat(40) } }).admin?.givenName,
    ).toHaveLength(40);
    expect(problemsOf({ ...base(), admin: { ...base().admin, givenName: 'G'.repeat(41) } })).toEqual([
      { field: 'admin.givenName', rule: 'must be at most 40 characters' },
    ]);
    const address = { ...base().postalAddress, organizationName: 'O'.repeat(255) };
    expect(validateOrder({ ...base(), postalAddress: address }).postalAddress.organizationName).toHaveLength(255);
    expect(problemsOf({ ...base(), postalAddress: { ...address, region: 'R'.repeat(256) } })).toEqual([
      { field: 'postalAddress.region', rule: 'must be at most 255 characters' },
    ]);
  });

  test('names and postal fields are trimmed', () => {
    const order = validateOrder({
      ...base(),
      admin: { ...base().admin, givenName: '  Alex ' },
      postalAddress: { ...base().postalAddress, postalCode: ' SW1A 1AA ' },
    });
    expect(order.admin?.givenName).toBe('Alex');
    expect(order.postalAddress.postalCode).toBe('SW1A 1AA');
  });

  test('control, bidi and zero-width characters are refused in free text', () => {
    for (const bad of [
      'Acme\nOrg',
      'Acme\u0085Org',
      'Acme\u2028Org',
      'Acme\u202EgrO',
      'Acme\u2066Org',
      'Acme\uFEFFOrg',
      'Acme\uD800Org',
    ]) {
      expect(problemsOf({ ...base(), postalAddress: { ...base().postalAddress, organizationName: bad } })).toEqual([
        {
          field: 'postalAddress.organizationName',
          rule: 'must not contain control, invisible or text-direction characters',
        },
      ]);
    }
  });
});

describe('country and language', () => {
  const withCountry = (countryCode: string) => ({ ...base(), postalAddress: { ...base().postalAddress, countryCode } });

  test('country codes are ISO 3166-1 alpha-2, any case', () => {
    expect(validateOrder(withCountry('fr')).postalAddress.countryCode).toBe('FR');
    expect(problemsOf(withCountry('UK'))).toEqual([
      { field: 'postalAddress.countryCode', rule: 'must be an ISO 3166-1 alpha-2 country code such as US or FR' },
    ]);
  });

  test('the allowed-countries policy is reported together with the other problems', () => {
    const policy = { allowedCountries: ['us', 'ca'] };
    expect(validateOrder(withCountry('CA'), policy).postalAddress.countryCode).toBe('CA');
    expect(problemsOf({ ...withCountry('fr'), language: 'xx' }, policy)).toEqual([
      { field: 'language', rule: "must be one of Google's language codes (e.g. en, fr, pt-BR, iw)" },
      { field: 'postalAddress.countryCode', rule: 'must be a country this reseller sells to (US, CA)' },
    ]);
  });

  test("languages come from Google's list, matched without regard to case", () => {
    expect(validateOrder({ ...base(), language: 'ZH-tw' }).language).toBe('zh-TW');
    expect(validateOrder({ ...base(), language: 'iw' }).language).toBe('iw');
    expect(problemsOf({ ...base(), language: 'pt' })).toEqual([
      { field: 'language', rule: "must be one of Google's language codes (e.g. en, fr, pt-BR, iw)" },
    ]);
  });

  test('ONBOARDING_ALLOWED_COUNTRIES is read as a comma-separated, case-insensitive list; unset allows any', () => {
    expect(orderPolicyFromEnv({ ONBOARDING_ALLOWED_COUNTRIES: ' us, Ca ,,fr' })).toMatchObject({
      allowedCountries: ['US', 'CA', 'FR'],
    });
    expect(orderPolicyFromEnv({})).toMatchObject({ allowedCountries: [] });
  });

  test("the client refuses, before starting, a checkEvery below the worker's floor (MIN_CHECK_EVERY, 5 minutes unless local)", () => {
    const order = domainOrder(DOMAIN, { waitPolicy: { checkEvery: '1 minute' } });
    expect(orderPolicyFromEnv({}).minCheckEveryMs).toBe(5 * 60_000);
    expect(orderPolicyFromEnv({ ONBOARDING_MODE: 'local' }).minCheckEveryMs).toBe(1000);
    expect(() => validateOrder(order, orderPolicyFromEnv({}))).toThrow(
      /waitPolicy\.checkEvery: must be at least 5 minutes/,
    );
    expect(() => validateOrder(order, orderPolicyFromEnv({ MIN_CHECK_EVERY: '30 seconds' }))).not.toThrow();
    expect(() => orderPolicyFromEnv({ MIN_CHECK_EVERY: 'often' })).toThrow(/MIN_CHECK_EVERY/);
  });

  test('a code in ONBOARDING_ALLOWED_COUNTRIES that is not ISO is a configuration error', () => {
    expect(() => orderPolicyFromEnv({ ONBOARDING_ALLOWED_COUNTRIES: 'US,UK' })).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('(bad: UK)') }),
    );
  });
});

describe('passwords', () => {
  const withPassword = (password: string, passwordHashFunction?: string) => ({
    ...base(),
    admin: { ...base().admin, password, ...(passwordHashFunction ? { passwordHashFunction } : {}) },
  });

  test('a plain password is 8–100 printable ASCII characters', () => {
    expect(validateOrder(withPassword('8 chars!')).admin?.password).toBe('8 chars!');
    expect(validateOrder(withPassword('p'.repeat(100))).admin?.password).toHaveLength(100);
    for (const bad of ['7 chars', 'p'.repeat(101), 'pässwörd-long', 'tab\tinside']) {
      expect(problemsOf(withPassword(bad))).toEqual([
        { field: 'admin.password', rule: 'must be 8–100 printable ASCII characters' },
      ]);
    }
  });

  test('a hash must match its function', () => {
    expect(validateOrder(withPassword('5F4DCC3B5AA765D61D8327DEB882CF99', 'MD5')).admin?.passwordHashFunction).toBe(
      'MD5',
    );
    expect(
      validateOrder(withPassword(`$6$rounds=5000$saltsalt$${'a'.repeat(86)}`, 'crypt')).admin?.passwordHashFunction,
    ).toBe('crypt');
    expect(validateOrder(withPassword('abJnggxhB/yWI', 'crypt')).admin?.passwordHashFunction).toBe('crypt');
    expect(problemsOf(withPassword('5f4dcc3b5aa765d61d8327deb882cf99', 'SHA-1'))).toEqual([
      {
        field: 'admin.password',
        rule: 'must be a hex-encoded SHA-1 hash (40 hex digits) when passwordHashFunction is SHA-1',
      },
    ]);
  });

  test('a hash sent as a plain password is refused rather than becoming the password', () => {
    for (const hash of [
      '5f4dcc3b5aa765d61d8327deb882cf99',
      '5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8',
      `$1$saltsalt$${'a'.repeat(22)}`,
    ]) {
      expect(problemsOf(withPassword(hash))).toEqual([
        { field: 'admin.password', rule: 'looks like a password hash: set passwordHashFunction (MD5, SHA-1, crypt)' },
      ]);
    }
  });
});

describe('transfer tokens', () => {
  test('validateTransferToken returns a well-formed token and refuses others without echoing them', () => {
    expect(validateTransferToken('AbC.123_~+/=-xyz')).toBe('AbC.123_~+/=-xyz');
    for (const bad of ['short', 'with space inside', 'x'.repeat(513), 42]) {
      const error = (() => {
        try {
          return validateTransferToken(bad);
        } catch (err) {
          return err;
        }
      })();
      expect(error).toBeInstanceOf(OrderValidationError);
      expect((error as Error).message).toBe(
        'Invalid order: transferToken: must be 8–512 characters of letters, digits and . _ ~ + / = -',
      );
    }
  });
});

describe('subscriptions: what was sold', () => {
  const sold = (subscriptions: unknown[], extra: Record<string, unknown> = {}) => ({
    ...base(),
    subscriptions,
    ...extra,
  });

  test('known plans, whole seats, renewal type and purchase order are kept as given', () => {
    const order = validateOrder(
      sold([
        { skuId: '1010020028', plan: 'FLEXIBLE', seats: 10 },
        {
          skuId: '1010020027',
          plan: 'ANNUAL_MONTHLY_PAY',
          seats: 25,
          renewalType: 'RENEW_CURRENT_USERS_MONTHLY_PAY',
          purchaseOrderId: 'PO-42',
        },
      ]),
    );
    expect(order.subscriptions).toEqual([
      { skuId: '1010020028', plan: 'FLEXIBLE', seats: 10 },
      {
        skuId: '1010020027',
        plan: 'ANNUAL_MONTHLY_PAY',
        seats: 25,
        renewalType: 'RENEW_CURRENT_USERS_MONTHLY_PAY',
        purchaseOrderId: 'PO-42',
      },
    ]);
    expect(validateOrder(base()).subscriptions).toEqual([]);
  });

  test.each([
    [
      { skuId: '1010020028', plan: 'MONTHLY', seats: 1 },
      'subscriptions.0.plan',
      'must be one of ANNUAL_MONTHLY_PAY, ANNUAL_YEARLY_PAY, FLEXIBLE, TRIAL',
    ],
    [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 0 }, 'subscriptions.0.seats', 'must be at least 1'],
    [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 2.5 }, 'subscriptions.0.seats', 'must be a whole number'],
    [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 50_001 }, 'subscriptions.0.seats', 'must be at most 50000'],
    [{ skuId: '1010020028', plan: 'TRIAL', seats: 11 }, 'subscriptions.0.seats', 'must be at most 10 for a TRIAL'],
    [
      { skuId: '1010020028', plan: 'FLEXIBLE', seats: 5, renewalType: 'AUTO_RENEW_YEARLY_PAY' },
      'subscriptions.0.renewalType',
      'is only allowed for ANNUAL_MONTHLY_PAY and ANNUAL_YEARLY_PAY plans',
    ],
    [
      { skuId: '1010020028', plan: 'FLEXIBLE', seats: 5, purchaseOrderId: 'P'.repeat(81) },
      'subscriptions.0.purchaseOrderId',
      'must be at most 80 characters',
    ],
    [
      { skuId: 'bad sku!', plan: 'FLEXIBLE', seats: 5 },
      'subscriptions.0.skuId',
      'must be a Google SKU id such as 1010020028',
    ],
    [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 5, price: 1 }, 'subscriptions.0.price', 'is not a known field'],
    [
      { skuId: '1010020028', plan: 'FLEXIBLE', seats: 5, dealCode: 'D'.repeat(101) },
      'subscriptions.0.dealCode',
      "must be Google's deal code: 1 to 100 visible characters, no spaces",
    ],
  ])('%j is refused', (subscription, field, rule) => {
    expect(problemsOf(sold([subscription]))).toEqual([{ field, rule }]);
  });

  test("a deal code goes with an order's subscription, never with a transfer (Google's transfers don't work with deal codes)", () => {
    const withDeal = { skuId: '1010020028', plan: 'ANNUAL_MONTHLY_PAY', seats: 5, dealCode: 'GOOGLE-DEAL-7' } as const;
    expect(validateOrder(sold([withDeal])).subscriptions[0]?.dealCode).toBe('GOOGLE-DEAL-7');
    expect(problemsOf({ ...sold([withDeal]), transferToken: 'valid-token-0001' })).toEqual([
      {
        field: 'subscriptions.0.dealCode',
        rule: "is not allowed with a transferToken: Google's transfers don't work with deal codes",
      },
    ]);
  });

  test('a SKU is ordered once', () => {
    expect(
      problemsOf(
        sold([
          { skuId: '1010020028', plan: 'FLEXIBLE', seats: 1 },
          { skuId: '1010020028', plan: 'TRIAL', seats: 1 },
        ]),
      ),
    ).toEqual([{ field: 'subscriptions.1.skuId', rule: 'must not repeat a SKU already in the order' }]);
  });

  test('team customers may buy only Essentials SKUs', () => {
    const {
      alternateEmail: _,
      admin: _admin,
      ...team
    } = { ...base(), customerType: 'team' as const, primaryAdmin: { primaryEmail: 'founder@gmail.example' } };
    expect(
      validateOrder({ ...team, subscriptions: [{ skuId: '1010060003', plan: 'FLEXIBLE', seats: 5 }] }).subscriptions,
    ).toHaveLength(1);
    expect(problemsOf({ ...team, subscriptions: [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 5 }] })).toEqual([
      {
        field: 'subscriptions.0.skuId',
        rule: 'must be an Essentials SKU for customerType "team" (1010060001, 1010060003, 1010060005)',
      },
    ]);
  });
});

describe('the whole order', () => {
  test('field, cross-field and unknown-field problems come back together, in one error', () => {
    const problems = problemsOf({
      ...base(),
      customerType: 'team',
      alternateEmail: undefined,
      postalAddress: { ...base().postalAddress, postalCode: '' },
      admin: { ...base().admin, primaryEmail: 'admin@elsewhere.example', passwordHashFunction: 'MD5' },
      notes: 'VIP',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'notes', rule: 'is not a known field' },
        { field: 'postalAddress.postalCode', rule: 'must not be empty' },
        { field: 'admin.passwordHashFunction', rule: 'is only allowed together with password' },
        { field: 'primaryAdmin', rule: 'is required for customerType "team"' },
        {
          field: 'admin',
          rule: 'is not allowed for customerType "team": Google makes primaryAdmin the administrator through its verification e-mail',
        },
      ]),
    );
  });

  test('an unknown key is named, cut short, without its unprintable characters', () => {
    expect(problemsOf({ ...base(), [`k\r\n${'k'.repeat(1000)}`]: 1 })).toEqual([
      { field: `k??${'k'.repeat(61)}…`, rule: 'is not a known field' },
    ]);
  });

  // The workflow validates again what the client already normalized: the result must not move.
  test.each(TRICKY_VALID_ORDERS.map((t) => [t.name, t.order] as const))(
    'validation is idempotent for %s',
    (_name, input) => {
      const once = validateOrder(input);
      expect(validateOrder(once)).toEqual(once);
    },
  );
});

test('an Essentials SKU on an annual plan is refused, naming the field (Google: "might not be able to use annual commitment plans")', () => {
  const order = { ...base(), subscriptions: [{ skuId: '1010060001', plan: 'ANNUAL_MONTHLY_PAY', seats: 5 }] };
  expect(problemsOf(order)).toEqual([
    { field: 'subscriptions.0.plan', rule: expect.stringContaining('FLEXIBLE or TRIAL') },
  ]);
  const flexible = { ...base(), subscriptions: [{ skuId: '1010060001', plan: 'FLEXIBLE', seats: 5 }] };
  expect(() => validateOrder(flexible)).not.toThrow();
});
