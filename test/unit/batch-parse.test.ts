/**
 * Why this file exists: a reseller's spreadsheet becomes orders only through these parsers, and a
 * wrong line number or a silently mis-typed cell would send an operator to the wrong row or start
 * a wrong onboarding. CSV (dotted-path columns, JSON cells, quoting, empty cells, line numbers,
 * csv-parse errors) and JSON Lines are pinned here, without a server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldKind } from '../../client/batch/csv-columns';
import { batchFormatOf, parseBatch, parseJsonl } from '../../client/batch/parse';
import { parseCsv } from '../../client/batch/parse-csv';
import { validateBatch } from '../../client/batch/validate';

const HEADER =
  'customerDomain,alternateEmail,postalAddress.contactName,postalAddress.organizationName,postalAddress.postalCode,postalAddress.countryCode,admin.givenName,admin.familyName,admin.primaryEmail,subscriptions,verifyDomain';
const row = (domain: string, extra = { subscriptions: '', verifyDomain: '' }) =>
  `${domain},owner@mail.example.org,Alex Cruz,Acme,94043,US,Alex,Cruz,admin@${domain},${extra.subscriptions},${extra.verifyDomain}`;

describe('CSV', () => {
  test('dotted columns build nested objects; empty cells are absent; booleans only where the schema has one', () => {
    const { rows, problems } = parseCsv(
      `${HEADER}\n${row('a.example.com', { subscriptions: '', verifyDomain: 'FALSE' })}\n`,
    );
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        input: {
          customerDomain: 'a.example.com',
          alternateEmail: 'owner@mail.example.org',
          postalAddress: { contactName: 'Alex Cruz', organizationName: 'Acme', postalCode: '94043', countryCode: 'US' },
          admin: { givenName: 'Alex', familyName: 'Cruz', primaryEmail: 'admin@a.example.com' },
          verifyDomain: false,
        },
      },
    ]);
    // A postal code of digits stays text: the schema wants a string there.
    expect(typeof (rows[0]?.input as { postalAddress: { postalCode: unknown } }).postalAddress.postalCode).toBe(
      'string',
    );
  });

  test('a JSON cell (quoted, with doubled quotes and commas) becomes the array the schema expects', () => {
    const cell = '"[{""skuId"": ""1010020028"", ""plan"": ""FLEXIBLE"", ""seats"": 10}]"';
    const { rows, problems } = parseCsv(
      `${HEADER}\n${row('a.example.com', { subscriptions: cell, verifyDomain: 'true' })}`,
    );
    expect(problems).toEqual([]);
    expect(rows[0]?.input).toMatchObject({
      subscriptions: [{ skuId: '1010020028', plan: 'FLEXIBLE', seats: 10 }],
      verifyDomain: true,
    });
  });

  test('a quoted cell may hold commas and line breaks; lines are physical lines, header is line 1, blank lines skipped', () => {
    const text = [
      HEADER,
      row('a.example.com'),
      '',
      'b.example.com,owner@mail.example.org,"Cruz, Alex","Acme',
      'Holdings",94043,US,Alex,Cruz,admin@b.example.com,,',
      ',,,,,,,,,,',
      row('c.example.com'),
    ].join('\r\n');
    const { rows, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.line)).toEqual([2, 4, 7]);
    expect(rows[1]?.input).toMatchObject({
      postalAddress: { contactName: 'Cruz, Alex', organizationName: 'Acme\r\nHoldings' },
    });
  });

  test('a byte-order mark does not become part of the first column name', () => {
    const { rows, problems } = parseCsv(`\uFEFF${HEADER}\n${row('a.example.com')}`);
    expect(problems).toEqual([]);
    expect(rows[0]?.input).toHaveProperty('customerDomain', 'a.example.com');
  });

  test('a bad JSON cell names the line, the column and the rule, without echoing the cell', () => {
    const { problems } = parseCsv(
      `${HEADER}\n${row('a.example.com')}\n\n${row('b.example.com', { subscriptions: '"[{""skuId"": ""secret-ish"""', verifyDomain: '' })}`,
    );
    expect(problems).toEqual([
      {
        line: 4,
        field: 'subscriptions',
        rule: expect.stringMatching(/^must be JSON \(an array .*\) in one cell \(column 10\)$/),
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('secret-ish');
  });

  test('a row with a missing cell, and a broken quote, are named by line', () => {
    expect(parseCsv(`${HEADER}\n${row('a.example.com')}\na.example.com,x\n`).problems).toEqual([
      { line: 3, field: '(row)', rule: 'has 2 cells where the header has 11' },
    ]);
    const broken = parseCsv(`${HEADER}\n${row('a.example.com')}\nb.example.com,"tok-en-secret\n`);
    expect(broken.problems).toEqual([{ line: 3, field: '(csv)', rule: 'has a quote that is never closed' }]);
    const inner = parseCsv(`${HEADER}\nb.example.com,own"er-secret"@x.org,,,,,,,,,\n`);
    expect(inner.problems).toEqual([{ line: 2, field: '(csv)', rule: expect.stringContaining('quote') }]);
    expect(JSON.stringify(inner.problems)).not.toContain('secret');
  });

  test('the header must name order fields, each once, never both whole and by parts', () => {
    const { rows, problems } = parseCsv(
      'customerDomain,admin.nickname,customerDomain,admin,admin.givenName,,subscriptions.0.skuId\nx,y,z,,,,\n',
    );
    expect(rows).toEqual([]);
    expect(problems.map((p) => `${p.line} ${p.field}`)).toEqual([
      '1 admin.nickname',
      '1 customerDomain',
      '1 admin',
      '1 (column 6)',
      '1 subscriptions.0.skuId',
    ]);
  });

  test('a cell that is not of the type the schema expects is named with its column', () => {
    const { problems } = parseCsv(`${HEADER}\n${row('a.example.com', { subscriptions: '', verifyDomain: 'yes' })}`);
    expect(problems).toEqual([{ line: 2, field: 'verifyDomain', rule: 'must be true or false (column 11)' }]);
  });

  test('a column the order does not type as boolean or number stays text, for validation to judge', () => {
    const { rows } = parseCsv(`customerDomain,language\n12345,true\n`);
    expect(rows[0]?.input).toEqual({ customerDomain: '12345', language: 'true' });
  });

  test('field kinds come from the order schema', () => {
    expect(fieldKind(['verifyDomain'])).toBe('boolean');
    expect(fieldKind(['subscriptions'])).toBe('array');
    expect(fieldKind(['waitPolicy', 'reminders'])).toBe('array');
    expect(fieldKind(['postalAddress'])).toBe('object');
    expect(fieldKind(['postalAddress', 'countryCode'])).toBe('text');
    expect(fieldKind(['customerDomain'])).toBe('text');
    expect(fieldKind(['constructor'])).toBeUndefined();
    expect(fieldKind(['admin', 'givenName', 'x'])).toBeUndefined();
  });
});

describe('JSON Lines', () => {
  test('one order per line, blank lines ignored, lines counted as in the file', () => {
    const { rows, problems } = parseJsonl(
      '\uFEFF{"customerDomain":"a.example.com"}\r\n\n   \n{"customerDomain":"b.example.com"}\n',
    );
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 1, input: { customerDomain: 'a.example.com' } },
      { line: 4, input: { customerDomain: 'b.example.com' } },
    ]);
  });

  test('a line that is not JSON is named, not echoed', () => {
    const { problems } = parseJsonl('{"customerDomain":"a.example.com"}\n{"transferToken": "abc-secret-123",\n');
    expect(problems).toEqual([{ line: 2, field: '(order)', rule: 'is not valid JSON (one order per line)' }]);
  });
});

test('the format comes from --format, else the extension; standard input needs --format', () => {
  expect(batchFormatOf('orders.CSV')).toBe('csv');
  expect(batchFormatOf('orders.jsonl')).toBe('jsonl');
  expect(batchFormatOf('orders.txt', 'csv')).toBe('csv');
  expect(() => batchFormatOf('-')).toThrow('--format');
  expect(() => batchFormatOf('orders.txt')).toThrow('cannot tell the format of orders.txt');
});

test.each(['orders.jsonl', 'orders.csv'])('examples/batch/%s is a valid batch', (name) => {
  const file = join(__dirname, '../../examples/batch', name);
  const parsed = parseBatch(readFileSync(file), batchFormatOf(file));
  expect(parsed.problems).toEqual([]);
  const { valid, problems } = validateBatch(parsed.rows);
  expect(problems).toEqual([]);
  expect(valid.length).toBe(3);
});
