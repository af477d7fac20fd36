/**
 * Where local mode keeps its state (.local/ at the repository root), whether the code runs from
 * source (worker/…) or compiled (dist/worker/…), so that a compiled worker and a `tsx` CLI share
 * the one generated key. Production mode never uses it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

function repositoryRoot(): string {
  for (let dir = path.resolve(__dirname, '..'); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..');
  }
}

/** .local/encryption-keys.json: the key local mode generates when none is configured. */
export function localKeyFile(): string {
  return path.join(repositoryRoot(), '.local', 'encryption-keys.json');
}
