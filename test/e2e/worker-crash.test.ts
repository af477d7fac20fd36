/**
 * Crash recovery with the real worker process: it is killed with SIGKILL at the moments where a
 * retry is most dangerous — Google did the work but its answer had not reached the worker — and
 * while an onboarding is parked on the customer; a fresh worker process then takes over. Every
 * onboarding must still complete with exactly one customer, one user, that user super admin, and
 * one e-mail.
 *
 * A killed worker's activity is retried only once its startToCloseTimeout expires, so several
 * onboardings are held at different points and killed together, and all the retries are awaited
 * together at the end.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { OnboardingClient } from '../../client/onboarding-client';
import { EmulatorControl } from '../../emulator/control-client';
import type { FaultSpec } from '../../emulator/control-schema';
import type { RequestLogEntry } from '../../emulator/faults';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import type { StateSnapshot } from '../../emulator/state';
import { domainVerifiedSignal, type OnboardingStatus } from '../../workflows/messages';
import { startDevServer, waitForStatus } from '../support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../support/orders';
import { killAllWorkerProcesses, WorkerProcess } from '../support/worker-process';

const REQUEST_TIMEOUT_MS = 5000;
// Longer than the worker's request timeout: the held answer never arrives, only the kill ends the call.
const HOLD_MS = 8000;
// startToCloseTimeout (workflows/activity-stubs.ts: 30 s) + first retry interval + the rest, with room.
const RECOVERY_TIMEOUT_MS = 150_000;

interface Onboarding {
  domain: string;
  adminEmail: string;
}

interface KillPoint {
  name: string;
  /** The step whose activity the kill interrupts; none when parked. */
  step?: string;
  /** That step's outcome once retried by the new worker. */
  outcome?: string;
  /** Holds the call: its answer (Google did the work) or, in 'before' mode, the call itself. */
  fault?: (o: Onboarding) => FaultSpec;
  /** The held call in the request log. */
  isHeldCall?: (entry: RequestLogEntry, o: Onboarding, customerId: string) => boolean;
  /** True once the onboarding is where the kill must hit it; asked only once its fault is consumed. */
  reached: (o: Onboarding, state: StateSnapshot, status: () => Promise<OnboardingStatus>) => Promise<boolean>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// googleapis may percent-encode the '@' of a userKey in the path.
const userPathPattern = (email: string) =>
  `^/admin/directory/v1/users/${escapeRegExp(email).replace('@', '(?:@|%40)')}`;
const held = (spec: Omit<FaultSpec, 'mode' | 'delayMs' | 'times'>): FaultSpec => ({
  ...spec,
  mode: 'after',
  delayMs: HOLD_MS,
  times: 1,
});
const customerOf = (state: StateSnapshot, domain: string) => state.customers.find((c) => c.customerDomain === domain);
const userOf = (state: StateSnapshot, email: string) => state.users.find((u) => u.primaryEmail === email);

