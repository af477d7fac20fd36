/**
 * Why this file exists: what an operator reads during and after a batch — the progress (bar on a
 * terminal, a line per row elsewhere), the result table, the refused-batch lines — is pinned here,
 * including that no value of an order but its domain is printed.
 */
import { batchProgress, progressBar } from '../../client/batch/progress';
import { problemLine, resultJsonLines, resultTable, summaryLine } from '../../client/batch/render';
import type { BatchRowResult } from '../../client/batch/run';

const results: BatchRowResult[] = [
  { line: 2, customerDomain: 'a.example.com', outcome: 'started', workflowId: 'onboarding:a.example.com', runId: 'r1' },
  { line: 10, customerDomain: 'bb.example.com', outcome: 'already-onboarding', executionStatus: 'RUNNING' },
  { line: 11, customerDomain: 'c.example.com', outcome: 'failed-to-start', reason: 'namespace not found' },
];

test('the bar shows n/N, the rate and the time left', () => {
  expect(progressBar(5, 20, 2000)).toBe('[######------------------] 5/20  2.5 orders/s  ETA 6s');
  expect(progressBar(20, 20, 4000, 1)).toBe('[########################] 20/20  5.0 orders/s  done  1 failed');
  expect(progressBar(0, 300, 0)).toContain('0/300  0.0 orders/s  ETA ?');
});

test('on a terminal the bar is redrawn in place at most every 100 ms (and always at the end); elsewhere a line per row', () => {
  let clock = 0;
  const tty: string[] = [];
  const bar = batchProgress({ isTTY: true, write: (s) => tty.push(s) > 0 }, 3, () => clock);
  clock = 10;
  bar.row(results[0] as BatchRowResult, { done: 1 });
  clock = 50;
  bar.row(results[1] as BatchRowResult, { done: 2 }); // too soon: skipped
  clock = 60;
  bar.row(results[2] as BatchRowResult, { done: 3 }); // the last: always drawn
  bar.end();
  expect(tty).toEqual([`\r\x1b[2K${progressBar(1, 3, 10)}`, `\r\x1b[2K${progressBar(3, 3, 60, 1)}`, '\n']);

  const log: string[] = [];
  const plain = batchProgress({ write: (s) => log.push(s) > 0 }, 3);
  results.forEach((r, i) => plain.row(r, { done: i + 1 }));
  plain.end();
  expect(log).toEqual([
    '1/3 line 2 a.example.com: started\n',
    '2/3 line 10 bb.example.com: already-onboarding\n',
    '3/3 line 11 c.example.com: failed-to-start: namespace not found\n',
  ]);
});

test('the table has a row per order: line, domain, outcome (with the reason or existing status)', () => {
  expect(resultTable(results).split('\n')).toEqual([
    'LINE  DOMAIN          OUTCOME',
    '2     a.example.com   started',
    '10    bb.example.com  already-onboarding (RUNNING)',
    '11    c.example.com   failed-to-start: namespace not found',
  ]);
  expect(
    resultJsonLines(results)
      .split('\n')
      .map((l) => JSON.parse(l) as BatchRowResult),
  ).toEqual(results);
  expect(
    summaryLine({
      results,
      counts: { started: 1, 'already-onboarding': 1, 'already-onboarded': 0, 'failed-to-start': 1 },
      unreachable: false,
    }),
  ).toBe('3 orders: 1 started, 1 already onboarding, 1 failed to start');
  expect(problemLine({ line: 7, field: 'postalAddress.countryCode', rule: 'must be …' })).toBe(
    'line 7: postalAddress.countryCode: must be …',
  );
});
