/**
 * Finding (issue 19): `start-batch` printed CSV header names (and other input quoted in problems
 * and errors) raw, so a file could send escape sequences to the operator's terminal — set the window
 * title, clear the screen, print a fake "all started". Every input string is now shown with its
 * control characters escaped (client/batch/render.ts), in text and JSON output alike.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terminalSafe } from '../../client/batch/render';
import { runCliWith } from '../support/cli-runner';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'terminal-control-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/; // eslint-disable-line no-control-regex
const HOSTILE = 'x\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eall started';

function csvWithHostileHeader(): string {
  const example = readFileSync(join(__dirname, '../../examples/batch/orders.csv'), 'utf8').split('\n');
  const [header = '', ...rows] = example;
  return [`${header},${HOSTILE}`, ...rows.filter((r) => r !== '').map((r) => `${r},1`)].join('\n');
}

test.each([[[]], [['--json']]])('a hostile CSV header name reaches no terminal raw (%j)', async (flags) => {
  const file = join(dir, `hostile${flags.length}.csv`);
  writeFileSync(file, csvWithHostileHeader());
  const run = await runCliWith([...flags, 'start-batch', file], () => Promise.reject(new Error('not reached')));
  expect(run.code).not.toBe(0);
  expect(run.stderr).toContain('pwned'); // named, so the operator can find it…
  expect(run.stderr).not.toMatch(CONTROL); // …but inert
  expect(run.stdout).not.toMatch(CONTROL);
});

test('terminalSafe shows controls as \\u escapes and leaves other text alone', () => {
  expect(terminalSafe('a\u001b[2Jb\u009bc\u202ed bücher.de 例え')).toBe('a\\u001b[2Jb\\u009bc\\u202ed bücher.de 例え');
});
