/**
 * Transfers as Google documents them, against the emulator: the customer registered with its
 * customerAuthToken, subscriptions moved with subscriptions.insert (a Workspace base and its Drive
 * storage / Vault add-ons together, in one batch request sent by activities/google-batch.ts), and
 * what the listings with and without the token show along the way.
 */
import { OAuth2Client } from 'google-auth-library';
import { type BatchPart, sendBatch } from '../../activities/google-batch';
import { customerBody, DUPLICATE_BODY, googleError, useEmulator } from '../support/emulator-harness';

const h = useEmulator();

const GROUP = 'group.example';
const SOLO = 'solo.example';
const BASE = { skuId: '1010020028', plan: { planName: 'ANNUAL_MONTHLY_PAY' }, seats: { numberOfSeats: 20 } };
const VAULT = { skuId: 'Google-Vault', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } };
const DRIVE = {
  skuId: 'Google-Drive-storage-20GB',
  plan: { planName: 'FLEXIBLE' },
  seats: { maximumNumberOfSeats: 3 },
};
const SOLO_FLEX = { skuId: '1010020027', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 8 } };
const SOLO_FLEX_5 = { ...SOLO_FLEX, seats: { maximumNumberOfSeats: 5 } };

let batchAuth: OAuth2Client;

beforeAll(() => {
  batchAuth = new OAuth2Client({ transporterOptions: { fetchImplementation: fetch } });
  batchAuth.setCredentials({ access_token: 'test-access-token' });
});

beforeEach(async () => {
  await h.control.seed({
    customers: [
      {
        customerDomain: GROUP,
        owner: 'google',
        customerId: 'Cgroup0001',
        transferTokens: [
          { token: 'good-token' },
          { token: 'old-token', expiresAt: Date.now() - 1000 },
          { token: 'their-token', forReseller: 'other' },
        ],
        subscriptions: [
          { skuId: '1010020028', planName: 'ANNUAL_MONTHLY_PAY', seats: 25, minimumTransferableSeats: 20 },
          { skuId: 'Google-Vault', planName: 'FLEXIBLE', seats: 10, minimumTransferableSeats: 5 },
          { skuId: 'Google-Drive-storage-20GB', planName: 'FLEXIBLE', seats: 3, minimumTransferableSeats: 3 },
        ],
        users: [{ primaryEmail: 'boss@group.example', isAdmin: true }],
      },
      {
        customerDomain: SOLO,
        owner: 'other-reseller',
        customerId: 'Csolo00001',
        transferTokens: [{ token: 'solo-token' }],
        subscriptions: [{ skuId: '1010020027', planName: 'FLEXIBLE', seats: 10, minimumTransferableSeats: 8 }],
      },
    ],
  });
});

const register = (domain: string, customerAuthToken?: string) =>
  h.resellerApi.customers.insert({ customerAuthToken, requestBody: customerBody(domain) });

function transferPart(domain: string, token: string, body: unknown): BatchPart {
  return {
    method: 'POST',
    path: `/apps/reseller/v1/customers/${domain}/subscriptions`,
    query: { customerAuthToken: token },
    body,
  };
}

const batch = (parts: BatchPart[]) => sendBatch(batchAuth, h.emulator.url, parts, { timeoutMs: 5000 });

