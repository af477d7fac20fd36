/**
 * The worker's reconciliation settings (RECONCILE_REMOVE_USERS, RECONCILE_LOOKBACK), read apart
 * from worker/config.ts so that the reconciliation stays one removable piece. Bad values are named
 * with their rule, never echoed.
 */
import { z } from 'zod';
import { ConfigError } from '../config/config-error';
import { DEFAULT_RECONCILE_LOOKBACK_MS, lookbackMs } from '../workflows/reconcile-messages';

export interface ReconciliationSettings {
  /** Delete the admins found (default false: report only). Release 0.4: the only switch; a run's input cannot turn it on. */
  removeUsers: boolean;
  lookbackMs: number;
}

const schema = z.object({
  RECONCILE_REMOVE_USERS: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false'),
  RECONCILE_LOOKBACK: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return DEFAULT_RECONCILE_LOOKBACK_MS;
      const ms = lookbackMs(value);
      if (typeof ms === 'number') return ms;
      ctx.issues.push({ code: 'custom', message: ms, input: value });
      return z.NEVER;
    }),
});

export function reconciliationSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReconciliationSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return { removeUsers: parsed.data.RECONCILE_REMOVE_USERS === 'true', lookbackMs: parsed.data.RECONCILE_LOOKBACK };
}
