/** E-mails to the customer. The notice is where a temporary password is born and leaves, in one step. */
import { activityInfo, log } from '@temporalio/activity';
import { isOnSalesDomain } from '../order/order';
import type { ActivityDependencies } from './dependencies';
import { googleFailure, isGoogleStatus } from './google-errors';
import { notReadyYet } from './admin-user';
import { generateTemporaryPassword } from './password';
import type { DnsRecord } from '../workflows/messages';
import type { WaitKindName } from '../workflows/onboarding/wait-kinds';

export interface SignInNoticeInput {
  customerDomain: string;
  customerId: string;
  to: string;
  /** The first user (domain customers). A team customer's admin is the primaryAdmin Google verifies: none here. */
  adminEmail?: string;
  /** True when the order supplied no password: a fresh temporary one is set and mailed. */
  issueTemporaryPassword: boolean;
  /** What was ordered, listed in the notice (suspended until the terms are accepted). */
  subscriptions?: { skuId: string; skuName?: string; plan: string; seats: number }[];
  /** The DNS record that verifies the customer's domain, when it is still to be published. */
  dnsRecord?: DnsRecord;
}

const ADMIN_CONSOLE = 'https://admin.google.com';
const TRANSFER_TOKEN_PAGE = 'https://admin.google.com/TransferToken';

export interface TransferTokenRequestInput {
  customerDomain: string;
  to: string;
  /** Set when Google refused the previous token: the notice says so and asks for a fresh one. */
  refusal?: string;
}

/** After a transfer: the customer's super admins must sign Google's new terms. */
export interface TransferTermsNoticeInput {
  customerDomain: string;
  customerId: string;
  /** The order's contact; the order's admin address (when it names one) is told too. */
  to: string;
  adminEmail?: string;
  /** What moved, listed in the notice (suspended until the terms are signed). */
  subscriptions: { skuId: string; skuName?: string; planName: string; seats: number }[];
}

export interface ReminderInput {
  what: WaitKindName;
  customerDomain: string;
  to: string;
  adminEmail?: string;
  /** Release 0.4: the terms to sign are the new ones of a customer transferred to this reseller (every super admin signs). */
  transferred?: boolean;
  reminderNumber: number;
  deadline: string;
  /** What the customer has not done yet (terms acceptance waits); release 0.1 sent none. */
  missing?: string[];
  dnsRecord?: DnsRecord;
}

export interface SalesNoticeInput {
  customerDomain: string;
  /** The order's sales contact; the worker's SALES_NOTIFY_EMAIL otherwise. */
  to?: string;
  outcome: 'failed' | 'cancelled' | 'expired' | 'already-a-customer';
  lines: string[];
}

const day = (iso: string) => iso.slice(0, 10);

/** How to get in: a domain customer's first user (with a temporary password, or their own); a team customer's verified admin. */
function signInSteps(input: SignInNoticeInput, password: string | undefined): string[] {
  if (!input.adminEmail) {
    return [
      `Google has sent a verification e-mail to ${input.to}: open it and follow the link to verify your address;`,
      `you then become the administrator. Sign in to the Google Admin console at ${ADMIN_CONSOLE}`,
    ];
  }
  const credentials = password
    ? [
        `  User name:          ${input.adminEmail}`,
        `  Temporary password: ${password}`,
        '  (you will choose your own password at first sign-in)',
      ]
    : [`  User name: ${input.adminEmail}`, '  Password:  the one you gave us when ordering'];
  return [`To start using it, sign in to the Google Admin console at ${ADMIN_CONSOLE} with:`, '', ...credentials];
}

interface ReminderCopy {
  subject: (input: ReminderInput) => string;
  lines: (input: ReminderInput, mail: { resellerName: string; resellerPublicId?: string }) => string[];
}

