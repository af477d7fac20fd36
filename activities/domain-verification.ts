/**
 * Domain verification, the other thing a new domain customer must do: Google may suspend an
 * unverified account about 21 days after creation. As Google's reseller codelab does it, through
 * the Site Verification API: get the DNS TXT token for the domain (the record the customer must
 * publish), then try `webResource.insert` until Google finds the record. Domains Google already
 * shows as verified (`customerDomainVerified` on the Reseller record) need nothing.
 */
import { activityInfo } from '@temporalio/activity';
import type { DnsRecord } from '../workflows/messages';
import type { ActivityDependencies } from './dependencies';
import { callGoogle, googleErrorFacts, googleFailure } from './google-errors';

const site = (domain: string) => ({ type: 'INET_DOMAIN', identifier: domain });

export function domainVerificationActivities({ google }: ActivityDependencies) {
  return {
    /** The TXT record the customer must publish, or `verified` when Google already shows the domain verified. */
    async prepareDomainVerification(input: {
      customerId: string;
      domain: string;
    }): Promise<{ verified: boolean; record?: DnsRecord; attempt: number }> {
      const attempt = activityInfo().attempt;
      const customer = await callGoogle(`customers.get ${input.customerId}`, () =>
        google.reseller.customers.get({ customerId: input.customerId }),
      );
      if (customer.customerDomainVerified) return { verified: true, attempt };
      const token = await callGoogle(`siteVerification.getToken ${input.domain}`, () =>
        google.siteVerification.webResource.getToken({
          requestBody: { site: site(input.domain), verificationMethod: 'DNS_TXT' },
        }),
      );
      if (!token.token)
        throw googleFailure(`siteVerification.getToken ${input.domain}`, {
          response: { status: 502, data: { error: { message: 'no token in the answer' } } },
        });
      return { verified: false, record: { host: input.domain, type: 'TXT', value: token.token }, attempt };
    },

    /**
     * Asks Google to verify the domain now. Google answers 400 while it cannot find the TXT record
     * (the exact body is unconfirmed: any 400 means "not yet"); any other failure is classified as usual.
     */
    async tryDomainVerification(input: { domain: string }): Promise<{ verified: boolean }> {
      try {
        await google.siteVerification.webResource.insert({
          verificationMethod: 'DNS_TXT',
          requestBody: { site: site(input.domain) },
        });
        return { verified: true };
      } catch (err) {
        if (googleErrorFacts(err).status === 400) return { verified: false };
        throw googleFailure(`siteVerification.webResource.insert ${input.domain}`, err);
      }
    },
  };
}
