/**
 * The examples of docs/contract.md, read from the document itself: each fenced block whose info
 * string is `json contract:<name> [<argument>]` is one example. The contract tests execute them, so
 * the page a client in another language is written from cannot drift from the code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONTRACT_DOC = join(__dirname, '..', '..', 'docs', 'contract.md');

export interface ContractExample {
  name: string;
  argument?: string;
  value: unknown;
}

const FENCE = /^```json contract:(\S+)(?: +(\S+))?\n([\s\S]*?)^```$/gm;

export function contractExamples(text = readFileSync(CONTRACT_DOC, 'utf8')): ContractExample[] {
  return [...text.matchAll(FENCE)].map(([, name, argument, body]) => {
    try {
      return { name: name!, ...(argument ? { argument } : {}), value: JSON.parse(body!) as unknown };
    } catch (err) {
      throw new Error(`docs/contract.md: the example contract:${name} ${argument ?? ''} is not JSON: ${String(err)}`);
    }
  });
}

/** The one example of a name (and argument); throws when the document has none or several. */
export function contractExample<T>(name: string, argument?: string): T {
  const found = contractExamples().filter((e) => e.name === name && e.argument === argument);
  if (found.length !== 1)
    throw new Error(`docs/contract.md: expected one example contract:${name} ${argument ?? ''}, found ${found.length}`);
  return found[0]!.value as T;
}

/** Every example of a name (e.g. the orders). */
export function contractExamplesNamed<T>(name: string): T[] {
  return contractExamples()
    .filter((e) => e.name === name)
    .map((e) => e.value as T);
}
