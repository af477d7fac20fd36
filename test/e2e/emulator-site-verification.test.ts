/**
 * The emulator's Site Verification API v1, driven through googleapis' siteVerification client:
 * a stable DNS TXT token per domain, verification only once the customer published it, and the
 * Reseller record's customerDomainVerified afterwards.
 */
import { siteVerification } from 'googleapis/build/src/apis/siteVerification';
import { OAuth2Client } from 'google-auth-library';
import { customerBody, googleError, useEmulator, userBody } from '../support/emulator-harness';

const h = useEmulator();
let api: ReturnType<typeof siteVerification>;

beforeAll(() => {
  api = siteVerification({
    version: 'v1',
    rootUrl: h.emulator.url,
    auth: h.auth,
    fetchImplementation: fetch,
    retryConfig: { retry: 0 },
  });
});

const site = (identifier: string) => ({ type: 'INET_DOMAIN', identifier });

it('gives a stable DNS_TXT token per domain', async () => {
  const first = await api.webResource.getToken({
    requestBody: { site: site('verify.example'), verificationMethod: 'DNS_TXT' },
  });
  const again = await api.webResource.getToken({
    requestBody: { site: site('VERIFY.example'), verificationMethod: 'DNS_TXT' },
  });
  const other = await api.webResource.getToken({
    requestBody: { site: site('other.example'), verificationMethod: 'DNS_TXT' },
  });
  expect(first.data).toEqual({
    method: 'DNS_TXT',
    token: expect.stringMatching(/^google-site-verification=[\w-]{20,}$/),
  });
  expect(again.data.token).toBe(first.data.token);
  expect(other.data.token).not.toBe(first.data.token);
});

it('refuses DNS_TXT for a site that is not an INET_DOMAIN, and an unknown method', async () => {
  const url = await googleError(
    api.webResource.getToken({
      requestBody: { site: { type: 'SITE', identifier: 'https://x.example/' }, verificationMethod: 'DNS_TXT' },
    }),
  );
  expect(url.status).toBe(400);
  expect(url.body.error.message).toBe('You cannot use the verification method DNS_TXT to verify a site of type SITE');
  const noSite = await googleError(api.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: {} }));
  expect(noSite.body.error.message).toContain('site of type SITE');
  const method = await googleError(
    api.webResource.getToken({ requestBody: { site: site('x.example'), verificationMethod: 'SMOKE_SIGNALS' } }),
  );
  expect(method.status).toBe(400);
});

it('verifies only once the TXT record is published, then the Reseller record shows it', async () => {
  const { data: customer } = await h.resellerApi.customers.insert({ requestBody: customerBody('verify.example') });
  expect(customer.customerDomainVerified).toBe(false);
  const early = await googleError(
    api.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: { site: site('verify.example') } }),
  );
  expect(early.status).toBe(400);
  expect(early.body.error.errors[0]!.reason).toBe('badRequest');
  expect((await h.resellerApi.customers.get({ customerId: 'verify.example' })).data.customerDomainVerified).toBe(false);

  const { data: token } = await api.webResource.getToken({
    requestBody: { site: site('verify.example'), verificationMethod: 'DNS_TXT' },
  });
  const published = await h.control.verifyDomain('verify.example');
  expect(published.txtRecord).toBe(token.token);

  const { data: resource } = await api.webResource.insert({
    verificationMethod: 'DNS_TXT',
    requestBody: { site: site('verify.example') },
  });
  expect(resource).toMatchObject({ id: 'dns%3A%2F%2Fverify.example', site: site('verify.example') });
  expect(resource.owners!.length).toBeGreaterThan(0);
  // Without the customer's admin among the owners it takes "about 3 hours" to reach the Reseller record.
  expect((await h.resellerApi.customers.get({ customerId: 'verify.example' })).data.customerDomainVerified).toBe(false);
  await h.control.updateSettings({ domainVerificationPropagationMs: 0 });
  await api.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: { site: site('verify.example') } });
  expect((await h.resellerApi.customers.get({ customerId: 'verify.example' })).data.customerDomainVerified).toBe(true);

  expect((await api.webResource.get({ id: resource.id! })).data).toEqual(resource);
  expect((await api.webResource.list()).data.items).toEqual([resource]);
  expect((await googleError(api.webResource.get({ id: 'dns%3A%2F%2Fnobody.example' }))).status).toBe(404);
});

