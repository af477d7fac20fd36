/**
 * The release check on a real, self-hosted Temporal (temporal-server on PostgreSQL, brought up
 * natively by scripts/self-hosted-temporal.sh): what the dev server cannot show. It starts N
 * onboardings with the real worker process and the emulator, kills the server with SIGKILL while
 * they provision and again while they wait for the customer, brings it back, lets the customers
 * act, and checks that every onboarding completed exactly once (one customer, one admin who is
 * super admin, one sign-in notice each); then replays every history the cluster holds against
 * this checkout (`npm run replay`). Exit 0 when all of it holds.
 *
 *   npm run check:cluster -- [--count 20] [--keep-up]
 *
 * Building temporal-server takes minutes on a cold machine, so this runs before each release
 * (docs/self-hosted-temporal.md), not on every commit.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { OnboardingClient } from '../client/onboarding-client';
import { EmulatorControl } from '../emulator/control-client';
import { startEmulator } from '../emulator/server';
import { fixtureDataConverter } from '../test/support/fixture-keys';
import { domainOrder, uniqueDomain } from '../test/support/orders';
import { fixtureKeysVariable, killAllWorkerProcesses, WorkerProcess } from '../test/support/worker-process';
import type { OnboardingStatus, Stage } from '../workflows/messages';
import { runReplay } from './replay';

const CLUSTER = 'scripts/self-hosted-temporal.sh';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cluster(command: string): string {
  return execFileSync('bash', [CLUSTER, command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

async function killServer(label: string): Promise<number> {
  const started = Date.now();
  cluster('kill-server');
  await sleep(2000);
  cluster('start-server');
  const ms = Date.now() - started;
  console.log(`server killed (SIGKILL) ${label}; back after ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

async function stagesOf(client: OnboardingClient, domains: string[]): Promise<Map<string, OnboardingStatus>> {
  const statuses = new Map<string, OnboardingStatus>();
  for (const domain of domains) {
    const status = await client.status(domain).catch(() => undefined);
    if (status) statuses.set(domain, status);
  }
  return statuses;
}

async function waitForAll(client: OnboardingClient, domains: string[], stage: Stage, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await stagesOf(client, domains);
    const missing = domains.filter((d) => statuses.get(d)?.stage !== stage);
    if (missing.length === 0) return;
    if (Date.now() > deadline) {
      const seen = missing.slice(0, 5).map((d) => `${d}: ${statuses.get(d)?.stage ?? 'no answer'}`);
      throw new Error(`${missing.length} onboarding(s) not ${stage} after ${timeoutMs / 1000} s (${seen.join('; ')})`);
    }
    await sleep(1000);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '20' }, 'keep-up': { type: 'boolean', default: false } },
  });
  const count = Number(values.count);
  const started = Date.now();
  const address = cluster('up').split('\n').pop() as string;
  console.log(`self-hosted Temporal at ${address}`);
  const emulator = await startEmulator();
  const control = new EmulatorControl(emulator.url);
  const worker = await WorkerProcess.start({
    temporalAddress: address,
    emulator: { url: emulator.url, smtpPort: emulator.smtpPort },
    startTimeoutMs: 180_000,
  });
  const client = await OnboardingClient.connect({
    connectionOptions: { address },
    namespace: 'default',
    dataConverter: fixtureDataConverter(),
  });
  let failures = 0;
  try {
    const orders = Array.from({ length: count }, () =>
      domainOrder(uniqueDomain('cluster'), { waitPolicy: { checkEvery: '2 seconds' } }),
    );
    const domains = orders.map((o) => o.customerDomain);
    await Promise.all(orders.map((order) => client.start(order)));
    console.log(`${count} onboardings started`);
    await sleep(1500);
    await killServer('while they provision');
    await waitForAll(client, domains, 'awaiting-tos', 300_000);
    console.log(`${count}/${count} awaiting the customer`);
    for (const domain of domains) {
      await control.acceptTos(domain);
      await control.verifyDomain(domain);
    }
    await killServer('while they wait for the customer');
    await waitForAll(client, domains, 'completed', 300_000);
    console.log(`${count}/${count} completed (the acceptance and verification detected by the onboardings)`);
    failures += await exactlyOnce(control, orders);
    failures += await replayCluster(address);
  } finally {
    await client.close();
    await worker.kill('SIGTERM');
    await killAllWorkerProcesses();
    await emulator.close();
    if (!values['keep-up']) cluster('down');
  }
  console.log(
    `cluster check: ${failures === 0 ? 'passed' : `${failures} problem(s)`} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return failures === 0 ? 0 : 1;
}

/** One customer, one admin (super admin) and one sign-in notice per onboarding, after the kills. */
async function exactlyOnce(control: EmulatorControl, orders: ReturnType<typeof domainOrder>[]): Promise<number> {
  const state = await control.state();
  const mail = await control.mail();
  let problems = 0;
  for (const order of orders) {
    const admin = order.admin?.primaryEmail as string;
    const customers = state.customers.filter((c) => c.customerDomain === order.customerDomain).length;
    const users = state.users.filter((u) => u.primaryEmail === admin);
    const notices = mail.filter((m) =>
      m.subject.endsWith(`for ${order.customerDomain} is ready: sign in and accept the terms`),
    ).length;
    if (customers !== 1 || users.length !== 1 || users[0]?.isAdmin !== true || notices !== 1) {
      problems += 1;
      console.log(
        `NOT exactly once: ${order.customerDomain}: ${customers} customer(s), ${users.length} admin(s), ${notices} notice(s)`,
      );
    }
  }
  console.log(`exactly once: ${orders.length - problems}/${orders.length} (customers, admins, super admin, notices)`);
  return problems;
}

/** Every history the cluster holds, replayed against this checkout's workflow code. */
async function replayCluster(address: string): Promise<number> {
  const lines: string[] = [];
  const code = await runReplay([], {
    env: {
      ...process.env,
      ONBOARDING_MODE: 'local',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
    },
    out: (line) => lines.push(line),
    err: (line) => lines.push(line),
  });
  console.log(`replay of the cluster's histories: ${lines.at(-1) ?? ''} (exit ${code})`);
  return code === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`cluster check failed: ${err instanceof Error ? err.message : String(err)}`);
    await killAllWorkerProcesses();
    process.exit(1);
  },
);
