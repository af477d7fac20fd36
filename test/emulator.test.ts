/**
 * The Google API emulator, driven the way the onboarding drives Google: through the real googleapis
 * client for the Google paths, and through EmulatorControl for the test-only control paths.
 */
import { OAuth2Client } from 'google-auth-library';
import { admin, type admin_directory_v1 } from 'googleapis/build/src/apis/admin';
import { reseller } from 'googleapis/build/src/apis/reseller';
import { createTransport } from 'nodemailer';
import { EmulatorControl, EmulatorControlError } from '../emulator/control-client';
import type { GoogleErrorBody } from '../emulator/errors';
import { type RunningEmulator, startEmulator } from '../emulator/server';

let emulator: RunningEmulator;
let control: EmulatorControl;
let resellerApi: ReturnType<typeof reseller>;
let directory: admin_directory_v1.Admin;
let auth: OAuth2Client;

const DUPLICATE_BODY = {
  error: {
    code: 409,
    message: 'Entity already exists.',
    errors: [{ domain: 'global', reason: 'duplicate', message: 'Entity already exists.' }],
    status: 'ALREADY_EXISTS',
  },
};

function customerBody(domain: string) {
  return {
    customerDomain: domain,
    alternateEmail: 'owner@example.org',
    phoneNumber: '+14155550100',
    postalAddress: {
      contactName: 'Alex Cruz',
      organizationName: 'Example Org',
      postalCode: '94043',
      countryCode: 'US',
    },
  };
}

function userBody(email: string) {
  return {
    primaryEmail: email,
    name: { givenName: 'Alex', familyName: 'Cruz' },
    password: 'Temp-pass-1234',
    changePasswordAtNextLogin: true,
  };
}

interface CaughtGoogleError {
  status: number;
  body: GoogleErrorBody;
  headers: Headers;
}

/** The HTTP answer behind a rejected googleapis call (duck-typed, as the activities do). */
async function googleError(call: Promise<unknown>): Promise<CaughtGoogleError> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: GoogleErrorBody; headers: Headers } }).response;
    if (!response) throw error;
    return { status: response.status, body: response.data, headers: response.headers };
  }
  throw new Error('expected the Google call to fail');
}

async function createCustomer(domain: string): Promise<string> {
  const { data } = await resellerApi.customers.insert({ requestBody: customerBody(domain) });
  return data.customerId!;
}

// gaxios 8 loads node-fetch with a dynamic import(), which Jest's CommonJS runtime refuses: use Node's fetch.
beforeAll(async () => {
  emulator = await startEmulator({ httpPort: 0, smtpPort: 0 });
  control = new EmulatorControl(emulator.url);
  auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-access-token' });
  // One call, one answer: retries are the workflow's job (and tested separately below).
  const options = { rootUrl: emulator.url, auth, fetchImplementation: fetch, retryConfig: { retry: 0 } };
  resellerApi = reseller({ version: 'v1', ...options });
  directory = admin({ version: 'directory_v1', ...options });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  await control.reset();
});

