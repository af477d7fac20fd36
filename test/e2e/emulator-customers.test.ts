/**
 * Customer records as Google shows them (Reseller full vs minimal record, Directory customer),
 * team (email-verified) customers' limits, the propagation delay after a customer is created,
 * and the seeds tests use to build these situations.
 */
import { customerBody, googleError, useEmulator, userBody } from '../support/emulator-harness';

const h = useEmulator();

const TEAM_BODY = {
  customerDomain: 'team.example',
  customerType: 'team',
  primaryAdmin: { primaryEmail: 'lead@team.example' },
  postalAddress: { contactName: 'Ana Lima', organizationName: 'Team Co', postalCode: '75001', countryCode: 'FR' },
};

describe('Reseller customers.get', () => {
  it("shows this reseller's domain customer in full", async () => {
    const { data: created } = await h.resellerApi.customers.insert({ requestBody: customerBody('full.example') });
    const { data } = await h.resellerApi.customers.get({ customerId: 'full.example' });
    expect(data).toEqual({
      kind: 'reseller#customer',
      customerId: created.customerId,
      customerDomain: 'full.example',
      customerType: 'domain',
      alternateEmail: 'owner@example.org',
      phoneNumber: '+14155550100',
      postalAddress: {
        kind: 'customers#address',
        contactName: 'Alex Cruz',
        organizationName: 'Example Org',
        postalCode: '94043',
        countryCode: 'US',
      },
      customerDomainVerified: false,
      resourceUiUrl: `https://admin.google.com/ac/home?customerId=${created.customerId}`,
    });
  });

  it("shows this reseller's team customer with its primary admin and no alternate email", async () => {
    await h.resellerApi.customers.insert({ requestBody: TEAM_BODY });
    const { data } = await h.resellerApi.customers.get({ customerId: 'team.example' });
    expect(data).toMatchObject({
      customerType: 'team',
      primaryAdmin: { primaryEmail: 'lead@team.example' },
      postalAddress: { countryCode: 'FR' },
    });
    expect(data.alternateEmail).toBeUndefined();
    expect(data.resourceUiUrl).toBeDefined();
  });

  it('shows seeded contact details and domain verification', async () => {
    await h.control.seed({
      customers: [
        {
          customerDomain: 'seeded-full.example',
          owner: 'this-reseller',
          customerId: 'Cseeded001',
          alternateEmail: 'it@elsewhere.example',
          phoneNumber: '+33123456789',
          domainVerified: true,
          postalAddress: {
            contactName: 'C',
            organizationName: 'O',
            postalCode: '1000',
            countryCode: 'BE',
            locality: 'Brussels',
          },
        },
        {
          customerDomain: 'seeded-team.example',
          owner: 'this-reseller',
          customerType: 'team',
          primaryAdminEmail: 'boss@seeded-team.example',
        },
      ],
    });
    const { data } = await h.resellerApi.customers.get({ customerId: 'Cseeded001' });
    expect(data).toMatchObject({
      alternateEmail: 'it@elsewhere.example',
      phoneNumber: '+33123456789',
      customerDomainVerified: true,
      postalAddress: { locality: 'Brussels' },
    });
    const team = await h.resellerApi.customers.get({ customerId: 'seeded-team.example' });
    expect(team.data).toMatchObject({
      customerType: 'team',
      primaryAdmin: { primaryEmail: 'boss@seeded-team.example' },
    });
    expect(team.data.alternateEmail).toBeUndefined();
  });

  it('shows only kind, customerId, customerDomain and customerType of a team customer elsewhere', async () => {
    await h.control.seed({
      customers: [
        {
          customerDomain: 'their-team.example',
          owner: 'other-reseller',
          customerType: 'team',
          customerId: 'Ctheirteam',
        },
      ],
    });
    const { data } = await h.resellerApi.customers.get({ customerId: 'their-team.example' });
    expect(data).toEqual({
      kind: 'reseller#customer',
      customerId: 'Ctheirteam',
      customerDomain: 'their-team.example',
      customerType: 'team',
    });
  });
});

