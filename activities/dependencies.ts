import type { Client } from '@temporalio/client';
import type { GoogleClients } from './google-clients';
import type { Mailer } from './mailer';
import type { ReconciliationSettings } from './reconciliation-settings';

/** Everything the activities touch, passed in so tests can hand them real ones pointed elsewhere. */
export interface ActivityDependencies {
  google: GoogleClients;
  mailer: Mailer;
  /** minCheckEveryMs: the shortest waitPolicy.checkEvery an order may ask for (MIN_CHECK_EVERY; unset: no floor). */
  /** requireEncryptedInput: the worker refuses unencrypted input (ONBOARDING_REQUIRE_ENCRYPTED_PAYLOADS or its codec). */
  policy: { allowedCountries: readonly string[]; minCheckEveryMs?: number; requireEncryptedInput?: boolean };
  /**
   * salesEmailDomains: where an order's sales contact may be (unset or empty: SALES_NOTIFY_EMAIL's domain).
   * resellerPublicId: RESELLER_PUBLIC_ID, the Public Identifier a customer enters to make a transfer token for this reseller.
   */
  mail: {
    resellerName: string;
    salesNotifyEmail: string;
    salesEmailDomains?: readonly string[];
    resellerPublicId?: string;
  };
  /** Defaults for the customer waits; an order may override them. */
  waits: WaitDefaults;
  /** The reconciliation reads ended onboardings through it (visibility, memos, histories); absent: its activities refuse. */
  temporal?: Client;
  /** RECONCILE_REMOVE_USERS / RECONCILE_LOOKBACK (default: report only, 8 days). */
  reconciliation?: ReconciliationSettings;
}

export interface WaitDefaults {
  tosCheckEveryMs: number;
  remindersMs: number[];
  deadlineMs: number;
}
