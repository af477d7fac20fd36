/**
 * Why this file exists: the branch matrix. A deploy must not strand an onboarding in any branch a
 * released version can be in, so the matrix is every step × {cancelled during it, failed at it},
 * plus the waits (terms, domain verification, transfer token) × {signal early/late, detected,
 * expired, cancelled, continue-as-new issued, an update retried across it}, tokens refused/replaced/
 * expired, and the one-off endings (team, already a customer, invalid order, plaintext refused).
 * Each release gets the branches its code has (`when`).
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Features } from './release-tree';
import { fail, Hold, type ScenarioStubs } from './stubs';

type Activity = (input: unknown) => Promise<unknown>;
export type Overrides = Record<string, (base: Activity) => Activity>;

export interface Orders {
  domainOrder(domain: string, overrides?: Record<string, unknown>): Record<string, unknown>;
  teamOrder(domain: string, overrides?: Record<string, unknown>): Record<string, unknown>;
}

/** What a scenario's driver can do to its onboarding. */
export interface Drive {
  env: TestWorkflowEnvironment;
  handle: WorkflowHandle;
  features: Features;
  stubs: ScenarioStubs;
  /** Until the held step is entered. */
  entered(hold: Hold): Promise<void>;
  /** Until the status query shows `stage`. */
  stage(stage: string): Promise<void>;
  signal(name: string, arg?: unknown): Promise<void>;
  /** Sends an update and does not wait for its answer (0.1 and 0.2 answer a token only once it is tried). */
  update(name: string, arg: unknown, updateId?: string): Promise<unknown>;
  /** The reason signal, then Temporal's cancel, as the client library does. */
  cancel(reason: string): Promise<void>;
  /** Real time, for the workflow to take in what was just sent. */
  pause(ms?: number): Promise<void>;
  /** Until the run chain ends (time skips while waiting). */
  settle(): Promise<void>;
}

export interface Scenario {
  name: string;
  when?: (f: Features) => boolean;
  /** The workflow's input; by default a domain order (with subscriptions from 0.2 on). */
  input?: (orders: Orders, domain: string, f: Features) => unknown;
  stubs?: (f: Features) => Overrides;
  /** Steps held open by this scenario, by activity name. */
  holds?: (f: Features) => Record<string, Hold>;
  drive(d: Drive, hold: (name: string) => Hold): Promise<void>;
  /** Save every run of the chain (a run that issued continue-as-new, then its successor). */
  chain?: boolean;
}

const SUBSCRIPTIONS = [
  { skuId: '1010020028', plan: 'FLEXIBLE', seats: 10 },
  { skuId: 'Google-Drive-storage-20GB', plan: 'FLEXIBLE', seats: 10 },
];

export const defaultInput = (orders: Orders, domain: string, f: Features, extra: Record<string, unknown> = {}) =>
  orders.domainOrder(domain, { ...(f.fidelity ? { subscriptions: SUBSCRIPTIONS } : {}), ...extra });

const customerActivity = (f: Features) => (f.fidelity ? 'createResoldCustomer' : 'createCustomer');
const fidelity = (f: Features) => f.fidelity;
const release3 = (f: Features) => f.release3;
const release4 = (f: Features) => f.release4;

/** The customer exists elsewhere (a 409 at Google): the transfer branch. */
const heldElsewhere = (f: Features): Overrides => ({
  [customerActivity(f)]: (base) => async (input) => ({
    ...((await base(input)) as object),
    outcome: 'managed-elsewhere',
  }),
});

/** Google refuses tokens named `refused-…`, at the first step that uses a token. */
const refusesBadTokens = (f: Features): Overrides => ({
  [f.fidelity ? 'registerTransferredCustomer' : 'transferSubscriptions']: (base) => async (input) => {
    if ((input as { transferToken?: string }).transferToken?.startsWith('refused-')) {
      return fail('TransferTokenRefused', 'Google refused the transfer token (matrix stub)')(input);
    }
    return base(input);
  },
});

/** Google shows the domain unverified and never finds its TXT record (unless a scenario says so). */
const unverifiedDomain: Overrides = {
  prepareDomainVerification: () => async (input) => ({
    verified: false,
    record: {
      host: (input as { domain: string }).domain,
      type: 'TXT',
      value: 'google-site-verification=matrix-token',
    },
    attempt: 1,
  }),
  tryDomainVerification: () => async () => ({ verified: false }),
};

