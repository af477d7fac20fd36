/**
 * The real worker process (`tsx worker/main.ts`), configured only through its environment, as an
 * operator runs it: for tests that kill it (SIGKILL) and start another.
 *
 * tsx runs the worker in a child process of its own, so a signal to the tsx process alone would
 * leave the worker polling: the worker is spawned in its own process group and the whole group is
 * signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { FIXTURE_KEYS } from './fixture-keys';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
// Only what Node and tsx need: the worker's own settings must not leak in from the developer's shell.
const INHERITED_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_EXTRA_CA_CERTS'];

export interface WorkerProcessOptions {
  /** host:port of the Temporal frontend (TestWorkflowEnvironment's `address`). */
  temporalAddress: string;
  namespace?: string;
  emulator: { url: string; smtpPort: number };
  googleRequestTimeoutMs?: number;
  /** Extra or overriding variables. */
  env?: Record<string, string>;
  /** Bundling the workflow code takes seconds; a loaded CI machine needs more. */
  startTimeoutMs?: number;
  /** How many of the last output lines to keep (default 200); Infinity keeps them all. */
  outputLinesKept?: number;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<WorkerProcess>();

/** The fixture key in the variable's format, so the worker and the tests' client (fixtureDataConverter) agree. */
export function fixtureKeysVariable(): string {
  return FIXTURE_KEYS.map(({ id, key }) => `${id}:${Buffer.from(key).toString('base64')}`).join(',');
}

export class WorkerProcess {
  /** The last lines the worker wrote (stdout and stderr), for failure messages. */
  readonly output: string[] = [];
  readonly exited: Promise<WorkerExit>;
  private exit: WorkerExit | undefined;

  private constructor(
    private readonly child: ChildProcess & { pid: number },
    private readonly outputLinesKept: number,
  ) {
    running.add(this);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.output.push(line);
        if (this.output.length > this.outputLinesKept) this.output.shift();
      });
    }
  }

  /** Process group id (= pid of the tsx process). */
  get pid(): number {
    return this.child.pid;
  }

  /** Starts a worker and resolves once it logged 'worker started' (its workflow bundle is built and it polls). */
  static async start(options: WorkerProcessOptions): Promise<WorkerProcess> {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => INHERITED_VARIABLES.includes(name)),
    );
    const child = spawn(TSX, ['worker/main.ts'], {
      cwd: REPO_ROOT,
      detached: true, // its own process group: see the file comment
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        ONBOARDING_MODE: 'local',
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_NAMESPACE: options.namespace ?? 'default',
        GOOGLE_API_ROOT_URL: options.emulator.url,
        SMTP_URL: `smtp://127.0.0.1:${options.emulator.smtpPort}`,
        GOOGLE_REQUEST_TIMEOUT_MS: String(options.googleRequestTimeoutMs ?? 5000),
        ONBOARDING_ENCRYPTION_KEYS: fixtureKeysVariable(),
        // 'worker started' is an info line; the output is only kept in memory, never printed.
        LOG_LEVEL: 'info',
        ...options.env,
      },
    });
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`could not spawn the worker: ${error.message}`);
    }
    const worker = new WorkerProcess(child as ChildProcess & { pid: number }, options.outputLinesKept ?? 200);
    try {
      await worker.waitForLine((line) => isWorkerStarted(line), options.startTimeoutMs ?? 60_000);
    } catch (err) {
      await worker.kill('SIGKILL');
      throw err;
    }
    return worker;
  }

  /**
   * Signals the whole process group and resolves once none of its processes runs any more.
   * SIGKILL is the crash under test: no shutdown code runs, in-flight calls are cut.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<WorkerExit> {
    try {
      process.kill(-this.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
    const exit = await this.exited;
    await waitForGroupGone(this.pid, 10_000);
    running.delete(this);
    return exit;
  }

  private waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const seen = () => this.output.some(match);
      const finish = (error?: Error) => {
        clearInterval(poll);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const describe = (why: string) =>
        new Error(`worker ${why}; its last output:\n${this.output.slice(-30).join('\n')}`);
      const poll = setInterval(() => {
        if (seen()) finish();
        else if (this.exit) finish(describe(`exited (${JSON.stringify(this.exit)}) before it started`));
      }, 50);
      const timer = setTimeout(() => finish(describe(`did not start within ${timeoutMs} ms`)), timeoutMs);
    });
  }
}

function isWorkerStarted(line: string): boolean {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === 'worker started';
  } catch {
    return false;
  }
}

/** Live (non-zombie) processes of a group. Zombies count as gone: they run nothing, and PID 1 may reap late. */
function livePidsOfGroup(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // no procfs: the tsx process's exit is all we can wait for
  }
  const live: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') live.push(Number(entry));
  }
  return live;
}

async function waitForGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = livePidsOfGroup(pgid);
    if (live.length === 0) return;
    if (Date.now() >= deadline)
      throw new Error(`worker process group ${pgid} still runs ${live.join(', ')} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** For afterAll: no worker may outlive its test file (it would keep polling the next file's server). */
export async function killAllWorkerProcesses(): Promise<void> {
  await Promise.all([...running].map((worker) => worker.kill('SIGKILL')));
}

// Last resort when Jest exits without running afterAll: the groups are still signalled, synchronously.
process.once('exit', () => {
  for (const worker of running) {
    try {
      process.kill(-worker.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
