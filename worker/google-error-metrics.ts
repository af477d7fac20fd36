/**
 * Counts the Google API errors activities meet, by API, method and reason:
 *
 *   onboarding_google_errors{api, method, reason, retryable}
 *
 * Activities turn every failed Google call into an ApplicationFailure of type `Google.<reason>`
 * carrying `{ api, method, reason }` as its details (activities/google-errors.ts). This activity
 * interceptor reads those details, never the message (which names people).
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { googleFailureDetails } from '../activities/google-errors';
import type {
  ActivityInboundCallsInterceptor,
  ActivityInterceptors,
  ActivityExecuteInput,
  Next,
} from '@temporalio/worker';

const REASON = /^[A-Za-z0-9_]{1,64}$/;

export interface GoogleErrorTags {
  api: string;
  method: string;
  reason: string;
  retryable: 'true' | 'false';
}

/** The tags of a Google failure, or undefined for any other error. */
export function googleErrorTags(err: unknown): GoogleErrorTags | undefined {
  if (!(err instanceof ApplicationFailure) || !err.type?.startsWith('Google.')) return undefined;
  // The worker's own pacing (activities/google-pacer.ts) held the call back: Google never answered.
  if (err.type === 'Google.paced') return undefined;
  // What the failure says as data (activities/google-errors.ts); a failure made elsewhere has only its type.
  const details = googleFailureDetails(err);
  const reasonText = details?.reason ?? err.type.slice('Google.'.length);
  const { api, method } = details ?? { api: 'unknown', method: 'unknown' };
  return {
    api,
    method,
    reason: REASON.test(reasonText) ? reasonText : 'other',
    retryable: err.nonRetryable ? 'false' : 'true',
  };
}

class GoogleErrorCounter implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      return await next(input);
    } catch (err) {
      const tags = googleErrorTags(err);
      if (tags) {
        this.ctx.metricMeter
          .createCounter(
            'onboarding_google_errors',
            undefined,
            'Google API calls that failed, by API, method and reason',
          )
          .add(1, { ...tags });
      }
      throw err;
    }
  }
}

export function googleErrorMetricsInterceptor(ctx: Context): ActivityInterceptors {
  return { inbound: new GoogleErrorCounter(ctx) };
}
