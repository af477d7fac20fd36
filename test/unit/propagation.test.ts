/**
 * Why this file exists: right after Google creates a customer or a user, calls about it may fail
 * with 403/404 or "User creation is not complete". Those answers must be retried for a bounded
 * window (10 minutes) and be permanent again after it; a rate-limit 403 is never mistaken for
 * propagation. This pins isPropagationDelay and propagationAwareFailure without a server.
 */
import { isPropagationDelay, PROPAGATION_WINDOW_MS, propagationAwareFailure } from '../../activities/propagation';

const MINUTE = 60_000;

function googleError(status: number, reason: string | undefined, message: string) {
  return { response: { status, data: { error: { message, errors: reason ? [{ reason }] : [] } }, headers: {} } };
}

const notFound = googleError(404, 'notFound', 'Resource Not Found: userKey');
const forbidden = googleError(403, 'forbidden', 'Not Authorized to access this resource/api');
const notComplete = googleError(400, 'invalid', 'User creation is not complete.');
const rateLimited = googleError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded');

describe('isPropagationDelay', () => {
  const created = Date.parse('2026-03-01T09:00:00.000Z');
  const createdAt = new Date(created).toISOString();

  test('the window is ten minutes', () => {
    expect(PROPAGATION_WINDOW_MS).toBe(10 * MINUTE);
  });

  test.each([
    ['404', notFound],
    ['a 403 that is not a rate limit', forbidden],
    ['"User creation is not complete" (whatever the status)', notComplete],
  ])('within the window, %s is propagation', (_name, err) => {
    expect(isPropagationDelay(err, createdAt, created + MINUTE)).toBe(true);
    expect(isPropagationDelay(err, createdAt, created + PROPAGATION_WINDOW_MS)).toBe(true);
  });

  test.each([
    ['404', notFound],
    ['403', forbidden],
    ['"User creation is not complete"', notComplete],
  ])('after the window, %s is not propagation any more', (_name, err) => {
    expect(isPropagationDelay(err, createdAt, created + PROPAGATION_WINDOW_MS + 1)).toBe(false);
  });

  test('a rate-limit 403 never counts as propagation', () => {
    for (const reason of ['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded', 'dailyLimitExceeded']) {
      expect(isPropagationDelay(googleError(403, reason, 'limit'), createdAt, created + MINUTE)).toBe(false);
    }
  });

  test('other statuses are not propagation, even right after creation', () => {
    expect(
      isPropagationDelay(googleError(400, 'invalid', 'Invalid Given/Family Name'), createdAt, created + MINUTE),
    ).toBe(false);
    expect(
      isPropagationDelay(googleError(409, 'duplicate', 'Entity already exists.'), createdAt, created + MINUTE),
    ).toBe(false);
    expect(isPropagationDelay({ code: 'ECONNRESET' }, createdAt, created + MINUTE)).toBe(false);
  });

  test('without a (valid) creation time, nothing is propagation', () => {
    expect(isPropagationDelay(notFound, undefined, created + MINUTE)).toBe(false);
    expect(isPropagationDelay(notFound, 'not a date', created + MINUTE)).toBe(false);
  });
});

describe('propagationAwareFailure', () => {
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  test.each([
    ['404', notFound],
    ['403', forbidden],
    ['"User creation is not complete"', notComplete],
  ])('%s within the window: retryable Google.notPropagatedYet', (_name, err) => {
    const failure = propagationAwareFailure('users.makeAdmin admin@acme.example', err, ago(2 * MINUTE));
    expect(failure.type).toBe('Google.notPropagatedYet');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('users.makeAdmin admin@acme.example');
  });

  test('the same 404 after the window is the permanent failure it says', () => {
    const failure = propagationAwareFailure('users.makeAdmin admin@acme.example', notFound, ago(11 * MINUTE));
    expect(failure.type).toBe('Google.notFound');
    expect(failure.nonRetryable).toBe(true);
  });

  test('a 403 after the window is permanent again', () => {
    const failure = propagationAwareFailure('customers.patch C1 language', forbidden, ago(11 * MINUTE));
    expect(failure).toMatchObject({ type: 'Google.forbidden', nonRetryable: true });
  });

  test('a rate-limit 403 within the window is retried as a rate limit, not as propagation', () => {
    const failure = propagationAwareFailure('customers.patch C1 language', rateLimited, ago(MINUTE));
    expect(failure).toMatchObject({ type: 'Google.userRateLimitExceeded', nonRetryable: false });
  });

  test('without a creation time, a 404 is permanent', () => {
    expect(propagationAwareFailure('op', notFound, undefined)).toMatchObject({
      type: 'Google.notFound',
      nonRetryable: true,
    });
  });
});