describe('registering the customer with its customerAuthToken', () => {
  it('registers with a valid token: full record in the answer, minimal customers.get until moved', async () => {
    const { data } = await register(GROUP, 'good-token');
    expect(data).toMatchObject({
      kind: 'reseller#customer',
      customerId: 'Cgroup0001',
      alternateEmail: 'owner@example.org',
    });
    const got = await h.resellerApi.customers.get({ customerId: GROUP });
    expect(got.data).toEqual({
      kind: 'reseller#customer',
      customerId: 'Cgroup0001',
      customerDomain: GROUP,
      customerType: 'domain',
    });
    expect((await googleError(register(GROUP, 'good-token'))).body).toEqual(DUPLICATE_BODY);
  });

  it.each([
    ['an expired token', 'old-token', 'expired'],
    ['a token for another reseller', 'their-token', 'not valid'],
    ['an unknown token', 'made-up', 'not valid'],
  ])('refuses %s with 403 forbidden, never echoing it', async (_case, token, text) => {
    const error = await googleError(register(GROUP, token));
    expect(error.status).toBe(403);
    expect(error.body.error.errors[0]!.reason).toBe('forbidden');
    expect(error.body.error.message).toContain(text);
    expect(error.body.error.message).not.toContain(token);
  });

  it('answers 409 without a token, and 403 to a token for a domain nobody has', async () => {
    expect((await googleError(register(GROUP))).body).toEqual(DUPLICATE_BODY);
    expect((await googleError(register('free.example', 'good-token'))).status).toBe(403);
    expect((await h.control.state()).customers.every((c) => !c.registeredWithThisReseller)).toBe(true);
  });

  it('refuses a subscription transfer before the registration (412 conditionNotMet)', async () => {
    const error = await googleError(
      h.resellerApi.subscriptions.insert({ customerId: SOLO, customerAuthToken: 'solo-token', requestBody: SOLO_FLEX }),
    );
    expect(error.status).toBe(412);
    expect(error.body.error.errors[0]!.reason).toBe('conditionNotMet');
    expect((await h.control.state()).subscriptions.every((s) => s.owner !== 'this-reseller')).toBe(true);
  });
});

describe('listing with the token', () => {
  it.each([
    ['no token', undefined, 'required'],
    ['an expired token', 'old-token', 'expired'],
    ['a token for another reseller', 'their-token', 'not valid'],
    ['an unknown token', 'made-up', 'not valid'],
  ])('refuses %s (403 forbidden)', async (_case, customerAuthToken, text) => {
    const error = await googleError(h.resellerApi.subscriptions.list({ customerId: GROUP, customerAuthToken }));
    expect(error.status).toBe(403);
    expect(error.body.error.errors[0]!.reason).toBe('forbidden');
    expect(error.body.error.message).toContain(text);
  });

  it('shows the transferable subscriptions with transferInfo', async () => {
    const { data } = await h.resellerApi.subscriptions.list({ customerId: GROUP, customerAuthToken: 'good-token' });
    expect(data.kind).toBe('reseller#subscriptions');
    const bySku = new Map(data.subscriptions!.map((s) => [s.skuId, s]));
    const workspace = bySku.get('1010020028')!;
    expect(workspace.plan?.planName).toBe('ANNUAL');
    expect(workspace.seats).toMatchObject({ numberOfSeats: 25, licensedNumberOfSeats: 20 });
    expect(workspace.transferInfo?.minimumTransferableSeats).toBe(20);
    expect(workspace.transferInfo?.transferabilityExpirationTime).toMatch(/^\d+$/);
    expect(Number(workspace.transferInfo?.transferabilityExpirationTime)).toBeGreaterThan(Date.now());
    expect(bySku.get('Google-Vault')?.seats?.maximumNumberOfSeats).toBe(10);
  });
});

