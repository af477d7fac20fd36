/**
 * The Google API routes the emulator answers (Reseller v1, Directory v1, Site Verification v1),
 * on the paths googleapis v188 sends; each hands the request to the state's rules.
 */
import type { EmulatorApp, Query } from './http-util';
import { first } from './http-util';
import type { SiteVerification } from './site-verification';
import type { EmulatorState } from './state';

export function registerGoogleRoutes(app: EmulatorApp, state: EmulatorState, siteVerification: SiteVerification): void {
  registerResellerRoutes(app, state);
  registerDirectoryRoutes(app, state);
  registerSiteVerificationRoutes(app, siteVerification);
}

function registerResellerRoutes(app: EmulatorApp, state: EmulatorState): void {
  app.get<{ Params: { customerId: string } }>('/apps/reseller/v1/customers/:customerId', async (request) =>
    state.getResellerCustomer(request.params.customerId),
  );
  // With a customerAuthToken: registers a customer of Google or another reseller with this reseller.
  app.post<{ Querystring: Query }>('/apps/reseller/v1/customers', async (request) =>
    state.insertResellerCustomer(request.body, first(request.query.customerAuthToken)),
  );
  app.get<{ Querystring: Query }>('/apps/reseller/v1/subscriptions', async (request) =>
    state.listSubscriptions({
      customerId: first(request.query.customerId),
      customerAuthToken: first(request.query.customerAuthToken),
      maxResults: first(request.query.maxResults),
      pageToken: first(request.query.pageToken),
    }),
  );
  app.post<{ Params: { customerId: string }; Querystring: Query }>(
    '/apps/reseller/v1/customers/:customerId/subscriptions',
    async (request) =>
      state.insertSubscription(request.params.customerId, first(request.query.customerAuthToken), request.body),
  );
  app.get<{ Params: { customerId: string; subscriptionId: string } }>(
    '/apps/reseller/v1/customers/:customerId/subscriptions/:subscriptionId',
    async (request) => state.getSubscription(request.params.customerId, request.params.subscriptionId),
  );
  app.delete<{ Params: { customerId: string; subscriptionId: string }; Querystring: Query }>(
    '/apps/reseller/v1/customers/:customerId/subscriptions/:subscriptionId',
    async (request, reply) => {
      const { customerId, subscriptionId } = request.params;
      state.deleteSubscription(customerId, subscriptionId, first(request.query.deletionType));
      return reply.code(204).send();
    },
  );
}

function registerDirectoryRoutes(app: EmulatorApp, state: EmulatorState): void {
  app.get<{ Params: { customerKey: string } }>('/admin/directory/v1/customers/:customerKey', async (request) =>
    state.getDirectoryCustomer(request.params.customerKey),
  );
  app.patch<{ Params: { customerKey: string } }>('/admin/directory/v1/customers/:customerKey', async (request) =>
    state.patchDirectoryCustomer(request.params.customerKey, request.body),
  );
  app.post('/admin/directory/v1/users', async (request) => state.insertUser(request.body));
  app.get<{ Params: { userKey: string } }>('/admin/directory/v1/users/:userKey', async (request) =>
    state.getUser(request.params.userKey),
  );
  for (const method of ['PATCH', 'PUT'] as const) {
    app.route<{ Params: { userKey: string } }>({
      method,
      url: '/admin/directory/v1/users/:userKey',
      handler: async (request) => state.updateUser(request.params.userKey, request.body),
    });
  }
  app.delete<{ Params: { userKey: string } }>('/admin/directory/v1/users/:userKey', async (request, reply) => {
    state.deleteUser(request.params.userKey);
    return reply.code(204).send();
  });
  app.post<{ Params: { userKey: string } }>('/admin/directory/v1/users/:userKey/makeAdmin', async (request, reply) => {
    state.makeAdmin(request.params.userKey, request.body);
    return reply.code(200).send();
  });
}

function registerSiteVerificationRoutes(app: EmulatorApp, siteVerification: SiteVerification): void {
  // The caller is the bearer token (the impersonated user): Site Verification tokens are tied to it.
  const caller = (request: { headers: { authorization?: string } }) =>
    (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  app.post('/siteVerification/v1/token', async (request) => siteVerification.getToken(request.body, caller(request)));
  app.post<{ Querystring: Query }>('/siteVerification/v1/webResource', async (request) =>
    siteVerification.insert(first(request.query.verificationMethod), request.body, caller(request)),
  );
  app.get('/siteVerification/v1/webResource', async () => siteVerification.list());
  app.get<{ Params: { id: string } }>('/siteVerification/v1/webResource/:id', async (request) =>
    siteVerification.get(request.params.id),
  );
}
