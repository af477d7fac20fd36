/**
 * Why this file exists: a customer can follow Google's transfer procedure only if our e-mail names
 * this reseller's Public Identifier (RESELLER_PUBLIC_ID), and a transferred customer signs Google's
 * new terms only if it is told that every super administrator must. The e-mails are built here from
 * the activities themselves, with a mailer that keeps what it is given.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityDependencies } from '../../activities/dependencies';
import type { OutgoingMail } from '../../activities/mailer';
import { noticeActivities } from '../../activities/notices';

function notices(resellerPublicId?: string) {
  const sent: OutgoingMail[] = [];
  const deps = {
    google: {} as ActivityDependencies['google'],
    mailer: {
      async send(mail: OutgoingMail) {
        sent.push(mail);
        return `<m${sent.length}@test>`;
      },
      close() {},
    },
    mail: {
      resellerName: 'Test Reseller',
      salesNotifyEmail: 'sales@reseller.example',
      ...(resellerPublicId ? { resellerPublicId } : {}),
    },
    policy: { allowedCountries: [] },
    waits: { tosCheckEveryMs: 3_600_000, remindersMs: [], deadlineMs: 86_400_000 },
  } satisfies ActivityDependencies;
  return { activities: noticeActivities(deps), sent };
}

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
  new MockActivityEnvironment().run(fn, ...args);

test('the transfer-token request and its reminder name the Public Identifier to enter', async () => {
  const { activities, sent } = notices('C-PUBLIC-42');
  await run(activities.sendTransferTokenRequest, { customerDomain: 'acme.example', to: 'it@acme.example' });
  await run(activities.sendReminder, {
    what: 'transfer-token',
    customerDomain: 'acme.example',
    to: 'it@acme.example',
    reminderNumber: 1,
    deadline: '2027-01-31T00:00:00.000Z',
  });
  expect(sent[0]?.text).toContain("when asked for the reseller's Public Identifier, enter: C-PUBLIC-42");
  expect(sent[0]?.text).toContain('https://admin.google.com/TransferToken');
  expect(sent[1]?.text).toContain('entering our Public Identifier C-PUBLIC-42');
});

test('without a Public Identifier (older deployments) the request still names the reseller', async () => {
  const { activities, sent } = notices();
  await run(activities.sendTransferTokenRequest, { customerDomain: 'acme.example', to: 'it@acme.example' });
  expect(sent[0]?.text).toContain('(choose Test Reseller as the reseller)');
});

test("after a transfer, the contact and the order's admin are told every super administrator signs the new terms", async () => {
  const { activities, sent } = notices('C-PUBLIC-42');
  await run(activities.sendTransferTermsNotice, {
    customerDomain: 'acme.example',
    customerId: 'C0123',
    to: 'owner@acme-mail.example',
    adminEmail: 'admin@acme.example',
    subscriptions: [
      { skuId: '1010020028', skuName: 'Google Workspace Business Standard', planName: 'FLEXIBLE', seats: 12 },
      { skuId: 'Google-Drive-storage-20GB', planName: 'FLEXIBLE', seats: 12 },
    ],
  });
  expect(sent[0]?.to).toBe('owner@acme-mail.example, admin@acme.example');
  expect(sent[0]?.subject).toBe("acme.example moved to Test Reseller: sign Google's new terms");
  expect(sent[0]?.text).toContain("each super administrator of acme.example to sign Google's new terms of service");
  expect(sent[0]?.text).toContain('Google Workspace Business Standard: 12 seat(s), FLEXIBLE');
  expect(sent[0]?.text).toContain('Google-Drive-storage-20GB: 12 seat(s), FLEXIBLE');

  await run(activities.sendReminder, {
    what: 'tos-acceptance',
    customerDomain: 'acme.example',
    to: 'owner@acme-mail.example',
    transferred: true,
    reminderNumber: 2,
    deadline: '2027-01-31T00:00:00.000Z',
    missing: ['accept the terms'],
  });
  expect(sent[1]?.text).toContain(
    "Each super administrator of acme.example must sign in at https://admin.google.com and accept Google's new terms of service.",
  );
});
