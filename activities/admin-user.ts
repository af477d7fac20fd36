/** Directory user steps: the customer's first user, made super admin; and their compensations. */
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { admin_directory_v1 } from 'googleapis/build/src/apis/admin';
import type { Order } from '../order/order';
import type { ActivityDependencies } from './dependencies';
import { googleErrorFacts, googleFailure, isGoogleStatus } from './google-errors';
import { generateTemporaryPassword } from './password';
import { isPropagationDelay, propagationAwareFailure } from './propagation';

export interface AdminUserInput {
  customerId: string;
  admin: NonNullable<Order['admin']>;
  /** The onboarding's marker (workflow id and first run id); release 0.1 sent none and marked with the workflow id. */
  onboardingKey?: string;
  /** When the customer was created: right after it, Google may not know it yet (propagation.ts). */
  customerCreatedAt?: string;
}

export interface AdminUserResult {
  userId: string;
  primaryEmail: string;
  outcome: 'created' | 'already-existed';
  /** When this onboarding created the user (now, or Google's creation time for one found again). */
  createdAt?: string;
  attempt: number;
}

/**
 * Users this product creates carry a Directory external id naming the onboarding — this order's
 * onboarding (workflow id and first run id), not just the domain: only such a user, in this
 * customer, is adopted on a retry or a restart, or deleted by a compensation. Anyone else's user,
 * however recent, and a user of an earlier onboarding of the same domain, are never touched.
 */
export const MARKER_TYPE = 'workspace-onboarding';
function markerValue(onboardingKey: string | undefined): string {
  if (onboardingKey) return onboardingKey;
  const id = activityInfo().workflowExecution?.workflowId;
  if (!id)
    throw ApplicationFailure.nonRetryable('runs only as an activity of an onboarding workflow', 'NotInOnboarding');
  return id;
}
const marker = (onboardingKey: string | undefined) => ({
  type: 'custom',
  customType: MARKER_TYPE,
  value: markerValue(onboardingKey),
});

/** The user is in this customer and carries exactly this marker value (also used by activities/reconciliation.ts). */
export function carriesOnboardingMarker(
  user: admin_directory_v1.Schema$User,
  customerId: string,
  value: string,
): boolean {
  const ids = (user.externalIds ?? []) as { type?: string; customType?: string; value?: string }[];
  return (
    user.customerId === customerId &&
    ids.some((id) => id.type === 'custom' && id.customType === MARKER_TYPE && id.value === value)
  );
}

function createdByThisOnboarding(
  user: admin_directory_v1.Schema$User,
  customerId: string,
  onboardingKey: string | undefined,
): boolean {
  return carriesOnboardingMarker(user, customerId, markerValue(onboardingKey));
}

/** Right after users.insert Google may not know the user yet (404, "User creation is not complete"): worth retrying. */
export function notReadyYet(operation: string): ApplicationFailure {
  return ApplicationFailure.retryable(
    `${operation}: the new user is not visible yet (Google is still creating it)`,
    'UserNotReady',
  );
}

