/**
 * A new customer, in Google's documented order: create the customer (or recognise one this
 * onboarding created), set its default language before any user exists, create its first user,
 * make it super admin, order what was sold, tell the customer to sign in — then wait for the terms.
 * Team (email-verified) customers skip the user steps: Google makes their primaryAdmin the admin.
 * A domain held elsewhere takes the transfer branch; one that already is ours stops untouched.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { CustomerOutcome } from '../../activities/customer';
import { GOOGLE_CALL, NOTICE_CALL, run, runActivity } from '../activity-stubs';
import type { OnboardingStatus } from '../messages';
import { prepareDomainVerification } from './domain';
import { alreadyACustomer } from './endings';
import type { Validated } from './state';
import { orderSubscriptions } from './subscriptions';
import { awaitTerms } from './terms';
import { transferBranch } from './transfer';

type NewCustomer = Extract<CustomerOutcome, { outcome: 'created' | 'resumed' }>;

export async function provision(ob: Validated): Promise<OnboardingStatus> {
  const customer = await createCustomer(ob);
  if (customer.outcome === 'managed-elsewhere') return transferBranch(ob, customer.customerId);
  ob.tokens.settleAll({
    outcome: 'not-needed',
    message: `${ob.validation.domain} was not an existing Google customer: no transfer needed`,
  });
  if (customer.outcome === 'already-a-customer') return alreadyACustomer(ob, customer.customerId, customer.reason);
  ob.saga.cannotUndo(
    `customer ${customer.customerId} (${ob.validation.domain}): Google offers no API to delete a customer`,
  );

  let adminEmail: string | undefined;
  if (ob.validation.order.customerType === 'domain') {
    await setLanguage(ob, customer);
    adminEmail = await createAdmin(ob, customer);
  }
  await orderSubscriptions(ob, customer.customerId);
  await prepareDomainVerification(ob, customer.customerId);
  await sendSignInNotice(ob, customer.customerId, adminEmail);
  return awaitTerms(ob, customer.customerId, adminEmail);
}

async function createCustomer(ob: Validated): Promise<CustomerOutcome> {
  ob.progress.enter('creating-customer', `Creating the Google Workspace customer for ${ob.validation.domain}.`);
  // Not interruptible: a cancel waits for it, so a customer Google created is always in the report.
  const customer = await CancellationScope.nonCancellable(() =>
    ob.progress.step(
      'create-customer',
      () =>
        run('createResoldCustomer', `create customer ${ob.validation.domain}`, {
          order: ob.validation.order,
          onboarding: ob.identity,
        }),
      (r) => r.outcome,
    ),
  );
  ob.progress.update({ customerId: customer.customerId });
  return customer;
}

/**
 * Domain customers only. Whether Google applies a Directory language to a team customer is
 * unconfirmed (docs/google-behaviour.md): not sending it is the conservative path.
 */
async function setLanguage(ob: Validated, customer: NewCustomer): Promise<void> {
  const { language } = ob.validation.order;
  ob.progress.enter('setting-language', `Setting the default language to \`${language}\` before any user exists.`);
  await ob.progress.step('set-language', () =>
    run('setCustomerLanguage', `set default language ${language}`, {
      customerId: customer.customerId,
      language,
      createdAt: customer.createdAt,
    }),
  );
}

/** Creates the first user and makes it super admin; returns its address. */
async function createAdmin(ob: Validated, customer: NewCustomer): Promise<string> {
  const { admin } = ob.validation.order;
  if (!admin) throw new Error("a domain customer's validated order names its admin"); // the validation requires it
  const { customerId } = customer;
  const adminEmail = admin.primaryEmail;
  ob.progress.enter('creating-admin', `Creating the first user ${adminEmail}.`);
  // Registered before the step, and the step is not interruptible: a cancel meanwhile waits for it,
  // then removes the user it created. The compensation spares any user this onboarding did not create.
  ob.saga.add({
    description: `delete user ${adminEmail}`,
    activity: 'deleteUser',
    input: { userKey: adminEmail, customerId, onboardingKey: ob.identity.key },
  });
  const user = await CancellationScope.nonCancellable(() =>
    ob.progress.step(
      'create-admin',
      () =>
        run('createAdminUser', `create user ${adminEmail}`, {
          customerId,
          admin,
          onboardingKey: ob.identity.key,
          customerCreatedAt: customer.createdAt,
        }),
      (r) => r.outcome,
    ),
  );
  ob.progress.update({ adminEmail });

  ob.progress.enter('granting-admin', `Making ${adminEmail} super admin.`);
  await ob.progress.step(
    'grant-admin',
    () =>
      run('grantSuperAdmin', `make ${adminEmail} super admin`, {
        userKey: user.primaryEmail,
        ...(user.createdAt ? { userCreatedAt: user.createdAt } : {}),
      }),
    (r) => r.outcome,
  );
  ob.saga.add({
    description: `revoke super admin of ${adminEmail}`,
    activity: 'revokeSuperAdmin',
    input: { userKey: adminEmail, customerId, onboardingKey: ob.identity.key },
  });
  return adminEmail;
}

async function sendSignInNotice(ob: Validated, customerId: string, adminEmail: string | undefined): Promise<void> {
  const contact = ob.validation.contact;
  const { subscriptions = [] } = ob.progress.view;
  const dnsRecord = ob.domainVerification.verified ? undefined : ob.domainVerification.record;
  ob.progress.enter(
    'notifying',
    `E-mailing ${contact} how to sign in and accept the terms${dnsRecord ? ', and the DNS record that verifies the domain' : ''}.`,
  );
  await ob.progress.step('send-sign-in-notice', () =>
    runActivity(
      ob.behaviour.noticeCancelWaitsForMail ? NOTICE_CALL : GOOGLE_CALL,
      'sendSignInNotice',
      `e-mail sign-in notice to ${contact}`,
      {
        customerDomain: ob.validation.domain,
        customerId,
        to: contact,
        ...(adminEmail ? { adminEmail } : {}),
        issueTemporaryPassword: ob.validation.order.admin?.password === undefined,
        subscriptions,
        ...(dnsRecord ? { dnsRecord } : {}),
      },
    ),
  );
}