/** Answers "not yet" at the first call, then what `then` says. */
const afterFirstCall =
  (then: (answer: Record<string, unknown>) => Record<string, unknown>) =>
  (base: Activity): Activity => {
    let calls = 0;
    return async (input) => {
      const answer = (await base(input)) as Record<string, unknown>;
      calls += 1;
      return calls === 1 ? answer : then(answer);
    };
  };
const accepted = afterFirstCall((a) => ({ ...a, accepted: true }));

/** Grows a wait's history with signals that change nothing, past the 1,000 events a run keeps. */
async function growHistory(d: Drive): Promise<void> {
  for (let batch = 0; batch < 44; batch++) {
    const signals = Array.from({ length: 25 }, (_, i) =>
      d.signal('domainVerified', { reportedBy: `matrix-noise-${batch * 25 + i}` }),
    );
    await Promise.all(signals);
  }
}

async function continuedAsNew(d: Drive, firstRunId: string | undefined): Promise<void> {
  const { runId } = await d.handle.describe();
  if (runId === firstRunId) throw new Error('expected the wait to have continued as new');
}

// ── every step × {cancelled during it, failed at it} ──

interface Step {
  activity: string;
  /** The branch the step is on. */
  path: 'new' | 'transfer';
  /** The transfer token comes with the order (to reach the steps that use it without an update). */
  tokenInOrder?: boolean;
}

function stepsOf(f: Features): Step[] {
  const created: Step[] = [
    { activity: customerActivity(f), path: 'new' },
    { activity: 'setCustomerLanguage', path: 'new' },
    { activity: 'createAdminUser', path: 'new' },
    { activity: 'grantSuperAdmin', path: 'new' },
    ...(f.fidelity ? [{ activity: 'orderSubscription', path: 'new' as const }] : []),
    ...(f.fidelity ? [{ activity: 'prepareDomainVerification', path: 'new' as const }] : []),
    { activity: 'sendSignInNotice', path: 'new' },
  ];
  const transfer: Step[] = [
    { activity: 'sendTransferTokenRequest', path: 'transfer' },
    ...(f.fidelity ? [{ activity: 'registerTransferredCustomer', path: 'transfer' as const, tokenInOrder: true }] : []),
    { activity: 'transferSubscriptions', path: 'transfer', tokenInOrder: true },
    ...(f.release4 ? [{ activity: 'sendTransferTermsNotice', path: 'transfer' as const, tokenInOrder: true }] : []),
  ];
  return [...created, ...transfer];
}

const ALL_STEPS = [
  'createCustomer',
  'createResoldCustomer',
  'setCustomerLanguage',
  'createAdminUser',
  'grantSuperAdmin',
  'orderSubscription',
  'prepareDomainVerification',
  'sendSignInNotice',
  'sendTransferTokenRequest',
  'registerTransferredCustomer',
  'transferSubscriptions',
  'sendTransferTermsNotice',
];

function stepScenarios(): Scenario[] {
  return ALL_STEPS.flatMap((activity): Scenario[] => {
    const step = (f: Features) => stepsOf(f).find((s) => s.activity === activity);
    const input = (orders: Orders, domain: string, f: Features) =>
      defaultInput(orders, domain, f, step(f)?.tokenInOrder ? { transferToken: 'matrix-good-token' } : {});
    const branch = (f: Features): Overrides =>
      step(f)?.path === 'transfer' ? { ...heldElsewhere(f), ...refusesBadTokens(f) } : {};
    return [
      {
        name: `cancelled-during-${activity}`,
        when: (f) => step(f) !== undefined,
        input,
        stubs: branch,
        holds: () => ({ [activity]: new Hold(activity) }),
        async drive(d, hold) {
          await d.entered(hold(activity));
          await d.cancel(`matrix: cancelled during ${activity}`);
          await d.pause();
          hold(activity).let();
          await d.settle();
        },
      },
      {
        name: `failed-at-${activity}`,
        when: (f) => step(f) !== undefined,
        input,
        stubs: (f) => ({ ...branch(f), [activity]: () => fail() }),
        drive: (d) => d.settle(),
      },
    ];
  });
}

