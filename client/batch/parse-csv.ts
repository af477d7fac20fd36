/**
 * A CSV of orders, one per row, read with csv-parse (quoting, quoted line breaks, BOM). The header
 * names each column by the order field's dotted path (`postalAddress.countryCode`); cells become
 * values as csv-columns.ts says. Every row keeps the physical line it starts on (the header is
 * line 1), counted from the bytes csv-parse consumed, so a quoted line break does not shift them.
 */
import { parse, CsvError } from 'csv-parse/sync';
import { cellValue, fieldKind } from './csv-columns';
import type { BatchProblem, BatchRow } from './types';

interface CsvRecord {
  line: number;
  cells: string[];
}

/** csv-parse's own messages quote the offending text (maybe a secret): these name only the rule. */
const CSV_RULES: { [code: string]: string } = {
  CSV_QUOTE_NOT_CLOSED: 'has a quote that is never closed',
  INVALID_OPENING_QUOTE: 'has a quote inside an unquoted cell (quote the whole cell and double the quotes inside it)',
  CSV_INVALID_CLOSING_QUOTE:
    'has text right after a closing quote (quote the whole cell and double the quotes inside it)',
};

function readRecords(data: Buffer): { records: CsvRecord[] } | { problem: BatchProblem } {
  let parsed: { record: string[]; info: { bytes: number } }[];
  try {
    parsed = parse(data, { info: true, relax_column_count: true, bom: true }) as unknown as typeof parsed;
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = (err as CsvError & { lines?: number }).lines ?? 1;
    return { problem: { line, field: '(csv)', rule: CSV_RULES[err.code] ?? `is not valid CSV (${err.code})` } };
  }
  const records: CsvRecord[] = [];
  let offset = 0;
  let line = 1;
  for (const { record, info } of parsed) {
    records.push({ line, cells: record });
    for (let i = offset; i < info.bytes; i++) if (data[i] === 0x0a) line++;
    offset = info.bytes;
  }
  return { records };
}

const isBlank = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

function headerProblems(line: number, columns: readonly string[]): BatchProblem[] {
  const problems: BatchProblem[] = [];
  const problem = (field: string, rule: string) => problems.push({ line, field, rule });
  columns.forEach((column, i) => {
    const name = column || `(column ${i + 1})`;
    if (column === '') problem(name, 'must name an order field (e.g. customerDomain, postalAddress.countryCode)');
    else if (fieldKind(column.split('.')) === undefined)
      problem(name, 'is not a field of an order (columns are dotted paths such as admin.givenName)');
    else if (columns.indexOf(column) !== i) problem(name, 'must appear once in the header');
    else if (columns.some((other) => other.startsWith(`${column}.`)))
      problem(name, 'must not be given both whole and by its parts (e.g. admin and admin.givenName)');
  });
  return problems;
}

function setPath(target: { [key: string]: unknown }, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as { [key: string]: unknown };
  }
  node[path[path.length - 1] as string] = value;
}

function rowOf(record: CsvRecord, columns: readonly string[]): { row: BatchRow } | { problems: BatchProblem[] } {
  const { line, cells } = record;
  if (cells.length !== columns.length) {
    return {
      problems: [{ line, field: '(row)', rule: `has ${cells.length} cells where the header has ${columns.length}` }],
    };
  }
  const input: { [key: string]: unknown } = {};
  const problems: BatchProblem[] = [];
  columns.forEach((column, i) => {
    const path = column.split('.');
    const cell = cellValue(fieldKind(path), cells[i] ?? '');
    if ('rule' in cell) problems.push({ line, field: column, rule: `${cell.rule} (column ${i + 1})` });
    else if ('value' in cell) setPath(input, path, cell.value);
  });
  return problems.length ? { problems } : { row: { line, input } };
}

/** The orders of a CSV file, or what is wrong with it (every bad row, or the header / the CSV itself). */
export function parseCsv(data: Buffer | string): { rows: BatchRow[]; problems: BatchProblem[] } {
  const read = readRecords(Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));
  if ('problem' in read) return { rows: [], problems: [read.problem] };
  const [header, ...body] = read.records.filter((record) => !isBlank(record.cells));
  if (!header) return { rows: [], problems: [] };
  const columns = header.cells.map((cell) => cell.trim());
  const problems = headerProblems(header.line, columns);
  if (problems.length) return { rows: [], problems };
  const rows: BatchRow[] = [];
  for (const record of body) {
    const result = rowOf(record, columns);
    if ('row' in result) rows.push(result.row);
    else problems.push(...result.problems);
  }
  return { rows, problems };
}
