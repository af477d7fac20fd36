/**
 * The compiled worker (`node dist/worker/main.js`, what `npm run worker` and the Docker image run,
 * with the prebuilt workflow bundle), as a child process configured only through its environment.
 * `ensureBuilt()` runs `npm run build` once per test run (once per file outside Jest's globalSetup),
 * so a test never runs a stale dist/, and parallel Jest workers never build over each other.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { WORKER_MALLOC_ARENA_MAX, WORKER_NODE_OPTIONS } from '../../worker/config';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const INHERITED_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

let built = false;
export function ensureBuilt(): void {
  if (built) return;
  const run = process.env.ONBOARDING_TEST_RUN; // test/support/test-run.js
  if (!run) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    // The first file of the run builds under the lock; the others wait for it and find its mark.
    const local = path.join(REPO_ROOT, '.local');
    mkdirSync(local, { recursive: true });
    const mark = path.join(local, `dist-built-for-run-${run}`);
    execFileSync(
      'flock',
      [
        path.join(local, 'build.lock'),
        'sh',
        '-c',
        'test -e "$1" || { npm run --silent build && touch "$1"; }',
        'sh',
        mark,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  built = true;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class CompiledWorker {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.output.push(line));
    }
  }

  /** Spawns it as production does (the heap caps and arena bound of `npm run worker` and the image) with exactly `env` (plus PATH/HOME); `cwd` defaults to the repository. */
  static spawn(env: Record<string, string>, cwd = REPO_ROOT): CompiledWorker {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => INHERITED_VARIABLES.includes(name)),
    );
    return new CompiledWorker(
      spawn(process.execPath, [...WORKER_NODE_OPTIONS.split(' '), path.join(REPO_ROOT, 'dist', 'worker', 'main.js')], {
        cwd,
        env: { MALLOC_ARENA_MAX: WORKER_MALLOC_ARENA_MAX, ...inherited, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  /** The parsed JSON log line with this message, once it appears. */
  async waitForLog(message: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.output) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.msg === message) return entry;
        } catch {
          // not JSON
        }
      }
      if (this.child.exitCode !== null)
        throw new Error(`worker exited (${this.child.exitCode}):\n${this.output.slice(-30).join('\n')}`);
      if (Date.now() > deadline)
        throw new Error(`no "${message}" within ${timeoutMs} ms:\n${this.output.slice(-30).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
