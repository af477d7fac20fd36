#!/usr/bin/env node
/**
 * `onboarding` — the command line over the client library, for operators and scripts.
 *
 * Exit codes: 0 done · 1 unexpected error (incl. no worker answering an onboarding that has no
 * status memo) · 2 invalid input (the order, a token, an argument, a request id) ·
 * 3 no onboarding for that domain · 4 Temporal unreachable.
 *
 * `extend-deadline` and `transfer-token` send a request id (`--request-id`, a fresh UUID by default,
 * printed) so that a retry after a lost answer is applied once.
 *
 * A Temporal error is shown with its causes (the server's own words) and, for the known setup
 * mistakes, what to do (explain-error.ts): `What to do:` on stderr, `hint` in --json.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError, type Connection } from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { OrderValidationError, validateOrder } from '../order/order';
import { addStartBatchCommand } from './batch/command';
import { orderPolicyFromEnv } from '../order/policy-env';
import { STAGES, type OnboardingStatus } from '../workflows/messages';
import { ConfigError } from '../config/config-error';
import { connectFromEnv } from './connect-from-env';
import { diagnoseConnection, setupHint, withCauses, type ConnectionFacts } from './explain-error';
import { temporalSettingsFromEnv } from '../config/temporal';
import {
  InvalidRequestIdError,
  isTemporalUnreachable,
  NoWorkerAnsweredError,
  OnboardingEndedError,
  OnboardingNotFoundError,
  validateRequestId,
  type OnboardingClient,
  type StatusReading,
} from './onboarding-client';
import { loadEnvFile } from '../config/env-file';
import {
  ReconciliationInputError,
  reconciliationSchedulePlan,
  runReconciliation,
  scheduleReconciliation,
} from './reconciliation';
import type { ReconciliationReport } from '../workflows/reconcile-messages';

export const EXIT = { ok: 0, error: 1, invalidInput: 2, notFound: 3, unreachable: 4 } as const;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** What to do about it, when known. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A Temporal call failed: its message is the whole cause chain; the exit code is judged on the original. */
class TemporalCallError extends Error {
  constructor(
    readonly original: unknown,
    readonly hint?: string,
  ) {
    super(withCauses(original));
  }
}

/** Errors of this CLI and the client library that already say what happened (and carry their exit code). */
function isOwnError(err: unknown): boolean {
  return [
    CliError,
    TemporalCallError,
    OrderValidationError,
    ConfigError,
    OnboardingNotFoundError,
    OnboardingEndedError,
    InvalidRequestIdError,
    NoWorkerAnsweredError,
    WorkflowUpdateFailedError,
    CommanderError,
  ].some((type) => err instanceof type);
}

/** Where the environment's settings connect to (what the default `connect` uses), for diagnosing a failed connection. */
export function connectionFactsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionFacts {
  const { connectionOptions, namespace } = temporalSettingsFromEnv(env);
  const tlsOption = connectionOptions.tls;
  const tlsConfig = typeof tlsOption === 'object' && tlsOption !== null ? tlsOption : undefined;
  return {
    address: connectionOptions.address ?? 'localhost:7233',
    namespace,
    tls: Boolean(tlsOption) || (Boolean(connectionOptions.apiKey) && tlsOption !== false),
    ...(tlsConfig?.serverNameOverride ? { serverName: tlsConfig.serverNameOverride } : {}),
    ...(tlsConfig?.serverRootCACertificate ? { serverCa: tlsConfig.serverRootCACertificate } : {}),
  };
}

