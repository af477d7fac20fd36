/**
 * Why a Temporal call failed, in words an operator can act on. The SDK wraps the server's answer in
 * its own error ("Failed to start Workflow" ← "3 INVALID_ARGUMENT: Namespace default has no mapping
 * defined for search attribute CustomerDomain") and a failed connection says only "Failed to connect
 * before the deadline": the CLI shows the whole cause chain and, for the setup mistakes people make
 * — search attributes not registered, the namespace missing, nothing listening, TLS on one side
 * only, an untrusted certificate — what to do. Nothing here changes an exit code.
 */
import { inspect } from 'node:util';
import net from 'node:net';
import tls from 'node:tls';
import { isGrpcServiceError, NamespaceNotFoundError } from '@temporalio/client';

/** What the explanation needs to know about the connection (none of it secret). */
export interface ConnectionFacts {
  address: string;
  namespace: string;
  /** TLS configured (TEMPORAL_TLS, TLS files, or an API key). */
  tls: boolean;
  serverName?: string;
  serverCa?: Uint8Array;
}

const MAX_CAUSES = 8;

/** The messages down an error's cause chain, outermost first, each once (a gRPC error by its details, without the "3 INVALID_ARGUMENT: " prefix). */
export function causeChain(err: unknown): string[] {
  const messages: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < MAX_CAUSES; depth += 1) {
    const text =
      isGrpcServiceError(e) && e.details
        ? e.details
        : e instanceof Error
          ? e.message
          : typeof e === 'string'
            ? e
            : inspect(e, { depth: 1 });
    const clean = text.replace(/\s+/g, ' ').trim();
    if (clean && !messages.some((m) => m.includes(clean))) messages.push(clean);
    if (!(e instanceof Error)) break;
    e = (e as { cause?: unknown }).cause;
  }
  return messages;
}

/** "Failed to start Workflow: Namespace default has no mapping defined for search attribute CustomerDomain". */
export function withCauses(err: unknown): string {
  return causeChain(err).join(': ');
}

const MISSING_SEARCH_ATTRIBUTE = [
  /no mapping defined for search attribute (\w+)/i,
  /invalid search attribute:? (\w+)/i,
  /(\w+) is not a valid search attribute/i,
  /search attribute (\w+) is not defined/i,
];
const NAMESPACE_NOT_FOUND = /namespace\b.*\bnot found|namespace .* does not exist/i;

/** What to do about a Temporal error answered by the server (search attributes, namespace), if it is a known setup mistake. */
export function setupHint(err: unknown, facts: Pick<ConnectionFacts, 'namespace' | 'address'>): string | undefined {
  const text = causeChain(err).join('\n');
  const { namespace, address } = facts;
  for (const pattern of MISSING_SEARCH_ATTRIBUTE) {
    const name = pattern.exec(text)?.[1];
    if (name)
      return (
        `namespace ${namespace} has no search attribute ${name}: register the onboarding's two (Keyword) once per namespace: ` +
        `temporal operator search-attribute create --namespace ${namespace} --name CustomerDomain --type Keyword, ` +
        `then the same with --name OnboardingStage (docker/temporal/register-search-attributes.sh does both; ` +
        `a dev server takes --search-attribute CustomerDomain=Keyword --search-attribute OnboardingStage=Keyword)`
      );
  }
  if (err instanceof NamespaceNotFoundError || NAMESPACE_NOT_FOUND.test(text))
    return (
      `namespace ${namespace} does not exist at ${address}: check TEMPORAL_NAMESPACE (or your TOML profile), ` +
      `or create it: temporal operator namespace create --namespace ${namespace} (self-hosted; Temporal Cloud: in the Cloud console), ` +
      `then register the search attributes`
    );
  return undefined;
}

function hostAndPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address.trim());
  return match ? { host: match[1]!, port: Number(match[2]) } : { host: address.trim(), port: 7233 };
}

/** Whether a TCP connection opens: undefined when it does, else the error code (ECONNREFUSED, ENOTFOUND, timeout). */
function tcpProbe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: string | undefined) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('timeout'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

type TlsProbe = { handshake: true; authorizationError?: string } | { handshake: false; error: string };

/** Whether the server speaks TLS, and whether its certificate is trusted (with the configured CA, if any). */
function tlsProbe(host: string, port: number, facts: ConnectionFacts, timeoutMs: number): Promise<TlsProbe> {
  return new Promise((resolve) => {
    const servername = facts.serverName ?? (net.isIP(host) ? undefined : host);
    const socket = tls.connect({
      host,
      port,
      ...(servername ? { servername } : {}),
      ...(facts.serverCa ? { ca: Buffer.from(facts.serverCa) } : {}),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false, // judged below: the point is to say why it would fail
    });
    const done = (result: TlsProbe) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ handshake: false, error: 'no TLS handshake within the timeout' }));
    socket.once('secureConnect', () => {
      const reason = socket.authorizationError;
      done({ handshake: true, ...(socket.authorized || !reason ? {} : { authorizationError: String(reason) }) });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => done({ handshake: false, error: e.code ?? e.message }));
  });
}

/**
 * Why no connection came about, found by trying the address: nothing listening, TLS expected but
 * not configured (or the reverse), an untrusted certificate. Each probe takes at most `timeoutMs`.
 */
export async function diagnoseConnection(facts: ConnectionFacts, timeoutMs = 3000): Promise<string> {
  const { host, port } = hostAndPort(facts.address);
  const tcp = await tcpProbe(host, port, timeoutMs);
  if (tcp)
    return (
      `nothing accepts connections at ${facts.address} (${tcp}): is Temporal running there? ` +
      `Check TEMPORAL_ADDRESS (or your TOML profile); locally, npm start runs a dev server on localhost:7233`
    );
  const probe = await tlsProbe(host, port, facts, timeoutMs);
  if (!facts.tls && probe.handshake)
    return (
      `Temporal at ${facts.address} expects TLS and this client connects without it: set TEMPORAL_TLS=true ` +
      `(TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA; TEMPORAL_TLS_CLIENT_CERT_PATH/KEY_PATH or TEMPORAL_API_KEY where the server asks for them)`
    );
  if (facts.tls && !probe.handshake)
    return (
      `${facts.address} does not answer TLS (${probe.error}) but this client connects with TLS: ` +
      `unset TEMPORAL_TLS and the TEMPORAL_TLS_* settings for a server without TLS (a dev server), or check the port`
    );
  if (facts.tls && probe.handshake && probe.authorizationError)
    return (
      `the certificate of ${facts.address} is not trusted (${probe.authorizationError}): set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the CA that signed it, ` +
      `or TEMPORAL_TLS_SERVER_NAME to the name in the certificate`
    );
  return facts.tls
    ? `TLS to ${facts.address} works but the connection did not: check the client certificate or API key the server expects, and that this is a Temporal frontend (port 7233)`
    : `${facts.address} accepts connections but did not answer as Temporal: check that this is a Temporal frontend (gRPC, port 7233 by default)`;
}