/** What a reminder says, for each kind of wait (workflows/onboarding/wait-kinds.ts: a new kind must say its own). */
const REMINDER_COPY: Record<WaitKindName, ReminderCopy> = {
  'tos-acceptance': {
    subject: ({ missing = ['accept the terms'] }) =>
      missing.map((m) => (m === 'accept the terms' ? 'accept the Google Workspace terms' : m)).join(' and '),
    lines: ({ customerDomain, adminEmail, transferred, missing = ['accept the terms'] }) => [
      `Google Workspace for ${customerDomain} is waiting for you to ${missing.join(' and ')}.`,
      ...(!missing.includes('accept the terms')
        ? ['The terms are accepted: thank you.']
        : transferred
          ? [
              `Each super administrator of ${customerDomain} must sign in at ${ADMIN_CONSOLE} and accept Google's new terms of service.`,
            ]
          : [`Sign in at ${ADMIN_CONSOLE}${adminEmail ? ` as ${adminEmail}` : ''} and accept the terms of service.`]),
    ],
  },
  'transfer-token': {
    subject: () => 'a transfer token is needed',
    lines: ({ customerDomain }, { resellerName, resellerPublicId }) => [
      `We still need a transfer token to move ${customerDomain} to ${resellerName}: generate it at ${TRANSFER_TOKEN_PAGE}${resellerPublicId ? `, entering our Public Identifier ${resellerPublicId}` : ''}.`,
    ],
  },
};
/** The customer's steps to make a transfer token for this reseller (Google's procedure names the Public Identifier). */
function transferTokenSteps(resellerName: string, publicId: string | undefined): string[] {
  if (!publicId) return [`(choose ${resellerName} as the reseller), then send the token to your sales contact.`];
  return [
    `and, when asked for the reseller's Public Identifier, enter: ${publicId}`,
    `(check that the name shown is ${resellerName}), then send the token to your sales contact.`,
  ];
}

/** The exact record to add at the customer's DNS host; Google may suspend an unverified account after about 21 days. */
function dnsRecordLines(record: DnsRecord | undefined): string[] {
  if (!record) return [];
  return [
    '',
    `Then prove that you own ${record.host}: add this record at your DNS provider (it may take a while to be seen):`,
    '',
    `  Host:  ${record.host}  (or @)`,
    `  Type:  ${record.type}`,
    `  Value: ${record.value}`,
    '',
    'We check it ourselves and tell you nothing more is needed once Google has verified the domain.',
    'An unverified account may be suspended by Google about 21 days after it was created.',
  ];
}

function orderedLines(subscriptions: NonNullable<SignInNoticeInput['subscriptions']>): string[] {
  if (subscriptions.length === 0) return [];
  return [
    '',
    'Ordered for you:',
    ...subscriptions.map((s) => `  - ${s.skuName ?? s.skuId}: ${s.seats} seat(s), ${s.plan}`),
  ];
}

