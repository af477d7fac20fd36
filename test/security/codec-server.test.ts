/**
 * Findings against the codec server, each pinned by the attack that found it: a foreign Origin or
 * Host was served, a 16 MiB POST of millions of empty payloads blocked and killed it, the Web UI's
 * own OIDC token could not be checked (so it ran open), it listened anywhere in plain HTTP.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { pino } from 'pino';
import { AesGcmPayloadCodec } from '../../encryption/codec';
import { startCodecServer, type CodecServer, type CodecServerOptions } from '../../encryption/codec-server';
import { codecServerOptionsFromEnv } from '../../encryption/codec-server-config';

const keys = [{ id: 'k1', key: randomBytes(32) }];
const silent = pino({ level: 'silent' });
const UI_ORIGIN = 'http://localhost:8233';
const STATIC_TOKEN = 'static-token-for-the-cli-0123456789';
const ISSUER = 'https://login.reseller.example/';
const AUDIENCE = 'temporal-ui';
const SECRET = 'alex.cruz-secret-postal-94043';

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const plainPayload = () => toJson(defaultPayloadConverter.toPayload({ note: SECRET }));

/** A raw HTTP request, so that Host and Content-Length can be whatever an attacker sends. */
function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer }) {
  const target = new URL(url);
  return new Promise<{ status: number; body: string; ms: number }>((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: options.method ?? 'POST',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A JWKS endpoint on loopback, served over real HTTP as an IdP would. */
async function startJwksServer(jwks: { keys: JWK[] }): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('codec server hardening', () => {
  let server: CodecServer;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let idpKey: KeyLike;
  let otherKey: KeyLike;

  beforeAll(async () => {
    const idp = await generateKeyPair('RS256');
    idpKey = idp.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    jwks = await startJwksServer({
      keys: [{ ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }],
    });
    server = await startCodecServer({
      port: 0,
      host: '127.0.0.1',
      keys,
      corsOrigins: [UI_ORIGIN],
      accessToken: STATIC_TOKEN,
      oidc: { issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url },
      logger: silent,
    });
  });
  afterAll(async () => {
    await server.close();
    await jwks.close();
  });

  const url = (route: string) => `${server.url}${route}`;
  const json = (body: unknown, extra: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return {
      body: text,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
        authorization: `Bearer ${STATIC_TOKEN}`,
        ...extra,
      },
    };
  };
  const jwt = (
    claims: Record<string, unknown> = {},
    options: { key?: KeyLike; issuer?: string; audience?: string; expiresIn?: string | number } = {},
  ) =>
    new SignJWT({ scope: 'openid', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('operator@reseller.example')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? idpKey);

  it('binds what it encodes to X-Workflow-Id, and refuses to decode it for another workflow (issue 19)', async () => {
    const encoded = await request(url('/encode'), {
      ...json({ payloads: [plainPayload()] }, { 'x-namespace': 'default', 'x-workflow-id': 'onboarding:a.example' }),
    });
    expect(encoded.status).toBe(200);
    const [payload] = (JSON.parse(encoded.body) as { payloads: { metadata: Record<string, string> }[] }).payloads;
    expect(Buffer.from(payload!.metadata['encryption-workflow-id']!, 'base64').toString()).toBe('onboarding:a.example');
    const decodeFor = (workflowId?: string) =>
      request(url('/decode'), {
        ...json({ payloads: [payload] }, workflowId ? { 'x-namespace': 'default', 'x-workflow-id': workflowId } : {}),
      });
    expect((await decodeFor('onboarding:b.example')).status).toBe(422);
    const opened = JSON.parse((await decodeFor('onboarding:a.example')).body) as { payloads: { data: string }[] };
    expect(Buffer.from(opened.payloads[0]!.data, 'base64').toString()).toContain(SECRET);
    expect((await decodeFor()).status).toBe(200); // the Web UI sends no workflow id: the payload's own binding
  });

  it('refuses a foreign Origin with 403 before any work, even with a valid token', async () => {
    const response = await request(url('/encode'), {
      ...json({ payloads: [plainPayload()] }, { origin: 'https://evil.example' }),
    });
    expect(response.status).toBe(403);
    expect(response.body).not.toContain('payloads');
    expect(JSON.parse(response.body)).toEqual({ error: 'origin not allowed' });
    const allowed = await request(url('/encode'), { ...json({ payloads: [plainPayload()] }, { origin: UI_ORIGIN }) });
    expect(allowed.status).toBe(200);
  });

  it('refuses a Host that is not its own (DNS rebinding) with 421', async () => {
    const port = new URL(server.url).port;
    for (const host of [`rebind.evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`]) {
      const response = await request(url('/decode'), { ...json({ payloads: [] }, { host }) });
      expect(response.status).toBe(421);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await request(url('/decode'), { ...json({ payloads: [] }, { host }) })).status).toBe(200);
    }
  });

  it('answers a 200,000-payload flood 413 in well under a second, and keeps answering', async () => {
    // The original attack: millions of empty payloads. Compact ({}) they fit the byte limit and hit the count limit;
    // with metadata they exceed the byte limit and are refused by Content-Length, unread.
    const compact = `{"payloads":[${Array(200_000).fill('{}').join(',')}]}`;
    const full = `{"payloads":[${Array(200_000).fill('{"metadata":{},"data":""}').join(',')}]}`;
    expect(Buffer.byteLength(compact)).toBeLessThan(4 * 1024 * 1024);
    expect(Buffer.byteLength(full)).toBeGreaterThan(4 * 1024 * 1024);
    for (const body of [compact, full]) {
      const flood = await request(url('/encode'), json(body));
      expect(flood.status).toBe(413);
      expect(flood.ms).toBeLessThan(1000);
    }
    const after = await request(url('/decode'), json({ payloads: [plainPayload()] }));
    expect(after.status).toBe(200);
  });

  it('refuses a streamed (chunked) body over the byte limit', async () => {
    const target = new URL(url('/encode'));
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${STATIC_TOKEN}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        err.code === 'EPIPE' || err.code === 'ECONNRESET' ? resolve(413) : reject(err),
      );
      req.write('{"payloads":[');
      for (let i = 0; i < 5; i++) req.write(`${Array(100_000).fill('{"data":""}').join(',')},`);
      req.end('{}]}');
    });
    expect(status).toBe(413);
  });

  it('accepts the Web UI’s OIDC access token, verified against the issuer’s JWKS', async () => {
    const response = await request(
      url('/decode'),
      json({ payloads: [plainPayload()] }, { authorization: `Bearer ${await jwt()}`, origin: UI_ORIGIN }),
    );
    expect(response.status).toBe(200);
  });

  it.each([
    ['a wrong issuer', () => jwt({}, { issuer: 'https://evil.example/' })],
    ['a wrong audience', () => jwt({}, { audience: 'some-other-app' })],
    ['an expired token', () => jwt({}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 })],
    ['a token signed by another key', () => jwt({}, { key: otherKey })],
    [
      'an unsigned token (alg none)',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, exp: 9e9 })).toString('base64url')}.`,
    ],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses %s with a generic 401', async (_case, token) => {
    const response = await request(
      url('/decode'),
      json({ payloads: [plainPayload()] }, { authorization: `Bearer ${await token()}` }),
    );
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ error: 'unauthorized' });
  });

  it('refuses an HS256 token made with the public key as secret (algorithm confusion)', async () => {
    const fetched = (await (await fetch(jwks.url)).json()) as { keys: JWK[] };
    const secret = Buffer.from(JSON.stringify(fetched.keys[0]));
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'idp-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(secret);
    expect((await request(url('/decode'), json({ payloads: [] }, { authorization: `Bearer ${forged}` }))).status).toBe(
      401,
    );
  });

  it('keeps the static token for the CLI, and refuses no token at all', async () => {
    expect((await request(url('/decode'), json({ payloads: [] }))).status).toBe(200);
    const { authorization: _drop, ...noAuth } = json({ payloads: [] }).headers;
    expect((await request(url('/decode'), { body: '{"payloads":[]}', headers: noAuth })).status).toBe(401);
  });

  it('answers undecodable payloads generically: no key ids, no echo of the input', async () => {
    const [foreign] = await new AesGcmPayloadCodec([{ id: 'attacker-chosen-id', key: randomBytes(32) }]).encode([
      defaultPayloadConverter.toPayload({ note: SECRET }),
    ]);
    const response = await request(url('/decode'), json({ payloads: [toJson(foreign!)] }));
    expect(response.status).toBe(422);
    expect(response.body).not.toMatch(/k1|attacker-chosen-id/);
    const unknown = await request(url('/decode/<script>alert(1)</script>'), json({ payloads: [] }));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ error: 'not found' });
  });
});

describe('codec server exposure', () => {
  const base: CodecServerOptions = { port: 0, host: '0.0.0.0', keys, corsOrigins: [UI_ORIGIN], logger: silent };

  it('refuses to listen beyond loopback without authentication, TLS and its host names', async () => {
    await expect(startCodecServer(base)).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 .*authentication.*TLS.*CODEC_SERVER_ALLOWED_HOSTS/,
    );
    await expect(
      startCodecServer({ ...base, accessToken: STATIC_TOKEN, allowedHosts: ['codec.example'] }),
    ).rejects.toThrow(/without TLS/);
    await expect(startCodecServer({ ...base, behindTlsProxy: true, allowedHosts: ['codec.example'] })).rejects.toThrow(
      /without authentication/,
    );
  });

  it('listens beyond loopback behind a declared TLS proxy, answering only to its configured name', async () => {
    const server = await startCodecServer({
      ...base,
      accessToken: STATIC_TOKEN,
      behindTlsProxy: true,
      allowedHosts: ['codec.reseller.example'],
    });
    try {
      const port = new URL(server.url).port;
      const ask = (host: string) =>
        request(`http://127.0.0.1:${port}/decode`, {
          body: '{}',
          headers: { host, 'content-type': 'application/json', authorization: `Bearer ${STATIC_TOKEN}` },
        });
      expect((await ask('codec.reseller.example')).status).toBe(200);
      expect((await ask(`127.0.0.1:${port}`)).status).toBe(421);
    } finally {
      await server.close();
    }
  });

  it('serves HTTPS with a certificate and key file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'codec-tls-'));
    try {
      const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      const server = await startCodecServer({
        ...base,
        accessToken: STATIC_TOKEN,
        tls: { certFile: cert, keyFile: key },
        allowedHosts: ['localhost'],
      });
      try {
        expect(server.url).toMatch(/^https:\/\//);
        const port = new URL(server.url).port;
        const status = await new Promise<number>((resolve, reject) => {
          https
            .request(
              {
                host: '127.0.0.1',
                port,
                path: '/decode',
                method: 'POST',
                ca: [readFileSync(cert)],
                servername: 'localhost',
                headers: {
                  host: `localhost:${port}`,
                  'content-type': 'application/json',
                  authorization: `Bearer ${STATIC_TOKEN}`,
                },
              },
              (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              },
            )
            .on('error', reject)
            .end('{}');
        });
        expect(status).toBe(200);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads its settings strictly, naming the variable and never the token', () => {
    const options = codecServerOptionsFromEnv({
      CODEC_SERVER_HOST: '0.0.0.0',
      CODEC_SERVER_ALLOWED_HOSTS: 'codec.reseller.example, codec.reseller.example:443',
      CODEC_SERVER_ACCESS_TOKEN: STATIC_TOKEN,
      CODEC_SERVER_OIDC_ISSUER: ISSUER,
      CODEC_SERVER_OIDC_AUDIENCE: `${AUDIENCE},other`,
      CODEC_SERVER_OIDC_JWKS_URL: 'https://login.reseller.example/jwks.json',
      CODEC_SERVER_BEHIND_TLS_PROXY: 'true',
      CODEC_SERVER_MAX_PAYLOADS: '500',
    });
    expect(options).toMatchObject({
      host: '0.0.0.0',
      allowedHosts: ['codec.reseller.example', 'codec.reseller.example:443'],
      oidc: { issuer: ISSUER, audience: [AUDIENCE, 'other'], jwksUrl: 'https://login.reseller.example/jwks.json' },
      behindTlsProxy: true,
      limits: { maxPayloads: 500 },
    });
    const error = (env: NodeJS.ProcessEnv) => {
      try {
        codecServerOptionsFromEnv(env);
      } catch (err) {
        return (err as Error).message;
      }
      return undefined;
    };
    expect(error({ CODEC_SERVER_ACCESS_TOKEN: 'short' })).toBe(
      'CODEC_SERVER_ACCESS_TOKEN: must be at least 16 characters (e.g. `openssl rand -base64 32`)',
    );
    expect(error({ CODEC_SERVER_OIDC_ISSUER: ISSUER, CODEC_SERVER_OIDC_JWKS_URL: 'https://x.example/j' })).toMatch(
      /^CODEC_SERVER_OIDC_AUDIENCE: required/,
    );
    expect(
      error({
        CODEC_SERVER_OIDC_ISSUER: ISSUER,
        CODEC_SERVER_OIDC_AUDIENCE: 'a',
        CODEC_SERVER_OIDC_JWKS_URL: 'https://x.example/j',
        CODEC_SERVER_OIDC_ALGORITHMS: 'HS256',
      }),
    ).toMatch(/only asymmetric/);
    expect(error({ CODEC_SERVER_TLS_CERT_FILE: '/x.pem' })).toMatch(/set both or neither/);
    expect(error({ CODEC_SERVER_BEHIND_TLS_PROXY: 'yes' })).toBe(
      'CODEC_SERVER_BEHIND_TLS_PROXY: must be "true" or "false"',
    );
  });
});