const CUSTOMERS_INSERT: KillPoint = {
  name: 'customers.insert done, answer pending',
  step: 'create-customer',
  outcome: 'resumed',
  fault: () => held({ method: 'POST', path: '^/apps/reseller/v1/customers$' }),
  isHeldCall: (e) => e.method === 'POST' && e.path === '/apps/reseller/v1/customers',
  reached: async (o, state) => customerOf(state, o.domain) !== undefined,
};
const LANGUAGE_PATCH: KillPoint = {
  name: 'language customers.patch done, answer pending',
  step: 'set-language',
  outcome: 'done',
  // The customer id is not known in advance; only this onboarding reaches the call in its round.
  fault: () => held({ method: 'PATCH', path: '^/admin/directory/v1/customers/[^/]+$' }),
  isHeldCall: (e, _o, customerId) => e.method === 'PATCH' && e.path === `/admin/directory/v1/customers/${customerId}`,
  reached: async (o, state) => customerOf(state, o.domain)?.language === 'fr',
};
const USERS_INSERT: KillPoint = {
  name: 'users.insert done, answer pending',
  step: 'create-admin',
  outcome: 'already-existed',
  fault: () => held({ method: 'POST', path: '^/admin/directory/v1/users$' }),
  isHeldCall: (e) => e.method === 'POST' && e.path === '/admin/directory/v1/users',
  reached: async (o, state) => userOf(state, o.adminEmail) !== undefined,
};
const USERS_INSERT_NOT_DONE: KillPoint = {
  name: 'users.insert in flight, not done by Google',
  step: 'create-admin',
  // The emulator abandons a delayed request whose client went away, so the retry creates the user.
  outcome: 'created',
  fault: () => ({ method: 'POST', path: '^/admin/directory/v1/users$', mode: 'before', delayMs: HOLD_MS, times: 1 }),
  isHeldCall: (e) => e.method === 'POST' && e.path === '/admin/directory/v1/users',
  // The request arrived (its fault is consumed) and Google has not created the user.
  reached: async (o, state) => userOf(state, o.adminEmail) === undefined,
};
const MAKE_ADMIN: KillPoint = {
  name: 'users.makeAdmin granted, answer pending',
  step: 'grant-admin',
  outcome: 'already-admin',
  fault: (o) => held({ method: 'POST', path: `${userPathPattern(o.adminEmail)}/makeAdmin$` }),
  isHeldCall: (e, o) => e.method === 'POST' && new RegExp(`${userPathPattern(o.adminEmail)}/makeAdmin$`).test(e.path),
  reached: async (o, state) => userOf(state, o.adminEmail)?.isAdmin === true,
};
const NOTICE_PATCH: KillPoint = {
  name: 'sign-in notice users.patch done, answer pending',
  step: 'send-sign-in-notice',
  outcome: 'done',
  fault: (o) => held({ method: 'PATCH', path: `${userPathPattern(o.adminEmail)}$` }),
  isHeldCall: (e, o) => e.method === 'PATCH' && new RegExp(`${userPathPattern(o.adminEmail)}$`).test(e.path),
  // The handler ran (the emulator counts password resets) while the answer waits HOLD_MS.
  reached: async (o, state) => (userOf(state, o.adminEmail)?.passwordChanges ?? 0) >= 1,
};
const PARKED: KillPoint = {
  name: 'parked in awaiting-tos',
  reached: async (_o, _state, status) => (await status().catch(() => undefined))?.stage === 'awaiting-tos',
};

// A fault whose path names no domain (the inserts, the language patch) is taken by whichever
// onboarding gets there first, so a round starts its onboardings in waves: each wave once the one
// before is held (its faults consumed). Every held call must still be in flight at the round's
// kill, within the worker's request timeout; and no onboarding killed in an earlier round may
// resume (startToCloseTimeout) while a later round's shared faults wait: two short rounds.
const ROUNDS: KillPoint[][][] = [
  [[CUSTOMERS_INSERT], [LANGUAGE_PATCH], [USERS_INSERT]],
  [[USERS_INSERT_NOT_DONE], [MAKE_ADMIN, NOTICE_PATCH, PARKED]],
];

interface Run {
  point: KillPoint;
  onboarding: Onboarding;
  round: number;
  faultId?: number;
  /** When the last poll that still listed the fault began (or the onboarding started): the held call arrived after it. */
  faultPendingAt?: number;
  reachedAt?: number;
}

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let google: EmulatorControl;
let client: OnboardingClient;

beforeAll(async () => {
  [env, emulator] = await Promise.all([startDevServer(), startEmulator()]);
  google = new EmulatorControl(emulator.url);
  client = new OnboardingClient(env.client);
});

afterAll(async () => {
  await killAllWorkerProcesses();
  await emulator?.close();
  await env?.teardown();
});

