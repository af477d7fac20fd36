/**
 * An SMTP server that accepts every message and keeps it in memory, so tests and the local demo
 * can read what the onboarding would have mailed to the customer.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  id: number;
  receivedAt: string;
  from: string;
  /** Envelope recipients: who the message was actually delivered to, Bcc included. */
  to: string[];
  subject: string;
  text: string;
  html?: string;
  messageId: string;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export class MailStore {
  private mails: ReceivedMail[] = [];
  private nextId = 1;

  add(mail: Omit<ReceivedMail, 'id'>): ReceivedMail {
    const stored = { id: this.nextId++, ...mail };
    this.mails.push(stored);
    return stored;
  }

  list(): ReceivedMail[] {
    return this.mails.map((m) => ({ ...m, to: [...m.to] }));
  }

  clear(): void {
    this.mails = [];
  }
}

export interface SmtpSink {
  port: number;
  close(): Promise<void>;
}

export async function startSmtpSink(options: {
  host: string;
  port: number;
  store: MailStore;
  logger: Logger;
}): Promise<SmtpSink> {
  const server = new SMTPServer({
    // Plain, unauthenticated SMTP: a local sink, not a relay.
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: MAX_MESSAGE_BYTES,
    // Do not keep shutdown waiting for clients that leave connections open.
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error('Message exceeds the maximum size'), { responseCode: 552 }));
          return;
        }
        PostalMime.parse(Buffer.concat(chunks)).then(
          (email) => {
            const mail = options.store.add({
              receivedAt: new Date().toISOString(),
              from: email.from?.address ?? (session.envelope.mailFrom ? session.envelope.mailFrom.address : ''),
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: email.subject ?? '',
              text: email.text ?? '',
              html: email.html,
              messageId: email.messageId ?? '',
            });
            options.logger.debug({ mailId: mail.id, recipients: mail.to.length }, 'mail received');
            callback();
          },
          (error: unknown) => {
            options.logger.warn({ err: error }, 'unparseable mail rejected');
            callback(Object.assign(new Error('Message could not be parsed'), { responseCode: 554 }));
          },
        );
      });
    },
  });
  server.on('error', (error) => options.logger.warn({ err: error }, 'smtp sink error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
