/**
 * How many onboardings a second does the stack carry, against what Temporal itself allows? On one
 * file-backed Temporal dev server, in ONE run, with the Google emulator and its SMTP sink:
 *
 *   (a) bare: a workflow of six no-op activities (bench/fixtures/six-steps.ts), its own task queue
 *       and worker process (bench/fixtures/bare-worker.ts) with the onboarding worker's options
 *       (cache, slots, pollers, encrypted payloads);
 *   (b) product: onboardings on the compiled worker (`node dist/worker/main.js`, as production runs
 *       it), domain orders with `verifyDomain: false` and checks every 100 days, so the six
 *       activities up to `awaiting-tos` are all that runs.
 *
 * Each round: N of each started at once (throughput = N / time from the first start until the last
 * one completes, resp. reaches `awaiting-tos`), then one at a time (latency, p50 of `--alone` runs).
 * Times are the server's: from the start to the history event that completes the bare workflow,
 * resp. that upserts `OnboardingStage=awaiting-tos`. Rounds alternate which side goes first.
 *
 *   npm run bench:throughput                                  # 200 at once, 10 alone, 3 rounds
 *   npm run bench:throughput -- --count 100 --rounds 5 --alone 20
 *   npm run bench:throughput -- --worker-env 'WORKER_MAX_CACHED_WORKFLOWS=250'  # both workers
 *   npm run bench:throughput -- --worker-env 'SMTP_URL=smtp://127.0.0.1:{smtpPort}?pool=false'  # the mailer as before
 *   npm run bench:throughput -- --profile /tmp/prof          # CPU profiles of both workers
 *   npm run bench:throughput -- --visible   # also the bare workflow + the stage attribute (+ the status memo) at each step
 *   npm run bench:throughput -- --address 127.0.0.1:7233 --server-pid 1234   # a running cluster instead of a dev server
 *   npm run bench:throughput -- --address 127.0.0.1:17233 --server-pid "$(cat .local/self-hosted/server.pid)" \
 *       --database-pid "$(head -1 .local/self-hosted/pg/postmaster.pid)"      # scripts/self-hosted-temporal.sh's cluster
 *
 * Each round also prints, from the histories, the events per workflow and those of them that write
 * the visibility record (start, search-attribute upserts, memo changes, close), product against bare;
 * the summary prints the CPU per workflow per process, product against bare. docs/benchmarks.md has
 * release 0.4's figures.
 *
 * Targets (issue 22): product throughput ≥ 0.85 × bare, product p50 alone ≤ 1.1 × bare.
 *
 * Figures (2-core machine, quiet; as shipped: cache 200, worker/config.ts WORKER_PROCESS_ENV; two runs of 3 rounds of 200, median (min–max)):
 *   throughput  ×0.87 (0.85–1.02) and ×0.94 (0.87–1.17): target met
 *   alone p50   ×1.00 (0.99–1.00) and ×1.01 (0.95–1.01): target met
 *   CPU per workflow, bare / product: dev server 97 / 101 and 127 / 95 ms, worker 43 / 68 and 51 / 65 ms
 * A burst saturates both cores, so the ratio follows the CPU per workflow, and both sides' rates vary
 * from round to round (one run's ratio is ±0.05 at best). The product's extra CPU is its worker
 * (+15–35 ms: the activities' googleapis calls and encrypted payloads; the SDK's per-promise
 * stack-trace hook in the workflow thread) and the emulator (+8–10 ms, Google's side); the server's
 * per-round share is ×0.75–1.13 of the bare workflow's (45 events against 41, 4 visibility writes against 2).
 * Release 0.3 measured ×0.66 (213 ms against 125 ms per workflow).
 * More in docs/benchmarks.md, "Throughput".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { OnboardingClient } from '../client/onboarding-client';
import { EmulatorControl } from '../emulator/control-client';
import { startEmulator } from '../emulator/server';
import { provisionTemporal } from '../scripts/provision-temporal';
import { fixtureDataConverter } from '../test/support/fixture-keys';
import { domainOrder, uniqueDomain } from '../test/support/orders';
import { fixtureKeysVariable } from '../test/support/worker-process';
import { DEFAULT_MAX_CACHED_WORKFLOWS, WORKER_PROCESS_ENV } from '../worker/config';
import { workerTuning } from '../worker/create-worker';
import { onboardingWorkflowId, SEARCH_ATTRIBUTES } from '../workflows/messages';
import { SIX_STEPS_TASK_QUEUE } from './fixtures/six-steps';
import { QUOTA_NOT_BINDING } from './quota-not-binding';

const ROOT = path.resolve(__dirname, '..');
const TARGETS = { throughputRatio: 0.85, latencyRatio: 1.1 };
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

const { values: flags } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    alone: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    // Extra variables for both workers (K=V;K=V), e.g. WORKER_MAX_CACHED_WORKFLOWS=50.
    'worker-env': { type: 'string', default: '' },
    // A directory: both workers run with node --cpu-prof and write their profiles there.
    profile: { type: 'string' },
    // Also measure the bare workflow plus the onboarding's visible state: the stage search attribute, then also the status memo, at each step.
    visible: { type: 'boolean', default: false },
    // host:port of a Temporal cluster to use instead of a dev server of our own (its namespace must
    // have CustomerDomain and OnboardingStage registered); --server-pid names its process for CPU figures.
    address: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    'server-pid': { type: 'string' },
    // The database's main process (PostgreSQL's postmaster): its CPU and its backends' join the figures.
    'database-pid': { type: 'string' },
  },
});
if (flags.address !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(flags.address))
  throw new Error(`--address: must be host:port (e.g. 127.0.0.1:7233), got ${flags.address}`);
const COUNT = Number(flags.count);
const ALONE = Number(flags.alone);
const ROUNDS = Number(flags.rounds);
const EXTRA_ENV = Object.fromEntries(
  flags['worker-env']
    .split(';')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;
const median = (xs: number[]) => quantile(xs, 0.5);
const spread = (xs: number[], digits: number) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

// ---------------------------------------------------------------------------------------------
// CPU time per process (user + system), to say where a burst's work goes

const TICKS_PER_SECOND = 100;
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** The dev server's process: the one whose command line names our SQLite file. */
function pidWithArgument(argument: string): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(argument)) return Number(pid);
    } catch {
      // ended meanwhile
    }
  }
  throw new Error(`no process with argument ${argument}`);
}

