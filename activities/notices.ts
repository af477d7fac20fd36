/** E-mails to the customer. The notice is where a temporary password is born and leaves, in one step. */
import { activityInfo } from '@temporalio/activity';
import type { ActivityDependencies } from './dependencies';
import { googleFailure, isGoogleStatus } from './google-errors';
import { notReadyYet } from './admin-user';
import { generateTemporaryPassword } from './password';

export interface SignInNoticeInput {
  customerDomain: string;
  customerId: string;
  to: string;
  adminEmail: string;
  /** True when the order supplied no password: a fresh temporary one is set and mailed. */
  issueTemporaryPassword: boolean;
}

const ADMIN_CONSOLE = 'https://admin.google.com';

export function noticeActivities({ google, mailer, mail }: ActivityDependencies) {
  /** Sets a new temporary password. Retrying the notice sets yet another: the last e-mail always holds the valid one. */
  async function issueTemporaryPassword(userKey: string): Promise<string> {
    const password = generateTemporaryPassword();
    try {
      await google.directory.users.patch({ userKey, requestBody: { password, changePasswordAtNextLogin: true } });
    } catch (err) {
      if (isGoogleStatus(err, 404)) throw notReadyYet(`users.patch ${userKey}`);
      throw googleFailure(`users.patch ${userKey} password`, err);
    }
    return password;
  }

  return {
    /** Tells the customer how to sign in to the Admin console and accept the terms, which only they may do. */
    async sendSignInNotice(input: SignInNoticeInput): Promise<{ messageId: string; attempt: number }> {
      const password = input.issueTemporaryPassword ? await issueTemporaryPassword(input.adminEmail) : undefined;
      const credentials = password
        ? [`  User name:          ${input.adminEmail}`, `  Temporary password: ${password}`, '  (you will choose your own password at first sign-in)']
        : [`  User name: ${input.adminEmail}`, '  Password:  the one you gave us when ordering'];
      const messageId = await mailer.send({
        to: input.to,
        subject: `Your Google Workspace for ${input.customerDomain} is ready: sign in and accept the terms`,
        text: [
          'Hello,',
          '',
          `${mail.resellerName} has created Google Workspace for ${input.customerDomain} (customer ${input.customerId}).`,
          `To start using it, sign in to the Google Admin console at ${ADMIN_CONSOLE} with:`,
          '',
          ...credentials,
          '',
          'and accept the "Google Workspace via Reseller" terms of service when asked.',
          'Only you can accept them; until then your services stay suspended.',
          '',
          `— ${mail.resellerName}`,
        ].join('\n'),
      });
      return { messageId, attempt: activityInfo().attempt };
    },
  };
}
