/**
 * Why this file exists: every Google call's failure goes through googleFailure, and whether it is
 * retried (and how soon) is decided there alone. A wrong classification either hammers Google with
 * a permanent refusal or gives up on a transient one; and the failure message lands in history,
 * so it must never carry the request (bearer token, passwords). Plain jest, gaxios-like objects.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { gaxios, JWT } from 'google-auth-library';
import {
  CREDENTIALS_FAILURE_TYPE,
  credentialsRefusal,
  googleErrorFacts,
  googleFailure,
  isGoogleStatus,
  nextPacificMidnight,
  retryAfterMs,
} from '../../activities/google-errors';

interface FakeGoogleError {
  message: string;
  code?: string;
  config?: unknown;
  response?: { status: number; data: unknown; headers: unknown };
}

/** Shaped like a gaxios error: the request (with secrets) hangs off it, as it does in real life. */
function googleError(
  status: number,
  reason: string | undefined,
  message: string,
  headers: unknown = {},
): FakeGoogleError {
  return {
    message: `Request failed with status code ${status}: POST https://reseller.googleapis.com body {"password":"Sup3r-Secret!"}`,
    config: { headers: { Authorization: 'Bearer ya29.secret-token' }, data: { password: 'Sup3r-Secret!' } },
    response: {
      status,
      data: {
        error: { code: status, message, errors: reason === undefined ? [] : [{ reason, message, domain: 'global' }] },
      },
      headers,
    },
  };
}

