/**
 * Codec server: lets the Temporal Web UI (`--ui-codec-endpoint`) and the temporal CLI
 * (`--codec-endpoint`, `--codec-auth "Bearer <token>"`) show decrypted payloads, while the
 * Temporal server itself only ever stores ciphertext.
 *
 * `POST /encode` and `POST /decode` take and return `{ payloads: [{ metadata: {k: base64}, data: base64 }] }`.
 * Optional `X-Workflow-Id` (with `X-Namespace`, default `default`): the workflow the payloads belong to.
 * Whoever can call it can decrypt, so before any work it refuses (in this order):
 * - a Host that is not one of its own names (421: DNS rebinding),
 * - an Origin that is not an allowed Web UI (403; callers without Origin, like the CLI, pass),
 * - a caller without a valid static token or OIDC access token, when authentication is configured (401),
 * - a body over the byte limit, by Content-Length or while streaming (413), too many requests at once (503);
 * then, once parsed, more payloads than allowed (413) or a malformed body (400).
 * It refuses to start beyond loopback without authentication and TLS (its own, or a declared proxy).
 * Callers get generic error bodies; details go to the server log, payload contents never.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import { parseBase64, toBase64 } from './base64';
import { AesGcmPayloadCodec, type EncryptionKey } from './codec';
import { createAuthenticator, type OidcOptions } from './codec-server-auth';

export type { OidcOptions } from './codec-server-auth';

export interface CodecServerLimits {
  /** Payloads per request (default 2,000). */
  maxPayloads: number;
  /** Request body bytes (default 4 MiB; Temporal's own payload limit is 2 MiB, base64 adds a third). */
  maxBodyBytes: number;
  /** Requests processed at once; more are answered 503 (default 16). */
  maxConcurrentRequests: number;
}

export const DEFAULT_LIMITS: CodecServerLimits = {
  maxPayloads: 2_000,
  maxBodyBytes: 4 * 1024 * 1024,
  maxConcurrentRequests: 16,
};

export interface CodecServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  keys: readonly EncryptionKey[];
  /** Static token (temporal CLI, scripts): `Authorization: Bearer <accessToken>`. */
  accessToken?: string;
  /** The Web UI's OIDC access tokens (JWT), verified against this issuer's JWKS and audience. */
  oidc?: OidcOptions;
  /** Exact origins allowed to call from a browser, e.g. the Web UI's `http://localhost:8233`. */
  corsOrigins: readonly string[];
  /**
   * Host header values accepted: `name` (any port) or `name:port`. Default on loopback: localhost,
   * 127.0.0.1 and [::1]; required when listening beyond loopback.
   */
  allowedHosts?: readonly string[];
  /** Serve HTTPS with these PEM files. */
  tls?: { certFile: string; keyFile: string };
  /** Declares that a TLS-terminating (and authenticating) proxy is the only way in; allows plain HTTP beyond loopback. */
  behindTlsProxy?: boolean;
  limits?: Partial<CodecServerLimits>;
  logger?: Logger;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);
const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

const RequestBody = z.object({
  // Protobuf JSON omits empty lists: the temporal CLI sends `{}` for a query without arguments.
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), z.string()).nullish(),
        data: z.string().nullish(),
      }),
    )
    .default([]),
});

type JsonPayload = z.infer<typeof RequestBody>['payloads'][number];

/** A client error: `status` and a generic body for the caller, `detail` for the log only. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly publicMessage: string,
    readonly detail: string = publicMessage,
  ) {
    super(detail);
  }
}

function fromJson(payload: JsonPayload, index: number): Payload {
  const bytes = (text: string, what: string): Uint8Array => {
    const decoded = parseBase64(text);
    if (!decoded) throw new Refusal(400, 'malformed request body', `payloads[${index}].${what} is not valid base64`);
    return decoded;
  };
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = bytes(value, 'metadata');
  return { metadata, data: bytes(payload.data ?? '', 'data') };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = toBase64(value);
  return { metadata, data: toBase64(payload.data ?? new Uint8Array()) };
}

/** Counts first (cheap), so a flood of tiny payloads is refused before any per-payload work. */
function parsePayloads(body: unknown, maxPayloads: number): Payload[] {
  const list = typeof body === 'object' && body !== null ? (body as { payloads?: unknown }).payloads : undefined;
  if (Array.isArray(list) && list.length > maxPayloads) {
    throw new Refusal(413, 'too many payloads in one request', `${list.length} payloads > ${maxPayloads}`);
  }
  const parsed = RequestBody.safeParse(body);
  if (!parsed.success)
    throw new Refusal(400, 'malformed request body', 'body is not {"payloads":[{"metadata":{…},"data":"…"}]}');
  return parsed.data.payloads.map(fromJson);
}

/** The host name (lower case, IPv6 in brackets) and port of a Host header. */
function splitHost(header: string): { name: string; port?: string } {
  const value = header.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  return match ? { name: match[1]!, ...(match[2] ? { port: match[2] } : {}) } : { name: '\u0000invalid' };
}

function hostMatcher(allowed: readonly string[]): (header: string | undefined) => boolean {
  const entries = allowed.map(splitHost);
  return (header) => {
    if (!header) return false;
    const { name, port } = splitHost(header);
    return entries.some((entry) => entry.name === name && (entry.port === undefined || entry.port === port));
  };
}

