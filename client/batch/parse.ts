/**
 * A batch file into rows: JSON Lines (one order per line, blank lines ignored) or CSV
 * (parse-csv.ts), chosen by the file's extension or `--format`. Parse problems are reported with
 * their line, like validation problems, and never quote the text (an order may hold a secret).
 */
import { extname } from 'node:path';
import { parseCsv } from './parse-csv';
import type { BatchFormat, BatchProblem, BatchRow } from './types';

export const BATCH_FORMATS: readonly BatchFormat[] = ['jsonl', 'csv'];

const EXTENSIONS: { [ext: string]: BatchFormat } = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv' };

/** The format of `file`: `explicit` when given, else by extension; throws a sentence for the user when it cannot tell. */
export function batchFormatOf(file: string, explicit?: BatchFormat): BatchFormat {
  if (explicit) return explicit;
  if (file === '-') throw new Error('reading standard input needs --format jsonl or --format csv');
  const format = EXTENSIONS[extname(file).toLowerCase()];
  if (!format) throw new Error(`cannot tell the format of ${file}: name it .jsonl or .csv, or give --format jsonl|csv`);
  return format;
}

/** JSON Lines: every non-blank line one order. */
export function parseJsonl(data: Buffer | string): { rows: BatchRow[]; problems: BatchProblem[] } {
  const text = (Buffer.isBuffer(data) ? data.toString('utf8') : data).replace(/^\uFEFF/, '');
  const rows: BatchRow[] = [];
  const problems: BatchProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    try {
      rows.push({ line, input: JSON.parse(raw) as unknown });
    } catch {
      problems.push({ line, field: '(order)', rule: 'is not valid JSON (one order per line)' });
    }
  });
  return { rows, problems };
}

export function parseBatch(data: Buffer | string, format: BatchFormat): { rows: BatchRow[]; problems: BatchProblem[] } {
  return format === 'csv' ? parseCsv(data) : parseJsonl(data);
}
