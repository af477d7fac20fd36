import type { GoogleClients } from './google-clients';
import type { Mailer } from './mailer';

/** Everything the activities touch, passed in so tests can hand them real ones pointed elsewhere. */
export interface ActivityDependencies {
  google: GoogleClients;
  mailer: Mailer;
  policy: { allowedCountries: readonly string[] };
  mail: { resellerName: string; salesNotifyEmail: string };
  /** Defaults for the customer waits; an order may override them. */
  waits: WaitDefaults;
}

export interface WaitDefaults {
  tosCheckEveryMs: number;
  remindersMs: number[];
  deadlineMs: number;
}
