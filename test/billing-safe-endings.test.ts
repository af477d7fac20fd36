/**
 * Why this file exists: Google bills the reseller for a subscription from the moment it is ordered,
 * "whether or not the customers has signed the TOS". An order cancelled while the customer is awaited
 * must leave nothing billing: on the real stack (dev server, real worker and activities, googleapis
 * over HTTP to the emulator, real SMTP) the subscriptions are ended with transfer_to_direct in one
 * batch BEFORE the administrator is removed (Google answers 412 without one), and a customer left
 * without an administrator gets a temporary one, as Google advises.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { admin } from 'googleapis/build/src/apis/admin';
import { reseller } from 'googleapis/build/src/apis/reseller';
import type { RequestLogEntry } from '../emulator/faults';
import { runCliOn } from './support/cli-runner';
import { startOnboardingStack, waitForStatus, type OnboardingStack } from './support/onboarding-stack';
import { domainOrder, uniqueDomain } from './support/orders';

let stack: OnboardingStack;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'billing-endings-'));
  stack = await startOnboardingStack();
});
afterAll(async () => {
  await stack?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

const SOLD = [
  { skuId: '1010020028', plan: 'FLEXIBLE', seats: 5 },
  { skuId: 'Google-Vault', plan: 'FLEXIBLE', seats: 5 },
] as const;

/** The reseller's own view at the emulator, as any Reseller API client would read it. */
function googleApis() {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test-access-token' });
  const options = { rootUrl: stack.emulator.url, auth, fetchImplementation: fetch, retryConfig: { retry: 0 } };
  return {
    reseller: reseller({ version: 'v1', ...options }),
    directory: admin({ version: 'directory_v1', ...options }),
  };
}

async function activeForReseller(customerId: string): Promise<string[]> {
  try {
    const { data } = await googleApis().reseller.subscriptions.list({ customerId });
    return (data.subscriptions ?? []).map((s) => `${s.skuId}:${s.status}`);
  } catch (err) {
    // No longer this reseller's customer at all: nothing of it is billed to the reseller.
    if ((err as { response?: { status?: number } }).response?.status === 403) return [];
    throw err;
  }
}

async function cancelWhileAwaitingTerms(domain: string, viaCli = false) {
  const order = domainOrder(domain, { subscriptions: [...SOLD], salesContactEmail: 'rep@reseller.example' });
  if (viaCli) {
    const file = join(dir, `${domain}.json`);
    writeFileSync(file, JSON.stringify(order));
    expect((await runCliOn(stack.client, ['start', file])).code).toBe(0);
  } else {
    await stack.client.start(order);
  }
  const waiting = await waitForStatus(
    () => stack.client.status(domain),
    (s) => s.stage === 'awaiting-tos',
    30_000,
  );
  const customerId = waiting.customerId as string;
  expect(await activeForReseller(customerId)).toHaveLength(2); // billing from now on, terms or not
  return customerId;
}

const isSubscriptionDelete = (r: RequestLogEntry) => r.method === 'DELETE' && /\/subscriptions\/[^/]+$/.test(r.path);
const isUserDelete = (email: string) => (r: RequestLogEntry) =>
  r.method === 'DELETE' && decodeURIComponent(r.path).endsWith(`/users/${email}`);

test('from the CLI, cancelled while awaiting the terms: no subscription left billing, ended in one batch before the admin was removed', async () => {
  const domain = uniqueDomain('end-cancel');
  const customerId = await cancelWhileAwaitingTerms(domain, true);
  await stack.google.clearRequests();
  const cancel = await runCliOn(stack.client, ['cancel', domain, '--reason', 'the customer withdrew the order']);
  expect(cancel.code).toBe(0);
  await stack.client.result(domain).catch(() => undefined);

  const status = await stack.client.status(domain);
  expect(status.stage).toBe('cancelled');
  expect(status.compensation?.undone).toEqual([
    `end subscription(s) 1010020028, Google-Vault of ${domain} (transfer_to_direct)`,
    `revoke super admin of admin@${domain}`,
    `delete user admin@${domain}`,
  ]);
  expect(status.compensation?.stillBilling).toBeUndefined();
  expect(await activeForReseller(customerId)).toEqual([]);

  const log = await stack.google.requests();
  const ends = log.filter(isSubscriptionDelete);
  expect(ends).toHaveLength(2);
  expect(ends.every((r) => r.status === 204 && r.query.deletionType === 'transfer_to_direct')).toBe(true);
  // One batch request carried both.
  expect(new Set(ends.map((r) => r.batchSeq)).size).toBe(1);
  expect(ends[0]?.batchSeq).toBeDefined();
  const adminRemoved = log.find(isUserDelete(`admin@${domain}`));
  expect(adminRemoved?.status).toBe(204);
  expect(Math.max(...ends.map((r) => r.seq))).toBeLessThan(adminRemoved?.seq ?? -1);

  const mail = await stack.google.waitForMail((m) => m.subject.includes(domain) && /cancelled/i.test(m.subject));
  expect(mail.text).toMatch(/Undone: end subscription\(s\) 1010020028, Google-Vault/);
});

