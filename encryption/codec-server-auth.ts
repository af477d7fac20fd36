/**
 * Who may use the codec server. Two kinds of caller, either accepted:
 * - the Temporal Web UI, which (with `TEMPORAL_CODEC_PASS_ACCESS_TOKEN=true`) sends the user's OIDC
 *   access token as `Authorization: Bearer <JWT>`: verified against the configured issuer, audience
 *   and the issuer's JWKS (signature, `iss`, `aud`, `exp`, `nbf`), with `jose`;
 * - the temporal CLI and scripts, with a static token (`--codec-auth "Bearer <token>"`).
 * Nothing about the token or why it failed goes back to the caller; the reason is logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export interface OidcOptions {
  /** The `iss` the tokens must carry, e.g. https://accounts.example.com/ (exactly as the IdP writes it). */
  issuer: string;
  /** The `aud` the tokens must carry (one of them). */
  audience: string | readonly string[];
  /** The issuer's JWKS document (https; http only on loopback), fetched and cached by jose. */
  jwksUrl?: string;
  /** Keys to verify with instead of `jwksUrl` (tests: a local JWKS). */
  keys?: JWTVerifyGetKey;
  /** Accepted signature algorithms; default: the asymmetric ones (never HS*, never none). */
  algorithms?: readonly string[];
  /** Seconds of clock skew tolerated on exp/nbf (default 30). */
  clockToleranceSec?: number;
}

export const DEFAULT_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** The outcome of a check: `reason` is for the server log only. */
export type AuthResult = { ok: true; via: 'static-token' | 'oidc'; subject?: string } | { ok: false; reason: string };
export type Authenticator = (authorizationHeader: string | undefined) => Promise<AuthResult>;

const LOOPBACK_URL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function jwksFrom(options: OidcOptions): JWTVerifyGetKey {
  if (options.keys) return options.keys;
  if (!options.jwksUrl) throw new Error('OIDC needs a JWKS URL (CODEC_SERVER_OIDC_JWKS_URL)');
  const url = new URL(options.jwksUrl);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_URL_HOSTS.has(url.hostname))) {
    throw new Error('CODEC_SERVER_OIDC_JWKS_URL must be an https:// URL (http:// only on loopback)');
  }
  return createRemoteJWKSet(url, { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
}

/** Compares digests so neither the token's content nor its length leaks through timing. */
function staticTokenMatcher(accessToken: string): (token: string) => boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(accessToken);
  return (token) => timingSafeEqual(digest(token), expected);
}

function joseReason(err: unknown): string {
  if (err instanceof joseErrors.JOSEError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Undefined when no authentication is configured (loopback only; the server refuses it elsewhere). */
export function createAuthenticator(options: { accessToken?: string; oidc?: OidcOptions }): Authenticator | undefined {
  const { accessToken, oidc } = options;
  if (accessToken === '') throw new Error('the static access token must not be empty; leave it unset instead');
  if (accessToken === undefined && oidc === undefined) return undefined;
  const matchesStatic = accessToken === undefined ? undefined : staticTokenMatcher(accessToken);
  const keys = oidc ? jwksFrom(oidc) : undefined;
  const verifyOptions = oidc && {
    issuer: oidc.issuer,
    audience: typeof oidc.audience === 'string' ? oidc.audience : [...oidc.audience],
    algorithms: [...(oidc.algorithms ?? DEFAULT_JWT_ALGORITHMS)],
    clockTolerance: oidc.clockToleranceSec ?? 30,
    requiredClaims: ['exp'],
  };

  return async (header) => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (token === undefined) return { ok: false, reason: 'no bearer token' };
    if (matchesStatic?.(token)) return { ok: true, via: 'static-token' };
    if (!keys || !verifyOptions) return { ok: false, reason: 'wrong static token' };
    try {
      const { payload } = await jwtVerify(token, keys, verifyOptions);
      return { ok: true, via: 'oidc', ...(payload.sub ? { subject: payload.sub } : {}) };
    } catch (err) {
      return { ok: false, reason: `token refused: ${joseReason(err)}` };
    }
  };
}
