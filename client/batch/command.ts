/**
 * `onboarding start-batch <file>`: the CLI's thin layer over the batch library. Reads and checks
 * the whole file before connecting (a bad batch never needs Temporal to be refused), then starts
 * the rows (run.ts) with progress on stderr and the result per row on stdout.
 *
 * Exit codes (the CLI's): 0 every row started or already onboarding/onboarded · 1 Temporal refused
 * some · 2 the file or a row is invalid, nothing started · 4 Temporal unreachable.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { OrderPolicy } from '../../order/order';
import type { OnboardingClient } from '../onboarding-client';
import { BATCH_FORMATS, batchFormatOf, parseBatch } from './parse';
import { batchProgress, type ProgressStream } from './progress';
import { problemJsonLine, problemLine, resultJsonLines, resultTable, summaryLine, terminalSafe } from './render';
import { DEFAULT_CONCURRENCY, runBatch } from './run';
import { BatchValidationError, type BatchFormat } from './types';
import { validateBatch } from './validate';

export interface StartBatchCliDeps {
  withClient(action: (client: OnboardingClient) => Promise<void>): Promise<void>;
  /** The CLI's error carrying an exit code. */
  fail: (message: string, exitCode: number) => Error;
  exit: { invalidInput: number; unreachable: number };
  policy(): OrderPolicy;
  stdout?: ProgressStream;
  stderr?: ProgressStream;
}

const MAX_CONCURRENCY = 64;

function read(file: string, fail: StartBatchCliDeps['fail'], code: number): Buffer {
  try {
    return file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (err) {
    throw fail(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, code);
  }
}

export function addStartBatchCommand(program: Command, deps: StartBatchCliDeps): void {
  const { exit } = deps;
  // Messages quote input (file names, CSV header names): never raw to the terminal.
  const fail: StartBatchCliDeps['fail'] = (message, code) => deps.fail(terminalSafe(message), code);
  const concurrencyOf = (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY)
      throw fail(`--concurrency: must be a whole number from 1 to ${MAX_CONCURRENCY}`, exit.invalidInput);
    return n;
  };
  program
    .command('start-batch')
    .description(
      'validate a file of orders (JSON Lines or CSV) and start every onboarding; nothing starts if any line is bad',
    )
    .argument('<file>', 'orders.jsonl or orders.csv, or - for standard input (with --format)')
    .addOption(new Option('--format <format>', 'the file format (default: by extension)').choices(BATCH_FORMATS))
    .option('--concurrency <n>', 'starts in flight at once', concurrencyOf, DEFAULT_CONCURRENCY)
    .action(async (file: string, options: { format?: BatchFormat; concurrency: number }) => {
      const stdout = deps.stdout ?? process.stdout;
      const stderr = deps.stderr ?? process.stderr;
      const json = Boolean(program.opts().json);
      let format: BatchFormat;
      try {
        format = batchFormatOf(file, options.format);
      } catch (err) {
        throw fail((err as Error).message, exit.invalidInput);
      }
      const parsed = parseBatch(read(file, fail, exit.invalidInput), format);
      const { valid, problems } = validateBatch(parsed.rows, deps.policy());
      const all = [...parsed.problems, ...problems].sort((a, b) => a.line - b.line);
      if (all.length) {
        for (const p of all) stderr.write(`${json ? problemJsonLine(p) : problemLine(p)}\n`);
        throw fail(new BatchValidationError(all).message, exit.invalidInput);
      }
      if (valid.length === 0) throw fail(`${file} holds no orders`, exit.invalidInput);

      await deps.withClient(async (client) => {
        const progress = batchProgress(stderr, valid.length);
        const summary = await runBatch(client, valid, {
          concurrency: options.concurrency,
          onRow: (row, at) => progress.row(row, at),
        });
        progress.end();
        stdout.write(`${json ? resultJsonLines(summary.results) : resultTable(summary.results)}\n`);
        stderr.write(`${summaryLine(summary)}\n`);
        const failed = summary.counts['failed-to-start'];
        if (summary.unreachable)
          throw fail(
            `Temporal is unreachable: ${failed} of ${valid.length} orders not started (running the file again is safe)`,
            exit.unreachable,
          );
        // A plain error is the CLI's exit 1 (Temporal answered, with an error).
        if (failed)
          throw new Error(`${failed} of ${valid.length} orders could not be started (running the file again is safe)`);
      });
    });
}
