/**
 * POST /batch on the Reseller API root (its discovery batchPath): the nested
 * subscriptions.insert transfers of one batch request, judged together by the state, and the
 * nested subscriptions.delete calls that end a customer's subscriptions together ("if a customer
 * contains multiple subscriptions, you must cancel all subscriptions as a batch request"). Any
 * other nested call is refused. Each nested call is logged like a request of its own.
 */
import { buildBatchResponse, type BatchPartRequest, type BatchPartResponse, parseBatchRequest } from './batch-wire';
import { defaultReason, errorBody, GoogleApiError, invalid } from './errors';
import type { FaultList, RequestLog } from './faults';
import type { EmulatorApp } from './http-util';
import type { BatchDeleteItem, BatchTransferItem, EmulatorState } from './state';

export const RESELLER_BATCH_PATH = '/batch';
const TRANSFER_PATH = /^\/apps\/reseller\/v1\/customers\/([^/]+)\/subscriptions$/;
const DELETE_PATH = /^\/apps\/reseller\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)$/;

interface Deps {
  state: EmulatorState;
  faults: FaultList;
  requests: RequestLog;
  /** The seq the server gave the outer request (for the log). */
  seqOf: (request: object) => number | undefined;
  redact: (params: URLSearchParams) => Record<string, string | string[]>;
}

type Judged = {
  part: BatchPartRequest;
  item?: BatchTransferItem;
  deletion?: BatchDeleteItem;
  answer?: BatchPartResponse;
};

function errorAnswer(error: GoogleApiError): BatchPartResponse {
  return { status: error.code, body: error.toBody() };
}

/** A nested call the state can judge, or the answer it gets without the state. */
function judge(part: BatchPartRequest, faults: FaultList): Judged {
  const fault = faults.take(part.method, part.path);
  if (fault?.status !== undefined && fault.mode === 'before') {
    const defaults = defaultReason(fault.status);
    return {
      part,
      answer: {
        status: fault.status,
        body: errorBody(fault.status, fault.reason ?? defaults.reason, fault.message ?? defaults.message),
      },
    };
  }
  const deletion = DELETE_PATH.exec(part.path);
  if (part.method === 'DELETE' && deletion?.[1] && deletion[2]) {
    const deletionType = part.query.get('deletionType') ?? undefined;
    return {
      part,
      deletion: {
        customerKey: decodeURIComponent(deletion[1]),
        subscriptionId: decodeURIComponent(deletion[2]),
        deletionType,
      },
    };
  }
  const match = TRANSFER_PATH.exec(part.path);
  const customerAuthToken = part.query.get('customerAuthToken') ?? undefined;
  if (part.method !== 'POST' || !match?.[1] || !customerAuthToken) {
    return {
      part,
      answer: errorAnswer(
        invalid(
          'Only subscription transfers (subscriptions.insert with a customerAuthToken) and subscriptions.delete can be sent in a batch request.',
        ),
      ),
    };
  }
  let body: unknown;
  try {
    body = part.body === '' ? undefined : JSON.parse(part.body);
  } catch {
    return { part, answer: errorAnswer(new GoogleApiError(400, 'parseError', 'Parse Error')) };
  }
  return { part, item: { customerKey: decodeURIComponent(match[1]), customerAuthToken, body } };
}

export function registerBatchRoute(app: EmulatorApp, deps: Deps): void {
  app.addContentTypeParser(/^multipart\/mixed/i, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post(RESELLER_BATCH_PATH, async (request, reply) => {
    const parts = parseBatchRequest(
      request.headers['content-type'],
      typeof request.body === 'string' ? request.body : '',
    );
    const judged = parts.map((part) => judge(part, deps.faults));
    const items = judged.flatMap((j) => (j.item ? [j.item] : []));
    const outcomes = deps.state.transferBatch(items);
    const deletions = judged.flatMap((j) => (j.deletion ? [j.deletion] : []));
    const deleted = deletions.length > 0 ? deps.state.deleteBatch(deletions) : [];
    const withContentIds = deps.state.currentSettings().batchResponseContentIds;
    const batchSeq = deps.seqOf(request);
    const responses = judged.map(({ part, item, deletion, answer }): BatchPartResponse => {
      const outcome = item
        ? outcomes[items.indexOf(item)]
        : deletion
          ? deleted[deletions.indexOf(deletion)]
          : undefined;
      const response =
        answer ??
        (deletion && outcome?.ok ? { status: 204 } : undefined) ??
        (outcome?.ok
          ? { status: 200, body: outcome.value }
          : errorAnswer(outcome?.ok === false ? outcome.error : invalid('Unjudged part.')));
      deps.requests.record({
        seq: deps.requests.nextNumber(),
        time: new Date().toISOString(),
        method: part.method,
        path: part.path,
        query: deps.redact(part.query),
        status: response.status,
        durationMs: 0,
        ...(batchSeq !== undefined ? { batchSeq } : {}),
      });
      return { ...response, ...(withContentIds && part.contentId ? { contentId: part.contentId } : {}) };
    });
    const built = buildBatchResponse(responses);
    return reply.code(200).type(built.contentType).send(built.body);
  });
}
