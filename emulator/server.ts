/**
 * The Google API emulator: an HTTP server answering the Reseller, Directory and Site Verification
 * paths the onboarding calls (as googleapis v188 sends them) and the Reseller batch endpoint,
 * control endpoints under `/_emulator/` for tests and demos, and an SMTP sink. This file holds the
 * cross-cutting HTTP behaviour (auth, faults, quotas, request log, errors); routes live beside it.
 * Runs in-process (tests) or standalone (`npm run emulator`).
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino, { type Logger } from 'pino';
import { prettifyError, ZodError } from 'zod';
import { registerBatchRoute } from './batch-route';
import { type ControlParts, registerControlRoutes } from './control-routes';
import { registerGoogleRoutes } from './google-routes';
import { checkListenHost, CONTROL_PREFIX, controlRefusal, isLoopbackHost } from './control-guard';
import { defaultReason, errorBody, forbidden, GoogleApiError, loginRequired } from './errors';
import { type Fault, FaultList, RequestLog } from './faults';
import { Quotas } from './quotas';
import { SiteVerification } from './site-verification';
import { MailStore, startSmtpSink } from './smtp-sink';
import { EmulatorState } from './state';

export interface EmulatorOptions {
  /** Interface for both servers; default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  httpPort?: number;
  /** 0 (the default) picks a free port. */
  smtpPort?: number;
  /** Used as is when given; otherwise a pino logger at `logLevel`. */
  logger?: Logger;
  /** Default: EMULATOR_LOG_LEVEL, else 'warn'. */
  logLevel?: string;
  /** Listen on a non-loopback host anyway. Default: EMULATOR_ALLOW_NON_LOOPBACK === 'true'. */
  allowNonLoopback?: boolean;
  /** Host names the control endpoints answer beyond loopback. Default: EMULATOR_ALLOWED_HOSTS (comma-separated). */
  controlHosts?: readonly string[];
}

export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:8090: the `rootUrl` for googleapis and the control client. */
  url: string;
  host: string;
  httpPort: number;
  smtpPort: number;
  close(): Promise<void>;
}

/** nginx's convention for "the client closed the connection before the answer". */
const CLIENT_CLOSED_REQUEST = 499;
const GOOGLE_PATH = /^\/(?:(?:apps\/reseller|admin\/directory|siteVerification)\/|batch$)/;
const BEARER = /^Bearer\s+\S+/i;
// Transfer tokens let a reseller take a customer over: they never reach the log.
const SECRET_QUERY_PARAMS = new Set(['customerAuthToken']);

interface GoogleRequestContext {
  seq: number;
  time: string;
  path: string;
  query: Record<string, string | string[]>;
  /** A fault in 'after' mode, applied once the real operation has answered. */
  pendingFault?: Fault;
}

function redactedQuery(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, raw] of params) {
    const value = SECRET_QUERY_PARAMS.has(key) ? '[redacted]' : raw;
    const previous = query[key];
    query[key] = previous === undefined ? value : [previous, value].flat();
  }
  return query;
}

function faultPayload(fault: Fault & { status: number }): string {
  const defaults = defaultReason(fault.status);
  return JSON.stringify(errorBody(fault.status, fault.reason ?? defaults.reason, fault.message ?? defaults.message));
}

function prepareFaultReply(reply: FastifyReply, fault: Fault & { status: number }): void {
  reply.code(fault.status).type('application/json; charset=utf-8');
  if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
}

function hasStatus(fault: Fault): fault is Fault & { status: number } {
  return fault.status !== undefined;
}