export function noticeActivities({ google, mailer, mail }: ActivityDependencies) {
  const signature = ['', `— ${mail.resellerName}`];

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
      const password =
        input.adminEmail && input.issueTemporaryPassword ? await issueTemporaryPassword(input.adminEmail) : undefined;
      const messageId = await mailer.send({
        to: input.to,
        subject: `Your Google Workspace for ${input.customerDomain} is ready: sign in and accept the terms`,
        text: [
          'Hello,',
          '',
          `${mail.resellerName} has created Google Workspace for ${input.customerDomain} (customer ${input.customerId}).`,
          ...signInSteps(input, password),
          ...orderedLines(input.subscriptions ?? []),
          '',
          'and accept the "Google Workspace via Reseller" terms of service when asked.',
          'Only you can accept them; until then your services stay suspended.',
          ...dnsRecordLines(input.dnsRecord),
          ...signature,
        ].join('\n'),
      });
      return { messageId, attempt: activityInfo().attempt };
    },

    /** Asks the customer for a transfer token: their domain already belongs to a Google customer. */
    async sendTransferTokenRequest(input: TransferTokenRequestInput): Promise<{ messageId: string; attempt: number }> {
      const messageId = await mailer.send({
        to: input.to,
        subject: input.refusal
          ? `Google refused the transfer token for ${input.customerDomain}: please generate a new one`
          : `Action needed: a transfer token to move ${input.customerDomain} to ${mail.resellerName}`,
        text: [
          'Hello,',
          '',
          input.refusal
            ? `Google refused the transfer token we received for ${input.customerDomain} (it may be mistyped, expired, or made for another reseller).`
            : `${input.customerDomain} already has a Google Workspace account, so its subscriptions must be transferred to ${mail.resellerName}.`,
          `A super administrator of ${input.customerDomain} can generate a transfer token at ${TRANSFER_TOKEN_PAGE}`,
          ...transferTokenSteps(mail.resellerName, mail.resellerPublicId),
          ...signature,
        ].join('\n'),
      });
      return { messageId, attempt: activityInfo().attempt };
    },

    /**
     * After a transfer: Google requires each super administrator of a customer that changed reseller
     * to sign Google's new terms; until then the moved subscriptions stay suspended. Sent to the
     * order's contact, and to the order's admin address when it names one.
     */
    async sendTransferTermsNotice(input: TransferTermsNoticeInput): Promise<{ messageId: string; attempt: number }> {
      const to = [input.to, ...(input.adminEmail && input.adminEmail !== input.to ? [input.adminEmail] : [])];
      const messageId = await mailer.send({
        to: to.join(', '),
        subject: `${input.customerDomain} moved to ${mail.resellerName}: sign Google's new terms`,
        text: [
          'Hello,',
          '',
          `The Google Workspace subscriptions of ${input.customerDomain} (customer ${input.customerId}) are now managed by ${mail.resellerName}:`,
          ...input.subscriptions.map((s) => `  - ${s.skuName ?? s.skuId}: ${s.seats} seat(s), ${s.planName}`),
          '',
          `Google requires each super administrator of ${input.customerDomain} to sign Google's new terms of service:`,
          `sign in to the Google Admin console at ${ADMIN_CONSOLE} and accept them when asked.`,
          'Until then Google keeps these subscriptions suspended.',
          ...signature,
        ].join('\n'),
      });
      return { messageId, attempt: activityInfo().attempt };
    },

    /** A reminder names only what is still missing: the terms, the domain (with its DNS record), or the transfer token. */
    async sendReminder(input: ReminderInput): Promise<{ messageId: string; attempt: number }> {
      const messageId = await mailer.send({
        to: input.to,
        subject: `Reminder ${input.reminderNumber}: ${REMINDER_COPY[input.what].subject(input)} for ${input.customerDomain}`,
        text: [
          'Hello,',
          '',
          ...REMINDER_COPY[input.what].lines(input, mail),
          `Please do so before ${day(input.deadline)}; after that the order lapses.`,
          ...dnsRecordLines(input.dnsRecord),
          ...signature,
        ].join('\n'),
      });
      return { messageId, attempt: activityInfo().attempt };
    },

    /**
     * Tells the reseller's sales contact that an onboarding failed, was cancelled, or expired. The
     * order's contact is checked again here (an order may have come by another route than the
     * client): one off the reseller's sales domains gets nothing, SALES_NOTIFY_EMAIL gets it, and is told.
     */
    async notifySales(
      input: SalesNoticeInput,
    ): Promise<{ messageId: string; attempt: number; to: 'order-contact' | 'sales-notify-email' }> {
      const configured = mail.salesEmailDomains ?? [];
      const domains = configured.length
        ? configured
        : [mail.salesNotifyEmail.slice(mail.salesNotifyEmail.lastIndexOf('@') + 1)];
      const refused = input.to !== undefined && !isOnSalesDomain(input.to, domains);
      if (refused)
        log.warn(
          "the order's salesContactEmail is not on a sales domain (SALES_EMAIL_DOMAINS): notice sent to SALES_NOTIFY_EMAIL",
          { domains },
        );
      const useOrderContact = input.to !== undefined && !refused;
      const messageId = await mailer.send({
        to: useOrderContact ? input.to! : mail.salesNotifyEmail,
        subject: `Onboarding of ${input.customerDomain} ${input.outcome}`,
        text: [
          `The onboarding of ${input.customerDomain} ${input.outcome}.`,
          '',
          ...input.lines,
          ...(refused
            ? [
                '',
                `Note: the order named a sales contact outside this reseller's sales domains (${domains.join(', ')}); this notice was sent here instead.`,
              ]
            : []),
        ].join('\n'),
      });
      return {
        messageId,
        attempt: activityInfo().attempt,
        to: useOrderContact ? 'order-contact' : 'sales-notify-email',
      };
    },
  };
}