describe('plan and seat rules of a transfer', () => {
  beforeEach(async () => {
    await register(SOLO, 'solo-token');
  });

  const attempt = (requestBody: Record<string, unknown>) =>
    googleError(h.resellerApi.subscriptions.insert({ customerId: SOLO, customerAuthToken: 'solo-token', requestBody }));

  it.each([
    ['too few seats', { ...SOLO_FLEX, seats: { maximumNumberOfSeats: 7 } }, 'at least 8'],
    [
      'a TRIAL for a subscription not in a trial',
      { ...SOLO_FLEX, plan: { planName: 'TRIAL' }, seats: { maximumNumberOfSeats: 8 } },
      'only a subscription in a 30-day trial',
    ],
    ['a SKU the customer does not have', { ...SOLO_FLEX, skuId: '1010020020' }, 'skuId'],
    // "Transfers don't work with discount deal codes" (how-tos/create-subscription).
    ['a deal code', { ...SOLO_FLEX, dealCode: 'GOOGLE-DEAL-1' }, 'transfers do not work with deal codes'],
  ])('refuses %s with 400 invalid', async (_case, requestBody, text) => {
    const error = await attempt(requestBody);
    expect(error.status).toBe(400);
    expect(error.body.error.errors[0]!.reason).toBe('invalid');
    expect(error.body.error.message).toContain(text);
  });

  it.each([
    ['FLEXIBLE', { ...SOLO_FLEX }],
    ['ANNUAL_YEARLY_PAY', { ...SOLO_FLEX, plan: { planName: 'ANNUAL_YEARLY_PAY' }, seats: { numberOfSeats: 8 } }],
  ])('moves a FLEXIBLE subscription to %s; the customer becomes ours', async (_plan, requestBody) => {
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId: SOLO,
      customerAuthToken: 'solo-token',
      requestBody,
    });
    expect(data).toMatchObject({
      customerId: 'Csolo00001',
      skuId: '1010020027',
      status: 'SUSPENDED',
      suspensionReasons: ['PENDING_TOS_ACCEPTANCE'],
    });
    expect(data.transferInfo).toBeUndefined();
    expect((await h.resellerApi.customers.get({ customerId: SOLO })).data.alternateEmail).toBe('owner@example.org');
    const again = await attempt(requestBody);
    expect(again.body).toEqual(DUPLICATE_BODY);
  });

  it("accepts licensedNumberOfSeats as Google's own transfer example sends it (ignored)", async () => {
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId: SOLO,
      customerAuthToken: 'solo-token',
      requestBody: { ...SOLO_FLEX, seats: { maximumNumberOfSeats: 8, licensedNumberOfSeats: 8 } },
    });
    expect(data.seats).toMatchObject({ maximumNumberOfSeats: 8 });
  });

  it('moves an annual subscription to an annual plan only', async () => {
    await register(GROUP, 'good-token');
    const parts = (plan: unknown, seats: unknown) => [
      transferPart(GROUP, 'good-token', { ...BASE, plan, seats }),
      transferPart(GROUP, 'good-token', VAULT),
      transferPart(GROUP, 'good-token', DRIVE),
    ];
    const flexible = await batch(parts({ planName: 'FLEXIBLE' }, { maximumNumberOfSeats: 25 }));
    expect(flexible[0]).toMatchObject({ status: 400 });
    expect(JSON.stringify(flexible[0]!.body)).toContain(
      'annual subscription transfers to ANNUAL_MONTHLY_PAY or ANNUAL_YEARLY_PAY',
    );
    const yearly = await batch(parts({ planName: 'ANNUAL_YEARLY_PAY' }, { numberOfSeats: 25 }));
    expect(yearly.map((r) => r.status)).toEqual([200, 200, 200]);
  });
});

