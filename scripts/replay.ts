/**
 * `npm run replay`: before a deploy, replays the histories of the onboardings a Temporal cluster
 * holds against the workflow code about to be deployed, so that a change that would break running
 * (or to-be-queried) onboardings is caught before it reaches them (docs/operations.md).
 *
 *   npm run replay                                   # every onboarding run: open, closed, each run of a continue-as-new chain
 *   npm run replay -- --query "StartTime > '2026-01-01T00:00:00Z'" --limit 500
 *   npm run replay -- --dir test/histories/0.2       # JSON histories from a folder (and its subfolders), as CI does
 *   npm run replay -- --workflows path/to/workflows.ts   # other workflow code than ./workflows
 *
 * Connects with the CLI's settings (TEMPORAL_*, ONBOARDING_ENCRYPTION_KEYS: histories are encrypted,
 * replay needs the keys that wrote them). Prints one line per run and a summary. Exit codes, as the
 * CLI's: 0 every run replayed · 1 some did not (their workflow ids are named on stderr) · 2 invalid
 * input (arguments, configuration, a folder without histories) · 4 Temporal unreachable.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { boundWorkflowIdOf } from '../encryption/history-binding';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { EXIT } from '../client/cli';
import { ConfigError } from '../config/config-error';
import { connectFromEnv } from '../client/connect-from-env';
import { loadEnvFile } from '../config/env-file';
import { isTemporalUnreachable } from '../client/onboarding-client';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../encryption/keys';
import { WORKFLOW_TYPE } from '../workflows/messages';

export const DEFAULT_WORKFLOWS_PATH = require.resolve('../workflows');

const USAGE = `usage: npm run replay -- [--query <visibility filter>] [--limit <n>] [--dir <folder>] [--workflows <path>]
  --query      only the onboardings this visibility query selects (ANDed with WorkflowType='${WORKFLOW_TYPE}')
  --limit      at most this many runs
  --dir        replay the JSON histories in this folder (and its subfolders) instead of the cluster's
  --workflows  the workflow code to replay against (default: this project's workflows/)`;

export interface ReplayDeps {
  /** Where settings come from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Builds the workflow bundle for a workflows path (tests pass one they already built). */
  bundle?: (workflowsPath: string) => Promise<WorkflowBundle>;
}

class UsageError extends Error {}

/** What is known of a run before it is replayed, for its output line. */
interface RunInfo {
  label: string;
  workflowId: string;
  runId?: string;
  executionStatus?: string;
  events: number;
}

interface Options {
  query?: string;
  limit?: number;
  dir?: string;
  workflowsPath: string;
}

function parseOptions(argv: string[]): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        query: { type: 'string' },
        limit: { type: 'string' },
        dir: { type: 'string' },
        workflows: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
    throw new UsageError('--limit: must be a whole number ≥ 1');
  if (values.dir !== undefined && values.query !== undefined)
    throw new UsageError('--query selects from the cluster: it does not go with --dir');
  if (values.query !== undefined && values.query.trim() === '') throw new UsageError('--query: must not be empty');
  let workflowsPath = DEFAULT_WORKFLOWS_PATH;
  if (values.workflows !== undefined) {
    try {
      workflowsPath = require.resolve(path.resolve(values.workflows));
    } catch {
      throw new UsageError(`--workflows: no workflow module at ${values.workflows}`);
    }
  }
  return {
    workflowsPath,
    ...(values.query !== undefined ? { query: values.query } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(values.dir !== undefined ? { dir: values.dir } : {}),
  };
}

/** The *.json files under `dir`, sorted, as paths relative to it. */
function historyFiles(dir: string): string[] {
  let stats;
  try {
    stats = statSync(dir);
  } catch {
    throw new UsageError(`--dir: ${dir} does not exist`);
  }
  if (!stats.isDirectory()) throw new UsageError(`--dir: ${dir} is not a folder`);
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new UsageError(`--dir: no *.json histories in ${dir}`);
  return files;
}

/** Histories from a folder; a file that is not a history is reported as such, and the rest go on. */
function* folderHistories(
  dir: string,
  limit: number | undefined,
  infos: RunInfo[],
  unreadable: RunInfo[],
): Generator<HistoryAndWorkflowId> {
  for (const file of historyFiles(dir).slice(0, limit)) {
    const label = file.replace(/\.json$/, '');
    let history;
    try {
      history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    } catch (err) {
      unreadable.push({
        label: `${label}: not a history (${(err as Error).message.split('\n')[0]})`,
        workflowId: label,
        events: 0,
      });
      continue;
    }
    // 0.4 on: payloads are bound to their workflow id, written in clear beside them.
    const workflowId = boundWorkflowIdOf(history) ?? label;
    infos.push({ label, workflowId, events: history.events?.length ?? 0 });
    yield { workflowId, history };
  }
}

