/**
 * The codec server's settings from the environment (see .env.example), validated: every message
 * names the variable and the rule, never a value (the access token is a secret).
 */
import { ConfigError } from '../config/config-error';
import type { CodecServerOptions } from './codec-server';

const DEFAULT_CORS_ORIGINS = 'http://localhost:8233,http://127.0.0.1:8233';

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function positiveInt(env: NodeJS.ProcessEnv, name: string, max: number): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max)
    throw new ConfigError(`${name}: must be a whole number between 1 and ${max}`);
  return n;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name]?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigError(`${name}: must be "true" or "false"`);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError('CODEC_SERVER_PORT: must be a port number (0-65535)');
  return port;
}

function oidcFromEnv(env: NodeJS.ProcessEnv): CodecServerOptions['oidc'] {
  const issuer = env.CODEC_SERVER_OIDC_ISSUER?.trim();
  const audience = list(env.CODEC_SERVER_OIDC_AUDIENCE);
  const jwksUrl = env.CODEC_SERVER_OIDC_JWKS_URL?.trim();
  if (!issuer) {
    if (audience.length || jwksUrl)
      throw new ConfigError('CODEC_SERVER_OIDC_AUDIENCE / CODEC_SERVER_OIDC_JWKS_URL: need CODEC_SERVER_OIDC_ISSUER');
    return undefined;
  }
  if (!audience.length)
    throw new ConfigError(
      "CODEC_SERVER_OIDC_AUDIENCE: required with CODEC_SERVER_OIDC_ISSUER (the audience of the Web UI's access tokens)",
    );
  if (!jwksUrl)
    throw new ConfigError("CODEC_SERVER_OIDC_JWKS_URL: required with CODEC_SERVER_OIDC_ISSUER (the issuer's jwks_uri)");
  const algorithms = list(env.CODEC_SERVER_OIDC_ALGORITHMS);
  if (algorithms.some((alg) => /^(HS|none)/i.test(alg))) {
    throw new ConfigError(
      'CODEC_SERVER_OIDC_ALGORITHMS: only asymmetric algorithms (RS*, PS*, ES*, EdDSA) are accepted',
    );
  }
  return { issuer, audience, jwksUrl, ...(algorithms.length ? { algorithms } : {}) };
}

/** Everything but the keys and the logger. */
export function codecServerOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Omit<CodecServerOptions, 'keys' | 'logger'> {
  const certFile = env.CODEC_SERVER_TLS_CERT_FILE?.trim();
  const keyFile = env.CODEC_SERVER_TLS_KEY_FILE?.trim();
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError('CODEC_SERVER_TLS_CERT_FILE and CODEC_SERVER_TLS_KEY_FILE: set both or neither');
  }
  const accessToken = env.CODEC_SERVER_ACCESS_TOKEN || undefined;
  if (accessToken !== undefined && accessToken.length < 16) {
    throw new ConfigError('CODEC_SERVER_ACCESS_TOKEN: must be at least 16 characters (e.g. `openssl rand -base64 32`)');
  }
  const oidc = oidcFromEnv(env);
  const allowedHosts = list(env.CODEC_SERVER_ALLOWED_HOSTS);
  const maxPayloads = positiveInt(env, 'CODEC_SERVER_MAX_PAYLOADS', 100_000);
  const maxBodyBytes = positiveInt(env, 'CODEC_SERVER_MAX_BODY_BYTES', 64 * 1024 * 1024);
  return {
    port: parsePort(env.CODEC_SERVER_PORT || '8888'),
    host: env.CODEC_SERVER_HOST || '127.0.0.1',
    corsOrigins: list(env.CODEC_SERVER_CORS_ORIGINS ?? DEFAULT_CORS_ORIGINS),
    ...(accessToken ? { accessToken } : {}),
    ...(oidc ? { oidc } : {}),
    ...(allowedHosts.length ? { allowedHosts } : {}),
    ...(certFile && keyFile ? { tls: { certFile, keyFile } } : {}),
    behindTlsProxy: flag(env, 'CODEC_SERVER_BEHIND_TLS_PROXY'),
    limits: { ...(maxPayloads ? { maxPayloads } : {}), ...(maxBodyBytes ? { maxBodyBytes } : {}) },
  };
}