describe('a Workspace base with Drive storage and Vault add-ons', () => {
  beforeEach(async () => {
    await register(GROUP, 'good-token');
  });

  it('refuses a lone insert of the base or of an add-on while the others are pending', async () => {
    for (const requestBody of [BASE, VAULT, DRIVE]) {
      const error = await googleError(
        h.resellerApi.subscriptions.insert({ customerId: GROUP, customerAuthToken: 'good-token', requestBody }),
      );
      expect(error.status).toBe(400);
      expect(error.body.error.message).toContain('in one batch request');
    }
    expect((await h.control.state()).subscriptions.filter((s) => s.owner === 'this-reseller')).toEqual([]);
  });

  it('refuses the whole group when one add-on is left out of the batch', async () => {
    const results = await batch([transferPart(GROUP, 'good-token', BASE), transferPart(GROUP, 'good-token', VAULT)]);
    expect(results.map((r) => r.status)).toEqual([400, 400]);
    expect(JSON.stringify(results[0]!.body)).toContain('Google-Drive-storage-20GB');
    expect((await h.control.state()).subscriptions.filter((s) => s.owner === 'this-reseller')).toEqual([]);
  });

  it('refuses the group when one part of it is refused, each part with its own reason', async () => {
    const results = await batch([
      transferPart(GROUP, 'good-token', BASE),
      transferPart(GROUP, 'good-token', { ...VAULT, seats: { maximumNumberOfSeats: 4 } }),
      transferPart(GROUP, 'good-token', DRIVE),
    ]);
    expect(results.map((r) => r.status)).toEqual([400, 400, 400]);
    expect(JSON.stringify(results[1]!.body)).toContain('at least 5');
    expect(JSON.stringify(results[0]!.body)).toContain('in one batch request');
  });

  it('moves the group in one batch; listing without the token then shows what moved', async () => {
    const results = await batch([
      transferPart(GROUP, 'good-token', DRIVE),
      transferPart(GROUP, 'good-token', BASE),
      transferPart('Cgroup0001', 'good-token', VAULT),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => (r.body as { skuId: string }).skuId)).toEqual([
      'Google-Drive-storage-20GB',
      '1010020028',
      'Google-Vault',
    ]);
    expect(results[1]!.body).toMatchObject({
      plan: { planName: 'ANNUAL' },
      seats: { numberOfSeats: 20 },
      status: 'SUSPENDED',
    });

    const ours = await h.resellerApi.subscriptions.list({ customerId: GROUP });
    expect(ours.data.subscriptions!.map((s) => s.skuId).sort()).toEqual([
      '1010020028',
      'Google-Drive-storage-20GB',
      'Google-Vault',
    ]);
    expect(ours.data.subscriptions!.every((s) => s.transferInfo === undefined)).toBe(true);
    const withToken = await h.resellerApi.subscriptions.list({ customerId: GROUP, customerAuthToken: 'good-token' });
    expect(withToken.data.subscriptions).toEqual([]);
    expect((await h.resellerApi.customers.get({ customerId: GROUP })).data.alternateEmail).toBe('owner@example.org');
    expect((await h.directory.users.get({ userKey: 'boss@group.example' })).data.isAdmin).toBe(true);

    const again = await batch([
      transferPart(GROUP, 'good-token', DRIVE),
      transferPart(GROUP, 'good-token', BASE),
      transferPart(GROUP, 'good-token', VAULT),
    ]);
    expect(again.map((r) => r.status)).toEqual([409, 409, 409]);
  });

  it('logs each nested call with the token redacted, and answers without Content-IDs by default', async () => {
    const results = await batch([
      transferPart(GROUP, 'good-token', BASE),
      transferPart(GROUP, 'good-token', VAULT),
      transferPart(GROUP, 'good-token', DRIVE),
    ]);
    expect(results.every((r) => r.contentId === undefined)).toBe(true);
    const logged = await h.control.requests();
    expect(JSON.stringify(logged)).not.toContain('good-token');
    const outer = logged.find((r) => r.path === '/batch')!;
    expect(outer).toMatchObject({ method: 'POST', status: 200 });
    const nested = logged.filter((r) => r.batchSeq === outer.seq);
    expect(nested).toHaveLength(3);
    expect(nested[0]).toMatchObject({
      method: 'POST',
      path: `/apps/reseller/v1/customers/${GROUP}/subscriptions`,
      query: { customerAuthToken: '[redacted]' },
      status: 200,
    });
  });

  it('echoes Content-IDs as response-<id> when the setting asks for it', async () => {
    await h.control.updateSettings({ batchResponseContentIds: true });
    const results = await batch([
      { ...transferPart(GROUP, 'good-token', BASE), contentId: 'base' },
      { ...transferPart(GROUP, 'good-token', VAULT), contentId: 'vault' },
      transferPart(GROUP, 'good-token', DRIVE),
    ]);
    expect(results.map((r) => r.contentId)).toEqual(['base', 'vault', 'item3']);
  });
});