/** The cluster's onboarding runs, each history fetched by run id; a few fetched ahead of the replay. */
async function* clusterHistories(
  client: Awaited<ReturnType<typeof connectFromEnv>>,
  options: Options,
  infos: RunInfo[],
  skipped: string[],
): AsyncGenerator<HistoryAndWorkflowId> {
  const query = [`WorkflowType = '${WORKFLOW_TYPE}'`, ...(options.query ? [`(${options.query})`] : [])].join(' AND ');
  const fetchOne = async (workflowId: string, runId: string, executionStatus: string) => {
    try {
      const history = await client.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
      return { workflowId, runId, executionStatus, history };
    } catch (err) {
      // Gone between the listing and the fetch (retention): nothing left to break.
      if ((err as Error).name === 'WorkflowNotFoundError')
        return { workflowId, runId, executionStatus, history: undefined };
      throw err;
    }
  };
  const ahead: ReturnType<typeof fetchOne>[] = [];
  const drain = async function* () {
    const next = await (ahead.shift() as ReturnType<typeof fetchOne>);
    if (!next.history) {
      skipped.push(`${next.workflowId} run ${next.runId}`);
      return;
    }
    infos.push({ label: next.workflowId, ...next, events: next.history.events?.length ?? 0 });
    yield { workflowId: next.workflowId, history: next.history };
  };
  try {
    let listed = 0;
    for await (const execution of client.temporal.workflow.list({ query })) {
      const fetching = fetchOne(execution.workflowId, execution.runId, execution.status.name);
      fetching.catch(() => undefined); // awaited in order below; never an unhandled rejection meanwhile
      ahead.push(fetching);
      if (ahead.length >= 4) yield* drain();
      listed += 1;
      if (options.limit && listed >= options.limit) break;
    }
    while (ahead.length > 0) yield* drain();
  } finally {
    ahead.length = 0;
  }
}

/** The error's name and what went wrong: core's message when the SDK wraps one (`message: "[TMPRL1100] …"`). */
function describeError(err: Error): string {
  const coreMessage = /message: "([^"]*)"/.exec(err.message)?.[1];
  const described = `${err.name}: ${coreMessage ?? err.message.split('\n')[0]}`;
  // Not a determinism failure: the workflow could not run (its real message is logged above, e.g. a payload the configured keys cannot decrypt).
  return err.name === 'DeterminismViolationError'
    ? described
    : `${described} (not a determinism failure: see the error logged above)`;
}

/** Runs the replay and returns the exit code. */
export async function runReplay(argv: string[], deps: ReplayDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = deps.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  let options: Options | 'help';
  let dataConverter: DataConverter;
  try {
    options = parseOptions(argv);
    if (options === 'help') {
      out(USAGE);
      return EXIT.ok;
    }
    if (options.dir) historyFiles(options.dir); // refused before anything is built
    dataConverter = createDataConverter(env);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      err(`Error: ${e.message}`);
      if (e instanceof UsageError) err(USAGE);
      return EXIT.invalidInput;
    }
    throw e;
  }

  let client: Awaited<ReturnType<typeof connectFromEnv>> | undefined;
  if (!options.dir) {
    try {
      client = await connectFromEnv(env);
    } catch (e) {
      if (e instanceof ConfigError) {
        err(`Error: ${e.message}`);
        return EXIT.invalidInput;
      }
      err(`Error: cannot reach Temporal: ${(e as Error).message}`);
      return EXIT.unreachable;
    }
  }
  try {
    const bundle =
      deps.bundle ??
      ((workflowsPath: string) =>
        bundleWorkflowCode({
          workflowsPath,
          failureConverterPath: FAILURE_CONVERTER_PATH,
          logger: new DefaultLogger('WARN'),
        }));
    const workflowBundle = await bundle(options.workflowsPath);
    const infos: RunInfo[] = [];
    const unreadable: RunInfo[] = [];
    const skipped: string[] = [];
    const histories = options.dir
      ? folderHistories(options.dir, options.limit, infos, unreadable)
      : clusterHistories(client as NonNullable<typeof client>, options, infos, skipped);

    const failed: RunInfo[] = [];
    let replayed = 0;
    let ok = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle, dataConverter, replayName: 'npm run replay' },
      histories,
    )) {
      // One history at a time, in order: the oldest pending info is this result's.
      const info = infos.shift() ?? { label: result.workflowId, workflowId: result.workflowId, events: 0 };
      const runId = info.runId ?? result.runId;
      const what = `${info.label}  run ${runId}${info.executionStatus ? `  ${info.executionStatus}` : ''}  ${info.events} events`;
      replayed += 1;
      if (result.error) {
        failed.push(info);
        out(`FAIL  ${what}: ${describeError(result.error)}`);
      } else {
        ok += 1;
        out(`ok    ${what}`);
      }
    }
    for (const bad of unreadable) {
      failed.push(bad);
      out(`FAIL  ${bad.label}`);
    }
    for (const gone of skipped) out(`skip  ${gone}: its history no longer exists`);

    const workflows = new Set(failed.map((f) => f.workflowId));
    const source = options.dir ? `from ${options.dir}` : 'from the cluster';
    out(
      `Replayed ${replayed} run(s) ${source} against ${path.relative(process.cwd(), options.workflowsPath) || options.workflowsPath}: ` +
        `${ok} ok, ${failed.length} failed${skipped.length ? `, ${skipped.length} skipped (gone)` : ''}.`,
    );
    if (failed.length > 0) {
      err(`Replay failed for ${workflows.size} workflow(s): ${[...workflows].join(', ')}`);
      return EXIT.error;
    }
    if (replayed === 0 && !options.dir) out('Nothing to replay: no onboarding matched.');
    return EXIT.ok;
  } catch (e) {
    err(`Error: ${(e as Error).message}`);
    return isTemporalUnreachable(e) ? EXIT.unreachable : EXIT.error;
  } finally {
    await client?.close();
  }
}

if (require.main === module) {
  loadEnvFile();
  // The replay worker (and its native core, on stdout) would log its state changes and each failure this script reports itself.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  runReplay(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(EXIT.error);
    },
  );
}
