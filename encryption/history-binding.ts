/**
 * Why this file exists: since 0.4 every payload is bound to its workflow (docs/security.md §1), so a
 * history replayed from a file must be replayed under the workflow id it was recorded for, or its
 * payloads do not decrypt. The id is written in clear beside each bound payload: read it from the
 * history's first event (the start input).
 */
import type { temporal } from '@temporalio/proto';
import { WORKFLOW_ID_METADATA_KEY } from './codec';

/** The workflow id the history's start input is bound to; undefined for an unbound (pre-0.4) history. */
export function boundWorkflowIdOf(history: temporal.api.history.v1.IHistory): string | undefined {
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const bytes = payloads[0]?.metadata?.[WORKFLOW_ID_METADATA_KEY];
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}