describe('the batch endpoint', () => {
  it('refuses nested calls other than transfers, part by part', async () => {
    await register(SOLO, 'solo-token');
    const results = await batch([
      { method: 'GET', path: `/apps/reseller/v1/customers/${SOLO}` },
      { method: 'POST', path: `/apps/reseller/v1/customers/${SOLO}/subscriptions`, body: SOLO_FLEX },
      transferPart(SOLO, 'solo-token', SOLO_FLEX),
    ]);
    expect(results.map((r) => r.status)).toEqual([400, 400, 200]);
    expect(JSON.stringify(results[0]!.body)).toContain('Only subscription transfers');
  });

  it('answers a faulted nested call with the fault, and its group-mates are refused', async () => {
    await register(GROUP, 'good-token');
    await h.control.addFault({ method: 'POST', path: '/subscriptions$', status: 503 });
    const results = await batch([
      transferPart(GROUP, 'good-token', BASE),
      transferPart(GROUP, 'good-token', VAULT),
      transferPart(GROUP, 'good-token', DRIVE),
    ]);
    expect(results.map((r) => r.status)).toEqual([503, 400, 400]);
  });

  it('needs a bearer token (401) and a well-formed multipart body (400)', async () => {
    const url = `${h.emulator.url}/batch`;
    const unauthorised = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'multipart/mixed; boundary=x' },
      body: '--x--',
    });
    expect(unauthorised.status).toBe(401);
    const headers = { authorization: 'Bearer t', 'content-type': 'multipart/mixed; boundary=x' };
    for (const body of [
      'no boundary at all',
      '--x\r\nContent-Type: text/plain\r\n\r\nGET /x\r\n--x--',
      '--x\r\nContent-Type: application/http\r\n\r\nnot a request line\r\n--x--',
    ]) {
      const response = await fetch(url, { method: 'POST', headers, body });
      expect(response.status).toBe(400);
      expect(
        ((await response.json()) as { error: { errors: Array<{ reason: string }> } }).error.errors[0]!.reason,
      ).toBe('invalid');
    }
    const notMultipart = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(notMultipart.status).toBe(400);
  });
});

