/**
 * A typed client for the emulator's control endpoints (`/_emulator/...`), for tests and demos.
 * Google paths are meant to be driven through the real googleapis client instead.
 */
import type { FaultSpec, SeedRequest, SettingsPatch } from './control-schema';
import type { Fault, RequestLogEntry } from './faults';
import type { ReceivedMail } from './smtp-sink';
import type { SeedResult, Settings, StateSnapshot, TosAcceptance } from './state';

export class EmulatorControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'EmulatorControlError';
  }
}

const POLL_INTERVAL_MS = 50;

export class EmulatorControl {
  private readonly baseUrl: string;

  constructor(url: string) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** Forgets every customer, user, subscription, logged request, fault and mail; restores settings. */
  async reset(): Promise<void> {
    await this.call('POST', '/_emulator/reset');
  }

  async seed(request: SeedRequest): Promise<SeedResult> {
    return this.call<SeedResult>('POST', '/_emulator/seed', request);
  }

  async state(): Promise<StateSnapshot> {
    return this.call<StateSnapshot>('GET', '/_emulator/state');
  }

  /** Google-path requests received so far, in arrival order, with customerAuthToken redacted. */
  async requests(): Promise<RequestLogEntry[]> {
    return this.call<RequestLogEntry[]>('GET', '/_emulator/requests');
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', '/_emulator/requests');
  }

  /** The customer signs in and accepts the terms (something a reseller must never do itself). */
  async acceptTos(customerDomain: string): Promise<TosAcceptance> {
    return this.call<TosAcceptance>('POST', `/_emulator/customers/${encodeURIComponent(customerDomain)}/accept-tos`);
  }

  /**
   * The customer publishes the Site Verification DNS TXT record for its domain; a later
   * webResource.insert then verifies it (and the Reseller record shows customerDomainVerified).
   */
  async verifyDomain(customerDomain: string): Promise<{ customerDomain: string; txtRecord: string }> {
    return this.call('POST', `/_emulator/customers/${encodeURIComponent(customerDomain)}/verify-domain`);
  }

  /** The customer verifies its domain in the Admin console itself: the Reseller record shows it verified at once. */
  async customerVerifiesDomain(
    customerDomain: string,
  ): Promise<{ customerDomain: string; customerDomainVerified: boolean }> {
    return this.call('POST', `/_emulator/customers/${encodeURIComponent(customerDomain)}/verify-domain`, {
      by: 'customer',
    });
  }

  async addFault(spec: FaultSpec): Promise<Fault> {
    return this.call<Fault>('POST', '/_emulator/faults', spec);
  }

  /** Faults not yet used up. */
  async faults(): Promise<Fault[]> {
    return this.call<Fault[]>('GET', '/_emulator/faults');
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    return this.call<Settings>('POST', '/_emulator/settings', patch);
  }

  async mail(): Promise<ReceivedMail[]> {
    return this.call<ReceivedMail[]>('GET', '/_emulator/mail');
  }

  async clearMail(): Promise<void> {
    await this.call('DELETE', '/_emulator/mail');
  }

  /** Polls the SMTP sink until a mail matches; rejects after timeoutMs. */
  async waitForMail(predicate: (mail: ReceivedMail) => boolean, timeoutMs = 5000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = (await this.mail()).find(predicate);
      if (match) return match;
      if (Date.now() >= deadline) throw new Error(`No matching mail within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const message = (data as { error?: { message?: string } } | undefined)?.error?.message ?? response.statusText;
      throw new EmulatorControlError(response.status, `${method} ${path}: ${response.status} ${message}`);
    }
    return data as T;
  }
}
