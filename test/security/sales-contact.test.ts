/**
 * Finding: an order's `salesContactEmail` could be any address, so failure, cancellation and
 * expiry notices (naming the admin, the customer id, what was undone) went wherever an order said.
 * Now: the client refuses a contact off SALES_EMAIL_DOMAINS, and the worker re-checks when sending
 * (orders also arrive by other routes) and mails SALES_NOTIFY_EMAIL instead, saying so — over real SMTP.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { noticeActivities } from '../../activities/notices';
import { createGoogleClients } from '../../activities/google-clients';
import { createSmtpMailer, type Mailer } from '../../activities/mailer';
import { EmulatorControl } from '../../emulator/control-client';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { OrderValidationError, validateOrder } from '../../order/order';
import { orderPolicyFromEnv, salesEmailDomainsFromEnv } from '../../order/policy-env';
import { loadWorkerConfig } from '../../worker/config';
import { domainOrder } from '../support/orders';

function problems(run: () => unknown): { field: string; rule: string }[] {
  try {
    run();
  } catch (err) {
    if (err instanceof OrderValidationError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('salesContactEmail policy (client side)', () => {
  const policy = { salesEmailDomains: ['reseller.example'] };

  it('refuses a contact off the reseller domains, naming the field and the domains but not the address', () => {
    const found = problems(() =>
      validateOrder(domainOrder('acme.example', { salesContactEmail: 'drop@attacker.example' }), policy),
    );
    expect(found).toEqual([
      { field: 'salesContactEmail', rule: 'must be an address on a sales domain of this reseller (reseller.example)' },
    ]);
    expect(JSON.stringify(found)).not.toContain('attacker');
  });

  it('accepts the reseller’s own addresses, in any case, and orders without a contact', () => {
    expect(
      problems(() => validateOrder(domainOrder('acme.example', { salesContactEmail: 'Rep@RESELLER.example' }), policy)),
    ).toEqual([]);
    expect(problems(() => validateOrder(domainOrder('acme.example'), policy))).toEqual([]);
  });

  it('does not take subdomains or look-alike suffixes', () => {
    for (const address of [
      'rep@eu.reseller.example',
      'rep@evilreseller.example',
      'rep@reseller.example.attacker.example',
    ]) {
      expect(
        problems(() => validateOrder(domainOrder('acme.example', { salesContactEmail: address }), policy)),
      ).toHaveLength(1);
    }
  });

  it('reports it together with the schema’s problems', () => {
    const found = problems(() =>
      validateOrder(
        { ...domainOrder('acme.example', { salesContactEmail: 'x@attacker.example' }), language: 'klingon' },
        policy,
      ),
    );
    expect(found.map((p) => p.field).sort()).toEqual(['language', 'salesContactEmail']);
  });

  it('reads SALES_EMAIL_DOMAINS (default: SALES_NOTIFY_EMAIL’s domain) strictly', () => {
    expect(salesEmailDomainsFromEnv({ SALES_EMAIL_DOMAINS: ' Reseller.example , bücher.example ' })).toEqual([
      'reseller.example',
      'xn--bcher-kva.example',
    ]);
    expect(salesEmailDomainsFromEnv({ SALES_NOTIFY_EMAIL: 'ops@Sales.Reseller.example' })).toEqual([
      'sales.reseller.example',
    ]);
    expect(salesEmailDomainsFromEnv({})).toEqual([]);
    expect(() => orderPolicyFromEnv({ SALES_EMAIL_DOMAINS: 'not a domain' })).toThrow(
      /^SALES_EMAIL_DOMAINS: must be comma-separated domain names/,
    );
    expect(
      loadWorkerConfig({ ONBOARDING_MODE: 'local', SALES_EMAIL_DOMAINS: 'reseller.example' }).salesEmailDomains,
    ).toEqual(['reseller.example']);
  });
});

describe('notifySales (worker side, at send time, over SMTP)', () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let mailer: Mailer;

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControl(emulator.url);
    mailer = createSmtpMailer({
      smtpUrl: `smtp://127.0.0.1:${emulator.smtpPort}`,
      from: 'Onboarding <onboarding@reseller.example>',
    });
  });
  afterAll(async () => {
    mailer.close();
    await emulator.close();
  });
  beforeEach(() => control.clearMail());

  const activities = (salesEmailDomains?: string[]) =>
    noticeActivities({
      google: createGoogleClients({
        auth: { kind: 'static-token', accessToken: 't' },
        rootUrl: emulator.url,
        requestTimeoutMs: 2000,
      }),
      mailer,
      mail: {
        resellerName: 'Test Reseller',
        salesNotifyEmail: 'sales@reseller.example',
        ...(salesEmailDomains ? { salesEmailDomains } : {}),
      },
      policy: { allowedCountries: [] },
      waits: loadWorkerConfig({ ONBOARDING_MODE: 'local' }).waits,
    });
  const notify = (to: string | undefined, salesEmailDomains?: string[]): Promise<{ to: string }> =>
    new MockActivityEnvironment().run(activities(salesEmailDomains).notifySales, {
      customerDomain: 'acme.example',
      ...(to ? { to } : {}),
      outcome: 'failed' as const,
      lines: ['admin admin@acme.example; customer C0123'],
    });

  it('sends a notice meant for an outside address to SALES_NOTIFY_EMAIL instead, and says so', async () => {
    const result = await notify('drop@attacker.example');
    expect(result.to).toBe('sales-notify-email');
    const mail = await control.waitForMail((m) => m.subject.includes('acme.example'));
    expect(mail.to).toEqual(['sales@reseller.example']);
    expect(mail.text).toMatch(/named a sales contact outside this reseller's sales domains \(reseller\.example\)/);
    expect((await control.mail()).flatMap((m) => m.to)).not.toContain('drop@attacker.example');
  });

  it('sends to the order’s contact when it is on a configured sales domain', async () => {
    const result = await notify('rep@eu.reseller.example', ['eu.reseller.example']);
    expect(result.to).toBe('order-contact');
    const mail = await control.waitForMail((m) => m.subject.includes('acme.example'));
    expect(mail.to).toEqual(['rep@eu.reseller.example']);
    expect(mail.text).not.toMatch(/outside this reseller/);
  });

  it('with SALES_EMAIL_DOMAINS set, SALES_NOTIFY_EMAIL’s domain alone no longer qualifies a contact', async () => {
    expect((await notify('rep@reseller.example', ['eu.reseller.example'])).to).toBe('sales-notify-email');
    expect((await notify(undefined)).to).toBe('sales-notify-email');
  });
});