describe('seeding a transfer part-way', () => {
  it('seeds a registered customer with some subscriptions already moved', async () => {
    await h.control.seed({
      customers: [
        {
          customerDomain: 'halfway.example',
          owner: 'google',
          registeredWithThisReseller: true,
          transferTokens: [{ token: 'half-token' }],
          subscriptions: [
            { skuId: '1010020028', planName: 'FLEXIBLE', seats: 5, movedToThisReseller: true },
            { skuId: 'Google-Vault', planName: 'FLEXIBLE', seats: 5, movedToThisReseller: true },
            { skuId: 'Google-Drive-storage-20GB', planName: 'FLEXIBLE', seats: 2 },
          ],
        },
      ],
    });
    const ours = await h.resellerApi.subscriptions.list({ customerId: 'halfway.example' });
    expect(ours.data.subscriptions!.map((s) => s.skuId).sort()).toEqual(['1010020028', 'Google-Vault']);
    const pending = await h.resellerApi.subscriptions.list({
      customerId: 'halfway.example',
      customerAuthToken: 'half-token',
    });
    expect(pending.data.subscriptions!.map((s) => s.skuId)).toEqual(['Google-Drive-storage-20GB']);
    // The base already moved: the remaining add-on may move alone.
    await h.resellerApi.subscriptions.insert({
      customerId: 'halfway.example',
      customerAuthToken: 'half-token',
      requestBody: { ...DRIVE, seats: { maximumNumberOfSeats: 2 } },
    });
    expect((await h.resellerApi.customers.get({ customerId: 'halfway.example' })).data.resourceUiUrl).toBeDefined();
  });

  it('refuses those options on a customer that is already this reseller’s', async () => {
    await expect(
      h.control.seed({
        customers: [{ customerDomain: 'mine.example', owner: 'this-reseller', registeredWithThisReseller: true }],
      }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('what Google refuses to transfer whatever the body (how-tos/create-subscription; channelservices 9547629, 6182438)', () => {
  const seedOne = (domain: string, subscriptions: unknown[]) =>
    h.control.seed({
      customers: [
        {
          customerDomain: domain,
          owner: 'other-reseller',
          transferTokens: [{ token: `${domain}-token` }],
          subscriptions: subscriptions as never,
        },
      ],
    });
  const move = async (domain: string, requestBody: Record<string, unknown>) => {
    await register(domain, `${domain}-token`);
    return googleError(
      h.resellerApi.subscriptions.insert({ customerId: domain, customerAuthToken: `${domain}-token`, requestBody }),
    );
  };

  it('a trial in progress may move as a new 30-day trial; one whose trial ended may not', async () => {
    await seedOne('trial.example', [{ skuId: '1010020027', planName: 'TRIAL', seats: 5, minimumTransferableSeats: 5 }]);
    await register('trial.example', 'trial.example-token');
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId: 'trial.example',
      customerAuthToken: 'trial.example-token',
      requestBody: { skuId: '1010020027', plan: { planName: 'TRIAL' }, seats: { maximumNumberOfSeats: 5 } },
    });
    expect(data).toMatchObject({ plan: { planName: 'TRIAL' }, trialSettings: { isInTrial: true } });

    await seedOne('ended.example', [
      {
        skuId: '1010020027',
        planName: 'TRIAL',
        seats: 5,
        status: 'SUSPENDED',
        suspensionReasons: ['TRIAL_ENDED'],
      },
    ]);
    const ended = await move('ended.example', {
      skuId: '1010020027',
      plan: { planName: 'TRIAL' },
      seats: { maximumNumberOfSeats: 5 },
    });
    expect(ended.status).toBe(400);
    // The same subscription may move to a new paid subscription: TRIAL_ENDED is a transferable suspension.
    const { data: paid } = await h.resellerApi.subscriptions.insert({
      customerId: 'ended.example',
      customerAuthToken: 'ended.example-token',
      requestBody: { skuId: '1010020027', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } },
    });
    expect(paid.plan?.planName).toBe('FLEXIBLE');
  });

  it('refuses a subscription suspended for a reason other than PENDING_TOS_ACCEPTANCE, TRIAL_ENDED or RENEWAL_WITH_TYPE_CANCEL', async () => {
    await seedOne('abuse.example', [
      { skuId: '1010020027', planName: 'FLEXIBLE', seats: 5, status: 'SUSPENDED', suspensionReasons: ['OTHER'] },
    ]);
    const error = await move('abuse.example', SOLO_FLEX_5);
    expect(error.status).toBe(400);
    expect(error.body.error.message).toContain('is suspended (OTHER)');
  });

  it('refuses the Workspace editions of a customer that has two (Google Sales must transfer them)', async () => {
    await seedOne('two-editions.example', [
      { skuId: '1010020027', planName: 'FLEXIBLE', seats: 5 },
      { skuId: '1010020028', planName: 'FLEXIBLE', seats: 5 },
    ]);
    const error = await move('two-editions.example', SOLO_FLEX_5);
    expect(error.status).toBe(400);
    expect(error.body.error.message).toContain('Google Sales representative');
  });

  it("keeps a new subscription's deal code (Google's discount is given with the insert)", async () => {
    await register('fresh-deal.example');
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId: 'fresh-deal.example',
      requestBody: { ...SOLO_FLEX_5, dealCode: 'GOOGLE-DEAL-7' },
    });
    expect(data).toMatchObject({ skuId: '1010020027', dealCode: 'GOOGLE-DEAL-7' });
  });

  it('refuses an annual plan for an add-on', async () => {
    await seedOne('addon.example', [{ skuId: 'Google-Vault', planName: 'FLEXIBLE', seats: 5 }]);
    const error = await move('addon.example', {
      skuId: 'Google-Vault',
      plan: { planName: 'ANNUAL_MONTHLY_PAY' },
      seats: { numberOfSeats: 5 },
    });
    expect(error.status).toBe(400);
    expect(error.body.error.message).toContain('annual plan is not available for the add-on');
  });

  it('lets an annual subscription move to FLEXIBLE within 30 days of its renewal date', async () => {
    const renewsIn20Days = Date.now() - 345 * 86_400_000;
    await seedOne('renewing.example', [
      { skuId: '1010020027', planName: 'ANNUAL_MONTHLY_PAY', seats: 5, creationTime: renewsIn20Days },
    ]);
    await register('renewing.example', 'renewing.example-token');
    const { data } = await h.resellerApi.subscriptions.insert({
      customerId: 'renewing.example',
      customerAuthToken: 'renewing.example-token',
      requestBody: SOLO_FLEX_5,
    });
    expect(data.plan?.planName).toBe('FLEXIBLE');
  });
});
