/** The mailer keeps its SMTP connections open and reuses them (activities/mailer.ts), unless SMTP_URL says otherwise. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createSmtpMailer, MAIL_POOL, pooledSmtpUrl } from '../../activities/mailer';

describe('pooledSmtpUrl', () => {
  test('adds the pool settings to a URL that sets none, keeping credentials as they were encoded', () => {
    const url = new URL(pooledSmtpUrl('smtps://us%40er:p%2Fa%3Fss@mail.example.com:465'));
    expect(url.username).toBe('us%40er');
    expect(url.password).toBe('p%2Fa%3Fss');
    expect(Object.fromEntries(url.searchParams)).toEqual(MAIL_POOL);
  });

  test("keeps the operator's own settings", () => {
    const url = new URL(pooledSmtpUrl('smtp://h:587?requireTLS=true&pool=false&maxConnections=2'));
    expect(url.searchParams.get('pool')).toBe('false');
    expect(url.searchParams.get('maxConnections')).toBe('2');
    expect(url.searchParams.get('requireTLS')).toBe('true');
  });
});

test('messages sent one after another share one connection', async () => {
  let connections = 0;
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect: (_session, callback) => {
      connections += 1;
      callback();
    },
    onData: (stream, session, callback) => {
      stream.resume();
      stream.on('end', () => {
        received.push(session.envelope.rcptTo.map((r) => r.address).join(','));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const mailer = createSmtpMailer({
    smtpUrl: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    from: 'onboarding@reseller.example',
  });
  try {
    for (const to of ['a@customer.example', 'b@customer.example', 'c@customer.example'])
      await mailer.send({ to, subject: 'hello', text: 'hi' });
    expect(received).toEqual(['a@customer.example', 'b@customer.example', 'c@customer.example']);
    expect(connections).toBe(1);
  } finally {
    mailer.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
