/**
 * The two Google API clients the activities use, built from configuration.
 *
 * Production: a service account with domain-wide delegation impersonating an admin of the
 * reseller's own domain, against Google's endpoints. Local/tests: a static bearer token against the
 * emulator (a JWT client would still try to reach Google for a token). Which one is chosen is
 * configuration only; the calls made are the same.
 *
 * Every request to Google goes through one paced fetch (google-pacer-fetch.ts) when pacing is
 * configured (the worker always configures it): the quotas are the worker's, not one client's.
 *
 * Only the APIs used are imported (not `googleapis` as a whole, which loads ~300 APIs at start-up).
 */
import { JWT, OAuth2Client } from 'google-auth-library';
import { type admin_directory_v1, admin } from 'googleapis/build/src/apis/admin';
import { reseller, type reseller_v1 } from 'googleapis/build/src/apis/reseller';
import { siteVerification, type siteVerification_v1 } from 'googleapis/build/src/apis/siteVerification';
import { GooglePacer, type PacingConfig } from './google-pacer';
import { pacedFetch } from './google-pacer-fetch';

export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/apps.order',
  'https://www.googleapis.com/auth/admin.directory.customer',
  'https://www.googleapis.com/auth/admin.directory.user',
  // Domain verification of new domain customers (Site Verification API).
  'https://www.googleapis.com/auth/siteverification',
];

export type GoogleAuthConfig =
  { kind: 'service-account'; keyFile: string; impersonate: string } | { kind: 'static-token'; accessToken: string };

export interface GoogleClientConfig {
  auth: GoogleAuthConfig;
  /** Overrides Google's endpoints (the emulator, or a proxy); undefined means Google's own. */
  rootUrl?: string;
  /** Per-request timeout; keep it below the activities' start-to-close timeout. */
  requestTimeoutMs: number;
  /** Google's quotas this worker paces itself at; undefined: no pacing (tests that call the emulator directly). */
  pacing?: PacingConfig;
}

export interface GoogleClients {
  reseller: reseller_v1.Reseller;
  directory: admin_directory_v1.Admin;
  siteVerification: siteVerification_v1.Siteverification;
  /** For what googleapis has no helper for (the Reseller API's batch endpoint): the same credentials and endpoint. */
  http: { auth: JWT | OAuth2Client; rootUrl: string; requestTimeoutMs: number; fetch: typeof fetch };
  /** The pacer every call above goes through, when pacing is configured. */
  pacer?: GooglePacer;
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
  const pacer = config.pacing ? new GooglePacer(config.pacing) : undefined;
  // Node's own fetch underneath: gaxios would otherwise load node-fetch by dynamic import() at the first call.
  const fetchImplementation = pacer ? pacedFetch(pacer, { requestTimeoutMs: config.requestTimeoutMs }) : fetch;
  const options = {
    auth,
    // googleapis retries GETs by itself; Temporal owns retries here, so one attempt = one activity attempt.
    retry: false,
    retryConfig: { retry: 0 },
    timeout: config.requestTimeoutMs,
    fetchImplementation,
    ...(config.rootUrl ? { rootUrl: config.rootUrl } : {}),
  };
  return {
    reseller: reseller({ version: 'v1', ...options }),
    directory: admin({ version: 'directory_v1', ...options }),
    siteVerification: siteVerification({ version: 'v1', ...options }),
    http: {
      auth,
      rootUrl: config.rootUrl ?? RESELLER_ROOT_URL,
      requestTimeoutMs: config.requestTimeoutMs,
      fetch: fetchImplementation,
    },
    ...(pacer ? { pacer } : {}),
  };
}