describe('startEmulator', () => {
  it('listens on ephemeral ports and reports them', () => {
    expect(emulator.httpPort).toBeGreaterThan(0);
    expect(emulator.smtpPort).toBeGreaterThan(0);
    expect(emulator.smtpPort).not.toBe(emulator.httpPort);
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.httpPort}`);
  });
});

describe('Reseller customers', () => {
  it('inserts a customer and returns the full record by domain and by id', async () => {
    const { data: created } = await resellerApi.customers.insert({ requestBody: customerBody('Acme-Onboard.com') });
    expect(created).toMatchObject({
      kind: 'reseller#customer',
      customerDomain: 'acme-onboard.com',
      customerType: 'domain',
      alternateEmail: 'owner@example.org',
      phoneNumber: '+14155550100',
      customerDomainVerified: false,
      postalAddress: { countryCode: 'US', postalCode: '94043' },
    });
    expect(created.customerId).toMatch(/^C[0-9a-z]{8}$/);

    const byDomain = await resellerApi.customers.get({ customerId: 'acme-onboard.com' });
    const byId = await resellerApi.customers.get({ customerId: created.customerId! });
    expect(byDomain.data).toEqual(created);
    expect(byId.data).toEqual(created);

    const [customer] = (await control.state()).customers;
    expect(customer).toMatchObject({ owner: 'this-reseller', language: 'en', tosAccepted: false });
  });

  it('drops a phone number that is not E.164 instead of failing', async () => {
    const { data } = await resellerApi.customers.insert({
      requestBody: { ...customerBody('phone.example'), phoneNumber: '555 0100' },
    });
    expect(data.phoneNumber).toBeUndefined();
  });

  it('shows only the minimal record of customers managed by Google or by another reseller', async () => {
    await control.seed({
      customers: [
        { customerDomain: 'direct.example', owner: 'google', customerId: 'Cdirect01' },
        { customerDomain: 'theirs.example', owner: 'other-reseller', customerId: 'Ctheirs01' },
      ],
    });
    const direct = await resellerApi.customers.get({ customerId: 'direct.example' });
    expect(direct.data).toEqual({
      kind: 'reseller#customer',
      customerId: 'Cdirect01',
      customerDomain: 'direct.example',
      customerType: 'domain',
    });
    const theirs = await resellerApi.customers.get({ customerId: 'Ctheirs01' });
    expect(theirs.data).toEqual({
      kind: 'reseller#customer',
      customerId: 'Ctheirs01',
      customerDomain: 'theirs.example',
      customerType: 'domain',
    });
  });

  it('answers 404 notFound for an unknown customer', async () => {
    const error = await googleError(resellerApi.customers.get({ customerId: 'nobody.example' }));
    expect(error.status).toBe(404);
    expect(error.body.error.errors[0]!.reason).toBe('notFound');
    expect(error.body.error.status).toBe('NOT_FOUND');
  });

  it("answers Google's exact 409 body for a domain that exists, whoever owns it", async () => {
    await createCustomer('taken.example');
    await control.seed({ customers: [{ customerDomain: 'google-direct.example', owner: 'google' }] });

    for (const domain of ['taken.example', 'GOOGLE-direct.example']) {
      const error = await googleError(resellerApi.customers.insert({ requestBody: customerBody(domain) }));
      expect(error.status).toBe(409);
      expect(error.body).toEqual(DUPLICATE_BODY);
      expect(error.body.error.errors[0]!.reason).toBe('duplicate');
    }
    expect((await control.state()).customers).toHaveLength(2);
  });

  it.each([
    ['an alternateEmail on the customer domain', { alternateEmail: 'boss@same.example' }, 'alternateEmail'],
    ['an alternateEmail on a subdomain of it', { alternateEmail: 'boss@mail.same.example' }, 'alternateEmail'],
    ['a www. domain', { customerDomain: 'www.same.example' }, 'customerDomain'],
    ['a domain that is not one', { customerDomain: 'not a domain' }, 'customerDomain'],
    ['a missing alternateEmail', { alternateEmail: undefined }, 'alternateEmail'],
    [
      'a missing postal code',
      { postalAddress: { contactName: 'A', organizationName: 'B', countryCode: 'US' } },
      'postalAddress.postalCode',
    ],
    [
      'a country code that is not ISO alpha-2',
      { postalAddress: { contactName: 'A', organizationName: 'B', postalCode: '1', countryCode: 'USA' } },
      'postalAddress.countryCode',
    ],
    [
      'an address field over 255 characters',
      {
        postalAddress: {
          contactName: 'A',
          organizationName: 'B',
          postalCode: '1',
          countryCode: 'US',
          addressLine1: 'x'.repeat(256),
        },
      },
      'postalAddress.addressLine1',
    ],
    ['a team customer without primaryAdmin', { customerType: 'team' }, 'primaryAdmin.primaryEmail'],
    ['an unknown customerType', { customerType: 'school' }, 'customerType'],
  ])('rejects %s with 400 invalid naming the field', async (_case, override, field) => {
    const requestBody = { ...customerBody('same.example'), ...override };
    const error = await googleError(resellerApi.customers.insert({ requestBody }));
    expect(error.status).toBe(400);
    expect(error.body.error.status).toBe('INVALID_ARGUMENT');
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect(error.body.error.message).toContain(field);
    expect((await control.state()).customers).toHaveLength(0);
  });

  it('creates a team customer with its primary admin', async () => {
    const { data } = await resellerApi.customers.insert({
      requestBody: {
        customerDomain: 'team.example',
        customerType: 'team',
        primaryAdmin: { primaryEmail: 'lead@team.example' },
        postalAddress: { contactName: 'A', organizationName: 'B', postalCode: '1', countryCode: 'FR' },
      },
    });
    expect(data).toMatchObject({ customerType: 'team', primaryAdmin: { primaryEmail: 'lead@team.example' } });
  });
});

describe('Directory customers', () => {
  it('sets the default language of its own customer', async () => {
    const customerId = await createCustomer('lang.example');
    const patched = await directory.customers.patch({ customerKey: customerId, requestBody: { language: 'fr' } });
    expect(patched.data).toMatchObject({ kind: 'admin#directory#customer', id: customerId, language: 'fr' });
    const fetched = await directory.customers.get({ customerKey: customerId });
    expect(fetched.data).toMatchObject({
      customerDomain: 'lang.example',
      language: 'fr',
      alternateEmail: 'owner@example.org',
    });
  });

  it('rejects a language Google does not list, leaving the language as it was', async () => {
    const customerId = await createCustomer('badlang.example');
    const error = await googleError(
      directory.customers.patch({ customerKey: customerId, requestBody: { language: 'xx' } }),
    );
    expect(error.status).toBe(400);
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect((await directory.customers.get({ customerKey: customerId })).data.language).toBe('en');
  });

  it('refuses customers that are not this reseller’s with 403 forbidden', async () => {
    await control.seed({ customers: [{ customerDomain: 'direct.example', owner: 'google', customerId: 'Cdirect02' }] });
    const error = await googleError(directory.customers.get({ customerKey: 'Cdirect02' }));
    expect(error.status).toBe(403);
    expect(error.body.error.errors[0]!.reason).toBe('forbidden');
  });
});

describe('Directory users', () => {
  it('creates, reads, promotes and deletes a user, remembering the language at creation', async () => {
    const customerId = await createCustomer('users.example');
    await directory.customers.patch({ customerKey: customerId, requestBody: { language: 'de' } });

    const { data: created } = await directory.users.insert({
      requestBody: { ...userBody('Admin@Users.example'), isAdmin: true },
    });
    expect(created).toMatchObject({
      primaryEmail: 'admin@users.example',
      name: { givenName: 'Alex', familyName: 'Cruz' },
      customerId,
      isAdmin: false, // output-only: the request's isAdmin is ignored
      agreedToTerms: false,
      changePasswordAtNextLogin: true,
    });
    expect(created.id).toMatch(/^\d{21}$/);
    expect(created).not.toHaveProperty('password');
    expect(created).not.toHaveProperty('languageAtCreation');

    const state = await control.state();
    expect(state.users[0]).toMatchObject({ languageAtCreation: 'de', passwordSet: true });
    expect(JSON.stringify(state)).not.toContain('Temp-pass-1234');

    const makeAdmin = await directory.users.makeAdmin({
      userKey: 'admin@users.example',
      requestBody: { status: true },
    });
    expect(makeAdmin.status).toBe(200);
    expect((await directory.users.get({ userKey: created.id! })).data.isAdmin).toBe(true);
    await directory.users.makeAdmin({ userKey: created.id!, requestBody: { status: false } });
    expect((await directory.users.get({ userKey: 'admin@users.example' })).data.isAdmin).toBe(false);

    const deleted = await directory.users.delete({ userKey: 'admin@users.example' });
    expect(deleted.status).toBe(204);
    const error = await googleError(directory.users.get({ userKey: 'admin@users.example' }));
    expect(error.status).toBe(404);
    expect(error.body.error.message).toBe('Resource Not Found: userKey');
    expect(error.body.error.errors[0]!.reason).toBe('notFound');
    expect((await googleError(directory.users.delete({ userKey: created.id! }))).status).toBe(404);
  });

  it("answers Google's exact 409 body for an existing primaryEmail", async () => {
    await createCustomer('dup-users.example');
    await directory.users.insert({ requestBody: userBody('admin@dup-users.example') });
    const error = await googleError(directory.users.insert({ requestBody: userBody('ADMIN@dup-users.example') }));
    expect(error.status).toBe(409);
    expect(error.body).toEqual(DUPLICATE_BODY);
    expect((await control.state()).users).toHaveLength(1);
  });

  it.each([
    ['a password under 8 characters', { password: 'short' }, 'Password'],
    ['a password over 100 characters', { password: 'p'.repeat(101) }, 'Password'],
    ['a non-ASCII password', { password: 'pässwörd-long' }, 'Password'],
    ['an unknown hash function', { password: 'abc', hashFunction: 'SHA-256' }, 'hashFunction'],
    ['a missing password', { password: undefined }, 'password'],
    ['a missing family name', { name: { givenName: 'Alex' } }, 'name.familyName'],
    ['a given name over 60 characters', { name: { givenName: 'g'.repeat(61), familyName: 'C' } }, 'name.givenName'],
    ['a domain that is no customer of this reseller', { primaryEmail: 'x@elsewhere.example' }, 'Domain not found.'],
  ])('rejects %s with 400 invalid', async (_case, override, text) => {
    await createCustomer('checks.example');
    const error = await googleError(
      directory.users.insert({ requestBody: { ...userBody('admin@checks.example'), ...override } }),
    );
    expect(error.status).toBe(400);
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect(error.body.error.message).toContain(text);
    expect((await control.state()).users).toHaveLength(0);
  });

  it('accepts a hashed password of any length when hashFunction is given', async () => {
    await createCustomer('hash.example');
    const { data } = await directory.users.insert({
      requestBody: { ...userBody('admin@hash.example'), password: 'da39a3ee', hashFunction: 'SHA-1' },
    });
    expect(data.primaryEmail).toBe('admin@hash.example');
  });

  it('updates name, password flag and changePasswordAtNextLogin with PATCH and PUT', async () => {
    await createCustomer('update.example');
    await directory.users.insert({ requestBody: userBody('admin@update.example') });
    const patched = await directory.users.patch({
      userKey: 'admin@update.example',
      requestBody: { name: { givenName: 'Sam' }, changePasswordAtNextLogin: false },
    });
    expect(patched.data.name).toMatchObject({ givenName: 'Sam', familyName: 'Cruz' });
    expect(patched.data.changePasswordAtNextLogin).toBe(false);
    const error = await googleError(
      directory.users.update({
        userKey: 'admin@update.example',
        requestBody: { password: 'short', name: { givenName: 'Kim' } },
      }),
    );
    expect(error.status).toBe(400);
    // A rejected update changes nothing.
    expect((await directory.users.get({ userKey: 'admin@update.example' })).data.name?.givenName).toBe('Sam');
  });

  it('makes makeAdmin fail with 404 while user creation is still propagating', async () => {
    await control.updateSettings({ adminPropagationCalls: 2 });
    await createCustomer('slow.example');
    await directory.users.insert({ requestBody: userBody('admin@slow.example') });
    for (let call = 0; call < 2; call += 1) {
      const error = await googleError(
        directory.users.makeAdmin({ userKey: 'admin@slow.example', requestBody: { status: true } }),
      );
      expect(error.status).toBe(404);
      expect(error.body.error.message).toBe('User creation is not complete.');
      expect(error.body.error.errors[0]!.reason).toBe('notFound');
    }
    await directory.users.makeAdmin({ userKey: 'admin@slow.example', requestBody: { status: true } });
    expect((await directory.users.get({ userKey: 'admin@slow.example' })).data.isAdmin).toBe(true);
    expect((await control.state()).settings.adminPropagationCalls).toBe(2);
  });

  it('refuses users of a customer that is not this reseller’s', async () => {
    await control.seed({
      customers: [
        { customerDomain: 'direct.example', owner: 'google', users: [{ primaryEmail: 'boss@direct.example' }] },
      ],
    });
    const error = await googleError(directory.users.get({ userKey: 'boss@direct.example' }));
    expect(error.status).toBe(403);
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['a non-bearer scheme', { authorization: 'Basic eDp5' }],
  ])('answers 401 authError to %s', async (_case, headers: Record<string, string>) => {
    const response = await fetch(`${emulator.url}/apps/reseller/v1/customers/any.example`, { headers });
    expect(response.status).toBe(401);
    const body = (await response.json()) as GoogleErrorBody;
    expect(body.error).toMatchObject({ code: 401, message: 'Login Required.', status: 'UNAUTHENTICATED' });
    expect(body.error.errors[0]).toMatchObject({ domain: 'global', reason: 'authError' });
    const [logged] = await control.requests();
    expect(logged).toMatchObject({ method: 'GET', path: '/apps/reseller/v1/customers/any.example', status: 401 });
  });

  it('leaves control endpoints open', async () => {
    const response = await fetch(`${emulator.url}/_emulator/state`);
    expect(response.status).toBe(200);
  });
});

describe('customer acceptance of the terms', () => {
  it('marks users as agreed and lifts PENDING_TOS_ACCEPTANCE from subscriptions', async () => {
    const customerId = await createCustomer('tos.example');
    await directory.users.insert({ requestBody: userBody('admin@tos.example') });
    const { data: subscription } = await resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId: '1010020027', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
    });
    expect(subscription).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['PENDING_TOS_ACCEPTANCE'] });

    const accepted = await control.acceptTos('tos.example');
    expect(accepted).toEqual({ customerId, users: 1, subscriptionsActivated: 1 });

    expect((await directory.users.get({ userKey: 'admin@tos.example' })).data.agreedToTerms).toBe(true);
    const after = await resellerApi.subscriptions.get({ customerId, subscriptionId: subscription.subscriptionId! });
    expect(after.data.status).toBe('ACTIVE');
    expect(after.data.suspensionReasons).toBeUndefined();

    // Subscriptions ordered after acceptance start active.
    const { data: later } = await resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId: 'Google-Vault', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
    });
    expect(later.status).toBe('ACTIVE');
  });

  it('answers 404 for an unknown domain', async () => {
    await expect(control.acceptTos('nobody.example')).rejects.toMatchObject({ status: 404 });
  });
});

describe('faults', () => {
  it("'before' fails the call without doing it, with Retry-After, and is consumed", async () => {
    await createCustomer('fault.example');
    await control.addFault({ method: 'POST', path: '^/admin/directory/v1/users$', status: 503, retryAfterSeconds: 7 });
    expect(await control.faults()).toHaveLength(1);

    const error = await googleError(directory.users.insert({ requestBody: userBody('admin@fault.example') }));
    expect(error.status).toBe(503);
    expect(error.body.error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
    expect(error.body.error.errors[0]!.reason).toBe('backendError');
    expect(error.headers.get('retry-after')).toBe('7');
    expect((await control.state()).users).toHaveLength(0);
    expect(await control.faults()).toHaveLength(0);

    await directory.users.insert({ requestBody: userBody('admin@fault.example') });
    expect((await control.state()).users).toHaveLength(1);
  });

  it("'after' does the operation and loses the answer, so the retry sees 409", async () => {
    await control.addFault({ method: 'POST', path: '/customers$', status: 500, mode: 'after' });
    const error = await googleError(resellerApi.customers.insert({ requestBody: customerBody('lost.example') }));
    expect(error.status).toBe(500);
    expect(error.body.error.status).toBe('INTERNAL');
    expect((await control.state()).customers.map((c) => c.customerDomain)).toEqual(['lost.example']);

    const retry = await googleError(resellerApi.customers.insert({ requestBody: customerBody('lost.example') }));
    expect(retry.body).toEqual(DUPLICATE_BODY);
    const customer = await resellerApi.customers.get({ customerId: 'lost.example' });
    expect(customer.data.alternateEmail).toBe('owner@example.org');
  });

  it('turns a 204 answer into the error in after mode', async () => {
    await createCustomer('gone.example');
    await directory.users.insert({ requestBody: userBody('admin@gone.example') });
    await control.addFault({ method: 'DELETE', path: '/users/', status: 503, mode: 'after' });
    expect((await googleError(directory.users.delete({ userKey: 'admin@gone.example' }))).status).toBe(503);
    expect((await control.state()).users).toHaveLength(0);
  });

  it('uses a given reason, matches only the given method, and counts times', async () => {
    await createCustomer('quota.example');
    await control.addFault({
      method: 'get',
      path: '/customers/',
      status: 403,
      reason: 'userRateLimitExceeded',
      times: 2,
    });
    await directory.users.insert({ requestBody: userBody('admin@quota.example') }); // POST: not matched
    for (let i = 0; i < 2; i += 1) {
      const error = await googleError(resellerApi.customers.get({ customerId: 'quota.example' }));
      expect(error.status).toBe(403);
      expect(error.body.error.errors[0]!.reason).toBe('userRateLimitExceeded');
    }
    expect((await resellerApi.customers.get({ customerId: 'quota.example' })).status).toBe(200);
  });

  it('lets googleapis’ built-in GET retries through once the fault is used up', async () => {
    await createCustomer('retry.example');
    await control.addFault({ method: 'GET', path: '/customers/', status: 503, times: 2 });
    await control.clearRequests();
    const retrying = reseller({ version: 'v1', rootUrl: emulator.url, auth, fetchImplementation: fetch });
    const { data } = await retrying.customers.get({ customerId: 'retry.example' });
    expect(data.customerDomain).toBe('retry.example');
    expect((await control.requests()).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('delays without failing, and a delayed answer after the operation makes the client time out', async () => {
    await createCustomer('slow.example');
    await control.addFault({ method: 'GET', path: '/customers/', delayMs: 300 });
    const started = Date.now();
    await resellerApi.customers.get({ customerId: 'slow.example' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await control.addFault({ method: 'POST', path: '/users$', delayMs: 1000, mode: 'after' });
    await expect(
      directory.users.insert({ requestBody: userBody('admin@slow.example') }, { timeout: 200 }),
    ).rejects.toThrow();
    expect((await control.state()).users.map((u) => u.primaryEmail)).toEqual(['admin@slow.example']);
  });

  it('rejects a fault without status or delay, or with a broken regex', async () => {
    await expect(control.addFault({ path: '/users' })).rejects.toBeInstanceOf(EmulatorControlError);
    await expect(control.addFault({ path: '(', status: 503 })).rejects.toMatchObject({ status: 400 });
    expect(await control.faults()).toEqual([]);
  });
});

describe('transfer from Google or another reseller', () => {
  const domain = 'transfer-me.example';
  const WORKSPACE_TRANSFER = {
    skuId: '1010020028',
    plan: { planName: 'ANNUAL_MONTHLY_PAY' },
    seats: { numberOfSeats: 20 },
  };

  beforeEach(async () => {
    await control.seed({
      customers: [
        {
          customerDomain: domain,
          owner: 'google',
          customerId: 'Ctransfer1',
          transferTokens: [
            { token: 'good-token' },
            { token: 'old-token', expiresAt: Date.now() - 1000 },
            { token: 'their-token', forReseller: 'other' },
          ],
          subscriptions: [
            { skuId: '1010020028', planName: 'ANNUAL_MONTHLY_PAY', seats: 25, minimumTransferableSeats: 20 },
            { skuId: 'Google-Vault', planName: 'FLEXIBLE', seats: 10, minimumTransferableSeats: 5 },
          ],
          users: [{ primaryEmail: 'boss@transfer-me.example', isAdmin: true }],
        },
      ],
    });
  });

  it.each([
    ['no token', undefined, 'required'],
    ['an expired token', 'old-token', 'expired'],
    ['a token for another reseller', 'their-token', 'not valid'],
    ['an unknown token', 'made-up', 'not valid'],
  ])('refuses to list with %s (403 forbidden)', async (_case, customerAuthToken, text) => {
    const error = await googleError(resellerApi.subscriptions.list({ customerId: domain, customerAuthToken }));
    expect(error.status).toBe(403);
    expect(error.body.error.errors[0]!.reason).toBe('forbidden');
    expect(error.body.error.message).toContain(text);
    expect(error.body.error.message).not.toContain(customerAuthToken ?? 'token-value');
  });

  it('lists transferable subscriptions with transferInfo', async () => {
    const { data } = await resellerApi.subscriptions.list({ customerId: domain, customerAuthToken: 'good-token' });
    expect(data.kind).toBe('reseller#subscriptions');
    const bySku = new Map(data.subscriptions!.map((s) => [s.skuId, s]));
    const workspace = bySku.get('1010020028')!;
    expect(workspace.plan?.planName).toBe('ANNUAL');
    expect(workspace.seats).toMatchObject({ numberOfSeats: 25, licensedNumberOfSeats: 20 });
    expect(workspace.transferInfo?.minimumTransferableSeats).toBe(20);
    expect(Number(workspace.transferInfo?.transferabilityExpirationTime)).toBeGreaterThan(Date.now());
    expect(bySku.get('Google-Vault')?.transferInfo?.minimumTransferableSeats).toBe(5);
    expect(bySku.get('Google-Vault')?.seats?.maximumNumberOfSeats).toBe(10);
  });

  it('rejects a listed subscription sent back as is (read-only fields)', async () => {
    const { data } = await resellerApi.subscriptions.list({ customerId: domain, customerAuthToken: 'good-token' });
    const listed = data.subscriptions!.find((s) => s.skuId === '1010020028')!;
    const error = await googleError(
      resellerApi.subscriptions.insert({ customerId: domain, customerAuthToken: 'good-token', requestBody: listed }),
    );
    expect(error.status).toBe(400);
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect(error.body.error.message).toBe('Licensed number of seats field is read-only.');

    const withStatus = await googleError(
      resellerApi.subscriptions.insert({
        customerId: domain,
        customerAuthToken: 'good-token',
        requestBody: { ...WORKSPACE_TRANSFER, status: 'ACTIVE' },
      }),
    );
    expect(withStatus.body.error.message).toContain('read-only');
  });

  it.each([
    ['too few seats', { ...WORKSPACE_TRANSFER, seats: { numberOfSeats: 19 } }, 'at least 20'],
    ['the output plan name ANNUAL', { ...WORKSPACE_TRANSFER, plan: { planName: 'ANNUAL' } }, 'plan.planName'],
    [
      'maximumNumberOfSeats on an annual plan',
      { ...WORKSPACE_TRANSFER, plan: { planName: 'ANNUAL_YEARLY_PAY' }, seats: { maximumNumberOfSeats: 30 } },
      'seats.numberOfSeats',
    ],
    [
      'a SKU the customer does not have',
      { skuId: '1010020020', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 30 } },
      'skuId',
    ],
  ])('rejects a transfer with %s (400 invalid)', async (_case, requestBody, text) => {
    const error = await googleError(
      resellerApi.subscriptions.insert({ customerId: domain, customerAuthToken: 'good-token', requestBody }),
    );
    expect(error.status).toBe(400);
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect(error.body.error.message).toContain(text);
  });

  it('refuses a transfer with an expired or foreign token (403)', async () => {
    const requestBody = WORKSPACE_TRANSFER;
    for (const customerAuthToken of ['old-token', 'their-token', undefined]) {
      const error = await googleError(
        resellerApi.subscriptions.insert({ customerId: domain, customerAuthToken, requestBody }),
      );
      expect(error.status).toBe(403);
    }
    expect((await control.state()).subscriptions.every((s) => s.owner === 'google')).toBe(true);
  });

  it('moves each subscription, then the customer, to this reseller', async () => {
    const { data: workspace } = await resellerApi.subscriptions.insert({
      customerId: domain,
      customerAuthToken: 'good-token',
      requestBody: WORKSPACE_TRANSFER,
    });
    expect(workspace).toMatchObject({
      customerId: 'Ctransfer1',
      skuId: '1010020028',
      plan: { planName: 'ANNUAL', isCommitmentPlan: true },
      seats: { numberOfSeats: 20 },
      status: 'SUSPENDED',
      suspensionReasons: ['PENDING_TOS_ACCEPTANCE'],
    });
    expect(workspace.transferInfo).toBeUndefined();
    // Vault is still Google's: the customer stays Google's too.
    expect((await resellerApi.customers.get({ customerId: domain })).data.alternateEmail).toBeUndefined();

    const again = await googleError(
      resellerApi.subscriptions.insert({
        customerId: domain,
        customerAuthToken: 'good-token',
        requestBody: WORKSPACE_TRANSFER,
      }),
    );
    expect(again.body).toEqual(DUPLICATE_BODY);

    const listed = await resellerApi.subscriptions.list({ customerId: domain, customerAuthToken: 'good-token' });
    const done = listed.data.subscriptions!.find((s) => s.skuId === '1010020028')!;
    expect(done.transferInfo).toBeUndefined();

    await resellerApi.subscriptions.insert({
      customerId: domain,
      customerAuthToken: 'good-token',
      requestBody: { skuId: 'Google-Vault', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
    });
    const customer = await resellerApi.customers.get({ customerId: domain });
    expect(customer.data.alternateEmail).toBeDefined();
    expect((await control.state()).customers[0]!.owner).toBe('this-reseller');
    // Now ours: Directory access opens and the subscriptions list needs no token.
    expect((await directory.users.get({ userKey: 'boss@transfer-me.example' })).data.isAdmin).toBe(true);
    const ours = await resellerApi.subscriptions.list({ customerId: 'Ctransfer1' });
    expect(ours.data.subscriptions!.map((s) => s.skuId).sort()).toEqual(['1010020028', 'Google-Vault']);

    // The token never reaches the request log.
    const logged = await control.requests();
    expect(JSON.stringify(logged)).not.toContain('good-token');
    expect(logged.find((r) => r.method === 'POST')?.query).toEqual({ customerAuthToken: '[redacted]' });
  });
});

describe('Reseller subscriptions of our own customers', () => {
  it('creates, reads, and deletes only with a deletionType', async () => {
    const customerId = await createCustomer('subs.example');
    await control.acceptTos('subs.example');
    const { data: created } = await resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId: '1010020027', plan: { planName: 'ANNUAL_YEARLY_PAY' }, seats: { numberOfSeats: 3 } },
    });
    expect(created).toMatchObject({
      skuName: 'Google Workspace Business Starter',
      plan: { planName: 'ANNUAL_YEARLY_PAY' },
      status: 'ACTIVE',
    });
    expect(created.subscriptionId).toBeDefined();
    const duplicateSku = await googleError(
      resellerApi.subscriptions.insert({
        customerId,
        requestBody: { skuId: '1010020027', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 3 } },
      }),
    );
    expect(duplicateSku.status).toBe(409);

    const subscriptionId = created.subscriptionId!;
    expect((await resellerApi.subscriptions.get({ customerId, subscriptionId })).data.skuId).toBe('1010020027');
    // googleapis itself refuses to send a delete without deletionType: check the server with fetch.
    const path = `/apps/reseller/v1/customers/${customerId}/subscriptions/${subscriptionId}`;
    const noType = await fetch(`${emulator.url}${path}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer test-access-token' },
    });
    expect(noType.status).toBe(400);
    const badType = await googleError(
      resellerApi.subscriptions.delete({ customerId, subscriptionId, deletionType: 'suspend' }),
    );
    expect(badType.status).toBe(400);

    const deleted = await resellerApi.subscriptions.delete({ customerId, subscriptionId, deletionType: 'cancel' });
    expect(deleted.status).toBe(204);
    expect((await googleError(resellerApi.subscriptions.get({ customerId, subscriptionId }))).status).toBe(404);
  });

  it('hands a customer back to Google with transfer_to_direct', async () => {
    const customerId = await createCustomer('leaving.example');
    const { data } = await resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId: '1010020028', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 3 } },
    });
    await resellerApi.subscriptions.delete({
      customerId,
      subscriptionId: data.subscriptionId!,
      deletionType: 'transfer_to_direct',
    });
    expect((await resellerApi.customers.get({ customerId })).data.alternateEmail).toBeUndefined();
  });
});