// ── the waits, the tokens, the one-off endings ──

const waitScenarios: Scenario[] = [
  {
    name: 'completed-terms-signalled-late',
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'completed-terms-signalled-early',
    holds: () => ({ createAdminUser: new Hold('createAdminUser') }),
    async drive(d, hold) {
      await d.entered(hold('createAdminUser'));
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.pause();
      hold('createAdminUser').let();
      await d.settle();
    },
  },
  {
    name: 'completed-terms-detected',
    input: (o, domain, f) => defaultInput(o, domain, f, { waitPolicy: { checkEvery: '1 hour' } }),
    stubs: () => ({ checkTosAcceptance: accepted }),
    drive: (d) => d.settle(),
  },
  {
    name: 'terms-check-failed-then-detected',
    input: (o, domain, f) => defaultInput(o, domain, f, { waitPolicy: { checkEvery: '1 hour' } }),
    stubs: () => ({
      checkTosAcceptance: (base) => {
        let calls = 0;
        return async (input) => {
          calls += 1;
          if (calls <= 2) return fail('StubOutage', 'Google answered 400 (matrix stub)')(input);
          return { ...((await base(input)) as object), accepted: true };
        };
      },
    }),
    drive: (d) => d.settle(),
  },
  {
    name: 'cancelled-while-awaiting-tos',
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.cancel('matrix: cancelled while awaiting the terms');
      await d.settle();
    },
  },
  {
    // From 0.2 on the domain shows verified at creation here (the stubs' default): issue 17's third branch.
    name: 'reminded-then-expired',
    drive: (d) => d.settle(),
  },
  {
    name: 'deadline-extended-then-completed',
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.update('extendDeadline', { by: '7 days' }, 'matrix-request-1');
      await d.pause();
      await d.update('extendDeadline', { by: '7 days' }, 'matrix-request-1');
      await d.pause();
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'continue-as-new-in-terms-wait-then-completed',
    chain: true,
    input: (o, domain, f) => defaultInput(o, domain, f, { waitPolicy: { checkEvery: '1 hour' } }),
    async drive(d) {
      const { runId } = await d.handle.describe();
      await d.stage('awaiting-tos');
      await d.env.sleep('6 days');
      await continuedAsNew(d, runId);
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'update-retried-across-continue-as-new',
    chain: true,
    input: (o, domain, f) => defaultInput(o, domain, f, { waitPolicy: { checkEvery: '1 hour' } }),
    async drive(d) {
      const { runId } = await d.handle.describe();
      await d.stage('awaiting-tos');
      await d.update('extendDeadline', { by: '7 days' }, 'matrix-request-across');
      await d.env.sleep('6 days');
      await continuedAsNew(d, runId);
      await d.update('extendDeadline', { by: '7 days' }, 'matrix-request-across');
      await d.pause();
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'cancelled-then-failed-during-createAdminUser',
    holds: () => ({ createAdminUser: new Hold('createAdminUser') }),
    stubs: () => ({ createAdminUser: () => fail() }),
    async drive(d, hold) {
      await d.entered(hold('createAdminUser'));
      await d.cancel('matrix: cancelled, then the step failed');
      await d.pause();
      hold('createAdminUser').let();
      await d.settle();
    },
  },
  {
    name: 'compensation-failed',
    stubs: (f) => ({
      [f.fidelity ? 'prepareDomainVerification' : 'sendSignInNotice']: () => fail(),
      deleteUser: () => fail('StubRefusal', 'delete refused (matrix stub)'),
      revokeSuperAdmin: () => fail('StubRefusal', 'revoke refused (matrix stub)'),
    }),
    drive: (d) => d.settle(),
  },
  // ── domain verification (0.2 on) ──
  {
    // Issue 17's first branch: terms reported by signal, then a cancel while the domain is unverified.
    name: 'domain-unverified-terms-signalled-then-cancelled',
    when: fidelity,
    stubs: () => unverifiedDomain,
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.stage('awaiting-domain-verification');
      await d.cancel('matrix: cancelled while the domain is unverified');
      await d.settle();
    },
  },
  {
    name: 'domain-unverified-expired-in-verification',
    when: fidelity,
    stubs: () => unverifiedDomain,
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.stage('awaiting-domain-verification');
      await d.settle();
    },
  },
  {
    name: 'domain-unverified-expired-awaiting-tos',
    when: fidelity,
    stubs: () => unverifiedDomain,
    drive: (d) => d.settle(),
  },
  {
    name: 'domain-verified-by-signal',
    when: fidelity,
    stubs: () => unverifiedDomain,
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.stage('awaiting-domain-verification');
      await d.signal('domainVerified', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'domain-verified-detected',
    when: fidelity,
    input: (o, domain, f) => defaultInput(o, domain, f, { waitPolicy: { checkEvery: '1 hour' } }),
    stubs: () => ({
      ...unverifiedDomain,
      checkTosAcceptance: accepted,
      tryDomainVerification: () => afterFirstCall(() => ({ verified: true }))(async () => ({ verified: false })),
    }),
    drive: (d) => d.settle(),
  },
  {
    name: 'verify-domain-false-completed',
    when: fidelity,
    input: (o, domain, f) => defaultInput(o, domain, f, { verifyDomain: false }),
    stubs: () => unverifiedDomain,
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  // ── the transfer token ──
  {
    name: 'transfer-token-refused-then-transferred',
    input: (o, domain, f) => defaultInput(o, domain, f, { transferToken: 'refused-token-0' }),
    stubs: (f) => ({ ...heldElsewhere(f), ...refusesBadTokens(f) }),
    async drive(d) {
      await d.stage('awaiting-transfer-token');
      await d.update('provideTransferToken', 'matrix-good-token', 'matrix-token-1');
      await d.settle();
    },
  },
  {
    name: 'transfer-token-replaced',
    stubs: (f) => ({ ...heldElsewhere(f), ...refusesBadTokens(f) }),
    holds: (f) => {
      const first = f.fidelity ? 'registerTransferredCustomer' : 'transferSubscriptions';
      return { first: new Hold(first) };
    },
    async drive(d, hold) {
      await d.stage('awaiting-transfer-token');
      await d.update('provideTransferToken', 'refused-token-1', 'matrix-token-1');
      await d.entered(hold('first'));
      await d.update('provideTransferToken', 'matrix-good-token', 'matrix-token-2');
      await d.pause();
      hold('first').let();
      await d.settle();
    },
  },
  {
    name: 'transfer-token-expired',
    stubs: heldElsewhere,
    drive: (d) => d.settle(),
  },
  {
    name: 'cancelled-while-awaiting-transfer-token',
    stubs: heldElsewhere,
    async drive(d) {
      await d.stage('awaiting-transfer-token');
      await d.cancel('matrix: cancelled while awaiting the token');
      await d.settle();
    },
  },
  {
    name: 'continue-as-new-in-token-wait-then-transferred',
    chain: true,
    stubs: heldElsewhere,
    async drive(d) {
      const { runId } = await d.handle.describe();
      await d.stage('awaiting-transfer-token');
      await growHistory(d);
      await d.env.sleep('4 days'); // the first reminder wakes the wait, which then hands over
      await continuedAsNew(d, runId);
      await d.update('provideTransferToken', 'matrix-good-token', 'matrix-token-1');
      await d.settle();
    },
  },
  {
    name: 'token-update-retried-across-continue-as-new',
    when: release3,
    chain: true,
    stubs: (f) => ({ ...heldElsewhere(f), ...refusesBadTokens(f) }),
    async drive(d) {
      const { runId } = await d.handle.describe();
      await d.stage('awaiting-transfer-token');
      await d.update('provideTransferToken', 'refused-token-1', 'matrix-token-1');
      await d.pause();
      await growHistory(d);
      await d.env.sleep('4 days');
      await continuedAsNew(d, runId);
      await d.update('provideTransferToken', 'refused-token-1', 'matrix-token-1'); // a retry: answered from the ledger
      await d.pause();
      await d.update('provideTransferToken', 'matrix-good-token', 'matrix-token-2');
      await d.settle();
    },
  },
  // ── release 0.4's own branches ──
  {
    name: 'transfer-then-new-terms-signalled',
    when: release4,
    input: (o, domain, f) => defaultInput(o, domain, f, { transferToken: 'matrix-good-token' }),
    stubs: heldElsewhere,
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'terms-reported-before-transfer-dropped-then-expired',
    when: release4,
    stubs: heldElsewhere,
    async drive(d) {
      await d.stage('awaiting-transfer-token');
      await d.signal('tosAccepted', { reportedBy: 'matrix-too-early' });
      await d.update('provideTransferToken', 'matrix-good-token', 'matrix-token-1');
      await d.settle();
    },
  },
  {
    name: 'keyless-signals-ignored-then-completed',
    when: release4,
    stubs: () => ({
      validateOrder: (base) => async (input) => ({ ...((await base(input)) as object), encryptionRequired: true }),
    }),
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.signal('tosAccepted');
      await d.signal('domainVerified');
      await d.pause();
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'subscriptions-not-ended-admin-kept',
    when: release4,
    stubs: () => ({
      prepareDomainVerification: () => fail(),
      endSubscriptions: () => fail('Google.conditionNotMet', 'no administrator on the account (matrix stub)'),
    }),
    drive: (d) => d.settle(),
  },
  // ── the one-off endings ──
  {
    name: 'team-completed-detected',
    input: (o, domain) => o.teamOrder(domain, { waitPolicy: { checkEvery: '1 hour' } }),
    stubs: () => ({ checkTosAcceptance: accepted }),
    drive: (d) => d.settle(),
  },
  {
    name: 'team-cancelled-while-awaiting-tos',
    input: (o, domain) => o.teamOrder(domain),
    async drive(d) {
      await d.stage('awaiting-tos');
      await d.cancel('matrix: team order cancelled');
      await d.settle();
    },
  },
  {
    name: 'already-a-customer',
    when: fidelity,
    stubs: () => ({
      createResoldCustomer: (base) => async (input) => ({
        ...((await base(input)) as object),
        outcome: 'already-a-customer',
        reason: 'the customer predates this onboarding (matrix stub)',
      }),
    }),
    drive: (d) => d.settle(),
  },
  {
    // From 0.2 on, where validation is an activity. 0.1 validated inside the workflow and failed at
    // once: no such run can be running, and the frozen 0.1 code rightly no longer validates.
    name: 'invalid-order',
    when: fidelity,
    input: (o, domain, f) => defaultInput(o, domain, f, { language: 'klingon' }),
    drive: (d) => d.settle(),
  },
  {
    name: 'plaintext-refused',
    when: fidelity,
    input: () => ({ __onboardingRefusedPlaintext: true }),
    drive: (d) => d.settle(),
  },
];

export const SCENARIOS: Scenario[] = [...stepScenarios(), ...waitScenarios];

/**
 * A chain spanning two releases: the onboarding starts and parks on the older release's worker
 * (`before`), that worker stops, and the current release's worker takes over (`after`): it replays
 * the old run, wakes it, and (for the continue-as-new ones) starts its successor from the carried
 * state the old run's code built up — what a deploy does to every parked onboarding.
 */
export interface UpgradeScenario {
  name: string;
  stubs?: (f: Features) => Overrides;
  before(d: Drive): Promise<void>;
  after(d: Drive, firstRunId: string | undefined): Promise<void>;
}

export const UPGRADE_SCENARIOS: UpgradeScenario[] = [
  {
    name: 'parked-in-terms-wait-then-completed-on-new-release',
    before: (d) => d.stage('awaiting-tos'),
    async after(d) {
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'terms-wait-continued-as-new-on-new-release-then-completed',
    async before(d) {
      await d.stage('awaiting-tos');
      await growHistory(d);
    },
    async after(d, firstRunId) {
      await d.env.sleep('4 days'); // the first reminder wakes the wait, which hands over on the new code
      await continuedAsNew(d, firstRunId);
      await d.signal('tosAccepted', { reportedBy: 'matrix' });
      await d.settle();
    },
  },
  {
    name: 'token-wait-continued-as-new-on-new-release-then-transferred',
    stubs: heldElsewhere,
    async before(d) {
      await d.stage('awaiting-transfer-token');
      await growHistory(d);
    },
    async after(d, firstRunId) {
      await d.env.sleep('4 days');
      await continuedAsNew(d, firstRunId);
      await d.update('provideTransferToken', 'matrix-good-token', 'matrix-token-1');
      await d.pause(1000);
      await d.signal('tosAccepted', { reportedBy: 'matrix' }); // the new release asks for Google's new terms
      await d.settle();
    },
  },
];
