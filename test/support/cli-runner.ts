/**
 * Runs the CLI in-process on a given client, capturing what it writes: the CLI tests (start,
 * start-batch, reconciliation) judge its exit code and output exactly as a script would see them.
 * The client is the stack's, which the stack closes itself (hence the no-op close).
 */
import { runCli } from '../../client/cli';
import type { OnboardingClient } from '../../client/onboarding-client';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI on the given client. */
export function runCliOn(client: OnboardingClient, argv: string[]): Promise<CliRun> {
  return runCliWith(argv, () => Promise.resolve(Object.assign(client, { close: () => Promise.resolve() })));
}

/** Runs the CLI with its own way of connecting (by default the environment's, as the real command). */
export async function runCliWith(argv: string[], connect?: Parameters<typeof runCli>[1]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0);
  const err = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0);
  try {
    const code = await runCli(argv, connect);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