/**
 * A database server (PostgreSQL) works in one process per connection, children of its postmaster:
 * its CPU is the postmaster's, its live children's, and what its ended children left (cutime, cstime).
 */
function treeCpuMs(pid: number): number {
  let ms = 0;
  for (const child of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const fields = readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(fields[1]) === pid) ms += cpuMs(Number(child));
      if (Number(child) === pid) ms += ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
    } catch {
      // ended meanwhile
    }
  }
  return ms + cpuMs(pid);
}

const processes: Record<string, number> = { bench: process.pid };
/** Names in `processes` whose CPU counts their child processes too (--database-pid). */
const processTrees = new Set<string>();
type Cpu = Record<string, number>;
const cpuNow = (): Cpu =>
  Object.fromEntries(
    Object.entries(processes).map(([name, pid]) => [name, processTrees.has(name) ? treeCpuMs(pid) : cpuMs(pid)]),
  );
const cpuSince = (before: Cpu): Cpu =>
  Object.fromEntries(Object.entries(cpuNow()).map(([name, ms]) => [name, ms - (before[name] ?? 0)]));

// ---------------------------------------------------------------------------------------------
// Worker processes

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // gone
    }
  }
});

async function startWorker(kind: 'product' | 'bare', env: Record<string, string>): Promise<() => Promise<void>> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => INHERITED.includes(k)));
  const profile = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags.profile, kind)}`] : [];
  const args =
    kind === 'product'
      ? [...profile, 'dist/worker/main.js']
      : [...profile, '--import', 'tsx', 'bench/fixtures/bare-worker.ts'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, ...env },
  });
  running.add(child);
  processes[`${kind} worker`] = child.pid as number;
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (l) => lines.push(l));
  const started = Date.now();
  while (!lines.some((l) => /"msg":"(bare )?worker started"/.test(l))) {
    if (child.exitCode !== null || Date.now() - started > 120_000)
      throw new Error(`${kind} worker did not start:\n${lines.slice(-20).join('\n')}`);
    await sleep(20);
  }
  return async () => {
    running.delete(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGINT'); // SIGINT: Node writes the CPU profile on a graceful exit
    await Promise.race([exited, sleep(20_000)]);
    if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  };
}

// ---------------------------------------------------------------------------------------------
// Times from histories (the server's clock)

type Event = temporal.api.history.v1.IHistoryEvent;
const eventMs = (event: Event) =>
  Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);

function reachedAwaitingTos(event: Event): boolean {
  const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
  const stage = fields.OnboardingStage?.data;
  return stage !== undefined && stage !== null && Buffer.from(stage).toString().includes('"awaiting-tos"');
}

const isBareEnd = (event: Event) =>
  event.workflowExecutionCompletedEventAttributes !== undefined &&
  event.workflowExecutionCompletedEventAttributes !== null;

/**
 * Events that make the server write the workflow's visibility record: the start, each upsert of
 * search attributes (the product's stage, the SDK's TemporalChangeVersion for each patch marker), each
 * memo change, the close. (The dev server writes SQLite, a cluster its visibility store, per such event.)
 */
const writesVisibility = (e: Event) =>
  Boolean(
    e.workflowExecutionStartedEventAttributes ||
    e.upsertWorkflowSearchAttributesEventAttributes ||
    e.workflowPropertiesModifiedEventAttributes ||
    e.workflowExecutionCompletedEventAttributes ||
    e.workflowExecutionFailedEventAttributes ||
    e.workflowExecutionContinuedAsNewEventAttributes,
  );

interface RunFigures {
  startedMs: number;
  reachedMs: number;
  /** History events up to the one that ends the measure, and those of them that write visibility. */
  events: number;
  visibilityWrites: number;
}

/** [started, reached] of one workflow and its history's size up to `reached` (and the task that wrote it), from its history. */
async function times(client: Client, workflowId: string, reached: (e: Event) => boolean): Promise<RunFigures> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const endIndex = events.findIndex(reached);
  const end = events[endIndex];
  if (!events[0] || !end) throw new Error(`${workflowId}: no such event in its history`);
  // Up to the end of the workflow task that wrote `reached` (what the server had to do to get there).
  let last = endIndex;
  while (last + 1 < events.length && !events[last + 1]?.workflowTaskScheduledEventAttributes) last += 1;
  const upTo = events.slice(0, last + 1);
  return {
    startedMs: eventMs(events[0]),
    reachedMs: eventMs(end),
    events: upTo.length,
    visibilityWrites: upTo.filter(writesVisibility).length,
  };
}

async function inLanes<T, R>(items: T[], lanes: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

// ---------------------------------------------------------------------------------------------
// The two sides

type SideName = 'bare' | 'stage' | 'visible' | 'product';
const BARE_TYPES = { bare: 'sixSteps', stage: 'sixStepsStage', visible: 'sixStepsVisible' } as const;
interface Side {
  name: SideName;
  /** Starts one; returns its workflow id. */
  start(): Promise<string>;
  /** Resolves once all of these are done (completed, resp. in awaiting-tos). */
  done(ids: string[]): Promise<void>;
  reached: (e: Event) => boolean;
}

interface Stack {
  client: Client;
  onboarding: OnboardingClient;
  google: EmulatorControl;
}

/** The bare workflow; `stage`: plus the stage search attribute at each step; `visible`: plus the status memo too. */
function bareSide(stack: Stack, name: keyof typeof BARE_TYPES): Side {
  let n = 0;
  return {
    name,
    async start() {
      const workflowId = `bench-${name}-${process.pid}-${Date.now().toString(36)}-${n++}`;
      await stack.client.workflow.start(BARE_TYPES[name], { taskQueue: SIX_STEPS_TASK_QUEUE, workflowId });
      return workflowId;
    },
    async done(ids) {
      await Promise.all(ids.map((id) => stack.client.workflow.getHandle(id).result()));
    },
    reached: isBareEnd,
  };
}

const awaitingTos = async (client: Client) => (await client.workflow.count("OnboardingStage='awaiting-tos'")).count;

function productSide(stack: Stack): Side {
  return {
    name: 'product',
    async start() {
      const domain = uniqueDomain('tput');
      await stack.onboarding.start(
        domainOrder(domain, { verifyDomain: false, waitPolicy: { checkEvery: '100 days' } }),
      );
      return onboardingWorkflowId(domain);
    },
    async done(ids) {
      if (ids.length === 1) {
        // One alone: its own search attribute, read often (a count would lag behind by its poll interval).
        const handle = stack.client.workflow.getHandle(ids[0] as string);
        for (const t0 = Date.now(); Date.now() - t0 < 60_000; await sleep(10)) {
          const { searchAttributes } = await handle.describe();
          if ((searchAttributes.OnboardingStage as string[] | undefined)?.[0] === 'awaiting-tos') return;
        }
        throw new Error(`${ids[0]} did not reach awaiting-tos within 60 s`);
      }
      for (let last = -1, since = Date.now(); ; await sleep(250)) {
        const parked = (await awaitingTos(stack.client)) - parkedBefore.count;
        if (parked >= ids.length) return;
        if (parked !== last) [last, since] = [parked, Date.now()];
        if (Date.now() - since > 120_000) throw new Error(`stuck at ${parked}/${ids.length} in awaiting-tos`);
      }
    },
    reached: reachedAwaitingTos,
  };
}

/** Google calls per onboarding in the last product burst, by API (from the emulator's request log). */
const googleCalls = { perOnboarding: {} as Record<string, number> };
function perApi(log: { path: string; batchSeq?: number }[], count: number): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const { path: p, batchSeq } of log) {
    if (p === '/batch' && batchSeq === undefined) continue; // the envelope; its parts are logged one by one
    const api = p.startsWith('/apps/reseller') ? 'reseller' : p.startsWith('/admin/directory') ? 'directory' : 'other';
    calls[api] = (calls[api] ?? 0) + 1 / count;
  }
  return calls;
}

/** Onboardings already parked before the current burst (the product side counts from there). */
const parkedBefore = { count: 0 };

async function burst(
  stack: Stack,
  side: Side,
  count: number,
): Promise<{ perSecond: number; p50Ms: number; cpu: Cpu; events: number; visibilityWrites: number }> {
  if (side.name === 'product') {
    parkedBefore.count = await awaitingTos(stack.client);
    await stack.google.clearRequests(); // the calls per onboarding count this burst's only
  }
  const cpu = cpuNow();
  const t0 = Date.now();
  const ids = await Promise.all(Array.from({ length: count }, () => side.start()));
  await side.done(ids);
  const used = cpuSince(cpu);
  const spans = await inLanes(ids, 16, (id) => times(stack.client, id, side.reached));
  const last = Math.max(...spans.map((s) => s.reachedMs));
  if (side.name === 'product') googleCalls.perOnboarding = perApi(await stack.google.requests(), count);
  await stack.google.clearMail();
  await stack.google.clearRequests();
  return {
    perSecond: count / ((last - t0) / 1000),
    p50Ms: median(spans.map((s) => s.reachedMs - s.startedMs)),
    cpu: used,
    events: median(spans.map((s) => s.events)),
    visibilityWrites: median(spans.map((s) => s.visibilityWrites)),
  };
}

/** p50 latency of one alone; for the product also without the time Google (the emulator) took to answer. */
async function alone(stack: Stack, side: Side, runs: number): Promise<{ aloneMs: number; aloneOwnMs: number }> {
  const latencies: number[] = [];
  const own: number[] = [];
  for (let i = 0; i < runs; i++) {
    await stack.google.clearRequests();
    const id = await side.start();
    await side.done([id]);
    const { startedMs, reachedMs } = await times(stack.client, id, side.reached);
    latencies.push(reachedMs - startedMs);
    const answering = (await stack.google.requests())
      .filter((r) => r.batchSeq === undefined)
      .reduce((sum, r) => sum + r.durationMs, 0);
    own.push(reachedMs - startedMs - answering);
  }
  return { aloneMs: median(latencies), aloneOwnMs: median(own) };
}

// ---------------------------------------------------------------------------------------------

interface Figures {
  perSecond: number;
  p50Ms: number;
  aloneMs: number;
  /** The same less the time the emulator took to answer the calls (Google's share; none for bare). */
  aloneOwnMs: number;
  /** CPU milliseconds per process during the burst. */
  cpu: Cpu;
  /** History events per workflow (median), and those that write visibility. */
  events: number;
  visibilityWrites: number;
}
interface Round {
  bare: Figures;
  product: Figures;
  stage?: Figures;
  visible?: Figures;
}

async function round(stack: Stack, sides: Side[]): Promise<Round> {
  const result: Partial<Round> = {};
  for (const side of sides) result[side.name] = { ...(await burst(stack, side, COUNT)), aloneMs: NaN, aloneOwnMs: NaN };
  for (const side of sides) Object.assign(result[side.name] as Figures, await alone(stack, side, ALONE));
  return result as Round;
}

function printSettings(env: Record<string, string>): void {
  const cache = Number(env.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS);
  const tuning = workerTuning({ maxCachedWorkflows: cache });
  const pollers = (b: unknown) => JSON.stringify(b).replace(/"/g, '');
  console.log(
    `stack: ${flags.address ? `Temporal at ${flags.address}` : 'dev server (SQLite file)'}, emulator + SMTP sink in the bench process, two worker processes; node ${process.version}\n` +
      `workers (both): cache ${tuning.maxCachedWorkflows}, workflow task slots ${tuning.maxConcurrentWorkflowTaskExecutions}, ` +
      `activity slots ${tuning.maxConcurrentActivityTaskExecutions}, workflow task pollers ${pollers(tuning.workflowTaskPollerBehavior)}, ` +
      `activity task pollers ${pollers(tuning.activityTaskPollerBehavior)}; ` +
      `NODE_OPTIONS ${env.NODE_OPTIONS}, MALLOC_ARENA_MAX ${env.MALLOC_ARENA_MAX ?? 'default'}; Google quota per minute (worker): Reseller ${env.GOOGLE_RESELLER_QUERIES_PER_MINUTE}, Directory ${env.GOOGLE_DIRECTORY_QUERIES_PER_MINUTE}` +
      (Object.keys(EXTRA_ENV).length ? `; extra env ${JSON.stringify(EXTRA_ENV)}` : ''),
  );
}

function printRound(i: number, r: Round): void {
  console.log(
    `round ${i}: ${COUNT} at once — bare ${r.bare.perSecond.toFixed(1)}/s, product ${r.product.perSecond.toFixed(1)}/s → ×${(r.product.perSecond / r.bare.perSecond).toFixed(2)}` +
      ` (p50 in the burst ${r.bare.p50Ms.toFixed(0)} / ${r.product.p50Ms.toFixed(0)} ms);` +
      ` alone p50 bare ${r.bare.aloneMs.toFixed(0)} ms, product ${r.product.aloneMs.toFixed(0)} ms → ×${(r.product.aloneMs / r.bare.aloneMs).toFixed(2)}`,
  );
  const perWorkflow = (cpu: Cpu) =>
    Object.entries(cpu)
      .filter(([, ms]) => ms > 0)
      .map(([name, ms]) => `${name} ${(ms / COUNT).toFixed(1)}`)
      .join(', ');
  const calls = Object.entries(googleCalls.perOnboarding).map(([api, n]) => `${api} ${n.toFixed(2)}`);
  if (calls.length) console.log(`  Google calls per onboarding: ${calls.join(', ')}`);
  console.log(
    `  CPU ms per workflow in the burst — bare: ${perWorkflow(r.bare.cpu)}; product: ${perWorkflow(r.product.cpu)}`,
  );
  console.log(
    `  history per workflow — bare: ${r.bare.events} events, ${r.bare.visibilityWrites} visibility writes; ` +
      `product: ${r.product.events} events (×${(r.product.events / r.bare.events).toFixed(2)}), ` +
      `${r.product.visibilityWrites} visibility writes (×${(r.product.visibilityWrites / r.bare.visibilityWrites).toFixed(2)})`,
  );
  for (const [label, f] of [
    ['bare + stage attribute', r.stage],
    ['bare + stage attribute + memo', r.visible],
  ] as const) {
    if (!f) continue;
    console.log(
      `  ${label}: ${f.perSecond.toFixed(1)}/s (×${(f.perSecond / r.bare.perSecond).toFixed(2)} of bare), alone ${f.aloneMs.toFixed(0)} ms; CPU ms per workflow: ${perWorkflow(f.cpu)}`,
    );
  }
}

function printSummary(rounds: Round[]): void {
  const tput = rounds.map((r) => r.product.perSecond / r.bare.perSecond);
  const lat = rounds.map((r) => r.product.aloneMs / r.bare.aloneMs);
  console.log(`\nsummary over ${rounds.length} rounds: median (min–max)`);
  console.log(
    `  throughput, ${COUNT} at once: bare ${spread(
      rounds.map((r) => r.bare.perSecond),
      1,
    )}/s, product ${spread(
      rounds.map((r) => r.product.perSecond),
      1,
    )}/s`,
  );
  console.log(
    `    ratio product/bare ${spread(tput, 2)}: ${median(tput) >= TARGETS.throughputRatio ? 'meets' : 'MISSES'} target ≥ ${TARGETS.throughputRatio}`,
  );
  console.log(
    `  latency alone (p50 of ${ALONE}): bare ${spread(
      rounds.map((r) => r.bare.aloneMs),
      0,
    )} ms, product ${spread(
      rounds.map((r) => r.product.aloneMs),
      0,
    )} ms`,
  );
  console.log(
    `    ratio product/bare ${spread(lat, 2)}: ${median(lat) <= TARGETS.latencyRatio ? 'meets' : 'MISSES'} target ≤ ${TARGETS.latencyRatio}`,
  );
  const own = rounds.map((r) => r.product.aloneOwnMs / r.bare.aloneMs);
  console.log(
    `    less the emulator's answering time (Google's share): product ${spread(
      rounds.map((r) => r.product.aloneOwnMs),
      0,
    )} ms → ×${spread(own, 2)} of bare`,
  );
  // The bursts saturate the cores: the CPU a workflow costs (dev server + workers + emulator) bounds the throughput whatever the others do.
  const cpuOf = (cpu: Cpu) => Object.values(cpu).reduce((sum, ms) => sum + (ms > 0 ? ms : 0), 0) / COUNT;
  const cpuRatio = rounds.map((r) => cpuOf(r.bare.cpu) / cpuOf(r.product.cpu));
  console.log(
    `  CPU per workflow, all processes: bare ${spread(
      rounds.map((r) => cpuOf(r.bare.cpu)),
      0,
    )} ms, product ${spread(
      rounds.map((r) => cpuOf(r.product.cpu)),
      0,
    )} ms` + ` → CPU-bound throughput ratio ${spread(cpuRatio, 2)}`,
  );
  // Each side's own worker is its own process: compare the product worker with the bare worker.
  const ownWorker: Record<string, [string, string]> = { worker: ['bare worker', 'product worker'] };
  const shared = [...new Set(rounds.flatMap((r) => Object.keys(r.product.cpu)))].filter((n) => !n.endsWith(' worker'));
  for (const name of [...shared, 'worker']) {
    const [bareName, productName] = ownWorker[name] ?? [name, name];
    const bareOf = (r: Round) => (r.bare.cpu[bareName] ?? NaN) / COUNT;
    const productOf = (r: Round) => (r.product.cpu[productName] ?? NaN) / COUNT;
    console.log(
      `    ${name}: bare ${spread(rounds.map(bareOf), 1)} ms, product ${spread(rounds.map(productOf), 1)} ms per workflow → ×${spread(
        rounds.map((r) => productOf(r) / bareOf(r)),
        2,
      )}`,
    );
  }
  const [first] = rounds;
  if (first)
    console.log(
      `  history per workflow: bare ${first.bare.events} events, ${first.bare.visibilityWrites} visibility writes; ` +
        `product ${first.product.events} events (×${(first.product.events / first.bare.events).toFixed(2)}), ` +
        `${first.product.visibilityWrites} visibility writes (×${(first.product.visibilityWrites / first.bare.visibilityWrites).toFixed(2)})`,
    );
}

/** Our own dev server (SQLite file), or the cluster at --address. */
async function temporalServer(dbDir: string): Promise<TestWorkflowEnvironment> {
  if (flags.address)
    return TestWorkflowEnvironment.createFromExistingServer({
      address: flags.address,
      namespace: flags.namespace,
      client: { dataConverter: fixtureDataConverter() },
    });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: provisionTemporal().cli },
      dbFilename: path.join(dbDir, 'temporal.sqlite'),
      searchAttributes: SEARCH_ATTRIBUTES,
      ip: '127.0.0.1',
    },
    client: { dataConverter: fixtureDataConverter() },
  });
}

async function main(): Promise<void> {
  const dbDir = mkdtempSync(path.join(tmpdir(), 'bench-throughput-'));
  const [env, emulator] = await Promise.all([temporalServer(dbDir), startEmulator()]);
  const workerEnv = {
    ONBOARDING_MODE: 'local',
    TEMPORAL_ADDRESS: flags.address ?? env.address,
    TEMPORAL_NAMESPACE: flags.namespace,
    GOOGLE_API_ROOT_URL: emulator.url,
    SMTP_URL: `smtp://127.0.0.1:${emulator.smtpPort}`,
    ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
    LOG_LEVEL: 'info',
    ...QUOTA_NOT_BINDING,
    // Both workers with production's heap caps and arena bound (the Dockerfile's NODE_OPTIONS, MALLOC_ARENA_MAX).
    ...WORKER_PROCESS_ENV,
    // "{smtpPort}" in a --worker-env value stands for the sink's port (e.g. SMTP_URL=smtp://127.0.0.1:{smtpPort}?pool=false).
    ...Object.fromEntries(
      Object.entries(EXTRA_ENV).map(([k, v]) => [k, v.replace('{smtpPort}', String(emulator.smtpPort))]),
    ),
  };
  const stops: (() => Promise<void>)[] = [];
  try {
    if (!flags.address) processes['dev server'] = pidWithArgument(path.join(dbDir, 'temporal.sqlite'));
    else if (flags['server-pid']) processes['temporal server'] = Number(flags['server-pid']);
    if (flags['database-pid']) {
      processes.database = Number(flags['database-pid']);
      processTrees.add('database');
    }
    stops.push(await startWorker('product', workerEnv), await startWorker('bare', workerEnv));
    const stack: Stack = {
      client: env.client,
      onboarding: new OnboardingClient(env.client),
      google: new EmulatorControl(emulator.url),
    };
    const sides = [
      bareSide(stack, 'bare'),
      ...(flags.visible ? [bareSide(stack, 'stage'), bareSide(stack, 'visible')] : []),
      productSide(stack),
    ];
    printSettings(workerEnv);
    // Warm-up: JIT, connections, caches.
    for (const side of sides) await burst(stack, side, Math.min(20, COUNT));
    const rounds: Round[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const r = await round(stack, i % 2 ? sides : [...sides].reverse());
      printRound(i, r);
      rounds.push(r);
    }
    printSummary(rounds);
  } finally {
    for (const stop of stops) await stop();
    await emulator.close();
    await env.teardown();
    rmSync(dbDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
