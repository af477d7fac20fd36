/** The tags of onboarding_google_errors, read from the failures activities throw (activities/google-errors.ts). */
import { ApplicationFailure } from '@temporalio/common';
import { googleFailure, googleFailureDetails } from '../../activities/google-errors';
import { googleErrorTags } from '../../worker/google-error-metrics';

const httpError = (status: number, reason: string) => ({
  response: { status, data: { error: { message: 'Entity already exists.', errors: [{ reason }] } } },
});

test.each([
  [
    'users.insert admin@example.com',
    409,
    'duplicate',
    { api: 'directory', method: 'users.insert', reason: 'duplicate', retryable: 'false' },
  ],
  [
    'customers.insert example.com',
    400,
    'invalid',
    { api: 'reseller', method: 'customers.insert', reason: 'invalid', retryable: 'false' },
  ],
  [
    'users.makeAdmin admin@example.com',
    401,
    'authError',
    { api: 'directory', method: 'users.makeAdmin', reason: 'credentials', retryable: 'true' },
  ],
  [
    'customers.patch C123 language',
    503,
    'backendError',
    { api: 'directory', method: 'customers.patch', reason: 'backendError', retryable: 'true' },
  ],
  [
    'directory customers.get C123',
    403,
    'forbidden',
    { api: 'directory', method: 'customers.get', reason: 'forbidden', retryable: 'false' },
  ],
  [
    'batch subscriptions.insert C123',
    429,
    'quotaExceeded',
    { api: 'reseller', method: 'subscriptions.insert', reason: 'quotaExceeded', retryable: 'true' },
  ],
  [
    'siteVerification.webResource.insert example.com',
    400,
    'badRequest',
    { api: 'siteVerification', method: 'webResource.insert', reason: 'badRequest', retryable: 'false' },
  ],
])('%s → HTTP %i %s', (operation, status, reason, tags) => {
  expect(googleErrorTags(googleFailure(operation, httpError(status, reason)))).toEqual(tags);
});

test('a Google failure carries {api, method, reason} as data; the tags come from it, not from the message', () => {
  const failure = googleFailure('users.insert alex@example.com', httpError(409, 'duplicate'));
  expect(googleFailureDetails(failure)).toEqual({ api: 'directory', method: 'users.insert', reason: 'duplicate' });
  // A message reworded (or naming another method) changes no tag: only the details are read.
  const reworded = ApplicationFailure.create({
    message: 'subscriptions.delete C1 failed: something else entirely',
    type: 'Google.duplicate',
    nonRetryable: true,
    details: failure.details ?? undefined,
  });
  expect(googleErrorTags(reworded)).toEqual({
    api: 'directory',
    method: 'users.insert',
    reason: 'duplicate',
    retryable: 'false',
  });
});

test('a tag never carries the rest of the message, and other errors are not Google errors', () => {
  const tags = googleErrorTags(googleFailure('users.insert alex@example.com', httpError(409, 'duplicate')));
  expect(JSON.stringify(tags)).not.toContain('example.com');
  expect(googleErrorTags(ApplicationFailure.nonRetryable('bad order', 'InvalidOrder'))).toBeUndefined();
  expect(googleErrorTags(new Error('users.insert failed'))).toBeUndefined();
  expect(googleErrorTags(ApplicationFailure.retryable('something odd', 'Google.weird reason!'))).toMatchObject({
    method: 'unknown',
    api: 'unknown',
    reason: 'other',
  });
});
