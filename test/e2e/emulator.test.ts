/**
 * The Google API emulator, driven the way the onboarding drives Google: through the real googleapis
 * client for the Google paths, and through EmulatorControl for the test-only control paths.
 * Customers, Directory users, terms, faults, the SMTP sink and the control endpoints; subscriptions,
 * transfers and security have files of their own (test/emulator-*.test.ts).
 */
import { reseller } from 'googleapis/build/src/apis/reseller';
import { createTransport } from 'nodemailer';
import { EmulatorControlError } from '../../emulator/control-client';
import type { GoogleErrorBody } from '../../emulator/errors';
import {
  createCustomer,
  customerBody,
  DUPLICATE_BODY,
  googleError,
  useEmulator,
  userBody,
} from '../support/emulator-harness';

const h = useEmulator();

describe('startEmulator', () => {
  it('listens on ephemeral ports and reports them', () => {
    expect(h.emulator.httpPort).toBeGreaterThan(0);
    expect(h.emulator.smtpPort).toBeGreaterThan(0);
    expect(h.emulator.smtpPort).not.toBe(h.emulator.httpPort);
    expect(h.emulator.url).toBe(`http://127.0.0.1:${h.emulator.httpPort}`);
  });
});

describe('Reseller customers', () => {
  it('inserts a customer and returns the full record by domain and by id', async () => {
    const { data: created } = await h.resellerApi.customers.insert({ requestBody: customerBody('Acme-Onboard.com') });
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

    const byDomain = await h.resellerApi.customers.get({ customerId: 'acme-onboard.com' });
    const byId = await h.resellerApi.customers.get({ customerId: created.customerId! });
    expect(byDomain.data).toEqual(created);
    expect(byId.data).toEqual(created);

    const [customer] = (await h.control.state()).customers;
    expect(customer).toMatchObject({ owner: 'this-reseller', language: 'en', tosAccepted: false });
  });

  it('drops a phone number without "+" and country code instead of failing, and keeps local formats', async () => {
    const { data } = await h.resellerApi.customers.insert({
      requestBody: { ...customerBody('phone.example'), phoneNumber: '555 0100' },
    });
    expect(data.phoneNumber).toBeUndefined();
    // "The rest of the number can be contiguous numbers or respect the phone local format conventions"
    const local = await h.resellerApi.customers.insert({
      requestBody: { ...customerBody('local-phone.example'), phoneNumber: '+1 (650) 253-0000' },
    });
    expect(local.data.phoneNumber).toBe('+1 (650) 253-0000');
    const fake = await h.resellerApi.customers.insert({
      requestBody: { ...customerBody('fake-phone.example'), phoneNumber: '+123' },
    });
    expect(fake.data.phoneNumber).toBeUndefined();
  });

  it('accepts a password of any ASCII characters, 8 to 100 of them (Directory users reference)', async () => {
    await h.resellerApi.customers.insert({ requestBody: customerBody('pw.example') });
    const { data } = await h.directory.users.insert({
      requestBody: {
        primaryEmail: 'tab@pw.example',
        name: { givenName: 'Tab', familyName: 'User' },
        password: 'with\ttab and ~ all',
      },
    });
    expect(data.primaryEmail).toBe('tab@pw.example');
  });

  it('shows only the minimal record of customers managed by Google or by another reseller', async () => {
    await h.control.seed({
      customers: [
        { customerDomain: 'direct.example', owner: 'google', customerId: 'Cdirect01' },
        { customerDomain: 'theirs.example', owner: 'other-reseller', customerId: 'Ctheirs01' },
      ],
    });
    const direct = await h.resellerApi.customers.get({ customerId: 'direct.example' });
    expect(direct.data).toEqual({
      kind: 'reseller#customer',
      customerId: 'Cdirect01',
      customerDomain: 'direct.example',
      customerType: 'domain',
    });
    const theirs = await h.resellerApi.customers.get({ customerId: 'Ctheirs01' });
    expect(theirs.data).toEqual({
      kind: 'reseller#customer',
      customerId: 'Ctheirs01',
      customerDomain: 'theirs.example',
      customerType: 'domain',
    });
  });

  it('answers 404 notFound for an unknown customer', async () => {
    const error = await googleError(h.resellerApi.customers.get({ customerId: 'nobody.example' }));
    expect(error.status).toBe(404);
    expect(error.body.error.errors[0]!.reason).toBe('notFound');
    expect(error.body.error.status).toBe('NOT_FOUND');
  });

  it("answers Google's exact 409 body for a domain that exists, whoever owns it", async () => {
    await createCustomer(h, 'taken.example');
    await h.control.seed({ customers: [{ customerDomain: 'google-direct.example', owner: 'google' }] });

    for (const domain of ['taken.example', 'GOOGLE-direct.example']) {
      const error = await googleError(h.resellerApi.customers.insert({ requestBody: customerBody(domain) }));
      expect(error.status).toBe(409);
      expect(error.body).toEqual(DUPLICATE_BODY);
      expect(error.body.error.errors[0]!.reason).toBe('duplicate');
    }
    expect((await h.control.state()).customers).toHaveLength(2);
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
    const error = await googleError(h.resellerApi.customers.insert({ requestBody }));
    expect(error.status).toBe(400);
    expect(error.body.error.status).toBe('INVALID_ARGUMENT');
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect(error.body.error.message).toContain(field);
    expect((await h.control.state()).customers).toHaveLength(0);
  });

  it('creates a team customer with its primary admin', async () => {
    const { data } = await h.resellerApi.customers.insert({
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
    const customerId = await createCustomer(h, 'lang.example');
    const patched = await h.directory.customers.patch({ customerKey: customerId, requestBody: { language: 'fr' } });
    expect(patched.data).toMatchObject({ kind: 'admin#directory#customer', id: customerId, language: 'fr' });
    const fetched = await h.directory.customers.get({ customerKey: customerId });
    expect(fetched.data).toMatchObject({
      customerDomain: 'lang.example',
      language: 'fr',
      alternateEmail: 'owner@example.org',
    });
  });

  it('accepts a language code Google does not list, as Google does, and refuses what is no language code', async () => {
    const customerId = await createCustomer(h, 'badlang.example');
    // "Valid language codes outside the supported set will be accepted by the API but may lead to unexpected behavior"
    const { data } = await h.directory.customers.patch({ customerKey: customerId, requestBody: { language: 'xx' } });
    expect(data.language).toBe('xx');
    const error = await googleError(
      h.directory.customers.patch({ customerKey: customerId, requestBody: { language: 'not a language!' } }),
    );
    expect(error.status).toBe(400);
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect((await h.directory.customers.get({ customerKey: customerId })).data.language).toBe('xx');
  });

  it('refuses customers that are not this reseller’s with 403 forbidden', async () => {
    await h.control.seed({
      customers: [{ customerDomain: 'direct.example', owner: 'google', customerId: 'Cdirect02' }],
    });
    const error = await googleError(h.directory.customers.get({ customerKey: 'Cdirect02' }));
    expect(error.status).toBe(403);
    expect(error.body.error.errors[0]!.reason).toBe('forbidden');
  });
});

describe('Directory users', () => {
  it('creates, reads, promotes and deletes a user, remembering the language at creation', async () => {
    const customerId = await createCustomer(h, 'users.example');
    await h.directory.customers.patch({ customerKey: customerId, requestBody: { language: 'de' } });

    const { data: created } = await h.directory.users.insert({
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

    const state = await h.control.state();
    expect(state.users[0]).toMatchObject({ languageAtCreation: 'de', passwordSet: true });
    expect(JSON.stringify(state)).not.toContain('Temp-pass-1234');

    const makeAdmin = await h.directory.users.makeAdmin({
      userKey: 'admin@users.example',
      requestBody: { status: true },
    });
    expect(makeAdmin.status).toBe(200);
    expect((await h.directory.users.get({ userKey: created.id! })).data.isAdmin).toBe(true);
    await h.directory.users.makeAdmin({ userKey: created.id!, requestBody: { status: false } });
    expect((await h.directory.users.get({ userKey: 'admin@users.example' })).data.isAdmin).toBe(false);

    const deleted = await h.directory.users.delete({ userKey: 'admin@users.example' });
    expect(deleted.status).toBe(204);
    const error = await googleError(h.directory.users.get({ userKey: 'admin@users.example' }));
    expect(error.status).toBe(404);
    expect(error.body.error.message).toBe('Resource Not Found: userKey');
    expect(error.body.error.errors[0]!.reason).toBe('notFound');
    expect((await googleError(h.directory.users.delete({ userKey: created.id! }))).status).toBe(404);
  });

  it("answers Google's exact 409 body for an existing primaryEmail", async () => {
    await createCustomer(h, 'dup-users.example');
    await h.directory.users.insert({ requestBody: userBody('admin@dup-users.example') });
    const error = await googleError(h.directory.users.insert({ requestBody: userBody('ADMIN@dup-users.example') }));
    expect(error.status).toBe(409);
    expect(error.body).toEqual(DUPLICATE_BODY);
    expect((await h.control.state()).users).toHaveLength(1);
  });

  it.each([
    ['a password under 8 characters', { password: 'short' }, 'Password'],
    ['a password over 100 characters', { password: 'p'.repeat(101) }, 'Password'],
    ['a non-ASCII password', { password: 'pässwörd-long' }, 'Password'],
    ['an unknown hash function', { password: 'abc', hashFunction: 'SHA-256' }, 'hashFunction'],
    ['a missing password', { password: undefined }, 'password'],
    ['a missing family name', { name: { givenName: 'Alex' } }, 'name.familyName'],
    ['a given name over 40 characters', { name: { givenName: 'g'.repeat(41), familyName: 'C' } }, 'name.givenName'],
    ['a domain that is no customer of this reseller', { primaryEmail: 'x@elsewhere.example' }, 'Domain not found.'],
  ])('rejects %s with 400 invalid', async (_case, override, text) => {
    await createCustomer(h, 'checks.example');
    const error = await googleError(
      h.directory.users.insert({ requestBody: { ...userBody('admin@checks.example'), ...override } }),
    );
    expect(error.status).toBe(400);
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect(error.body.error.message).toContain(text);
    expect((await h.control.state()).users).toHaveLength(0);
  });

  it('accepts a hashed password of any length when hashFunction is given', async () => {
    await createCustomer(h, 'hash.example');
    const { data } = await h.directory.users.insert({
      requestBody: { ...userBody('admin@hash.example'), password: 'da39a3ee', hashFunction: 'SHA-1' },
    });
    expect(data.primaryEmail).toBe('admin@hash.example');
  });

  it('updates name, password flag and changePasswordAtNextLogin with PATCH and PUT', async () => {
    await createCustomer(h, 'update.example');
    await h.directory.users.insert({ requestBody: userBody('admin@update.example') });
    const patched = await h.directory.users.patch({
      userKey: 'admin@update.example',
      requestBody: { name: { givenName: 'Sam' }, changePasswordAtNextLogin: false },
    });
    expect(patched.data.name).toMatchObject({ givenName: 'Sam', familyName: 'Cruz' });
    expect(patched.data.changePasswordAtNextLogin).toBe(false);
    const error = await googleError(
      h.directory.users.update({
        userKey: 'admin@update.example',
        requestBody: { password: 'short', name: { givenName: 'Kim' } },
      }),
    );
    expect(error.status).toBe(400);
    // A rejected update changes nothing.
    expect((await h.directory.users.get({ userKey: 'admin@update.example' })).data.name?.givenName).toBe('Sam');
  });

  it('makes makeAdmin fail with 404 while user creation is still propagating', async () => {
    await h.control.updateSettings({ adminPropagationCalls: 2 });
    await createCustomer(h, 'slow.example');
    await h.directory.users.insert({ requestBody: userBody('admin@slow.example') });
    for (let call = 0; call < 2; call += 1) {
      const error = await googleError(
        h.directory.users.makeAdmin({ userKey: 'admin@slow.example', requestBody: { status: true } }),
      );
      expect(error.status).toBe(404);
      expect(error.body.error.message).toBe('User creation is not complete.');
      expect(error.body.error.errors[0]!.reason).toBe('notFound');
    }
    await h.directory.users.makeAdmin({ userKey: 'admin@slow.example', requestBody: { status: true } });
    expect((await h.directory.users.get({ userKey: 'admin@slow.example' })).data.isAdmin).toBe(true);
    expect((await h.control.state()).settings.adminPropagationCalls).toBe(2);
  });

  it('refuses users of a customer that is not this reseller’s', async () => {
    await h.control.seed({
      customers: [
        { customerDomain: 'direct.example', owner: 'google', users: [{ primaryEmail: 'boss@direct.example' }] },
      ],
    });
    const error = await googleError(h.directory.users.get({ userKey: 'boss@direct.example' }));
    expect(error.status).toBe(403);
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['a non-bearer scheme', { authorization: 'Basic eDp5' }],
  ])('answers 401 authError to %s', async (_case, headers: Record<string, string>) => {
    const response = await fetch(`${h.emulator.url}/apps/reseller/v1/customers/any.example`, { headers });
    expect(response.status).toBe(401);
    const body = (await response.json()) as GoogleErrorBody;
    expect(body.error).toMatchObject({ code: 401, message: 'Login Required.', status: 'UNAUTHENTICATED' });
    expect(body.error.errors[0]).toMatchObject({ domain: 'global', reason: 'authError' });
    const [logged] = await h.control.requests();
    expect(logged).toMatchObject({ method: 'GET', path: '/apps/reseller/v1/customers/any.example', status: 401 });
  });

  it('leaves control endpoints open', async () => {
    const response = await fetch(`${h.emulator.url}/_emulator/state`);
    expect(response.status).toBe(200);
  });
});

describe('customer acceptance of the terms', () => {
  it('marks users as agreed and lifts PENDING_TOS_ACCEPTANCE from subscriptions', async () => {
    const customerId = await createCustomer(h, 'tos.example');
    await h.directory.users.insert({ requestBody: userBody('admin@tos.example') });
    const { data: subscription } = await h.resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId: '1010020027', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
    });
    expect(subscription).toMatchObject({ status: 'SUSPENDED', suspensionReasons: ['PENDING_TOS_ACCEPTANCE'] });

    const accepted = await h.control.acceptTos('tos.example');
    expect(accepted).toEqual({ customerId, users: 1, subscriptionsActivated: 1 });

    expect((await h.directory.users.get({ userKey: 'admin@tos.example' })).data.agreedToTerms).toBe(true);
    const after = await h.resellerApi.subscriptions.get({ customerId, subscriptionId: subscription.subscriptionId! });
    expect(after.data.status).toBe('ACTIVE');
    expect(after.data.suspensionReasons).toBeUndefined();

    // Subscriptions ordered after acceptance start active.
    const { data: later } = await h.resellerApi.subscriptions.insert({
      customerId,
      requestBody: { skuId: 'Google-Vault', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
    });
    expect(later.status).toBe('ACTIVE');
  });

  it('answers 404 for an unknown domain', async () => {
    await expect(h.control.acceptTos('nobody.example')).rejects.toMatchObject({ status: 404 });
  });
});

describe('faults', () => {
  it("'before' fails the call without doing it, with Retry-After, and is consumed", async () => {
    await createCustomer(h, 'fault.example');
    await h.control.addFault({
      method: 'POST',
      path: '^/admin/directory/v1/users$',
      status: 503,
      retryAfterSeconds: 7,
    });
    expect(await h.control.faults()).toHaveLength(1);

    const error = await googleError(h.directory.users.insert({ requestBody: userBody('admin@fault.example') }));
    expect(error.status).toBe(503);
    expect(error.body.error).toMatchObject({ code: 503, status: 'UNAVAILABLE' });
    expect(error.body.error.errors[0]!.reason).toBe('backendError');
    expect(error.headers.get('retry-after')).toBe('7');
    expect((await h.control.state()).users).toHaveLength(0);
    expect(await h.control.faults()).toHaveLength(0);

    await h.directory.users.insert({ requestBody: userBody('admin@fault.example') });
    expect((await h.control.state()).users).toHaveLength(1);
  });

  it("'after' does the operation and loses the answer, so the retry sees 409", async () => {
    await h.control.addFault({ method: 'POST', path: '/customers$', status: 500, mode: 'after' });
    const error = await googleError(h.resellerApi.customers.insert({ requestBody: customerBody('lost.example') }));
    expect(error.status).toBe(500);
    expect(error.body.error.status).toBe('INTERNAL');
    expect((await h.control.state()).customers.map((c) => c.customerDomain)).toEqual(['lost.example']);

    const retry = await googleError(h.resellerApi.customers.insert({ requestBody: customerBody('lost.example') }));
    expect(retry.body).toEqual(DUPLICATE_BODY);
    const customer = await h.resellerApi.customers.get({ customerId: 'lost.example' });
    expect(customer.data.alternateEmail).toBe('owner@example.org');
  });

  it('turns a 204 answer into the error in after mode', async () => {
    await createCustomer(h, 'gone.example');
    await h.directory.users.insert({ requestBody: userBody('admin@gone.example') });
    await h.control.addFault({ method: 'DELETE', path: '/users/', status: 503, mode: 'after' });
    expect((await googleError(h.directory.users.delete({ userKey: 'admin@gone.example' }))).status).toBe(503);
    expect((await h.control.state()).users).toHaveLength(0);
  });

  it('uses a given reason, matches only the given method, and counts times', async () => {
    await createCustomer(h, 'quota.example');
    await h.control.addFault({
      method: 'get',
      path: '/customers/',
      status: 403,
      reason: 'userRateLimitExceeded',
      times: 2,
    });
    await h.directory.users.insert({ requestBody: userBody('admin@quota.example') }); // POST: not matched
    for (let i = 0; i < 2; i += 1) {
      const error = await googleError(h.resellerApi.customers.get({ customerId: 'quota.example' }));
      expect(error.status).toBe(403);
      expect(error.body.error.errors[0]!.reason).toBe('userRateLimitExceeded');
    }
    expect((await h.resellerApi.customers.get({ customerId: 'quota.example' })).status).toBe(200);
  });

  it('lets googleapis’ built-in GET retries through once the fault is used up', async () => {
    await createCustomer(h, 'retry.example');
    await h.control.addFault({ method: 'GET', path: '/customers/', status: 503, times: 2 });
    await h.control.clearRequests();
    const retrying = reseller({ version: 'v1', rootUrl: h.emulator.url, auth: h.auth, fetchImplementation: fetch });
    const { data } = await retrying.customers.get({ customerId: 'retry.example' });
    expect(data.customerDomain).toBe('retry.example');
    expect((await h.control.requests()).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('delays without failing, and a delayed answer after the operation makes the client time out', async () => {
    await createCustomer(h, 'slow.example');
    await h.control.addFault({ method: 'GET', path: '/customers/', delayMs: 300 });
    const started = Date.now();
    await h.resellerApi.customers.get({ customerId: 'slow.example' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await h.control.addFault({ method: 'POST', path: '/users$', delayMs: 1000, mode: 'after' });
    await expect(
      h.directory.users.insert({ requestBody: userBody('admin@slow.example') }, { timeout: 200 }),
    ).rejects.toThrow();
    expect((await h.control.state()).users.map((u) => u.primaryEmail)).toEqual(['admin@slow.example']);
  });

  it('rejects a fault without status or delay, or with a broken regex', async () => {
    await expect(h.control.addFault({ path: '/users' })).rejects.toBeInstanceOf(EmulatorControlError);
    await expect(h.control.addFault({ path: '(', status: 503 })).rejects.toMatchObject({ status: 400 });
    expect(await h.control.faults()).toEqual([]);
  });
});

describe('SMTP sink', () => {
  it('keeps what nodemailer sends, envelope recipients included', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: h.emulator.smtpPort, secure: false, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        from: 'Onboarding <onboarding@reseller.example>',
        to: 'admin@customer.example',
        bcc: 'audit@reseller.example',
        subject: 'Accept the Google Workspace terms',
        text: 'Sign in at https://admin.google.com and accept the terms.',
      });
      const mail = await h.control.waitForMail((m) => m.subject === 'Accept the Google Workspace terms', 2000);
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
    await h.control.clearMail();
    expect(await h.control.mail()).toEqual([]);
  });

  it('waitForMail gives up after its timeout', async () => {
    await expect(h.control.waitForMail(() => true, 150)).rejects.toThrow('No matching mail within 150 ms');
  });
});

describe('control endpoints', () => {
  it('reset forgets customers, requests, faults, mail and settings', async () => {
    await createCustomer(h, 'reset.example');
    await h.control.addFault({ path: '/nothing', status: 503 });
    await h.control.updateSettings({
      adminPropagationCalls: 3,
      customerPropagationCalls: 2,
      batchResponseContentIds: true,
    });
    await h.control.reset();
    const state = await h.control.state();
    expect(state.customers).toEqual([]);
    expect(state.settings).toEqual({
      adminPropagationCalls: 0,
      customerPropagationCalls: 0,
      batchResponseContentIds: false,
      directoryQueriesPerMinute: null,
      resellerQueriesPerMinute: null,
      userCreationsPerDomainPerSecond: null,
      domainVerificationPropagationMs: 3 * 60 * 60 * 1000,
    });
    expect(await h.control.requests()).toEqual([]);
    expect(await h.control.faults()).toEqual([]);
  });

  it('rejects an invalid seed and adds nothing', async () => {
    await expect(
      h.control.seed({ customers: [{ customerDomain: 'a.example', owner: 'google', language: 'xx' }] }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      h.control.seed({
        customers: [
          { customerDomain: 'b.example', owner: 'google' },
          { customerDomain: 'B.example', owner: 'google' },
        ],
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await h.control.state()).customers).toEqual([]);
  });

  it('returns seeded ids and hides transfer token values in the state', async () => {
    const result = await h.control.seed({
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
    const state = await h.control.state();
    expect(JSON.stringify(state)).not.toContain('secret-token');
    expect(state.customers[0]!.transferTokens).toEqual([
      { forReseller: 'this', expiresAt: Date.parse('2030-01-01T00:00:00Z') },
    ]);
  });
});
