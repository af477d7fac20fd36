/**
 * `npm run demo`: one whole onboarding through the local stack, start to `completed`.
 * `npm run demo -- --detect`: the same, but nobody signals: the onboarding notices by itself that
 * the customer accepted the terms (it polls Google every 2 seconds in this demo).
 * Uses the stack of a running `npm start`, or starts one for the duration of the demo.
 */
import { parseArgs } from 'node:util';
import { connectFromEnv } from '../client/connect-from-env';
import { EmulatorControl } from '../emulator/control-client';
import { domainVerifiedSignal, type OnboardingStatus, type Stage } from '../workflows/messages';
import exampleOrder from '../examples/order.json';
import { LOCAL, startLocalStack, type LocalStack } from './local-stack';
import { loadEnvFile } from '../config/env-file';

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(2).padStart(6)}s`;
const say = (line: string) => console.log(`[${elapsed()}] ${line}`);

async function stackAlreadyRunning(emulatorUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${emulatorUrl}/_emulator/state`)).ok;
  } catch {
    return false;
  }
}

async function waitForStage(
  read: () => Promise<OnboardingStatus>,
  target: Stage,
  seen: Set<Stage>,
): Promise<OnboardingStatus> {
  for (;;) {
    const status = await read();
    if (!seen.has(status.stage)) {
      seen.add(status.stage);
      say(`stage → ${status.stage}`);
    }
    if (status.stage === target) return status;
    if (status.stage === 'failed') throw new Error(`onboarding failed: ${status.failure?.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  loadEnvFile();
  const { values: flags } = parseArgs({ options: { detect: { type: 'boolean', default: false } } });
  const emulatorUrl = `http://127.0.0.1:${LOCAL.emulatorPort}`;
  let stack: LocalStack | undefined;
  if (await stackAlreadyRunning(emulatorUrl)) {
    say('using the running local stack (npm start)');
  } else {
    say('starting the local stack (Temporal dev server, Google emulator, codec server, worker) ...');
    stack = await startLocalStack();
    say('local stack is up');
  }
  const client = await connectFromEnv();
  try {
    const google = new EmulatorControl(emulatorUrl);
    // A fresh domain each run: the dev server keeps history, and a domain is onboarded only once.
    const domain = `demo-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.example.com`;
    // The example order (examples/order.json), moved to that domain.
    const order = {
      ...exampleOrder,
      customerDomain: domain,
      admin: { ...exampleOrder.admin, primaryEmail: `admin@${domain}` },
      ...(flags.detect ? { waitPolicy: { checkEvery: '2s' } } : {}),
    };
    const started = await client.start(order);
    say(`started ${started.workflowId}`);
    const seen = new Set<Stage>();
    await waitForStage(() => client.status(domain), 'awaiting-tos', seen);
    const parked = await client.status(domain);
    for (const sub of parked.subscriptions ?? [])
      say(
        `ordered ${sub.skuName ?? sub.skuId}: ${sub.status} (${sub.suspensionReasons?.join(', ') || 'no suspension'})`,
      );
    const notice = (await google.mail()).find((m) => m.subject.includes(domain));
    say(`notice e-mailed to ${notice?.to.join(', ')}: "${notice?.subject}"`);
    const record = parked.domainVerification?.record;
    if (record) say(`the customer must also publish the DNS record ${record.host} TXT ${record.value}`);

    say('the customer signs in to the Admin console and accepts the terms (emulator) ...');
    await google.acceptTos(domain);
    if (flags.detect) {
      say(
        "nobody signals: the onboarding checks Google (the admin's agreedToTerms, no subscription pending the terms, the domain) every 2 seconds ...",
      );
      await waitForStage(() => client.status(domain), 'awaiting-domain-verification', seen);
    } else {
      await client.acceptTos(domain, { reportedBy: 'demo' });
      say('sales system signalled tosAccepted');
    }
    say('the customer publishes the TXT record at its DNS host (emulator) ...');
    await google.verifyDomain(domain);
    if (!flags.detect) {
      await client.handle(domain).signal(domainVerifiedSignal, { reportedBy: 'demo' });
      say('an operator signalled domainVerified');
    }
    const final = await client.result(domain);
    const how = (via: string | undefined) => (via === 'detected' ? 'detected by asking Google' : 'reported by signal');
    say(
      `stage → ${final.stage} (terms ${how(final.tosAccepted?.via)}; domain ${how(final.domainVerification?.verified?.via)})`,
    );

    console.log('\nOnboarding completed');
    console.log(`  customer domain  ${final.customerDomain}`);
    console.log(`  customer id      ${final.customerId}`);
    console.log(`  super admin      ${final.adminEmail}`);
    for (const sub of final.subscriptions ?? []) {
      console.log(
        `  subscription     ${sub.skuName ?? sub.skuId}, ${sub.plan}, ${sub.seats} seats: ${sub.status}${sub.suspensionReasons?.length ? ` (${sub.suspensionReasons.join(', ')})` : ''}`,
      );
    }
    console.log('  steps:');
    for (const step of final.steps) {
      const ms = step.finishedAt ? Date.parse(step.finishedAt) - Date.parse(step.startedAt) : NaN;
      console.log(
        `    ${step.name.padEnd(30)} ${String(ms).padStart(5)} ms  ${step.outcome}${step.attempts && step.attempts > 1 ? ` (${step.attempts} attempts)` : ''}`,
      );
    }
    console.log(`  total            ${elapsed().trim()} (including stack start-up)`);
    console.log(
      `\nWeb UI: http://localhost:${LOCAL.uiPort}/namespaces/default/workflows/${encodeURIComponent(started.workflowId)}`,
    );
    if (stack) console.log('(the demo stops its stack now; `npm start` brings the same history back up in the Web UI)');
  } finally {
    await client.close();
    await stack?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`Demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
