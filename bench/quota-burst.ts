/**
 * Does the worker use Google's quota during a burst without tripping it? On the real stack (Temporal
 * dev server, the real worker and googleapis, the Google emulator), the emulator enforces a
 * Directory quota of 600 queries per minute per user and the worker is told the same
 * (GOOGLE_DIRECTORY_QUERIES_PER_MINUTE=600); 100 orders are started at once. Prints how many
 * reached awaiting-tos and failed, the Directory calls and how many were rate-limited (403), and the
 * quota used during the burst: accepted calls per minute over the span from the first to the last
 * Directory call, and the accepted calls in the busiest 60 s window, each against the quota — beside a baseline measured in the
 * same run: the same burst with the worker not paced.
 *
 *   npm run bench:quota                                   (100 orders, quota 600/min, with the baseline)
 *   npm run bench:quota -- --orders 200 --no-baseline     (the paced burst only)
 *   npm run bench:quota -- --orders 200 --quota 600 --timeline   (also calls per 5 s, to see gaps)
 * (ORDERS=… QUOTA=… in the environment still work.)
 *
 * 200 orders, paced only (`-- --orders 200 --no-baseline --timeline`, release 0.4 branch `lean`):
 * 200 reached awaiting-tos, 0 failed, 1,203 Directory calls, 0 rate-limited, busiest 60 s 582 = 97.0 %
 * of the quota; per 5 s: 181 316 85, 45 s of nothing (the window full), 116 252 113 49 44 8, … 39.
 * A busiest minute well under 97 % with nothing rate-limited means the onboardings asked for fewer
 * calls than the quota (a loaded machine), not that the pacer held slots back: the timeline shows
 * which (test/unit/google-pacer.test.ts models a 200-order burst retried late: full minutes).
 */
import { parseArgs } from 'node:util';
import { numberedRows, startBatch } from '../client/batch';
import { startOnboardingStack } from '../test/support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../test/support/orders';