function readOrder(file: string): unknown {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT.invalidInput);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON`, EXIT.invalidInput);
  }
}

/** `--request-id`: checked before connecting (exit 2); a fresh UUID when not given. */
function requestIdOption(value: string): string {
  try {
    validateRequestId(value);
  } catch (err) {
    throw new CliError(`--request-id: ${(err as Error).message.replace(/^request id: /, '')}`, EXIT.invalidInput);
  }
  return value;
}

function formatStatus(s: OnboardingStatus, reading?: Omit<StatusReading, 'status'>): string {
  const lines = [`${s.customerDomain}: ${s.stage}`];
  if (reading?.source === 'memo' && reading.executionStatus === 'RUNNING') {
    lines.push('  (no worker answered: as the onboarding recorded it at its last stage change)');
  }
  if (s.customerId) lines.push(`  customer id:  ${s.customerId}`);
  if (s.adminEmail) lines.push(`  super admin:  ${s.adminEmail}`);
  if (s.waitingFor)
    lines.push(
      `  waiting for:  ${s.waitingFor.what} since ${s.waitingFor.since}${s.waitingFor.deadline ? `, until ${s.waitingFor.deadline}` : ''}`,
    );
  if (s.tosAccepted) lines.push(`  terms accepted ${s.tosAccepted.at} (${s.tosAccepted.via})`);
  if (s.failure) lines.push(`  failure:      ${s.failure.type}: ${s.failure.message}`);
  if (s.alreadyACustomer) lines.push(`  not touched:  ${s.alreadyACustomer.reason}`);
  for (const sub of s.subscriptions ?? []) {
    const reasons = sub.suspensionReasons?.length ? ` (${sub.suspensionReasons.join(', ')})` : '';
    lines.push(
      `  subscription: ${sub.skuName ?? sub.skuId}, ${sub.plan}, ${sub.seats} seats: ${sub.status ?? 'ordered'}${reasons}`,
    );
  }
  for (const step of s.steps) {
    lines.push(
      `  - ${step.name.padEnd(22)} ${step.outcome ?? 'running'}${step.attempts && step.attempts > 1 ? ` after ${step.attempts} attempts` : ''}  ${step.startedAt}`,
    );
  }
  return lines.join('\n');
}

export function buildCli(
  connect: () => Promise<OnboardingClient & { close(): Promise<void> }> = connectFromEnv,
  /** Where `connect` connects to, to diagnose a failed connection (default: the environment's, with the default connect). */
  connectionFacts: (() => ConnectionFacts) | undefined = connect === connectFromEnv
    ? connectionFactsFromEnv
    : undefined,
): Command {
  const program = new Command('onboarding')
    .description('Start and follow Google Workspace customer onboardings (Temporal workflows).')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .exitOverride();

  const print = (value: unknown, text: () => string) => {
    process.stdout.write(`${program.opts().json ? JSON.stringify(value, null, 2) : text()}\n`);
  };
  const withClient = async (action: (client: OnboardingClient) => Promise<void>) => {
    let client: OnboardingClient & { close(): Promise<void> };
    try {
      client = await connect();
    } catch (err) {
      if (err instanceof OrderValidationError || err instanceof ConfigError) throw err;
      const facts = connectionFacts?.();
      throw new CliError(
        `Cannot reach Temporal${facts ? ` at ${facts.address}` : ''}: ${withCauses(err)}`,
        EXIT.unreachable,
        facts ? await diagnoseConnection(facts) : undefined,
      );
    }
    try {
      await action(client);
    } catch (err) {
      throw await explained(err, client, connectionFacts);
    } finally {
      await client.close();
    }
  };

  program
    .command('start')
    .description('validate an order and start its onboarding (or show the one that exists)')
    .argument('<order.json>', 'the order file, or - for standard input')
    .action(async (file: string) => {
      // Refused before connecting: a bad order never reaches Temporal, nor needs it to be refused.
      const order = validateOrder(readOrder(file), orderPolicyFromEnv());
      await withClient(async (client) => {
        const started = await client.start(order);
        print(started, () =>
          started.alreadyExisted
            ? `An onboarding for ${started.customerDomain} already exists (${started.workflowId}, ${started.executionStatus}); nothing new was started.`
            : `Started ${started.workflowId} (run ${started.runId}).`,
        );
      });
    });

  addStartBatchCommand(program, {
    withClient,
    fail: (message, exitCode) => new CliError(message, exitCode),
    exit: EXIT,
    policy: () => orderPolicyFromEnv(),
  });

  program
    .command('status')
    .description('show where an onboarding is')
    .argument('<domain>')
    .action(async (domain: string) => {
      await withClient(async (client) => {
        const { status, ...reading } = await client.readStatus(domain);
        print(status, () => formatStatus(status, reading));
      });
    });

  program
    .command('accept-tos')
    .description('report that the customer accepted the Google Workspace terms')
    .argument('<domain>')
    .option('--reported-by <who>', 'who reports it (shown in the status)')
    .action(async (domain: string, options: { reportedBy?: string }) => {
      await withClient(async (client) => {
        await client.acceptTos(domain, options.reportedBy ? { reportedBy: options.reportedBy } : {});
        print({ customerDomain: domain, signalled: 'tosAccepted' }, () => `Recorded: ${domain} accepted the terms.`);
      });
    });

  program
    .command('transfer-token')
    .description("hand over the customer's transfer token (domain already managed by Google or another reseller)")
    .argument('<domain>')
    .argument(
      '[token]',
      'the token; omit it or give - to read it from standard input (keeps it out of ps and shell history)',
    )
    .option(
      '--request-id <id>',
      "this request's id: a retry with the same id is tried once (default: a fresh UUID)",
      requestIdOption,
    )
    .option(
      '--no-wait',
      'return once the onboarding accepted the token, without waiting for the transfer (read the outcome with status)',
    )
    .action(
      async (domain: string, tokenArgument: string | undefined, options: { requestId?: string; wait: boolean }) => {
        const token =
          tokenArgument === undefined || tokenArgument === '-' ? readFileSync(0, 'utf8').trim() : tokenArgument;
        const requestId = options.requestId ?? randomUUID();
        await withClient(async (client) => {
          const outcome = await client.provideTransferToken(domain, token, { requestId, wait: options.wait });
          if (outcome.outcome === 'refused' || outcome.outcome === 'failed') {
            throw new CliError(
              `transfer token ${outcome.outcome}: ${outcome.message} (request id ${requestId})`,
              EXIT.invalidInput,
            );
          }
          print({ ...outcome, requestId }, () => `${outcome.outcome}: ${outcome.message} (request id ${requestId})`);
        });
      },
    );

  program
    .command('extend-deadline')
    .description('move the deadline of the customer wait (terms or transfer token)')
    .argument('<domain>')
    .option('--by <duration>', 'push it by a duration, e.g. "7 days"')
    .option('--until <iso>', 'set it to an ISO date-time')
    .option(
      '--request-id <id>',
      "this request's id: a retry with the same id moves the deadline once (default: a fresh UUID)",
      requestIdOption,
    )
    .action(async (domain: string, options: { by?: string; until?: string; requestId?: string }) => {
      const { requestId = randomUUID(), ...extension } = options;
      await withClient(async (client) => {
        const result = await client.extendDeadline(domain, extension, { requestId });
        print(
          { ...result, requestId },
          () => `New deadline for ${domain}: ${result.deadline} (request id ${requestId})`,
        );
      });
    });

  program
    .command('cancel')
    .description('cancel an onboarding: undo what can be undone and tell sales')
    .argument('<domain>')
    .requiredOption('--reason <text>', 'why (shown in the status and sent to sales)')
    .option('--requested-by <who>')
    .action(async (domain: string, options: { reason: string; requestedBy?: string }) => {
      await withClient(async (client) => {
        await client.cancel(domain, options.reason, options.requestedBy);
        print({ customerDomain: domain, cancelRequested: true }, () => `Cancellation requested for ${domain}.`);
      });
    });

  program
    .command('list')
    .description('list onboardings (running ones first, then by start time)')
    .addOption(new Option('--stage <stage>', 'only those at this stage').choices(STAGES))
    .option(
      '--limit <n>',
      'at most this many',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new CliError('--limit: must be a whole number ≥ 1', EXIT.invalidInput);
        return n;
      },
      100,
    )
    .action(async (options: { stage?: (typeof STAGES)[number]; limit: number }) => {
      await withClient(async (client) => {
        const rows = await client.list(options);
        print(rows, () =>
          rows.length
            ? rows
                .map(
                  (r) =>
                    `${r.customerDomain.padEnd(30)} ${(r.stage ?? '?').padEnd(24)} ${r.executionStatus.padEnd(10)} ${r.startTime}`,
                )
                .join('\n')
            : 'No onboardings.',
        );
      });
    });

  addReconciliationCommands(program, withClient, print);

  return program;
}

/** A Temporal error with its causes and, for a known setup mistake, what to do. */
async function explained(
  err: unknown,
  client: OnboardingClient,
  connectionFacts: (() => ConnectionFacts) | undefined,
): Promise<unknown> {
  if (isOwnError(err)) return err;
  if (isTemporalUnreachable(err)) {
    const facts = connectionFacts?.();
    return new TemporalCallError(err, facts ? await diagnoseConnection(facts) : undefined);
  }
  const connection = client.temporal.connection as Partial<Connection>;
  const facts = {
    namespace: client.temporal.options.namespace,
    address: connection.options?.address ?? connectionFacts?.().address ?? 'the configured address',
  };
  return new TemporalCallError(err, setupHint(err, facts));
}

/** The reconciliation's report, for a terminal. Never holds a password: none is read. */
function formatReconciliation(r: ReconciliationReport): string {
  const lines = [
    `Ended onboardings since ${r.since} (removal ${r.removeUsers ? 'on' : 'off: report only'}): ${r.leftovers.length} super admin(s) left behind.`,
  ];
  for (const l of r.leftovers) {
    lines.push(
      `  ${l.domain}: ${l.user} (customer ${l.customerId}) — ${l.onboardingOutcome}${l.lastStage ? ` at ${l.lastStage}` : ''} ${l.closedAt}: ${l.action}`,
    );
    lines.push(`      why: ${l.why}`);
  }
  for (const u of r.unchecked) lines.push(`  could not check ${u.domain} (${u.onboardingOutcome}): ${u.verdict}`);
  lines.push(
    `${r.notReportedTotal} other ended onboarding(s) left nothing behind (--json lists them).${r.salesNotified ? ' Sales was e-mailed.' : ''}`,
  );
  return lines.join('\n');
}

/** `reconciliation schedule|run`: find (and remove) super admins that ended onboardings left behind. */
function addReconciliationCommands(
  program: Command,
  withClient: (action: (client: OnboardingClient) => Promise<void>) => Promise<void>,
  print: (value: unknown, text: () => string) => void,
): void {
  const reconciliation = program
    .command('reconciliation')
    .description(
      'find super admins left behind by terminated (or failed, cancelled) onboardings; remove them when asked',
    );
  const checked = <T>(plan: () => T): T => {
    try {
      return plan();
    } catch (err) {
      if (err instanceof ReconciliationInputError) throw new CliError(err.message, EXIT.invalidInput);
      throw err;
    }
  };
  reconciliation
    .command('schedule')
    .description('create the Temporal Schedule that runs it (daily by default), or update the existing one')
    .option('--cron <expression>', 'when, as a cron expression in UTC (default "0 6 * * *")')
    .option('--every <duration>', 'or how often, e.g. 1d or "12 hours"')
    .option(
      '--remove-users',
      'ask to delete the admins found (0.4: only a worker with RECONCILE_REMOVE_USERS=true deletes)',
    )
    .option(
      '--lookback <duration>',
      "onboardings ended within this long (default: the worker's RECONCILE_LOOKBACK, 8 days)",
    )
    .action(async (options: { cron?: string; every?: string; removeUsers?: boolean; lookback?: string }) => {
      checked(() => reconciliationSchedulePlan(options)); // refused before connecting
      await withClient(async (client) => {
        const scheduled = await scheduleReconciliation(client.temporal, options);
        print(
          scheduled,
          () =>
            `${scheduled.created ? 'Created' : 'Updated'} schedule ${scheduled.scheduleId}: runs ${scheduled.runs}, ${scheduled.input.removeUsers ? 'asking to remove the admins found (done only where the worker has RECONCILE_REMOVE_USERS=true)' : 'report only (unless the worker has RECONCILE_REMOVE_USERS=true)'}.`,
        );
      });
    });
  reconciliation
    .command('run')
    .description('run it once now (a worker must be running) and print the report')
    .option(
      '--remove-users',
      'ask to delete the admins found (0.4: only a worker with RECONCILE_REMOVE_USERS=true deletes)',
    )
    .option(
      '--lookback <duration>',
      "onboardings ended within this long (default: the worker's RECONCILE_LOOKBACK, 8 days)",
    )
    .action(async (options: { removeUsers?: boolean; lookback?: string }) => {
      checked(() => reconciliationSchedulePlan(options));
      await withClient(async (client) => {
        const report = await runReconciliation(client.temporal, options);
        print(report, () => formatReconciliation(report));
      });
    });
}

/** Runs the CLI and returns the exit code; errors are printed on stderr (JSON with --json). */
export async function runCli(
  argv: string[],
  connect?: () => Promise<OnboardingClient & { close(): Promise<void> }>,
  connectionFacts?: () => ConnectionFacts,
): Promise<number> {
  const program = connect ? buildCli(connect, connectionFacts) : buildCli();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      return thrown.exitCode === 0 ? EXIT.ok : EXIT.invalidInput; // help/version print and exit 0; usage errors are bad input
    }
    // The workflow refused an update (its validator): the input was wrong for this onboarding now.
    const err =
      thrown instanceof WorkflowUpdateFailedError && thrown.cause
        ? new CliError(thrown.cause.message, EXIT.invalidInput)
        : thrown;
    const [code, kind]: [number, string] =
      err instanceof OrderValidationError
        ? [EXIT.invalidInput, 'invalid-order']
        : err instanceof CliError
          ? [err.exitCode, err.exitCode === EXIT.unreachable ? 'unreachable' : 'invalid-input']
          : err instanceof OnboardingNotFoundError
            ? [EXIT.notFound, 'not-found']
            : err instanceof OnboardingEndedError
              ? [EXIT.invalidInput, 'ended']
              : err instanceof ConfigError
                ? [EXIT.invalidInput, 'configuration']
                : err instanceof InvalidRequestIdError
                  ? [EXIT.invalidInput, 'invalid-input']
                  : // A worker being down is not Temporal being down: that is exit 4 only.
                    err instanceof NoWorkerAnsweredError
                    ? [EXIT.error, 'no-worker']
                    : isTemporalUnreachable(err instanceof TemporalCallError ? err.original : err)
                      ? [EXIT.unreachable, 'unreachable']
                      : [EXIT.error, 'error'];
    const message = err instanceof Error ? err.message : String(err);
    const hint = err instanceof CliError || err instanceof TemporalCallError ? err.hint : undefined;
    if (program.opts().json) {
      const problems = err instanceof OrderValidationError ? err.problems : undefined;
      process.stderr.write(
        `${JSON.stringify({ error: kind, message, ...(hint ? { hint } : {}), ...(problems ? { problems } : {}) })}\n`,
      );
    } else {
      process.stderr.write(`Error: ${message}\n${hint ? `What to do: ${hint}\n` : ''}`);
    }
    return code;
  }
}

if (require.main === module) {
  loadEnvFile();
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
