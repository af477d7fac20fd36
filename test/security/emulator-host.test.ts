/**
 * Finding (issue 19): the emulator's control endpoints (which show mailed passwords) answered a
 * DNS-rebinding page: re-pointed at 127.0.0.1, the page is same-origin to the browser, so the
 * Origin / Sec-Fetch-Site checks let it through. Now the Host header must name loopback (or a host
 * allowed), as the codec server requires.
 */
import { request } from 'node:http';
import { startEmulator, type RunningEmulator } from '../../emulator/server';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ controlHosts: ['emulator.internal'] });
});
afterAll(async () => {
  await emulator?.close();
});

function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { port } = new URL(emulator.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a rebinding page (Host and Origin its own domain, same-origin) is refused', async () => {
  const { port } = new URL(emulator.url);
  const answer = await get('/_emulator/mail', {
    Host: `rebind.attacker.example:${port}`,
    Origin: `http://rebind.attacker.example:${port}`,
    'Sec-Fetch-Site': 'same-origin',
  });
  expect(answer.status).toBe(403);
  expect(answer.body).toMatch(/unknown Host/);
  expect(answer.body).not.toContain('rebind.attacker.example');
});

test('loopback names and allowed hosts are answered', async () => {
  const { port } = new URL(emulator.url);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `emulator.internal:${port}`]) {
    expect((await get('/_emulator/state', { Host: host })).status).toBe(200);
  }
});
