/**
 * Outgoing e-mail over SMTP (nodemailer): the local default is the emulator's sink.
 *
 * Pooled: a connection per message costs a TCP (and TLS) handshake, the server's greeting and EHLO
 * (and AUTH) every time — on the local sink, 30 messages in a row took ~150 ms each that way and
 * ~45 ms over an open connection, at about half the CPU (smtp-server, like many real servers, holds
 * its greeting 100 ms); one onboarding alone (bench/throughput.ts): 352–375 ms → 329–330 ms.
 * A few connections are kept open and reused (nodemailer's `pool`), at most
 * MAIL_POOL.maxConnections at once, each for up to maxMessages messages — bounds that suit a
 * submission server's per-client limits; a burst waits its turn. An operator may still set
 * nodemailer's URL options in SMTP_URL (`?pool=false`, `?maxConnections=2`): what SMTP_URL says wins.
 */
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Sends and returns the Message-ID. */
  send(mail: OutgoingMail): Promise<string>;
  close(): void;
}

/** nodemailer's pool settings, unless the SMTP URL sets them (measured: bench/throughput.ts). */
export const MAIL_POOL = { pool: 'true', maxConnections: '5', maxMessages: '100' } as const;

/** The SMTP URL with the pool settings it does not set itself (nodemailer reads its options from the URL's query). */
export function pooledSmtpUrl(smtpUrl: string): string {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return smtpUrl; // as before: nodemailer's own parsing (and no URL, which may hold a password, in an error here)
  }
  for (const [name, value] of Object.entries(MAIL_POOL))
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  return url.toString();
}

export function createSmtpMailer(options: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(pooledSmtpUrl(options.smtpUrl));
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: options.from, ...mail });
      return info.messageId;
    },
    close: () => transport.close(),
  };
}
