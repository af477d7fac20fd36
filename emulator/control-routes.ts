/**
 * The control endpoints under /_emulator/ that tests and demos use to set the scene (seed,
 * settings, faults), act for the customer (accept-tos, verify-domain) and read what happened
 * (state, requests, mail). No auth: local tooling; control-guard.ts refuses cross-site requests.
 */
import { faultSpecSchema, seedRequestSchema, settingsPatchSchema, verifyDomainSchema } from './control-schema';
import type { FaultList, RequestLog } from './faults';
import type { EmulatorApp } from './http-util';
import type { Quotas } from './quotas';
import type { SiteVerification } from './site-verification';
import type { MailStore } from './smtp-sink';
import type { EmulatorState } from './state';

export interface ControlParts {
  state: EmulatorState;
  quotas: Quotas;
  siteVerification: SiteVerification;
  faults: FaultList;
  requests: RequestLog;
  mail: MailStore;
}

export function registerControlRoutes(
  app: EmulatorApp,
  { state, quotas, siteVerification, faults, requests, mail }: ControlParts,
): void {
  app.post('/_emulator/reset', async () => {
    state.reset();
    quotas.reset();
    siteVerification.reset();
    requests.clear();
    faults.clear();
    mail.clear();
    return { reset: true };
  });
  app.post('/_emulator/seed', async (request) => state.seed(seedRequestSchema.parse(request.body)));
  app.get('/_emulator/state', async () => state.snapshot());
  app.get('/_emulator/requests', async () => requests.list());
  app.delete('/_emulator/requests', async (_request, reply) => {
    requests.clear();
    return reply.code(204).send();
  });
  app.post<{ Params: { domain: string } }>('/_emulator/customers/:domain/accept-tos', async (request) =>
    state.acceptTos(request.params.domain),
  );
  app.post<{ Params: { domain: string } }>('/_emulator/customers/:domain/verify-domain', async (request) => {
    const { by, txtRecord } = verifyDomainSchema.parse(request.body ?? {});
    // The customer verified in the Admin console itself: no TXT record of this reseller's is involved.
    if (by === 'customer') return state.customerVerifiesDomain(request.params.domain);
    return siteVerification.publish(request.params.domain, txtRecord);
  });
  app.get('/_emulator/faults', async () => faults.list());
  app.post('/_emulator/faults', async (request) => faults.add(faultSpecSchema.parse(request.body)));
  app.get('/_emulator/mail', async () => mail.list());
  app.delete('/_emulator/mail', async (_request, reply) => {
    mail.clear();
    return reply.code(204).send();
  });
  app.post('/_emulator/settings', async (request) =>
    state.updateSettings(settingsPatchSchema.parse(request.body ?? {})),
  );
}
