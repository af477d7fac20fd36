/**
 * Progress of a batch on stderr: on a terminal one bar rewritten in place (`n/N`, orders/s, ETA);
 * elsewhere (a log, CI, a pipe) one plain line per finished row, which is what a log wants.
 * A renderer this small is not worth a dependency.
 */
import type { BatchRowResult } from './run';

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 24;
const REDRAW_EVERY_MS = 100;

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

/** The bar's text for `done` of `total` after `elapsedMs`. */
export function progressBar(done: number, total: number, elapsedMs: number, failed = 0): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = done >= total ? 'done' : `ETA ${rate > 0 ? seconds((total - done) / rate) : '?'}`;
  const failures = failed ? `  ${failed} failed` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total}  ${rate.toFixed(1)} orders/s  ${eta}${failures}`;
}

export function rowLine(result: BatchRowResult, done: number, total: number): string {
  const detail = result.reason ? `: ${result.reason}` : '';
  return `${done}/${total} line ${result.line} ${result.customerDomain}: ${result.outcome}${detail}`;
}

export function batchProgress(stream: ProgressStream, total: number, now: () => number = Date.now) {
  const startedAt = now();
  let lastDraw = -Infinity;
  let failed = 0;
  return {
    row(result: BatchRowResult, { done }: { done: number }): void {
      if (result.outcome === 'failed-to-start') failed += 1;
      if (!stream.isTTY) {
        stream.write(`${rowLine(result, done, total)}\n`);
        return;
      }
      const t = now();
      if (done < total && t - lastDraw < REDRAW_EVERY_MS) return;
      lastDraw = t;
      stream.write(`\r\x1b[2K${progressBar(done, total, t - startedAt, failed)}`);
    },
    end(): void {
      if (stream.isTTY && total > 0) stream.write('\n');
    },
  };
}