it('forgets published records and verifications on reset', async () => {
  await h.control.verifyDomain('gone.example'); // before any token: the next one issued counts as published
  await api.webResource.getToken({ requestBody: { site: site('gone.example'), verificationMethod: 'DNS_TXT' } });
  await api.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: { site: site('gone.example') } });
  await h.control.reset();
  expect((await api.webResource.list()).data.items).toEqual([]);
  expect(
    (
      await googleError(
        api.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: { site: site('gone.example') } }),
      )
    ).status,
  ).toBe(400);
});

describe('as the codelab does it (release 0.4)', () => {
  async function customerWithAdmin(domain: string) {
    await h.resellerApi.customers.insert({ requestBody: customerBody(domain) });
    await h.directory.users.insert({ requestBody: userBody(`admin@${domain}`) });
    await h.directory.users.makeAdmin({ userKey: `admin@${domain}`, requestBody: { status: true } });
    await api.webResource.getToken({ requestBody: { site: site(domain), verificationMethod: 'DNS_TXT' } });
    await h.control.verifyDomain(domain);
  }
  const verifiedAtReseller = async (domain: string) =>
    (await h.resellerApi.customers.get({ customerId: domain })).data.customerDomainVerified;

  it("the customer's admin as an owner makes customerDomainVerified show at once", async () => {
    await customerWithAdmin('owned.example');
    const { data } = await api.webResource.insert({
      verificationMethod: 'DNS_TXT',
      requestBody: { site: site('owned.example'), owners: ['admin@owned.example'] },
    });
    expect(data.owners).toEqual(expect.arrayContaining(['admin@owned.example']));
    expect(await verifiedAtReseller('owned.example')).toBe(true);
  });

  it('without it, customerDomainVerified shows only after the propagation delay (a setting)', async () => {
    await h.control.updateSettings({ domainVerificationPropagationMs: 1500 });
    await customerWithAdmin('later.example');
    await api.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: { site: site('later.example') } });
    expect(await verifiedAtReseller('later.example')).toBe(false);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await verifiedAtReseller('later.example')).toBe(true);
  });

  it('the token is tied to the API caller: a record published for another caller does not verify', async () => {
    await customerWithAdmin('caller.example');
    const other = new OAuth2Client();
    other.setCredentials({ access_token: 'another-admin-token' });
    const otherApi = siteVerification({
      version: 'v1',
      rootUrl: h.emulator.url,
      auth: other,
      fetchImplementation: fetch,
      retryConfig: { retry: 0 },
    });
    const mine = await api.webResource.getToken({
      requestBody: { site: site('caller.example'), verificationMethod: 'DNS_TXT' },
    });
    const theirs = await otherApi.webResource.getToken({
      requestBody: { site: site('caller.example'), verificationMethod: 'DNS_TXT' },
    });
    expect(theirs.data.token).not.toBe(mine.data.token);
    // Only the first caller's record was published (customerWithAdmin): the other caller's insert fails.
    const refused = await googleError(
      otherApi.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: { site: site('caller.example') } }),
    );
    expect(refused.status).toBe(400);
    await api.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: { site: site('caller.example') } });
  });

  it('a customer verifying in the Admin console shows as verified at once, with no record of ours published', async () => {
    await h.resellerApi.customers.insert({ requestBody: customerBody('self.example') });
    expect(await h.control.customerVerifiesDomain('self.example')).toEqual({
      customerDomain: 'self.example',
      customerDomainVerified: true,
    });
    expect(await verifiedAtReseller('self.example')).toBe(true);
    expect(
      (
        await googleError(
          api.webResource.insert({ verificationMethod: 'DNS_TXT', requestBody: { site: site('self.example') } }),
        )
      ).status,
    ).toBe(400);
  });
});