/** Refuses a configuration that would let anyone on the network decrypt. */
function checkExposure(options: CodecServerOptions, authenticated: boolean): void {
  if (LOOPBACK_HOSTS.has(options.host)) return;
  const problems: string[] = [];
  if (!authenticated) problems.push('authentication (CODEC_SERVER_ACCESS_TOKEN and/or CODEC_SERVER_OIDC_ISSUER)');
  if (!options.tls && !options.behindTlsProxy) {
    problems.push(
      'TLS (CODEC_SERVER_TLS_CERT_FILE + CODEC_SERVER_TLS_KEY_FILE, or CODEC_SERVER_BEHIND_TLS_PROXY=true)',
    );
  }
  if (!options.allowedHosts?.length) problems.push('the names it is reached by (CODEC_SERVER_ALLOWED_HOSTS)');
  if (problems.length)
    throw new Error(`refusing to listen on ${options.host} (beyond loopback) without ${problems.join(', ')}`);
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const { port, host, keys, corsOrigins } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const authenticate = createAuthenticator({ accessToken: options.accessToken, oidc: options.oidc });
  checkExposure(options, authenticate !== undefined);
  const codec = new AesGcmPayloadCodec(keys);
  const allowedOrigins = new Set(corsOrigins);
  const isOwnHost = hostMatcher(options.allowedHosts?.length ? options.allowedHosts : DEFAULT_ALLOWED_HOSTS);
  const tls = options.tls && { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) };
  let inFlight = 0;

  const app = Fastify({
    loggerInstance: options.logger ?? pino({ name: 'codec-server' }),
    bodyLimit: limits.maxBodyBytes,
    requestTimeout: 30_000,
    ...(tls ? { https: tls } : {}),
  });

  const refuse = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ error: message });

  app.addHook('onRequest', async (request, reply) => {
    if (!isOwnHost(request.headers.host)) {
      request.log.warn({ host: request.headers.host?.slice(0, 100) }, 'refused: unknown Host (DNS rebinding?)');
      return refuse(reply, 421, 'unknown host');
    }
    const origin = request.headers.origin;
    reply.header('Vary', 'Origin');
    if (origin !== undefined) {
      if (!allowedOrigins.has(origin)) {
        request.log.warn({ origin: origin.slice(0, 100) }, 'refused: Origin not allowed');
        return refuse(reply, 403, 'origin not allowed');
      }
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Access-Control-Allow-Credentials', 'true');
    }
    // Browsers never send credentials on a preflight, so it must pass without them.
    if (request.method === 'OPTIONS') return;
    if (authenticate) {
      const result = await authenticate(request.headers.authorization);
      if (!result.ok) {
        request.log.warn({ reason: result.reason }, 'refused: not authenticated');
        return refuse(reply, 401, 'unauthorized');
      }
      request.log.debug({ via: result.via, subject: result.subject }, 'authenticated');
    }
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > limits.maxBodyBytes) {
      request.log.warn({ length }, 'refused: body too large');
      reply.header('Connection', 'close');
      return refuse(reply, 413, 'request too large');
    }
    if (inFlight >= limits.maxConcurrentRequests) {
      reply.header('Retry-After', '1');
      return refuse(reply, 503, 'busy, retry shortly');
    }
    inFlight += 1;
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  });

  app.options('*', async (_request, reply) => {
    if (reply.hasHeader('Access-Control-Allow-Origin')) {
      reply.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
      reply.header('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, X-Workflow-Id, Authorization');
      reply.header('Access-Control-Max-Age', '600');
    }
    return reply.code(204).send();
  });

  const route = (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
    const payloads = parsePayloads(request.body, limits.maxPayloads);
    // Only counts and the namespace (sent by the UI and the CLI): payload contents never reach the log.
    const context = {
      namespace: String(request.headers['x-namespace'] ?? '').slice(0, 100),
      payloads: payloads.length,
    };
    // Release 0.4: with X-Workflow-Id (and X-Namespace), /encode binds the payloads to that workflow
    // and /decode refuses payloads bound to another (encryption/codec.ts, docs/security.md).
    const workflowId = request.headers['x-workflow-id'];
    const serialization =
      typeof workflowId === 'string' && workflowId !== ''
        ? { type: 'workflow' as const, namespace: String(request.headers['x-namespace'] ?? 'default'), workflowId }
        : undefined;
    let result: Payload[];
    try {
      result = await codec[direction](payloads, serialization);
    } catch (err) {
      // The codec's messages name neither key ids nor payload contents.
      request.log.warn({ ...context, reason: (err as Error).message }, `${direction} failed`);
      return refuse(reply, 422, `cannot ${direction} the payloads`);
    }
    request.log.info(context, `${direction}d payloads`);
    return { payloads: result.map(toJson) };
  };
  app.post('/encode', route('encode'));
  app.post('/decode', route('decode'));

  // Fastify's own 404 body quotes the requested path: input, so not echoed.
  app.setNotFoundHandler(async (_request, reply) => refuse(reply, 404, 'not found'));

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (err instanceof Refusal) {
      request.log.warn({ status: err.status, detail: err.detail }, 'refused');
      return refuse(reply, err.status, err.publicMessage);
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err }, 'codec server error');
      return refuse(reply, 500, 'internal error');
    }
    // Fastify's own 4xx (bad JSON, body too large, wrong content type): logged by code, answered generically.
    request.log.warn({ status, code: err.code }, 'refused');
    return refuse(
      reply,
      status,
      status === 413 ? 'request too large' : status === 415 ? 'unsupported content type' : 'malformed request body',
    );
  });

  await app.listen({ port, host });
  const { port: actualPort } = app.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `${tls ? 'https' : 'http'}://${urlHost}:${actualPort}`, close: () => app.close() };
}
