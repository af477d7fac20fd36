/**
 * Injected failures and the log of Google-path requests: what tests use to provoke retries,
 * timeouts and "Google did it but the answer was lost", and to check what the client sent.
 */
import type { ParsedFaultSpec } from './control-schema';

export interface Fault extends ParsedFaultSpec {
  id: number;
}

/** mulberry32: a small seeded generator, so a probabilistic fault hits the same requests each run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultList {
  private faults: Fault[] = [];
  private readonly draws = new Map<number, () => number>();
  private nextId = 1;

  add(spec: ParsedFaultSpec): Fault {
    const fault = { id: this.nextId++, ...spec };
    this.faults.push(fault);
    this.draws.set(fault.id, seededRandom(fault.seed));
    return { ...fault };
  }

  /**
   * The first fault matching the request that hits it, consumed once (removed when used up).
   * A probabilistic fault that does not hit lets the request pass on to the next matching fault.
   */
  take(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) &&
        new RegExp(f.path).test(path) &&
        (f.probability >= 1 || (this.draws.get(f.id)?.() ?? 0) < f.probability),
    );
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times === 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
    this.draws.clear();
    this.nextId = 1;
  }
}

export interface RequestLogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** The HTTP status answered; 499 when the client went away before the answer. */
  status: number;
  /** For a call inside a batch request: the seq of the batch request that carried it. */
  batchSeq?: number;
  durationMs: number;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private nextSeq = 1;

  /** Numbered on arrival, so concurrent requests keep their arrival order in the log. */
  nextNumber(): number {
    return this.nextSeq++;
  }

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  list(): RequestLogEntry[] {
    return [...this.entries].sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    this.entries = [];
  }
}
