/**
 * What a CSV cell becomes, decided by the order schema itself (order/order.ts) so the two never
 * drift: a column is named by the field's dotted path; an array or object field is JSON in one
 * cell; booleans and numbers are converted only where the schema expects them; anything else stays
 * text, and an unknown column is left for validation to name ("is not a known field").
 */
import { orderSchema } from '../../order/order';

export type FieldKind = 'object' | 'array' | 'boolean' | 'number' | 'text';

/** The little of zod's definition objects this file reads. */
interface Def {
  type: string;
  innerType?: { def: Def };
  in?: { def: Def };
  shape?: Record<string, { def: Def }>;
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

function unwrap(def: Def): Def {
  if (WRAPPERS.has(def.type) && def.innerType) return unwrap(def.innerType.def);
  // A transform (`z.string().transform(...)`) is a pipe: what it accepts is its input side.
  if (def.type === 'pipe' && def.in) return unwrap(def.in.def);
  return def;
}

/** The kind of field at `path` in an order; undefined for a path the order does not have. */
export function fieldKind(path: readonly string[]): FieldKind | undefined {
  let def = unwrap((orderSchema as unknown as { def: Def }).def);
  for (const key of path) {
    const shape = def.type === 'object' ? def.shape : undefined;
    const child = shape && Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!child) return undefined;
    def = unwrap(child.def);
  }
  switch (def.type) {
    case 'object':
    case 'array':
    case 'boolean':
    case 'number':
      return def.type;
    default:
      return 'text';
  }
}

export type Cell = { value: unknown } | { absent: true } | { rule: string };

/** A cell's value for a field of this kind, or the rule it breaks (naming what is expected, never the cell). */
export function cellValue(kind: FieldKind | undefined, cell: string): Cell {
  if (cell === '') return { absent: true };
  const trimmed = cell.trim();
  switch (kind) {
    case 'boolean':
      return /^(true|false)$/i.test(trimmed)
        ? { value: trimmed.toLowerCase() === 'true' }
        : { rule: 'must be true or false' };
    case 'number':
      return trimmed !== '' && Number.isFinite(Number(trimmed))
        ? { value: Number(trimmed) }
        : { rule: 'must be a number' };
    case 'object':
    case 'array':
      try {
        return { value: JSON.parse(trimmed) as unknown };
      } catch {
        // The parser's message quotes the text, which may hold a secret: say only what is expected.
        return {
          rule: `must be JSON (${kind === 'array' ? 'an array such as [{"skuId": …}]' : 'an object such as {"key": …}'}) in one cell`,
        };
      }
    default:
      return { value: cell };
  }
}
