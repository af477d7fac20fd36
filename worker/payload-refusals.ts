/**
 * What the worker does when its codec refuses a payload (plaintext where encryption is required,
 * or a payload it cannot decrypt: encryption/codec.ts): it counts it and logs one line naming the
 * reason and the workflow, never the payload. The workflow itself sees the refusal sentinel and
 * ignores the message (or refuses the order), so nothing stalls.
 *
 *   onboarding_payloads_refused{reason}   reason: plaintext | undecryptable | bound-elsewhere | unbound
 */
import { Runtime } from '@temporalio/worker';
import type { PayloadRefusal } from '../encryption/codec';

export const PAYLOADS_REFUSED_METRIC = 'onboarding_payloads_refused';

interface RefusalLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** The codec's `onRefused` for this worker (call after Runtime.install). */
export function payloadRefusalReporter(logger: RefusalLogger): (refusal: PayloadRefusal) => void {
  const counter = Runtime.instance().metricMeter.createCounter(
    PAYLOADS_REFUSED_METRIC,
    '1',
    'Payloads the codec refused: unencrypted where encryption is required, or undecryptable here',
  );
  return ({ reason, workflowId }) => {
    counter.add(1, { reason });
    logger.warn(
      { reason, ...(workflowId ? { workflowId } : {}) },
      'payload refused: the workflow sees the refusal sentinel instead',
    );
  };
}