function buildApp(logger: Logger, parts: ControlParts, controlHosts: readonly string[]) {
  const { state, quotas, siteVerification, faults, requests } = parts;
  const app = Fastify({
    loggerInstance: logger,
    // Fastify's own request lines would log query strings (transfer tokens); onResponse logs instead.
    logController: new LogController({ disableRequestLogging: true }),
  });
  const contexts = new WeakMap<FastifyRequest, GoogleRequestContext>();

  // googleapis sends bodiless requests without a body but other clients may send an empty JSON body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body).trim();
    if (text === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new GoogleApiError(400, 'parseError', 'Parse Error'), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const url = new URL(request.url, 'http://emulator.invalid');
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      const refusal = controlRefusal(request.method, request.headers, controlHosts);
      if (refusal) throw forbidden(`Control endpoint refused: ${refusal}.`);
      return;
    }
    if (!GOOGLE_PATH.test(url.pathname)) return;
    const context: GoogleRequestContext = {
      seq: requests.nextNumber(),
      time: new Date().toISOString(),
      path: url.pathname,
      query: redactedQuery(url.searchParams),
    };
    contexts.set(request, context);
    // A client that goes away before the answer (timed out, or its process was killed) gets no
    // onResponse: log it as 499, since what it asked for may well have happened.
    const started = Date.now();
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished) return;
      requests.record({
        seq: context.seq,
        time: context.time,
        method: request.method,
        path: context.path,
        query: context.query,
        status: CLIENT_CLOSED_REQUEST,
        durationMs: Date.now() - started,
      });
    });
    if (!BEARER.test(request.headers.authorization ?? '')) {
      reply.header('www-authenticate', 'Bearer realm="https://accounts.google.com/"');
      throw loginRequired();
    }
    const fault = faults.take(request.method, url.pathname);
    if (!fault) return;
    if (fault.mode === 'after') {
      context.pendingFault = fault;
      return;
    }
    if (fault.delayMs !== undefined) await sleep(fault.delayMs);
    if (hasStatus(fault)) {
      prepareFaultReply(reply, fault);
      return reply.send(faultPayload(fault));
    }
  });

  // Quotas are judged once the body is parsed (user creations count per domain of the new user).
  app.addHook('preHandler', async (request) => {
    if (!contexts.has(request)) return;
    const bearer = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const path = request.url.split('?')[0] ?? '';
    const exceeded = quotas.check(
      { method: request.method, path, bearer, body: request.body },
      state.currentSettings(),
    );
    if (exceeded) throw exceeded;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const context = contexts.get(request);
    const fault = context?.pendingFault;
    if (!context || !fault) return payload;
    context.pendingFault = undefined;
    if (fault.delayMs !== undefined) await sleep(fault.delayMs);
    if (!hasStatus(fault)) return payload;
    // The operation already happened: only its answer is replaced ("Google did it, the answer was lost").
    prepareFaultReply(reply, fault);
    return faultPayload(fault);
  });

  app.addHook('onResponse', async (request, reply) => {
    const durationMs = Math.round(reply.elapsedTime);
    const context = contexts.get(request);
    if (context) {
      requests.record({
        seq: context.seq,
        time: context.time,
        method: request.method,
        path: context.path,
        query: context.query,
        status: reply.statusCode,
        durationMs,
      });
    }
    const path = request.url.split('?')[0];
    request.log.info({ method: request.method, path, status: reply.statusCode, durationMs }, 'request');
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof GoogleApiError) return reply.code(error.code).send(error.toBody());
    if (error instanceof ZodError) return reply.code(400).send(errorBody(400, 'invalid', prettifyError(error)));
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(status, defaultReason(status).reason, (error as Error).message));
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send(errorBody(500, 'backendError', 'Backend Error'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(404, 'notFound', `Not Found: ${request.method} ${request.url.split('?')[0]}`)),
  );

  registerGoogleRoutes(app, state, siteVerification);
  registerBatchRoute(app, {
    state,
    faults,
    requests,
    seqOf: (request) => contexts.get(request as FastifyRequest)?.seq,
    redact: redactedQuery,
  });
  registerControlRoutes(app, parts);

  return app;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  checkListenHost(host, options.allowNonLoopback ?? process.env.EMULATOR_ALLOW_NON_LOOPBACK === 'true');
  const logger =
    options.logger ??
    pino({ name: 'google-emulator', level: options.logLevel ?? process.env.EMULATOR_LOG_LEVEL ?? 'warn' });
  const mail = new MailStore();
  const smtp = await startSmtpSink({ host, port: options.smtpPort ?? 0, store: mail, logger });
  // Mail Google itself sends (a team customer's verification link) lands in the same store.
  const state = new EmulatorState(Date.now, (m) =>
    mail.add({ ...m, receivedAt: new Date().toISOString(), messageId: `<${Date.now()}@emulator.invalid>` }),
  );
  const siteVerification = new SiteVerification((domain, owners) => state.markDomainVerified(domain, owners));
  const parts = {
    state,
    quotas: new Quotas(),
    siteVerification,
    faults: new FaultList(),
    requests: new RequestLog(),
    mail,
  };
  const controlHosts = [
    ...(isLoopbackHost(host) ? [] : [host.toLowerCase()]),
    ...(options.controlHosts ??
      (process.env.EMULATOR_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== '')),
  ];
  const app = buildApp(logger, parts, controlHosts);
  try {
    await app.listen({ host, port: options.httpPort ?? 0 });
  } catch (error) {
    await smtp.close();
    throw error;
  }
  const httpPort = (app.server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`,
    host,
    httpPort,
    smtpPort: smtp.port,
    close: async () => {
      await app.close();
      await smtp.close();
    },
  };
}