export function adminUserActivities({ google }: ActivityDependencies) {
  const users = google.directory.users;

  async function findUser(userKey: string): Promise<admin_directory_v1.Schema$User | undefined> {
    try {
      return (await users.get({ userKey })).data;
    } catch (err) {
      if (isGoogleStatus(err, 404)) return undefined;
      throw googleFailure(`users.get ${userKey}`, err);
    }
  }

  /** A user already there is ours only if it is this customer's and carries this onboarding's marker (an earlier attempt, or run). */
  function adoptOrRefuse(user: admin_directory_v1.Schema$User, input: AdminUserInput): AdminUserResult {
    const email = input.admin.primaryEmail;
    if (user.customerId !== input.customerId) {
      throw ApplicationFailure.nonRetryable(
        `users.insert ${email}: the address belongs to another Google customer`,
        'AdminEmailTaken',
      );
    }
    if (!createdByThisOnboarding(user, input.customerId, input.onboardingKey)) {
      // A real administrator of an existing customer: never take it over, reset its password or delete it.
      throw ApplicationFailure.nonRetryable(
        `users.insert ${email}: this user already exists in customer ${input.customerId} and was not created by this onboarding; order another admin address`,
        'AdminUserExists',
      );
    }
    return {
      userId: user.id ?? email,
      primaryEmail: email,
      outcome: 'already-existed',
      ...(user.creationTime ? { createdAt: user.creationTime } : {}),
      attempt: activityInfo().attempt,
    };
  }

  return {
    /**
     * Creates the first user. Safe to run twice: a user already there in this customer (our own
     * earlier attempt) counts as created. A generated password is thrown away at once: the
     * sign-in notice issues the one the customer receives, so no password ever leaves an activity.
     */
    async createAdminUser(input: AdminUserInput): Promise<AdminUserResult> {
      const { admin } = input;
      const existing = await findUser(admin.primaryEmail);
      if (existing) return adoptOrRefuse(existing, input);
      try {
        const created = await users.insert({
          requestBody: {
            primaryEmail: admin.primaryEmail,
            name: { givenName: admin.givenName, familyName: admin.familyName },
            password: admin.password ?? generateTemporaryPassword(),
            ...(admin.passwordHashFunction ? { hashFunction: admin.passwordHashFunction } : {}),
            changePasswordAtNextLogin: admin.password === undefined,
            externalIds: [marker(input.onboardingKey)],
          },
        });
        const createdAt = new Date().toISOString();
        return {
          userId: created.data.id ?? admin.primaryEmail,
          primaryEmail: admin.primaryEmail,
          outcome: 'created',
          createdAt,
          attempt: activityInfo().attempt,
        };
      } catch (err) {
        if (!isGoogleStatus(err, 409))
          throw propagationAwareFailure(`users.insert ${admin.primaryEmail}`, err, input.customerCreatedAt);
        const holder = await findUser(admin.primaryEmail);
        // 409 yet invisible: our own insert not visible yet (retrying settles it), or a consumer account
        // holding the address: retried while a just-made insert may still be propagating, then final.
        if (!holder) {
          const message = `users.insert ${admin.primaryEmail}: Google says the address exists but shows no such user (not visible yet, or a consumer Google account holds it)`;
          const settled =
            input.customerCreatedAt !== undefined &&
            !isPropagationDelay({ response: { status: 404 } }, input.customerCreatedAt);
          throw settled
            ? ApplicationFailure.nonRetryable(message, 'AdminEmailConflict')
            : ApplicationFailure.retryable(message, 'AdminEmailConflict');
        }
        return adoptOrRefuse(holder, input);
      }
    },

    /**
     * Makes the user super admin; retries past Google's eventual consistency right after creation —
     * within the propagation window when the creation time is known (release 0.1 runs: by attempts).
     */
    async grantSuperAdmin(input: {
      userKey: string;
      userCreatedAt?: string;
    }): Promise<{ outcome: 'granted' | 'already-admin'; attempt: number }> {
      const user = await findUser(input.userKey);
      if (!user) {
        if (input.userCreatedAt && !isPropagationDelay({ response: { status: 404 } }, input.userCreatedAt)) {
          throw ApplicationFailure.nonRetryable(
            `users.get ${input.userKey}: the user no longer exists`,
            'AdminUserGone',
          );
        }
        throw notReadyYet(`users.get ${input.userKey}`);
      }
      if (user.isAdmin) return { outcome: 'already-admin', attempt: activityInfo().attempt };
      try {
        await users.makeAdmin({ userKey: input.userKey, requestBody: { status: true } });
      } catch (err) {
        if (input.userCreatedAt)
          throw propagationAwareFailure(`users.makeAdmin ${input.userKey}`, err, input.userCreatedAt);
        const facts = googleErrorFacts(err);
        if (facts.status === 404 || /creation is not complete/i.test(facts.message))
          throw notReadyYet(`users.makeAdmin ${input.userKey}`);
        throw googleFailure(`users.makeAdmin ${input.userKey}`, err);
      }
      return { outcome: 'granted', attempt: activityInfo().attempt };
    },

    /** Compensation of grantSuperAdmin. */
    async revokeSuperAdmin(input: {
      userKey: string;
      /** Release 0.2 sends these: only a user this onboarding created is demoted. */
      customerId?: string;
      onboardingKey?: string;
    }): Promise<{ outcome: 'revoked' | 'already-gone' | 'kept: not created by this onboarding' }> {
      if (input.customerId && input.onboardingKey) {
        const user = await findUser(input.userKey);
        if (!user) return { outcome: 'already-gone' };
        if (!createdByThisOnboarding(user, input.customerId, input.onboardingKey))
          return { outcome: 'kept: not created by this onboarding' };
      }
      try {
        await users.makeAdmin({ userKey: input.userKey, requestBody: { status: false } });
        return { outcome: 'revoked' };
      } catch (err) {
        if (isGoogleStatus(err, 404)) return { outcome: 'already-gone' };
        throw googleFailure(`users.makeAdmin(false) ${input.userKey}`, err);
      }
    },

    /** Compensation of createAdminUser: deletes the user only if this onboarding created it. */
    async deleteUser(input: {
      userKey: string;
      customerId: string;
      onboardingKey?: string;
    }): Promise<{ outcome: 'deleted' | 'already-gone' | 'kept: not created by this onboarding' }> {
      const user = await findUser(input.userKey);
      if (!user) return { outcome: 'already-gone' };
      if (!createdByThisOnboarding(user, input.customerId, input.onboardingKey))
        return { outcome: 'kept: not created by this onboarding' };
      try {
        await users.delete({ userKey: input.userKey });
        return { outcome: 'deleted' };
      } catch (err) {
        if (isGoogleStatus(err, 404)) return { outcome: 'already-gone' };
        throw googleFailure(`users.delete ${input.userKey}`, err);
      }
    },
  };
}
