import type { GoogleClients } from './google-clients';
import type { Mailer } from './mailer';

/** Everything the activities touch, passed in so tests can hand them real ones pointed elsewhere. */
export interface ActivityDependencies {
  google: GoogleClients;
  mailer: Mailer;
  policy: { allowedCountries: readonly string[] };
  mail: { resellerName: string };
}
