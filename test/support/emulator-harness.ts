/**
 * Shared set-up of the emulator test files: one emulator per file, driven the way the onboarding
 * drives Google (the real googleapis clients) and through EmulatorControl for the control paths.
 */
import { OAuth2Client } from 'google-auth-library';
import { admin, type admin_directory_v1 } from 'googleapis/build/src/apis/admin';
import { reseller } from 'googleapis/build/src/apis/reseller';
import { EmulatorControl } from '../../emulator/control-client';
import type { GoogleErrorBody } from '../../emulator/errors';
import { type RunningEmulator, startEmulator } from '../../emulator/server';

export interface Harness {
  emulator: RunningEmulator;
  control: EmulatorControl;
  resellerApi: ReturnType<typeof reseller>;
  directory: admin_directory_v1.Admin;
  auth: OAuth2Client;
}

export const DUPLICATE_BODY = {
  error: {
    code: 409,
    message: 'Entity already exists.',
    errors: [{ domain: 'global', reason: 'duplicate', message: 'Entity already exists.' }],
    status: 'ALREADY_EXISTS',
  },
};

/** Starts one emulator for the file and resets it before each test; returns a live view of it. */
export function useEmulator(): Harness {
  const harness = {} as Harness;
  // gaxios 8 loads node-fetch with a dynamic import(), which Jest's CommonJS runtime refuses: use Node's fetch.
  beforeAll(async () => {
    harness.emulator = await startEmulator({ httpPort: 0, smtpPort: 0 });
    harness.control = new EmulatorControl(harness.emulator.url);
    harness.auth = new OAuth2Client();
    harness.auth.setCredentials({ access_token: 'test-access-token' });
    // One call, one answer: retries are the workflow's job.
    const options = {
      rootUrl: harness.emulator.url,
      auth: harness.auth,
      fetchImplementation: fetch,
      retryConfig: { retry: 0 },
    };
    harness.resellerApi = reseller({ version: 'v1', ...options });
    harness.directory = admin({ version: 'directory_v1', ...options });
  });
  afterAll(async () => {
    await harness.emulator.close();
  });
  beforeEach(async () => {
    await harness.control.reset();
  });
  return harness;
}

export function customerBody(domain: string) {
  return {
    customerDomain: domain,
    alternateEmail: 'owner@example.org',
    phoneNumber: '+14155550100',
    postalAddress: {
      contactName: 'Alex Cruz',
      organizationName: 'Example Org',
      postalCode: '94043',
      countryCode: 'US',
    },
  };
}

export function userBody(email: string) {
  return {
    primaryEmail: email,
    name: { givenName: 'Alex', familyName: 'Cruz' },
    password: 'Temp-pass-1234',
    changePasswordAtNextLogin: true,
  };
}

export interface CaughtGoogleError {
  status: number;
  body: GoogleErrorBody;
  headers: Headers;
}

/** The HTTP answer behind a rejected googleapis call (duck-typed, as the activities do). */
export async function googleError(call: Promise<unknown>): Promise<CaughtGoogleError> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: GoogleErrorBody; headers: Headers } }).response;
    if (!response) throw error;
    return { status: response.status, body: response.data, headers: response.headers };
  }
  throw new Error('expected the Google call to fail');
}

export async function createCustomer(h: Harness, domain: string): Promise<string> {
  const { data } = await h.resellerApi.customers.insert({ requestBody: customerBody(domain) });
  return data.customerId!;
}
