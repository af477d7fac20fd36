/** Outgoing e-mail over SMTP (nodemailer): the local default is the emulator's sink. */
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

export function createSmtpMailer(options: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(options.smtpUrl);
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: options.from, ...mail });
      return info.messageId;
    },
    close: () => transport.close(),
  };
}