describe('SMTP sink', () => {
  it('keeps what nodemailer sends, envelope recipients included', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: emulator.smtpPort, secure: false, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        from: 'Onboarding <onboarding@reseller.example>',
        to: 'admin@customer.example',
        bcc: 'audit@reseller.example',
        subject: 'Accept the Google Workspace terms',
        text: 'Sign in at https://admin.google.com and accept the terms.',
      });
      const mail = await control.waitForMail((m) => m.subject === 'Accept the Google Workspace terms', 2000);
      expect(mail).toMatchObject({
        from: 'onboarding@reseller.example',
        messageId: info.messageId,
      });
      expect(mail.to.sort()).toEqual(['admin@customer.example', 'audit@reseller.example']);
      expect(mail.text).toContain('https://admin.google.com');
      expect(Number.isNaN(Date.parse(mail.receivedAt))).toBe(false);
    } finally {
      transport.close();
    }
    await control.clearMail();
    expect(await control.mail()).toEqual([]);
  });

  it('waitForMail gives up after its timeout', async () => {
    await expect(control.waitForMail(() => true, 150)).rejects.toThrow('No matching mail within 150 ms');
  });
});

describe('control endpoints', () => {
  it('reset forgets customers, requests, faults, mail and settings', async () => {
    await createCustomer('reset.example');
    await control.addFault({ path: '/nothing', status: 503 });
    await control.updateSettings({ adminPropagationCalls: 3 });
    await control.reset();
    const state = await control.state();
    expect(state.customers).toEqual([]);
    expect(state.settings).toEqual({ adminPropagationCalls: 0 });
    expect(await control.requests()).toEqual([]);
    expect(await control.faults()).toEqual([]);
  });

  it('rejects an invalid seed and adds nothing', async () => {
    await expect(
      control.seed({ customers: [{ customerDomain: 'a.example', owner: 'google', language: 'xx' }] }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      control.seed({
        customers: [{ customerDomain: 'b.example', owner: 'google' }, { customerDomain: 'B.example', owner: 'google' }],
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await control.state()).customers).toEqual([]);
  });

  it('returns seeded ids and hides transfer token values in the state', async () => {
    const result = await control.seed({
      customers: [
        {
          customerDomain: 'seeded.example',
          owner: 'other-reseller',
          transferTokens: [{ token: 'secret-token', expiresAt: '2030-01-01T00:00:00Z' }],
          subscriptions: [{ skuId: '1010020027', planName: 'FLEXIBLE', seats: 4 }],
          users: [{ primaryEmail: 'someone@seeded.example' }],
        },
      ],
    });
    const [customer] = result.customers;
    expect(customer!.customerId).toMatch(/^C/);
    expect(customer!.subscriptions).toHaveLength(1);
    expect(customer!.users[0]!.primaryEmail).toBe('someone@seeded.example');
    const state = await control.state();
    expect(JSON.stringify(state)).not.toContain('secret-token');
    expect(state.customers[0]!.transferTokens).toEqual([
      { forReseller: 'this', expiresAt: Date.parse('2030-01-01T00:00:00Z') },
    ]);
  });
});
