/**
 * Protection of the control endpoints (`/_emulator/...`, unauthenticated and able to show the
 * passwords in mailed notices): a web page the developer happens to visit must not drive them.
 * Cross-site browser requests are refused (Origin / Sec-Fetch-Site), and so are bodies that are
 * not JSON (an HTML form can post text/plain or urlencoded bodies without a CORS preflight).
 * The emulator also refuses to listen beyond loopback unless explicitly allowed.
 *
 * DNS rebinding (issue 19): a page whose name is re-pointed at 127.0.0.1 is "same-origin" to the
 * browser, so Origin and Sec-Fetch-Site do not stop it; its Host header still names the page's
 * domain. Control requests must name a loopback host (localhost, 127.x, [::1]) or one allowed
 * (the non-loopback host it listens on, EMULATOR_ALLOWED_HOSTS) — as the codec server does.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

export const CONTROL_PREFIX = '/_emulator/';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The host name of a Host header (lower case, IPv6 without brackets), or undefined when malformed. */
function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d+)?$/.exec(value);
  return match ? (match[1] as string).replace(/^\[|\]$/g, '') : undefined;
}

/** Why a control request is refused, or undefined when it may go on. `allowedHosts`: names beyond loopback. */
export function controlRefusal(
  method: string,
  headers: IncomingHttpHeaders,
  allowedHosts: readonly string[] = [],
): string | undefined {
  const name = hostName(headers.host);
  if (name === undefined || !(isLoopbackHost(name) || allowedHosts.includes(name))) {
    return 'unknown Host (DNS rebinding?): use localhost, 127.0.0.1 or [::1], or list it in EMULATOR_ALLOWED_HOSTS';
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || originHost !== headers.host) return 'cross-origin request refused';
  }
  if (BODY_METHODS.has(method.toUpperCase())) {
    const contentType = headers['content-type'];
    const hasBody =
      (headers['content-length'] !== undefined && headers['content-length'] !== '0') ||
      headers['transfer-encoding'] !== undefined;
    if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType)) {
      return 'control requests with a body must be Content-Type: application/json';
    }
    if (hasBody && contentType === undefined)
      return 'control requests with a body must be Content-Type: application/json';
  }
  return undefined;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}

/** Throws unless the host is loopback or binding beyond it was explicitly allowed. */
export function checkListenHost(host: string, allowNonLoopback: boolean): void {
  if (isLoopbackHost(host) || allowNonLoopback) return;
  throw new Error(
    `The emulator refuses to listen on ${host}: its control endpoints are unauthenticated and /_emulator/mail shows ` +
      'the passwords it was sent. Use a loopback address, or set EMULATOR_ALLOW_NON_LOOPBACK=true on a trusted network.',
  );
}
