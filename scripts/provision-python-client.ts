/**
 * Provisions the Python example client (examples/python/) for its test: a virtual environment in
 * .tools/pyclient with the pinned requirements, installed from PyPI with pip the first time and again
 * only when examples/python/requirements.txt changes. Needs python3 (with venv and pip) on the machine.
 *
 * Run directly (`npx tsx scripts/provision-python-client.ts`) it prints the interpreter's path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
export const PYTHON_CLIENT_DIR = path.join(repoRoot, 'examples', 'python');
const venv = path.join(repoRoot, '.tools', 'pyclient');
const requirements = path.join(PYTHON_CLIENT_DIR, 'requirements.txt');
/** What was installed last: the requirements file's text. */
const stamp = path.join(venv, 'requirements.installed');

/** The venv's python, with examples/python/requirements.txt installed. */
export function provisionPythonClient(): string {
  const python = path.join(venv, 'bin', 'python');
  const wanted = readFileSync(requirements, 'utf8');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return python;
  const system = process.env.PYTHON ?? 'python3';
  process.stderr.write(`Installing examples/python/requirements.txt into .tools/pyclient ...\n`);
  if (!existsSync(python)) execFileSync(system, ['-m', 'venv', venv], { stdio: ['ignore', process.stderr, 'inherit'] });
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements],
    // pip's progress goes to stderr so that callers can read our stdout.
    { stdio: ['ignore', process.stderr, 'inherit'] },
  );
  writeFileSync(stamp, wanted);
  return python;
}

if (require.main === module) process.stdout.write(`${provisionPythonClient()}\n`);