function startWorker(): Promise<WorkerProcess> {
  return WorkerProcess.start({
    temporalAddress: env.address,
    namespace: env.namespace ?? 'default',
    emulator,
    googleRequestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) throw new Error(`not reached within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A request log entry as `METHOD endpoint status`, the endpoint named as in Google's API reference. */
function describeCall(e: RequestLogEntry): string {
  const endpoints: Array<[string, RegExp, string]> = [
    ['GET', /^\/apps\/reseller\/v1\/customers\/[^/]+$/, 'customers.get'],
    ['POST', /^\/apps\/reseller\/v1\/customers$/, 'customers.insert'],
    ['PATCH', /^\/admin\/directory\/v1\/customers\/[^/]+$/, 'directory.customers.patch'],
    ['GET', /^\/admin\/directory\/v1\/users\/[^/]+$/, 'users.get'],
    ['POST', /^\/admin\/directory\/v1\/users$/, 'users.insert'],
    ['POST', /^\/admin\/directory\/v1\/users\/[^/]+\/makeAdmin$/, 'users.makeAdmin'],
    ['PATCH', /^\/admin\/directory\/v1\/users\/[^/]+$/, 'users.patch'],
  ];
  const name =
    endpoints.find(([method, path]) => method === e.method && path.test(e.path))?.[2] ?? `${e.method} ${e.path}`;
  return `${name} ${e.status}`;
}

function countCalls(entries: RequestLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[describeCall(entry)] = (counts[describeCall(entry)] ?? 0) + 1;
  return counts;
}

test('worker processes SIGKILLed at seven points of the flow: every onboarding completes once, with one customer and one super admin', async () => {
  const startedAt = Date.now();
  const runs: Run[] = [];
  const kills: Array<{ round: number; at: number; exit: unknown }> = [];
  let worker = await startWorker();

  for (const [round, waves] of ROUNDS.entries()) {
    for (const points of waves) {
      const wave = points.map((point): Run => {
        const domain = uniqueDomain(`crash${round + 1}`);
        return { point, round, onboarding: { domain, adminEmail: `admin@${domain}` } };
      });
      runs.push(...wave);
      // Faults first, so no call of this wave slips past them.
      for (const run of wave) {
        if (run.point.fault) run.faultId = (await google.addFault(run.point.fault(run.onboarding))).id;
      }
      // Nothing can reach a fault before its onboarding starts: the first bound on when a held call arrived.
      for (const run of wave) run.faultPendingAt = run.faultId === undefined ? undefined : Date.now();
      await Promise.all(wave.map((run) => client.start(domainOrder(run.onboarding.domain))));
      await waitUntil(
        `round ${round + 1}: ${points.map((p) => p.name).join(', ')}`,
        async () => {
          const polledAt = Date.now();
          const [state, faults] = await Promise.all([google.state(), google.faults()]);
          for (const run of wave) {
            if (run.reachedAt !== undefined) continue;
            if (run.faultId !== undefined && faults.some((f) => f.id === run.faultId)) {
              run.faultPendingAt = polledAt;
              continue;
            }
            const status = () => client.status(run.onboarding.domain);
            if (await run.point.reached(run.onboarding, state, status)) run.reachedAt = Date.now();
          }
          return wave.every((run) => run.reachedAt !== undefined);
        },
        30_000,
      );
    }
    const at = Date.now();
    const exit = await worker.kill('SIGKILL');
    kills.push({ round: round + 1, at, exit });
    expect(exit.signal).toBe('SIGKILL');
    worker = await startWorker();
  }
  const lastKillAt = Date.now();
  expect(await google.faults()).toEqual([]);

  // The last worker picks every interrupted activity up once its startToCloseTimeout expired.
  const waiting = await Promise.all(
    runs.map((run) =>
      waitForStatus(
        () => client.status(run.onboarding.domain),
        (s) => s.stage === 'awaiting-tos' || s.stage === 'failed',
        RECOVERY_TIMEOUT_MS,
      ),
    ),
  );
  const recoveredAt = Date.now();
  const finals = await Promise.all(
    runs.map(async ({ onboarding }) => {
      await google.acceptTos(onboarding.domain);
      await google.verifyDomain(onboarding.domain);
      await client.acceptTos(onboarding.domain, { reportedBy: 'worker-crash test' });
      await client.handle(onboarding.domain).signal(domainVerifiedSignal, { reportedBy: 'worker-crash test' });
      return client.result(onboarding.domain);
    }),
  );

  const [state, log, mail] = await Promise.all([google.state(), google.requests(), google.mail()]);

  // First what happened, printed even when an assertion below fails; then the assertions.
  const facts = runs.map((run, index) => {
    const { point, onboarding } = run;
    const killAt = kills[run.round]?.at ?? 0;
    const customers = state.customers.filter((c) => c.customerDomain === onboarding.domain);
    const customerId = customers[0]?.customerId ?? '(none)';
    // The calls that name this onboarding's domain, customer or admin in their path.
    const names = new Set([onboarding.domain, customerId, onboarding.adminEmail]);
    const mine = log.filter((e) => e.path.split('/').some((segment) => names.has(decodeURIComponent(segment))));
    // Paths without a name (the inserts) are told apart by time: only this onboarding made that call
    // between the last poll that saw its fault unused and the poll that saw it held.
    const heldCalls = log.filter((e) => {
      const at = Date.parse(e.time);
      return (
        point.isHeldCall?.(e, onboarding, customerId) === true &&
        at >= (run.faultPendingAt ?? Infinity) &&
        at <= (run.reachedAt ?? 0)
      );
    });
    return {
      run,
      killAt,
      final: finals[index],
      waiting: waiting[index],
      customers,
      users: state.users.filter((u) => u.customerId === customerId),
      mails: mail.filter((m) => m.subject.includes(onboarding.domain)),
      heldCalls,
      before: mine.filter((e) => Date.parse(e.time) < killAt),
      after: mine.filter((e) => Date.parse(e.time) >= killAt),
    };
  });
  const inserts = log.filter(
    (e) => e.method === 'POST' && /^\/(apps\/reseller\/v1\/customers|admin\/directory\/v1\/users)$/.test(e.path),
  );
  console.info(
    [
      `${runs.length} kill points, ${kills.length} SIGKILLs; last kill ${Math.round((lastKillAt - startedAt) / 1000)} s after start; ` +
        `all back in awaiting-tos ${Math.round((recoveredAt - lastKillAt) / 1000)} s later; total ${Math.round((Date.now() - startedAt) / 1000)} s`,
      `inserts, all onboardings: ${JSON.stringify(countCalls(inserts))}`,
      ...facts.map(({ run, killAt, heldCalls, before, after, final, mails }) => {
        const heldNote =
          run.faultPendingAt === undefined
            ? ''
            : ` killed <= ${killAt - run.faultPendingAt} ms after the held call arrived; held call in the log: ` +
              `${heldCalls.map((e) => `${describeCall(e)} (${e.durationMs} ms)`).join(', ') || 'none'};`;
        return (
          `- ${run.point.name}:${heldNote} before kill ${JSON.stringify(countCalls(before))}; ` +
          `after restart ${JSON.stringify(countCalls(after))}; mails ${mails.length}; ` +
          `steps ${(final?.steps ?? []).map((s) => `${s.name}=${s.attempts ?? '?'}x/${s.outcome ?? '?'}`).join(' ')}`
        );
      }),
    ].join('\n'),
  );

  for (const { run, killAt, final, waiting: reached, customers, users, mails, heldCalls } of facts) {
    const { point, onboarding } = run;
    const label = { point: point.name };
    expect({ ...label, stage: reached?.stage }).toEqual({ ...label, stage: 'awaiting-tos' });
    expect({ ...label, stage: final?.stage }).toEqual({ ...label, stage: 'completed' });
    // Exactly one customer, one user, that user super admin; the language set before the user existed.
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({ customerId: final?.customerId, owner: 'this-reseller', language: 'fr' });
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ primaryEmail: onboarding.adminEmail, isAdmin: true, languageAtCreation: 'fr' });
    // Every kill came before any e-mail was sent: one sign-in notice each.
    expect({ ...label, mails: mails.length }).toEqual({ ...label, mails: 1 });

    // The interrupted step ran twice and recognised its own earlier work; every other step ran once.
    const steps = final?.steps ?? [];
    for (const name of [
      'create-customer',
      'set-language',
      'create-admin',
      'grant-admin',
      'prepare-domain-verification',
      'send-sign-in-notice',
    ]) {
      const step = steps.find((s) => s.name === name);
      const expected = name === point.step ? { attempts: 2, outcome: point.outcome } : { attempts: 1 };
      expect({ ...label, step: name, attempts: step?.attempts, outcome: step?.outcome }).toMatchObject({
        ...label,
        step: name,
        ...expected,
      });
    }

    if (run.faultPendingAt !== undefined) {
      // The kill, not the worker's own request timeout, ended the held call.
      const killedInFlight = killAt - run.faultPendingAt < REQUEST_TIMEOUT_MS;
      expect({ ...label, killedInFlight }).toEqual({ ...label, killedInFlight: true });
      // Logged once, as 499: its client was gone before the answer.
      expect({ ...label, held: heldCalls.map((e) => e.status) }).toEqual({ ...label, held: [499] });
    }
  }
  // No insert ran twice (a second one would have answered 409): Google did one of each per
  // onboarding — the 200s, plus the held insert it carried out although its client was killed (499).
  const heldAndDone = (point: KillPoint) => facts.filter((f) => f.run.point === point).length;
  const done = (path: string) => inserts.filter((e) => e.path === path && e.status === 200).length;
  expect(done('/apps/reseller/v1/customers') + heldAndDone(CUSTOMERS_INSERT)).toBe(runs.length);
  expect(done('/admin/directory/v1/users') + heldAndDone(USERS_INSERT)).toBe(runs.length);
  expect(log.filter((e) => e.status === 409)).toEqual([]);
}, 300_000);
