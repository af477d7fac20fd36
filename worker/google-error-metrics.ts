/**
 * Counts the Google API errors activities meet, by API, method and reason:
 *
 *   onboarding_google_errors{api, method, reason, retryable}
 *
 * Activities turn every failed Google call into an ApplicationFailure of type `Google.<reason>`
 * whose message starts with the operation ("users.insert admin@… failed: HTTP 403 …", "directory
 * customers.get C… failed: …", "batch subscriptions.insert …", activities/google-errors.ts). This activity interceptor reads both; only the method name (never
 * the rest of the message, which names people) becomes a tag.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type {
  ActivityInboundCallsInterceptor,
  ActivityInterceptors,
  ActivityExecuteInput,
  Next,
} from '@temporalio/worker';

/** Which Google API a `resource.method` belongs to (customers.get is the Reseller API's, customers.patch the Directory's). */
const API_OF: Record<string, string> = {
  'customers.get': 'reseller',
  'customers.insert': 'reseller',
  'subscriptions.list': 'reseller',
  'subscriptions.insert': 'reseller',
  'subscriptions.get': 'reseller',
  'subscriptions.delete': 'reseller',
  'customers.patch': 'directory',
};
const API_OF_RESOURCE: Record<string, string> = {
  users: 'directory',
  subscriptions: 'reseller',
  webResource: 'siteVerification',
};

// "[directory |batch ]resource.method …": an optional API prefix where the method name alone is ambiguous.
const METHOD = /^(?:(directory|reseller|batch) )?([A-Za-z]+)\.([A-Za-z]+)/;
const API_OF_PREFIX: Record<string, string> = { directory: 'directory', reseller: 'reseller', batch: 'reseller' };
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
  const reasonText = err.type.slice('Google.'.length);
  const match = METHOD.exec(err.message);
  const method = match ? `${match[2]}.${match[3]}` : 'unknown';
  const api =
    (match?.[1]
      ? API_OF_PREFIX[match[1]]
      : (API_OF[method] ?? (match ? API_OF_RESOURCE[match[2] as string] : undefined))) ?? 'unknown';
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
