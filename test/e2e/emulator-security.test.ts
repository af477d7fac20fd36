/**
 * The emulator's own safety: its unauthenticated control endpoints (which show mailed passwords)
 * refuse cross-site browser requests and non-JSON bodies, and it will not listen beyond loopback
 * unless explicitly allowed.
 */
import { checkListenHost, isLoopbackHost } from '../../emulator/control-guard';
import { startEmulator } from '../../emulator/server';
import { useEmulator } from '../support/emulator-harness';

const h = useEmulator();

describe('control endpoints against cross-site requests', () => {
  const post = (path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${h.emulator.url}${path}`, { method: 'POST', headers, body });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['an Origin on another port', { origin: 'http://127.0.0.1:1' }],
    ['a malformed Origin', { origin: 'null' }],
  ])('refuses %s with 403, doing nothing', async (_case, headers) => {
    await h.control.seed({ customers: [{ customerDomain: 'kept.example', owner: 'google' }] });
    const response = await post('/_emulator/reset', headers);
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { errors: Array<{ reason: string }>; message: string } };
    expect(body.error.errors[0]!.reason).toBe('forbidden');
    expect(body.error.message).toContain('refused');
    expect((await h.control.state()).customers).toHaveLength(1);
    const read = await fetch(`${h.emulator.url}/_emulator/mail`, { headers });
    expect(read.status).toBe(403);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['urlencoded form', 'application/x-www-form-urlencoded'],
    ['multipart form data', 'multipart/form-data; boundary=x'],
  ])('refuses a %s body with 403', async (_case, contentType) => {
    const response = await post(
      '/_emulator/seed',
      { 'content-type': contentType },
      '{"customers":[{"customerDomain":"x.example","owner":"google"}]}',
    );
    expect(response.status).toBe(403);
    expect((await h.control.state()).customers).toEqual([]);
  });

  it('refuses a body without a content type', async () => {
    const response = await fetch(`${h.emulator.url}/_emulator/seed`, {
      method: 'POST',
      body: new Uint8Array([123, 125]),
    });
    expect(response.status).toBe(403);
  });

  it('accepts same-origin and non-browser requests', async () => {
    const origin = h.emulator.url;
    expect((await post('/_emulator/reset', { origin, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await post('/_emulator/reset', { 'sec-fetch-site': 'none' })).status).toBe(200);
    expect(
      (await post('/_emulator/settings', { 'content-type': 'application/json; charset=utf-8' }, '{}')).status,
    ).toBe(200);
    expect((await fetch(`${h.emulator.url}/_emulator/state`)).status).toBe(200);
  });

  it('leaves the Google paths to their own (bearer) checks', async () => {
    const response = await fetch(`${h.emulator.url}/apps/reseller/v1/customers/x.example`, {
      headers: { authorization: 'Bearer t', origin: 'https://evil.example' },
    });
    expect(response.status).toBe(404);
  });
});

describe('listening beyond loopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('treats %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.com'])('refuses %s unless allowed', (host) => {
    expect(() => checkListenHost(host, false)).toThrow(/EMULATOR_ALLOW_NON_LOOPBACK=true/);
    expect(() => checkListenHost(host, true)).not.toThrow();
  });

  it('startEmulator refuses 0.0.0.0 without the opt-in, before listening', async () => {
    const previous = process.env.EMULATOR_ALLOW_NON_LOOPBACK;
    delete process.env.EMULATOR_ALLOW_NON_LOOPBACK;
    try {
      await expect(startEmulator({ host: '0.0.0.0' })).rejects.toThrow(/refuses to listen on 0\.0\.0\.0/);
    } finally {
      if (previous !== undefined) process.env.EMULATOR_ALLOW_NON_LOOPBACK = previous;
    }
  });
});
