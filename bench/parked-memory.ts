/**
 * What does the worker cost to start and to keep onboardings parked? Figures, not pass/fail, on a
 * real dev server and emulator, with the worker as production runs it (`node dist/worker/main.js`,
 * prebuilt bundle, `npm run build` first) and, as the baseline measured in the same run, as it ran
 * before (`tsx worker/main.ts`, webpack at every start, cache 500):
 *
 *   1. cold start (spawn → "worker started", connected and polling) and idle RSS;
 *   2. cost per cached workflow: RSS growth over N parked onboardings that all stay cached;
 *   3. RSS with 1,000 and 10,000 onboardings parked in `awaiting-tos`, default configuration;
 *      then a sample of them is woken (evicted ones replay from history) and must complete.
 *
 *   npm run bench:parked                      # everything (10,000 parked takes minutes)
 *   npm run bench:parked -- --parked 1000     # stop at 1,000
 *   npm run bench:parked -- --phases parked --no-baseline --parked 1000,2000 --worker-env 'NODE_OPTIONS=--max-old-space-size=128'
 *
 * Targets (issue "A worker fit for production"): cold start ≤ 1 s, ≤ 0.3 MiB per cached workflow,
 * 10,000 parked ≤ 400 MiB RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { OnboardingClient } from '../client/onboarding-client';
import { EmulatorControl } from '../emulator/control-client';
import { startEmulator, type RunningEmulator } from '../emulator/server';
import { startDevServer } from '../test/support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../test/support/orders';
import { fixtureKeysVariable } from '../test/support/worker-process';
import { DEFAULT_MAX_CACHED_WORKFLOWS, WORKER_PROCESS_ENV } from '../worker/config';
import { QUOTA_NOT_BINDING } from './quota-not-binding';

const ROOT = path.resolve(__dirname, '..');
const TARGETS = { coldStartMs: 1000, perCachedMiB: 0.3, parked10kMiB: 400 };
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

const { values: flags } = parseArgs({
  allowNegative: true,
  options: {
    parked: { type: 'string', default: '1000,10000' },
    cached: { type: 'string', default: '500' },
    starts: { type: 'string', default: '3' },
    wake: { type: 'string', default: '1000' },
    // Which parts to run (cold,cached,parked) and extra variables for the default-configuration worker (K=V;K=V).
    phases: { type: 'string', default: 'cold,cached,parked' },
    'worker-env': { type: 'string', default: '' },
    baseline: { type: 'boolean', default: true },
  },
});
const PARKED = flags.parked
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const CACHED = Number(flags.cached);
const PHASES = new Set(flags.phases.split(','));
const EXTRA_ENV = Object.fromEntries(
  flags['worker-env']
    .split(';')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

type Kind = 'compiled' | 'tsx';

/** Resident memory of a process group (tsx runs the worker in a child), in MiB. */
function groupRssMiB(pgid: number): number {
  let kib = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
  }
  return kib / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mib = (x: number) => `${x.toFixed(0)} MiB`;
const vs = (value: number, target: number, unit: string) =>
  `${value <= target ? 'meets' : 'MISSES'} target ≤ ${target}${unit}`;

