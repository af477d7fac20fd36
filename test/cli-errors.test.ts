/**
 * The CLI says why: a Temporal error is shown with the server's own words (not only the SDK's
 * "Failed to start Workflow") and, for the setup mistakes people make, what to do — against a real
 * dev server started WITHOUT the search attributes, a namespace that does not exist, a closed port,
 * TLS spoken to a plain server and plain gRPC to a TLS server. Exit codes are the documented ones.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { EXIT } from '../client/cli';
import { OnboardingClient } from '../client/onboarding-client';
import { provisionTemporal } from '../scripts/provision-temporal';
import { runCliWith } from './support/cli-runner';
import { fixtureDataConverter } from './support/fixture-keys';
import { domainOrder, uniqueDomain } from './support/orders';

let env: TestWorkflowEnvironment;
let dir: string;
let tlsServer: tls.Server;
let tlsAddress: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-errors-'));
  // A self-signed TLS endpoint that is no Temporal: enough to tell "expects TLS" and "untrusted certificate".
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'].concat([
      '-subj',
      '/CN=temporal.test',
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'ignore' },
  );
  tlsServer = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert), ALPNProtocols: ['h2'] }, () => {});
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  tlsAddress = `127.0.0.1:${(tlsServer.address() as net.AddressInfo).port}`;
  // No --search-attribute: the namespace lacks CustomerDomain and OnboardingStage, as a fresh cluster does.
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: provisionTemporal().cli }, ip: '127.0.0.1' },
  });
});

afterAll(async () => {
  await env?.teardown();
  await new Promise((resolve) => tlsServer?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const connectTo = (namespace: string) => () =>
  OnboardingClient.connect({
    connectionOptions: { address: env.address },
    namespace,
    dataConverter: fixtureDataConverter(),
  });

function orderFile(): string {
  const file = join(dir, `${uniqueDomain('why')}.json`);
  writeFileSync(file, JSON.stringify(domainOrder()));
  return file;
}

describe('answered by the server', () => {
  test('start without the search attributes: the server’s reason, and how to register them (exit 1)', async () => {
    const run = await runCliWith(['start', orderFile()], connectTo('default'));
    expect(run.code).toBe(EXIT.error);
    // The server names the first of the two it finds missing.
    expect(run.stderr).toMatch(
      /^Error: Failed to start Workflow: Namespace default has no mapping defined for search attribute (CustomerDomain|OnboardingStage)\n/,
    );
    expect(run.stderr).toMatch(
      /\nWhat to do: namespace default has no search attribute (CustomerDomain|OnboardingStage): register the onboarding's two/,
    );
    expect(run.stderr).toContain(
      'temporal operator search-attribute create --namespace default --name CustomerDomain --type Keyword',
    );
  });

  test('list by stage without the search attributes: the same, as JSON with a hint', async () => {
    const run = await runCliWith(['--json', 'list', '--stage', 'awaiting-tos'], connectTo('default'));
    expect(run.code).toBe(EXIT.error);
    const output = JSON.parse(run.stderr) as { error: string; message: string; hint: string };
    expect(output).toMatchObject({ error: 'error', message: expect.stringContaining('OnboardingStage') });
    expect(output.message).toMatch(/^Failed to list workflows: .*invalid search attribute: OnboardingStage/);
    expect(output.hint).toContain('register the onboarding');
  });

  test('a namespace that does not exist: named, with how to create it (exit 1)', async () => {
    const run = await runCliWith(['status', 'example.com'], connectTo('no-such-namespace'));
    expect(run.code).toBe(EXIT.error);
    expect(run.stderr).toContain("Namespace not found: 'no-such-namespace'");
    expect(run.stderr).toContain('What to do: namespace no-such-namespace does not exist at 127.0.0.1:');
    expect(run.stderr).toContain('temporal operator namespace create --namespace no-such-namespace');
  });
});

describe('no connection (the environment’s settings, as the real command)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['TEMPORAL_ADDRESS', 'TEMPORAL_TLS', 'ONBOARDING_MODE']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  const runWith = (settings: Record<string, string>) => {
    Object.assign(process.env, { ONBOARDING_MODE: 'local', ...settings });
    return runCliWith(['status', 'example.com']);
  };

  test('nothing listening: exit 4, which address, and that nothing accepts connections there', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const run = await runWith({ TEMPORAL_ADDRESS: `127.0.0.1:${closed}` });
    expect(run.code).toBe(EXIT.unreachable);
    expect(run.stderr).toContain(`Error: Cannot reach Temporal at 127.0.0.1:${closed}: `);
    expect(run.stderr).toContain(`What to do: nothing accepts connections at 127.0.0.1:${closed} (ECONNREFUSED)`);
  });

  test('TLS to a server without TLS: exit 4, unset TEMPORAL_TLS', async () => {
    const run = await runWith({ TEMPORAL_ADDRESS: env.address, TEMPORAL_TLS: 'true' });
    expect(run.code).toBe(EXIT.unreachable);
    expect(run.stderr).toContain(`What to do: ${env.address} does not answer TLS`);
    expect(run.stderr).toContain('unset TEMPORAL_TLS');
  });

  test('no TLS to a server that expects it: exit 4, set TEMPORAL_TLS=true', async () => {
    const run = await runWith({ TEMPORAL_ADDRESS: tlsAddress });
    expect(run.code).toBe(EXIT.unreachable);
    expect(run.stderr).toContain(`What to do: Temporal at ${tlsAddress} expects TLS`);
    expect(run.stderr).toContain('set TEMPORAL_TLS=true');
  });

  test('TLS with a certificate the client does not trust: exit 4, the CA to configure', async () => {
    const run = await runWith({ TEMPORAL_ADDRESS: tlsAddress, TEMPORAL_TLS: 'true' });
    expect(run.code).toBe(EXIT.unreachable);
    expect(run.stderr).toContain(`What to do: the certificate of ${tlsAddress} is not trusted`);
    expect(run.stderr).toContain('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
  });
});