describe('googleErrorFacts', () => {
  test("reads status, first reason and Google's message", () => {
    expect(googleErrorFacts(googleError(409, 'duplicate', 'Entity already exists.'))).toEqual({
      status: 409,
      reason: 'duplicate',
      message: 'Entity already exists.',
      retryAfterSeconds: undefined,
    });
  });

  test('no response: the error code stands for the message; nothing at all: "no response"', () => {
    expect(googleErrorFacts({ code: 'ECONNRESET', message: 'socket hang up' })).toMatchObject({
      status: undefined,
      reason: undefined,
      message: 'ECONNRESET',
    });
    expect(googleErrorFacts(undefined)).toMatchObject({ status: undefined, message: 'no response' });
    expect(googleErrorFacts(new Error('boom'))).toMatchObject({ status: undefined, message: 'no response' });
  });

  test('Retry-After from a plain header object or from fetch Headers; zero or garbage is ignored', () => {
    expect(
      googleErrorFacts(googleError(429, 'rateLimitExceeded', 'slow down', { 'retry-after': '17' })).retryAfterSeconds,
    ).toBe(17);
    expect(
      googleErrorFacts(googleError(503, undefined, 'busy', new Headers({ 'Retry-After': '5' }))).retryAfterSeconds,
    ).toBe(5);
    expect(
      googleErrorFacts(googleError(503, undefined, 'busy', { 'retry-after': '0' })).retryAfterSeconds,
    ).toBeUndefined();
    expect(
      googleErrorFacts(googleError(503, undefined, 'busy', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }))
        .retryAfterSeconds,
    ).toBeUndefined(); // in the past
    expect(
      googleErrorFacts(googleError(503, undefined, 'busy', { 'retry-after': 'soon' })).retryAfterSeconds,
    ).toBeUndefined();
    const inNinetySeconds = new Date(Date.now() + 90_500).toUTCString();
    expect(
      googleErrorFacts(googleError(503, undefined, 'busy', { 'retry-after': inNinetySeconds })).retryAfterSeconds,
    ).toBeGreaterThanOrEqual(89);
  });

  test('Retry-After as delay-seconds or as an HTTP-date (RFC 9110)', () => {
    const now = Date.parse('2026-10-21T07:28:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 7 ', now)).toBe(7_000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:27:30 GMT', now)).toBeUndefined();
    expect(retryAfterMs('0', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('1.5', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  test('isGoogleStatus compares the response status', () => {
    const err = googleError(404, 'notFound', 'Resource Not Found: customer');
    expect(isGoogleStatus(err, 404)).toBe(true);
    expect(isGoogleStatus(err, 409)).toBe(false);
    expect(isGoogleStatus({ code: 'ETIMEDOUT' }, 404)).toBe(false);
  });
});

describe('googleFailure', () => {
  test.each([
    [400, 'invalid'],
    [403, 'forbidden'],
    [403, 'insufficientPermissions'],
    [404, 'notFound'],
    [409, 'duplicate'],
    [412, 'conditionNotMet'],
  ])("HTTP %i %s is permanent, typed after Google's reason", (status, reason) => {
    const failure = googleFailure('users.insert admin@acme.example', googleError(status, reason, 'refused'));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe(`Google.${reason}`);
    expect(failure.message).toBe(`users.insert admin@acme.example failed: HTTP ${status} ${reason}: refused`);
  });

  test.each(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded'])(
    'a 403 for %s is retryable',
    (reason) => {
      const failure = googleFailure('subscriptions.list C123', googleError(403, reason, 'Quota exceeded'));
      expect(failure.nonRetryable).toBe(false);
      expect(failure.type).toBe(`Google.${reason}`);
    },
  );

  test.each([408, 429, 500, 502, 503, 504])('HTTP %i is retryable', (status) => {
    const failure = googleFailure('customers.get acme.example', googleError(status, undefined, 'try later'));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.type).toBe(`Google.http${status}`);
  });

  test('a status without a reason is named by the status', () => {
    expect(googleFailure('op', googleError(404, undefined, 'gone')).type).toBe('Google.http404');
  });

  test('a network error is retryable and says so', () => {
    const failure = googleFailure('customers.insert acme.example', {
      code: 'ECONNRESET',
      message: 'socket hang up',
      config: { headers: { Authorization: 'Bearer x' } },
    });
    expect(failure.nonRetryable).toBe(false);
    expect(failure.type).toBe('Google.unavailable');
    expect(failure.message).toBe('customers.insert acme.example failed: network error: ECONNRESET');
  });

  test("Retry-After becomes the next retry delay; without it Temporal's backoff applies", () => {
    expect(
      googleFailure('op', googleError(429, 'rateLimitExceeded', 'slow', { 'retry-after': '30' })).nextRetryDelay,
    ).toBe('30s');
    expect(
      googleFailure('op', googleError(503, undefined, 'busy', new Headers({ 'Retry-After': '120' }))).nextRetryDelay,
    ).toBe('120s');
    expect(googleFailure('op', googleError(503, undefined, 'busy')).nextRetryDelay).toBeUndefined();
  });

  test('an HTTP-date Retry-After becomes the delay until then', () => {
    const at = new Date(Date.now() + 45_000).toUTCString();
    const delay = googleFailure(
      'op',
      googleError(429, 'rateLimitExceeded', 'slow', { 'retry-after': at }),
    ).nextRetryDelay;
    expect(delay).toMatch(/^4[3-5]s$/);
  });

  test('dailyLimitExceeded: its own type, says the daily quota is used up and when it resets, retried after a long delay', () => {
    const before = Date.now();
    const failure = googleFailure(
      'users.get admin@acme.example',
      googleError(403, 'dailyLimitExceeded', 'Daily Limit Exceeded'),
    );
    expect(failure.type).toBe('Google.dailyLimitExceeded');
    expect(failure.nonRetryable).toBe(false);
    const resetAt = nextPacificMidnight(before).toISOString();
    expect(failure.message).toContain("Google's daily quota for this project is used up");
    expect(failure.message).toContain(`resets at midnight Pacific time (${resetAt})`);
    const delay = failure.nextRetryDelay as number;
    expect(delay).toBeLessThanOrEqual(60 * 60_000);
    expect(delay).toBeGreaterThanOrEqual(Math.min(60 * 60_000, Date.parse(resetAt) - before));
    // A Retry-After from Google wins.
    expect(
      googleFailure('op', googleError(403, 'dailyLimitExceeded', 'x', { 'retry-after': '600' })).nextRetryDelay,
    ).toBe(600_000);
  });

  test('midnight Pacific time: PST (UTC−8) in winter, PDT (UTC−7) in summer, and across the DST change', () => {
    expect(nextPacificMidnight(Date.parse('2026-01-15T12:00:00Z')).toISOString()).toBe('2026-01-16T08:00:00.000Z');
    expect(nextPacificMidnight(Date.parse('2026-07-15T06:59:00Z')).toISOString()).toBe('2026-07-15T07:00:00.000Z');
    expect(nextPacificMidnight(Date.parse('2026-07-15T07:00:00Z')).toISOString()).toBe('2026-07-16T07:00:00.000Z');
    // 2026-03-08 02:00 PST → PDT: the midnight after 7 March (PST) is 08:00Z, the one after 8 March is 07:00Z.
    expect(nextPacificMidnight(Date.parse('2026-03-08T03:00:00Z')).toISOString()).toBe('2026-03-08T08:00:00.000Z');
    expect(nextPacificMidnight(Date.parse('2026-03-08T12:00:00Z')).toISOString()).toBe('2026-03-09T07:00:00.000Z');
    expect(nextPacificMidnight(Date.parse('2026-11-01T12:00:00Z')).toISOString()).toBe('2026-11-02T08:00:00.000Z');
  });

  test("the pacer's Google.paced failure, thrown inside the request, comes out as it is", () => {
    const paced = ApplicationFailure.create({
      message: 'Waiting for Google',
      type: 'Google.paced',
      nextRetryDelay: 12_000,
    });
    const gaxiosLike = Object.assign(new Error('Waiting for Google'), {
      cause: paced,
      config: { headers: { Authorization: 'Bearer ya29.secret-token' } },
    });
    expect(googleFailure('users.get x', gaxiosLike)).toBe(paced);
  });

  test('the failure never carries the request: no token, no body, no original error', () => {
    const failure = googleFailure('users.insert admin@acme.example', googleError(400, 'invalid', 'Invalid Password'));
    const everything = JSON.stringify({
      message: failure.message,
      details: failure.details,
      cause: failure.cause,
      stack: failure.stack,
    });
    expect(everything).not.toContain('Sup3r-Secret!');
    expect(everything).not.toContain('ya29.secret-token');
    expect(everything).not.toContain('Bearer');
    expect(failure.cause).toBeUndefined();
    // Its details say which call failed and why, as data: nothing of the request, not even the address.
    expect(failure.details).toEqual([{ api: 'directory', method: 'users.insert', reason: 'invalid' }]);
  });
});

describe('refused credentials: retried within the budget as Google.credentials', () => {
  /** The token endpoint's refusal as google-auth-library surfaces it: the token request's own GaxiosError. */
  async function tokenEndpointError(status: number, body: object): Promise<unknown> {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const transporter = new gaxios.Gaxios({
      fetchImplementation: async () =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
    });
    const jwt = new JWT({
      email: 'onboarding@project.iam.gserviceaccount.com',
      key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      scopes: ['https://www.googleapis.com/auth/apps.order'],
      subject: 'admin@reseller.example',
      transporter,
    });
    return jwt.getAccessToken().then(
      () => {
        throw new Error('expected the token request to fail');
      },
      (err: unknown) => err,
    );
  }

  test.each([
    [400, 'invalid_grant', 'Invalid JWT Signature.'],
    [401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method.'],
    [401, 'invalid_client', 'The OAuth client was not found.'],
  ])(
    'the token endpoint answering %i %s (a real GaxiosError from google-auth-library)',
    async (status, error, description) => {
      const err = await tokenEndpointError(status, { error, error_description: description });
      expect(err).toMatchObject({ response: { status, data: { error } } }); // the shape this test relies on
      const failure = googleFailure('users.makeAdmin admin@acme.example', err);
      expect(failure.type).toBe(CREDENTIALS_FAILURE_TYPE);
      expect(failure.nonRetryable).toBe(false);
      expect(failure.message).toContain(
        `users.makeAdmin admin@acme.example failed: token endpoint refused the credentials (HTTP ${status} ${error}: ${description})`,
      );
      expect(failure.message).not.toMatch(/BEGIN|PRIVATE|assertion|eyJ/); // neither the key nor the signed JWT
    },
  );

  test("an API's 401 (expired or revoked token) is retryable, typed Google.credentials", () => {
    const failure = googleFailure(
      'customers.get acme.example',
      googleError(401, 'authError', 'Request had invalid authentication credentials.'),
    );
    expect(failure).toMatchObject({ type: 'Google.credentials', nonRetryable: false });
    expect(failure.message).toContain('HTTP 401 authError: Request had invalid authentication credentials.');
    expect(failure.message).not.toContain('ya29');
  });

  test('other token endpoint errors and 403s keep their classification', () => {
    expect(googleFailure('x.y', { response: { status: 400, data: { error: 'invalid_scope' } } })).toMatchObject({
      type: 'Google.http400',
      nonRetryable: true,
    });
    expect(
      googleFailure('x.y', googleError(403, 'forbidden', 'Not Authorized to access this resource/api')),
    ).toMatchObject({
      type: 'Google.forbidden',
      nonRetryable: true,
    });
    expect(credentialsRefusal(googleError(404, 'notFound', 'Resource Not Found'))).toBeUndefined();
  });
});
