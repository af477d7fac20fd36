/**
 * The two Google API clients the activities use, built from configuration.
 *
 * Production: a service account with domain-wide delegation impersonating an admin of the
 * reseller's own domain, against Google's endpoints. Local/tests: a static bearer token against the
 * emulator (a JWT client would still try to reach Google for a token). Which one is chosen is
 * configuration only; the calls made are the same.
 *
 * Only the two APIs are imported (not `googleapis` as a whole, which loads ~300 APIs at start-up).
 */
import { JWT, OAuth2Client } from 'google-auth-library';
import { admin_directory_v1, admin } from 'googleapis/build/src/apis/admin';
import { reseller, reseller_v1 } from 'googleapis/build/src/apis/reseller';

export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/apps.order',
  'https://www.googleapis.com/auth/admin.directory.customer',
  'https://www.googleapis.com/auth/admin.directory.user',
];

export type GoogleAuthConfig =
  | { kind: 'service-account'; keyFile: string; impersonate: string }
  | { kind: 'static-token'; accessToken: string };

export interface GoogleClientConfig {
  auth: GoogleAuthConfig;
  /** Overrides Google's endpoints (the emulator, or a proxy); undefined means Google's own. */
  rootUrl?: string;
  /** Per-request timeout; keep it below the activities' start-to-close timeout. */
  requestTimeoutMs: number;
}

export interface GoogleClients {
  reseller: reseller_v1.Reseller;
  directory: admin_directory_v1.Admin;
  /** For what googleapis has no helper for (the Reseller API's batch endpoint): the same credentials and endpoint. */
  http: { auth: JWT | OAuth2Client; rootUrl: string; requestTimeoutMs: number };
}

/** Google's own endpoint for the Reseller API (its batch path hangs off it). */
const RESELLER_ROOT_URL = 'https://reseller.googleapis.com/';

function authClient(config: GoogleAuthConfig): JWT | OAuth2Client {
  if (config.kind === 'service-account') {
    return new JWT({ keyFile: config.keyFile, scopes: GOOGLE_SCOPES, subject: config.impersonate });
  }
  const client = new OAuth2Client();
  client.setCredentials({ access_token: config.accessToken });
  return client;
}

export function createGoogleClients(config: GoogleClientConfig): GoogleClients {
  const auth = authClient(config.auth);
  const options = {
    auth,
    // googleapis retries GETs by itself; Temporal owns retries here, so one attempt = one activity attempt.
    retry: false,
    retryConfig: { retry: 0 },
    timeout: config.requestTimeoutMs,
    // Node's own fetch: gaxios would otherwise load node-fetch by dynamic import() at the first call.
    fetchImplementation: fetch,
    ...(config.rootUrl ? { rootUrl: config.rootUrl } : {}),
  };
  return {
    reseller: reseller({ version: 'v1', ...options }),
    directory: admin({ version: 'directory_v1', ...options }),
    http: { auth, rootUrl: config.rootUrl ?? RESELLER_ROOT_URL, requestTimeoutMs: config.requestTimeoutMs },
  };
}