const { values: flags } = parseArgs({
  options: {
    orders: { type: 'string', default: process.env.ORDERS ?? '100' },
    quota: { type: 'string', default: process.env.QUOTA ?? '600' },
    // The same burst with the worker not paced, on a fresh stack (doubles the run time).
    baseline: { type: 'boolean', default: true },
    'no-baseline': { type: 'boolean', default: false },
    // Accepted Directory calls per 5 s from the first call: where the pacer leaves the quota unused.
    timeline: { type: 'boolean', default: false },
  },
});
const ORDERS = positive('orders', flags.orders);
const QUOTA = positive('quota', flags.quota);
const BASELINE = flags.baseline && !flags['no-baseline'];

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: must be a positive whole number, got ${value}`);
  return n;
}
const MINUTE = 60_000;

/** The most calls in any 60 s window (times sorted). */
function busiestMinute(times: number[]): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i += 1) {
    while ((times[i] as number) - (times[j] as number) >= MINUTE) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const SETTLED = new Set(['awaiting-tos', 'failed', 'cancelled', 'expired', 'already-a-customer']);

/** Each domain's first settled stage: one status query per pending onboarding every 2 s (light on the dev server). */
async function settled(
  domains: string[],
  status: (domain: string) => Promise<{ stage: string }>,
  timeoutMs: number,
): Promise<{ stage: string }[]> {
  const ends = new Map<string, { stage: string }>();
  const deadline = Date.now() + timeoutMs;
  while (ends.size < domains.length && Date.now() < deadline) {
    for (const domain of domains.filter((d) => !ends.has(d))) {
      const current = await status(domain).catch(() => undefined);
      if (current && SETTLED.has(current.stage)) ends.set(domain, current);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  return domains.map((d) => ends.get(d) ?? { stage: 'timed out' });
}

const pct = (part: number, whole: number) => `${whole === 0 ? '0.0' : ((100 * part) / whole).toFixed(1)} %`;

interface BurstFigures {
  reached: number;
  failed: number;
  stages: string[];
  calls: number;
  limited: number;
  spanMs: number;
  perMinute: number;
  busiest: number;
  wallSeconds: number;
  /** Accepted Directory calls per 5 s from the first call. */
  timeline: number[];
}

const SLICE_MS = 5_000;
function perSlice(times: number[]): number[] {
  const first = times[0] ?? 0;
  const slices: number[] = [];
  for (const t of times) {
    const i = Math.floor((t - first) / SLICE_MS);
    while (slices.length <= i) slices.push(0);
    slices[i] = (slices[i] ?? 0) + 1;
  }
  return slices;
}

/** One burst on a fresh stack: the worker paced at the quota, or (the baseline) not paced at all. */
async function burst(paced: boolean): Promise<BurstFigures> {
  const stack = await startOnboardingStack(
    paced ? { pacing: { directoryQueriesPerMinute: QUOTA, resellerQueriesPerMinute: 10_000, share: 1 } } : {},
  );
  try {
    await stack.google.updateSettings({ directoryQueriesPerMinute: QUOTA });
    const domains = Array.from({ length: ORDERS }, () => uniqueDomain('burst'));
    const t0 = Date.now();
    // Started as `onboarding start-batch` does (validated first, then 8 at a time).
    const started = await startBatch(stack.client, numberedRows(domains.map((domain) => domainOrder(domain))));
    if (started.counts.started !== ORDERS)
      throw new Error(`start-batch started ${started.counts.started} of ${ORDERS}`);
    const ends = await settled(domains, (domain) => stack.client.status(domain), 20 * MINUTE);
    const wallSeconds = (Date.now() - t0) / 1000;
    const directory = (await stack.google.requests()).filter((r) => r.path.startsWith('/admin/directory/'));
    const times = directory.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
    const spanMs = times.length > 1 ? (times[times.length - 1] as number) - (times[0] as number) : 0;
    // Quota use counts what Google accepted: a refused call uses none.
    const accepted = directory.filter((r) => r.status !== 403);
    const acceptedTimes = accepted.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
    return {
      reached: ends.filter((s) => s.stage === 'awaiting-tos').length,
      failed: ends.filter((s) => s.stage !== 'awaiting-tos').length,
      stages: [...new Set(ends.map((s) => s.stage).filter((stage) => stage !== 'awaiting-tos'))],
      calls: directory.length,
      limited: directory.filter((r) => r.status === 403).length,
      spanMs,
      perMinute: spanMs > 0 ? (accepted.length * MINUTE) / spanMs : accepted.length,
      busiest: busiestMinute(acceptedTimes),
      wallSeconds,
      timeline: perSlice(acceptedTimes),
    };
  } finally {
    await stack.google.updateSettings({ directoryQueriesPerMinute: null }).catch(() => undefined);
    await stack.teardown();
  }
}

function row(label: string, paced: string, baseline: string): string {
  return `  ${label.padEnd(26)}${paced.padEnd(28)}${baseline}`;
}

async function main(): Promise<void> {
  const paced = await burst(true);
  const baseline = BASELINE ? await burst(false) : undefined;
  const figures = (f: BurstFigures) => ({
    reached: String(f.reached),
    failed: `${f.failed}${f.stages.length ? ` (${f.stages.join(', ')})` : ''}`,
    calls: String(f.calls),
    limited: `${f.limited} (${pct(f.limited, f.calls)})`,
    span: `${(f.spanMs / 1000).toFixed(1)} s`,
    use: `${f.perMinute.toFixed(0)}/min = ${pct(f.perMinute, QUOTA)}`,
    busiest: `${f.busiest} = ${pct(f.busiest, QUOTA)}`,
    wall: `${f.wallSeconds.toFixed(1)} s`,
  });
  const p = figures(paced);
  const b = baseline ? figures(baseline) : undefined;
  console.log(`Quota burst: ${ORDERS} orders started at once, Directory quota ${QUOTA}/min enforced by the emulator`);
  console.log(row('', `paced (worker told ${QUOTA})`, baseline ? 'baseline: worker not paced' : '(baseline not run)'));
  console.log(row('reached awaiting-tos', p.reached, b?.reached ?? '-'));
  console.log(row('failed / not there', p.failed, b?.failed ?? '-'));
  console.log(row('Directory calls', p.calls, b?.calls ?? '-'));
  console.log(row('rate-limited (403)', p.limited, b?.limited ?? '-'));
  console.log(row('first → last call', p.span, b?.span ?? '-'));
  console.log(row('quota use over that span', p.use, b?.use ?? '-'));
  console.log(row('busiest 60 s (accepted)', p.busiest, b?.busiest ?? '-'));
  console.log(row('wall time', p.wall, b?.wall ?? '-'));
  if (flags.timeline) {
    console.log(`accepted Directory calls per ${SLICE_MS / 1000} s, paced: ${paced.timeline.join(' ')}`);
    if (baseline)
      console.log(`accepted Directory calls per ${SLICE_MS / 1000} s, baseline: ${baseline.timeline.join(' ')}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