describe('Directory customers.get', () => {
  it("returns Google's admin#directory#customer shape, with a seeded creation time", async () => {
    await h.control.seed({
      customers: [
        {
          customerDomain: 'old.example',
          owner: 'this-reseller',
          customerId: 'Cold000001',
          alternateEmail: 'it@old-parent.example',
          language: 'de',
          creationTime: '2019-03-04T05:06:07.000Z',
          postalAddress: {
            contactName: 'C',
            organizationName: 'Old Org',
            postalCode: '10115',
            countryCode: 'DE',
            addressLine1: 'Hauptstr. 1',
          },
        },
      ],
    });
    const { data } = await h.directory.customers.get({ customerKey: 'Cold000001' });
    expect(data).toMatchObject({
      kind: 'admin#directory#customer',
      id: 'Cold000001',
      customerDomain: 'old.example',
      alternateEmail: 'it@old-parent.example',
      language: 'de',
      customerCreationTime: '2019-03-04T05:06:07.000Z',
      postalAddress: {
        organizationName: 'Old Org',
        addressLine1: 'Hauptstr. 1',
        postalCode: '10115',
        countryCode: 'DE',
      },
    });
    expect(data.etag).toMatch(/^".+"$/);
    const patched = await h.directory.customers.patch({ customerKey: 'Cold000001', requestBody: { language: 'fr' } });
    expect(patched.data.etag).not.toBe(data.etag);
  });

  it('gives a new customer its creation time, now, in RFC 3339', async () => {
    const before = Date.now();
    const { data: created } = await h.resellerApi.customers.insert({ requestBody: customerBody('new.example') });
    const { data } = await h.directory.customers.get({ customerKey: created.customerId! });
    const time = Date.parse(data.customerCreationTime!);
    expect(data.customerCreationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(time).toBeGreaterThanOrEqual(before - 1000);
    expect(time).toBeLessThanOrEqual(Date.now());
    expect(data.language).toBe('en');
  });
});

describe('team (email-verified) customers in the Directory', () => {
  it('mails Google’s verification link to the primary admin', async () => {
    await h.resellerApi.customers.insert({ requestBody: TEAM_BODY });
    const mail = await h.control.waitForMail((m) => m.to.includes('lead@team.example'), 2000);
    expect(mail.subject).toBe('Verify your email address to get started with Google Workspace');
    expect(mail.text).toContain('team.example');
    expect(mail.from).toBe('workspace-noreply@google.com');
  });

  it('refuses users.insert, makeAdmin and the language patch with 403 forbidden', async () => {
    const { data: customer } = await h.resellerApi.customers.insert({ requestBody: TEAM_BODY });
    const insert = await googleError(h.directory.users.insert({ requestBody: userBody('someone@team.example') }));
    expect(insert.status).toBe(403);
    expect(insert.body.error.errors[0]!.reason).toBe('forbidden');
    const patch = await googleError(
      h.directory.customers.patch({ customerKey: customer.customerId!, requestBody: { language: 'fr' } }),
    );
    expect(patch.status).toBe(403);
    expect((await h.directory.customers.get({ customerKey: customer.customerId! })).data.language).toBe('en');

    await h.control.seed({
      customers: [
        {
          customerDomain: 'team2.example',
          owner: 'this-reseller',
          customerType: 'team',
          primaryAdminEmail: 'a@team2.example',
          users: [{ primaryEmail: 'a@team2.example' }],
        },
      ],
    });
    const makeAdmin = await googleError(
      h.directory.users.makeAdmin({ userKey: 'a@team2.example', requestBody: { status: true } }),
    );
    expect(makeAdmin.status).toBe(403);
    expect((await h.control.state()).users.every((u) => !u.isAdmin)).toBe(true);
  });
});

describe('propagation of a new customer to the Directory', () => {
  it('answers the first customerPropagationCalls Directory calls about it with 403, then works', async () => {
    await h.control.updateSettings({ customerPropagationCalls: 2 });
    const { data: customer } = await h.resellerApi.customers.insert({ requestBody: customerBody('fresh.example') });
    const patch = await googleError(
      h.directory.customers.patch({ customerKey: customer.customerId!, requestBody: { language: 'fr' } }),
    );
    expect(patch.status).toBe(403);
    expect(patch.body.error).toMatchObject({
      message: 'Not Authorized to access this resource/api',
      status: 'PERMISSION_DENIED',
    });
    expect(patch.body.error.errors[0]!.reason).toBe('forbidden');
    const insert = await googleError(h.directory.users.insert({ requestBody: userBody('admin@fresh.example') }));
    expect(insert.status).toBe(403);
    expect((await h.control.state()).users).toEqual([]);
    await h.directory.customers.patch({ customerKey: customer.customerId!, requestBody: { language: 'fr' } });
    await h.directory.users.insert({ requestBody: userBody('admin@fresh.example') });
    expect((await h.control.state()).customers[0]!.language).toBe('fr');
  });

  it('counts per customer and leaves seeded customers alone', async () => {
    await h.control.updateSettings({ customerPropagationCalls: 1 });
    await h.control.seed({ customers: [{ customerDomain: 'seeded.example', owner: 'this-reseller' }] });
    await h.directory.users.insert({ requestBody: userBody('admin@seeded.example') });
    await h.resellerApi.customers.insert({ requestBody: customerBody('one.example') });
    await h.resellerApi.customers.insert({ requestBody: customerBody('two.example') });
    expect((await googleError(h.directory.users.insert({ requestBody: userBody('a@one.example') }))).status).toBe(403);
    expect((await googleError(h.directory.users.insert({ requestBody: userBody('a@two.example') }))).status).toBe(403);
    await h.directory.users.insert({ requestBody: userBody('a@one.example') });
    await h.directory.users.insert({ requestBody: userBody('a@two.example') });
  });
});

describe('seeding', () => {
  it('refuses a team customer of ours without its primary admin, and a bad creation time', async () => {
    await expect(
      h.control.seed({ customers: [{ customerDomain: 't.example', owner: 'this-reseller', customerType: 'team' }] }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      h.control.seed({ customers: [{ customerDomain: 'u.example', owner: 'google', creationTime: 'last year' }] }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await h.control.state()).customers).toEqual([]);
  });
});
