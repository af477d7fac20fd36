/**
 * Codec server: lets the Temporal Web UI (`--ui-codec-endpoint`) and the temporal CLI
 * (`--codec-endpoint`, `--codec-auth "Bearer <token>"`) show decrypted payloads, while the
 * Temporal server itself only ever stores ciphertext.
 *
 * `POST /encode` and `POST /decode` take and return `{ payloads: [{ metadata: {k: base64}, data: base64 }] }`.
 * The browser calls it cross-origin from the UI, hence the small hand-written CORS below.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import { parseBase64, toBase64 } from './base64';
import { AesGcmPayloadCodec, type EncryptionKey } from './codec';

export interface CodecServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  keys: readonly EncryptionKey[];
  /** When set, every request except CORS preflights needs `Authorization: Bearer <accessToken>`. */
  accessToken?: string;
  /** Exact origins allowed to call from a browser, e.g. the Web UI's `http://localhost:8233`. */
  corsOrigins: readonly string[];
  logger?: Logger;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

// Temporal allows payloads up to 2 MiB and a request may carry several, base64-inflated.
const BODY_LIMIT = 16 * 1024 * 1024;

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

class BadRequest extends Error {}

function fromJson(payload: JsonPayload, index: number): Payload {
  const bytes = (text: string, what: string): Uint8Array => {
    const decoded = parseBase64(text);
    if (!decoded) throw new BadRequest(`payloads[${index}].${what} is not valid base64`);
    return decoded;
  };
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = bytes(value, `metadata.${key}`);
  return { metadata, data: bytes(payload.data ?? '', 'data') };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) metadata[key] = toBase64(value);
  return { metadata, data: toBase64(payload.data ?? new Uint8Array()) };
}

function parsePayloads(body: unknown): Payload[] {
  const parsed = RequestBody.safeParse(body);
  if (!parsed.success) {
    throw new BadRequest('body must be {"payloads":[{"metadata":{"<key>":"<base64>"},"data":"<base64>"}]}');
  }
  return parsed.data.payloads.map(fromJson);
}

/** Compares digests so neither the token's content nor its length leaks through timing. */
function bearerChecker(accessToken: string): (header: string | undefined) => boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(accessToken);
  return (header) => {
    const token = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1];
    return token !== undefined && timingSafeEqual(digest(token), expected);
  };
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const { port, host, keys, accessToken, corsOrigins } = options;
  if (accessToken === '') throw new Error('accessToken must not be empty; leave it unset to allow any caller');
  const codec = new AesGcmPayloadCodec(keys);
  const allowedOrigins = new Set(corsOrigins);
  const isAuthorized = accessToken === undefined ? () => true : bearerChecker(accessToken);

  const app = Fastify({
    loggerInstance: options.logger ?? pino({ name: 'codec-server' }),
    bodyLimit: BODY_LIMIT,
  });

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    reply.header('Vary', 'Origin');
    if (origin !== undefined && allowedOrigins.has(origin)) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Access-Control-Allow-Credentials', 'true');
    }
    // Browsers never send credentials on a preflight, so it must pass without the token.
    if (request.method === 'OPTIONS') return;
    if (!isAuthorized(request.headers.authorization)) {
      return reply.code(401).send({ error: 'missing or wrong bearer token in the Authorization header' });
    }
  });

  app.options('*', async (_request, reply) => {
    if (reply.hasHeader('Access-Control-Allow-Origin')) {
      reply.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
      reply.header('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
      reply.header('Access-Control-Max-Age', '600');
    }
    return reply.code(204).send();
  });

  const route = (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
    const payloads = parsePayloads(request.body);
    // Only counts and the namespace (sent by the UI and the CLI): payload contents never reach the log.
    const context = { namespace: request.headers['x-namespace'], payloads: payloads.length };
    let result: Payload[];
    try {
      result = await codec[direction](payloads);
    } catch (err) {
      // The codec's messages name key ids only, never key material or payload contents.
      request.log.warn({ ...context, reason: (err as Error).message }, `${direction} failed`);
      return reply.code(422).send({ error: (err as Error).message });
    }
    request.log.info(context, `${direction}d payloads`);
    return { payloads: result.map(toJson) };
  };
  app.post('/encode', route('encode'));
  app.post('/decode', route('decode'));

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err instanceof BadRequest ? 400 : (err.statusCode ?? 500);
    if (status >= 500) {
      request.log.error({ err }, 'codec server error');
      return reply.code(status).send({ error: 'internal error' });
    }
    // Fastify's own 4xx (bad JSON, body too large, wrong content type) carry safe, useful messages.
    return reply.code(status).send({ error: err.message });
  });

  await app.listen({ port, host });
  const { port: actualPort } = app.server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${actualPort}`, close: () => app.close() };
}
