/**
 * Google API error bodies. Clients (googleapis, our activities) branch on the HTTP status and on
 * `error.errors[0].reason`, so both must match what Google sends.
 */

const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Reason and message Google uses by default for a status, so a fault only needs a status code. */
const DEFAULTS: Readonly<Record<number, { reason: string; message: string }>> = {
  400: { reason: 'invalid', message: 'Invalid Input' },
  401: { reason: 'authError', message: 'Login Required.' },
  403: { reason: 'forbidden', message: 'Forbidden' },
  404: { reason: 'notFound', message: 'Not Found' },
  409: { reason: 'duplicate', message: 'Entity already exists.' },
  412: { reason: 'conditionNotMet', message: 'Precondition Failed' },
  429: { reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' },
  500: { reason: 'backendError', message: 'Backend Error' },
  503: { reason: 'backendError', message: 'The service is currently unavailable.' },
};

export interface GoogleErrorItem {
  domain: string;
  reason: string;
  message: string;
  location?: string;
  locationType?: string;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; errors: GoogleErrorItem[]; status: string };
}

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'UNKNOWN');
}

export function defaultReason(code: number): { reason: string; message: string } {
  return DEFAULTS[code] ?? { reason: code >= 500 ? 'backendError' : 'invalid', message: `HTTP ${code}` };
}

/** Thrown by the model and the routes; the server's error handler turns it into Google's body. */
export class GoogleApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly extra: Partial<Pick<GoogleErrorItem, 'location' | 'locationType'>> = {},
  ) {
    super(message);
    this.name = 'GoogleApiError';
  }

  toBody(): GoogleErrorBody {
    return errorBody(this.code, this.reason, this.message, this.extra);
  }
}

export function errorBody(
  code: number,
  reason: string,
  message: string,
  extra: Partial<Pick<GoogleErrorItem, 'location' | 'locationType'>> = {},
): GoogleErrorBody {
  return {
    error: { code, message, errors: [{ domain: 'global', reason, message, ...extra }], status: statusName(code) },
  };
}

export const invalid = (message: string) => new GoogleApiError(400, 'invalid', message);
export const forbidden = (message: string) => new GoogleApiError(403, 'forbidden', message);
export const notFound = (message: string) => new GoogleApiError(404, 'notFound', message);
export const duplicate = () => new GoogleApiError(409, 'duplicate', 'Entity already exists.');
export const loginRequired = () =>
  new GoogleApiError(401, 'authError', 'Login Required.', { location: 'Authorization', locationType: 'header' });