test('the customer lost its administrator: Google answers 412, a temporary administrator is added, used and removed', async () => {
  const domain = uniqueDomain('end-412');
  const customerId = await cancelWhileAwaitingTerms(domain);
  // Someone took the admin rights away meanwhile: the customer has no administrator.
  await googleApis().directory.users.makeAdmin({ userKey: `admin@${domain}`, requestBody: { status: false } });
  await stack.google.clearRequests();
  await stack.client.cancel(domain, 'the customer withdrew the order', 'sales');
  await stack.client.result(domain).catch(() => undefined);

  const status = await stack.client.status(domain);
  expect(status.compensation?.undone[0]).toBe(
    `end subscription(s) 1010020028, Google-Vault of ${domain} (transfer_to_direct) (ended with a temporary administrator)`,
  );
  expect(await activeForReseller(customerId)).toEqual([]);

  const log = await stack.google.requests();
  const ends = log.filter(isSubscriptionDelete);
  expect(ends.map((r) => r.status)).toEqual([412, 412, 204, 204]);
  const temporary = log.filter(
    (r) =>
      (r.method === 'POST' && r.path === '/admin/directory/v1/users') ||
      decodeURIComponent(r.path).includes('onboarding-temporary-admin-'),
  );
  expect(temporary.map((r) => [r.method, r.status])).toEqual([
    ['POST', 200], // users.insert
    ['POST', 200], // makeAdmin
    ['DELETE', 204], // removed right after
  ]);
  expect(temporary[1]!.seq).toBeLessThan(ends[2]!.seq);
  expect(temporary[2]!.seq).toBeGreaterThan(ends[3]!.seq);
  const state = await stack.google.state();
  expect(state.users.filter((u) => u.primaryEmail.startsWith('onboarding-temporary-admin-'))).toEqual([]);
});

test('subscriptions Google refuses to end: named as still billing in the status and the sales e-mail; the admin is kept', async () => {
  const domain = uniqueDomain('end-refused');
  const customerId = await cancelWhileAwaitingTerms(domain);
  await stack.google.addFault({ method: 'POST', path: '^/batch$', status: 400, times: 1 });
  await stack.client.cancel(domain, 'the customer withdrew the order', 'sales');
  await stack.client.result(domain).catch(() => undefined);

  const status = await stack.client.status(domain);
  expect(status.compensation?.stillBilling).toEqual([
    `subscription 1010020028 of ${domain}`,
    `subscription Google-Vault of ${domain}`,
  ]);
  expect(status.compensation?.undone).toEqual([]);
  expect(status.compensation?.cannotUndo.join('\n')).toMatch(/delete user admin@.*not done/);
  expect(await activeForReseller(customerId)).toHaveLength(2);
  // The Web UI shows it too (the workflow's current details).
  const metadata = await stack.client.handle(domain).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toMatch(/STILL BILLING THE RESELLER/);
  // Kept on purpose: without an administrator Google would refuse to end them (412).
  const admin = (await stack.google.state()).users.find((u) => u.primaryEmail === `admin@${domain}`);
  expect(admin?.isAdmin).toBe(true);
  const mail = await stack.google.waitForMail((m) => m.subject.includes(domain) && /cancelled/i.test(m.subject));
  expect(mail.text).toMatch(/STILL BILLING THE RESELLER .*subscription 1010020028 of/);
});
