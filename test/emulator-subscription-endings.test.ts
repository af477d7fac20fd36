/**
 * Why this file exists: ending a subscription is how a failed onboarding stops billing the reseller,
 * and Google documents the one route for Workspace: `subscriptions.delete?deletionType=transfer_to_direct`,
 * all of a customer's subscriptions in one batch request, 412 when the customer has no administrator,
 * and `cancel` (deprecated) refused for Workspace editions. The emulator must refuse what Google
 * refuses, or the product's endings are never tested (docs/google-behaviour.md, section "Billing-safe endings").
 */
import { sendBatch } from '../activities/google-batch';
import { createCustomer, googleError, useEmulator, userBody } from './support/emulator-harness';

const h = useEmulator();

const STANDARD = { skuId: '1010020028', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } };
const VAULT = { skuId: 'Google-Vault', plan: { planName: 'FLEXIBLE' }, seats: { maximumNumberOfSeats: 5 } };

async function customerWith(domain: string, skus: object[], admin = true) {
  const customerId = await createCustomer(h, domain);
  if (admin) {
    await h.directory.users.insert({ requestBody: userBody(`admin@${domain}`) });
    await h.directory.users.makeAdmin({ userKey: `admin@${domain}`, requestBody: { status: true } });
  }
  const ids: string[] = [];
  for (const requestBody of skus) {
    ids.push((await h.resellerApi.subscriptions.insert({ customerId, requestBody })).data.subscriptionId!);
  }
  return { customerId, ids };
}

const listed = async (customerId: string) =>
  (await h.resellerApi.subscriptions.list({ customerId }).catch(() => ({ data: { subscriptions: [] } }))).data
    .subscriptions ?? [];

const batchDelete = (customerId: string, ids: string[], deletionType = 'transfer_to_direct') =>
  sendBatch(
    h.auth,
    h.emulator.url,
    ids.map((id) => ({
      method: 'DELETE' as const,
      path: `/apps/reseller/v1/customers/${customerId}/subscriptions/${id}`,
      query: { deletionType },
    })),
    { timeoutMs: 5000 },
  );

describe('ending subscriptions as Google documents it', () => {
  it('refuses the deprecated cancel for a Google Workspace edition; transfer_to_direct ends it for the reseller', async () => {
    const { customerId, ids } = await customerWith('end-one.example', [STANDARD]);
    const subscriptionId = ids[0]!;
    const cancel = await googleError(
      h.resellerApi.subscriptions.delete({ customerId, subscriptionId, deletionType: 'cancel' }),
    );
    expect(cancel.status).toBe(400);
    expect(cancel.body.error.message).toMatch(/deprecated.*Google Workspace/);
    expect(await listed(customerId)).toHaveLength(1);

    const ended = await h.resellerApi.subscriptions.delete({
      customerId,
      subscriptionId,
      deletionType: 'transfer_to_direct',
    });
    expect(ended.status).toBe(204);
    expect((await listed(customerId)).filter((s) => s.status === 'ACTIVE' || s.status === 'SUSPENDED')).toEqual([]);
    // Handed back: the reseller may still remove the administrator it created (unconfirmed at Google).
    expect((await h.directory.users.delete({ userKey: 'admin@end-one.example' })).status).toBe(204);
  });

  it('answers 412 conditionNotMet when the customer has no administrator', async () => {
    const { customerId, ids } = await customerWith('end-noadmin.example', [STANDARD], false);
    const refused = await googleError(
      h.resellerApi.subscriptions.delete({ customerId, subscriptionId: ids[0]!, deletionType: 'transfer_to_direct' }),
    );
    expect(refused.status).toBe(412);
    expect(refused.body.error.errors?.[0]?.reason).toBe('conditionNotMet');
    expect(refused.body.error.message).toMatch(/temporary administrator/);
    expect(await listed(customerId)).toHaveLength(1);
  });

  it('a customer with several subscriptions: one alone is refused, all of them in one batch are ended', async () => {
    const { customerId, ids } = await customerWith('end-batch.example', [STANDARD, VAULT]);
    const alone = await googleError(
      h.resellerApi.subscriptions.delete({ customerId, subscriptionId: ids[0]!, deletionType: 'transfer_to_direct' }),
    );
    expect(alone.status).toBe(400);
    expect(alone.body.error.message).toMatch(/batch request/);
    // A batch that leaves one out is refused too.
    expect((await batchDelete(customerId, [ids[0]!])).map((r) => r.status)).toEqual([400]);

    const answers = await batchDelete(customerId, ids);
    expect(answers.map((r) => r.status)).toEqual([204, 204]);
    expect(await listed(customerId)).toEqual([]);
    const log = (await h.control.requests()).filter((r) => r.method === 'DELETE');
    expect(log.map((r) => r.query)).toEqual(
      expect.arrayContaining([expect.objectContaining({ deletionType: 'transfer_to_direct' })]),
    );
  });

  it('a batch answers 412 in each part when the customer has no administrator', async () => {
    const { customerId, ids } = await customerWith('end-batch-noadmin.example', [STANDARD, VAULT], false);
    expect((await batchDelete(customerId, ids)).map((r) => r.status)).toEqual([412, 412]);
  });
});
