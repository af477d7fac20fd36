/**
 * What do parked onboardings cost a worker? Parks N onboardings in `awaiting-tos` on a real worker
 * process (dev server, emulator, the worker as `npm run worker` runs it) and reads the worker's
 * resident memory, once with a cache big enough to hold them all and once with a small cache
 * (WORKER_MAX_CACHED_WORKFLOWS); then wakes them all to show that evicted ones replay and complete.
 * Also prints how fast onboardings go from start to awaiting-tos.
 *
 *   npm run bench:parked -- 200
 */
import { readdirSync, readFileSync } from 'node:fs';
import { EmulatorControl } from '../emulator/control-client';
import { startEmulator } from '../emulator/server';
import { OnboardingClient } from '../client/onboarding-client';
import { startDevServer, waitForStatus } from '../test/support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../test/support/orders';
import { killAllWorkerProcesses, WorkerProcess } from '../test/support/worker-process';

const N = Number(process.argv[2] ?? 200);

/** Resident memory of a process group (tsx and the node process it runs), in MiB. */
function groupRssMiB(pgid: number): number {
  let kib = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue; // field 5 of stat: the process group
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += Number(rss?.[1] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return kib / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const [env, emulator] = await Promise.all([startDevServer(), startEmulator()]);
  const client = new OnboardingClient(env.client);
  const google = new EmulatorControl(emulator.url);
  try {
    console.log(`onboardings parked in awaiting-tos: worker RSS (MiB) by cache size and count`);
    // All cached; then a small cache with half and all of them: bounded memory does not grow with the count.
    for (const [cache, count] of [[N * 2, N], [10, N / 2], [10, N]] as const) {
      const worker = await WorkerProcess.start({ temporalAddress: env.address, emulator, env: { WORKER_MAX_CACHED_WORKFLOWS: String(cache), LOG_LEVEL: 'info' } });
      await new Promise((r) => setTimeout(r, 2000));
      const idle = groupRssMiB(worker.pid);
      const domains = Array.from({ length: count }, () => uniqueDomain('bench'));
      const t0 = Date.now();
      const latencies: number[] = [];
      await Promise.all(
        domains.map(async (domain) => {
          const started = Date.now();
          await client.start(domainOrder(domain, { waitPolicy: { checkEvery: '100 days' } }));
          await waitForStatus(() => client.status(domain), (s) => s.stage === 'awaiting-tos', 600_000);
          latencies.push(Date.now() - started);
        }),
      );
      const parkSeconds = (Date.now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 2000));
      const parked = groupRssMiB(worker.pid);
      // Wake them all: evicted ones are replayed from history, then complete.
      const w0 = Date.now();
      await Promise.all(domains.map((d) => client.acceptTos(d)));
      const finals = await Promise.all(domains.map((d) => client.result(d)));
      const wakeSeconds = (Date.now() - w0) / 1000;
      const completed = finals.filter((f) => f.stage === 'completed').length;
      console.log(
        `  cache ${String(cache).padStart(4)}, ${String(count).padStart(4)} parked: idle ${idle.toFixed(0)} → parked ${parked.toFixed(0)} MiB ` +
          `(+${(((parked - idle) * 1024) / count).toFixed(0)} KiB each); ` +
          `parked in ${parkSeconds.toFixed(1)} s (${(count / parkSeconds).toFixed(1)}/s, median start→awaiting-tos ${median(latencies)} ms); ` +
          `woken and completed ${completed}/${count} in ${wakeSeconds.toFixed(1)} s`,
      );
      await worker.kill('SIGTERM');
      await google.clearRequests();
      await google.clearMail();
    }
  } finally {
    await killAllWorkerProcesses();
    await emulator.close();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