const running = new Set<BenchWorker>();
// No worker outlives the bench, even when it fails (each runs in its own process group).
process.once('exit', () => {
  for (const worker of running) {
    try {
      process.kill(-worker.child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

class BenchWorker {
  private lines: string[] = [];
  private constructor(
    readonly child: ChildProcess & { pid: number },
    readonly spawnedAt: number,
  ) {
    for (const stream of [child.stdout, child.stderr])
      if (stream) createInterface({ input: stream }).on('line', (l) => this.lines.push(l));
    running.add(this);
  }

  static start(kind: Kind, env: Record<string, string>): BenchWorker {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => INHERITED.includes(k)));
    const [command, args] =
      kind === 'compiled'
        ? [process.execPath, ['dist/worker/main.js']]
        : [path.join(ROOT, 'node_modules/.bin/tsx'), ['worker/main.ts']];
    const child = spawn(command, args, {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...inherited, ...env },
    });
    return new BenchWorker(child as ChildProcess & { pid: number }, Date.now());
  }

  /** The heap limit the worker reports at start (MiB, per isolate). */
  heapLimitMiB(): number {
    const line = this.lines.find((l) => l.includes('"msg":"worker started"'));
    return line ? Number((JSON.parse(line) as { heapLimitMiB?: number }).heapLimitMiB) : NaN;
  }

  /** Milliseconds from spawn to "worker started". */
  async started(): Promise<number> {
    for (;;) {
      if (this.lines.some((l) => l.includes('"msg":"worker started"'))) return Date.now() - this.spawnedAt;
      if (this.child.exitCode !== null) throw new Error(`worker exited:\n${this.lines.slice(-20).join('\n')}`);
      if (Date.now() - this.spawnedAt > 120_000)
        throw new Error(`worker did not start:\n${this.lines.slice(-20).join('\n')}`);
      await sleep(10);
    }
  }

  tail(n: number): string {
    return this.lines.slice(-n).join('\n');
  }

  rss(): number {
    return groupRssMiB(this.child.pid);
  }

  async stop(): Promise<void> {
    running.delete(this);
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    try {
      process.kill(-this.child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([exited, sleep(15_000)]);
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

interface Stack {
  address: string;
  emulator: RunningEmulator;
  client: OnboardingClient;
  google: EmulatorControl;
}

function workerEnv(stack: Stack, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ONBOARDING_MODE: 'local',
    TEMPORAL_ADDRESS: stack.address,
    GOOGLE_API_ROOT_URL: stack.emulator.url,
    SMTP_URL: `smtp://127.0.0.1:${stack.emulator.smtpPort}`,
    ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
    LOG_LEVEL: 'info',
    ...QUOTA_NOT_BINDING,
    ...extra,
  };
}

/** Resident memory after a moment of quiet, so that it is not a transient peak. */
async function settledRss(worker: BenchWorker): Promise<number> {
  await sleep(3000);
  return worker.rss();
}

const awaitingTos = async (client: OnboardingClient) =>
  (await client.temporal.workflow.count("OnboardingStage='awaiting-tos'")).count;

/** Starts `count` onboardings (64 at a time) and waits until all of them are parked; returns their domains, the rate and the peak RSS. */
async function park(
  stack: Stack,
  worker: BenchWorker,
  count: number,
): Promise<{ domains: string[]; perSecond: number; peakMiB: number }> {
  const before = await awaitingTos(stack.client);
  const domains = Array.from({ length: count }, () => uniqueDomain('bench'));
  const t0 = Date.now();
  let peakMiB = 0;
  let next = 0;
  const lane = async () => {
    while (next < domains.length) {
      const domain = domains[next++] as string;
      // No domain verification: accepting the terms then completes the onboarding (the wake below).
      await stack.client.start(domainOrder(domain, { verifyDomain: false, waitPolicy: { checkEvery: '100 days' } }));
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
  for (let last = -1, since = Date.now(); ;) {
    const parked = (await awaitingTos(stack.client)) - before;
    peakMiB = Math.max(peakMiB, worker.rss());
    if (parked >= count) break;
    if (parked !== last) [last, since] = [parked, Date.now()];
    if (Date.now() - since > 120_000)
      throw new Error(`stuck at ${parked}/${count} parked; the worker's last lines:\n${worker.tail(20)}`);
    await stack.google.clearMail();
    await stack.google.clearRequests();
    await sleep(1000);
  }
  return { domains, perSecond: count / ((Date.now() - t0) / 1000), peakMiB };
}

async function coldStarts(stack: Stack): Promise<void> {
  console.log('\n1. Cold start (spawn → connected and polling) and idle RSS');
  const measure = async (kind: Kind, runs: number, extra: Record<string, string> = {}) => {
    const times: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const worker = BenchWorker.start(kind, workerEnv(stack, extra));
      times.push(await worker.started());
      rss.push(await settledRss(worker));
      await worker.stop();
    }
    return { ms: median(times), rss: median(rss), times };
  };
  const baseline = await measure('tsx', 1);
  const compiled = await measure('compiled', Number(flags.starts));
  // Node ≥ 22.1 keeps compiled bytecode on disk (the Docker image sets NODE_COMPILE_CACHE): a restart is warm.
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'node-compile-cache-'));
  const cached = await measure('compiled', Number(flags.starts) + 1, { NODE_COMPILE_CACHE: cacheDir });
  cached.times.shift(); // the first run fills the cache
  cached.ms = median(cached.times);
  console.log(`  baseline (tsx, webpack at start): ${baseline.ms} ms, idle ${mib(baseline.rss)}`);
  console.log(
    `  compiled + prebuilt bundle:       ${compiled.ms} ms (median of ${compiled.times.join(', ')}), idle ${mib(compiled.rss)}` +
      `  → ×${(baseline.ms / compiled.ms).toFixed(1)} faster, ×${(baseline.rss / compiled.rss).toFixed(1)} less memory; ${vs(compiled.ms, TARGETS.coldStartMs, ' ms')}`,
  );
  console.log(
    `  compiled, warm compile cache:     ${cached.ms} ms (median of ${cached.times.join(', ')})` +
      `  → ×${(baseline.ms / cached.ms).toFixed(1)} faster; ${vs(cached.ms, TARGETS.coldStartMs, ' ms')}${process.version < 'v22' ? ' (no compile cache before Node 22)' : ''}`,
  );
}

async function perCachedWorkflow(stack: Stack): Promise<void> {
  console.log(
    `\n2. Cost per cached workflow (${CACHED} parked, all cached: WORKER_MAX_CACHED_WORKFLOWS=${CACHED}; ${JSON.stringify(WORKER_PROCESS_ENV)})`,
  );
  for (const [label, extra] of [
    ['compiled, metrics only', {}],
    ['compiled, with tracing', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }],
  ] as const) {
    const worker = BenchWorker.start(
      'compiled',
      workerEnv(stack, { ...WORKER_PROCESS_ENV, WORKER_MAX_CACHED_WORKFLOWS: String(CACHED), ...extra }),
    );
    await worker.started();
    const idle = await settledRss(worker);
    const { perSecond } = await park(stack, worker, CACHED);
    const parked = await settledRss(worker);
    const each = (parked - idle) / CACHED;
    console.log(
      `  ${label.padEnd(24)} idle ${mib(idle)} → ${mib(parked)}: ${each.toFixed(2)} MiB each (${vs(each, TARGETS.perCachedMiB, ' MiB')}); parked ${perSecond.toFixed(0)}/s`,
    );
    await worker.stop();
  }
}

async function parkedDefault(stack: Stack): Promise<void> {
  // Production's configuration: cache DEFAULT_MAX_CACHED_WORKFLOWS, heap caps and arena bound of
  // WORKER_PROCESS_ENV (Dockerfile, `npm run worker`); the baseline, in the same run, is the same worker
  // without either.
  const production: Record<string, string> = { ...WORKER_PROCESS_ENV, ...EXTRA_ENV };
  console.log(
    `\n3. Parked in awaiting-tos, production configuration (cache ${production.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS}, ${production.NODE_OPTIONS || 'no heap cap'}, MALLOC_ARENA_MAX=${production.MALLOC_ARENA_MAX || 'default'})` +
      `; baseline: the same worker without a heap cap or arena bound (unless given below)` +
      (Object.keys(EXTRA_ENV).length ? `; both with ${JSON.stringify(EXTRA_ENV)}` : ''),
  );
  const baselineRss = new Map<number, number>();
  if (flags.baseline) {
    const baseline = BenchWorker.start('compiled', workerEnv(stack, { ...EXTRA_ENV, NODE_OPTIONS: '' }));
    await baseline.started();
    let parked = 0;
    for (const target of PARKED) {
      await park(stack, baseline, target - parked);
      parked = target;
      baselineRss.set(target, await settledRss(baseline));
      console.log(
        `  baseline, heap limit ${baseline.heapLimitMiB()} MiB: ${String(target).padStart(6)} parked → ${mib(baselineRss.get(target) as number)}`,
      );
    }
    await baseline.stop();
  }

  const worker = BenchWorker.start('compiled', workerEnv(stack, production));
  await worker.started();
  const idle = await settledRss(worker);
  const label = `production, heap limit ${worker.heapLimitMiB()} MiB:`;
  console.log(`  ${label} ${'0'.padStart(6)} parked → ${mib(idle)}`);
  let total = 0;
  let all: string[] = [];
  for (const target of PARKED) {
    const { domains, perSecond, peakMiB } = await park(stack, worker, target - total);
    all = all.concat(domains);
    total = target;
    const rss = await settledRss(worker);
    const before = baselineRss.get(target);
    const ratio = before ? `, ×${(rss / before).toFixed(2)} of the baseline's` : '';
    const verdict = target >= 10_000 ? `; ${vs(rss, TARGETS.parked10kMiB, ' MiB')}` : '';
    console.log(
      `  ${label} ${String(target).padStart(6)} parked → ${mib(rss)} (peak while parking ${mib(peakMiB)}, ${perSecond.toFixed(0)}/s${ratio})${verdict}`,
    );
  }
  // Wake a sample, mostly evicted long ago: they replay from history and complete.
  const sample = all
    .filter((_, i) => i % Math.max(1, Math.floor(all.length / Number(flags.wake))) === 0)
    .slice(0, Number(flags.wake));
  const w0 = Date.now();
  let wakePeak = 0;
  const sampler = setInterval(() => {
    wakePeak = Math.max(wakePeak, worker.rss());
    if (worker.child.exitCode !== null) {
      console.error(`  the worker exited (${worker.child.exitCode}) while they woke`);
      process.exit(1);
    }
  }, 250);
  await Promise.all(sample.map((d) => stack.client.acceptTos(d)));
  const finals = await Promise.all(sample.map((d) => stack.client.result(d)));
  clearInterval(sampler);
  console.log(
    `  woke ${sample.length} of them: ${finals.filter((f) => f.stage === 'completed').length} completed in ${((Date.now() - w0) / 1000).toFixed(1)} s; ` +
      `peak RSS meanwhile ${mib(wakePeak)}, settled ${mib(await settledRss(worker))}`,
  );
  await worker.stop();
}

async function main(): Promise<void> {
  const [env, emulator] = await Promise.all([startDevServer(), startEmulator()]);
  const stack: Stack = {
    address: env.address,
    emulator,
    client: new OnboardingClient(env.client),
    google: new EmulatorControl(emulator.url),
  };
  console.log(`worker memory and start-up (node ${process.version}, ${new Date().toISOString()})`);
  try {
    if (PHASES.has('cold')) await coldStarts(stack);
    if (PHASES.has('cached')) await perCachedWorkflow(stack);
    if (PHASES.has('parked')) await parkedDefault(stack);
  } finally {
    await emulator.close();
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
