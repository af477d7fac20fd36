/**
 * Site Verification API v1 (the domain-verification step of Google's reseller codelab): a DNS TXT
 * token per domain (getToken), verification once the customer published it (webResource.insert),
 * and the verified resources (get, list). The control endpoint `customers/{domain}/verify-domain`
 * stands for the customer publishing the TXT record. Sources: docs/google-behaviour.md.
 */
import { createHash } from 'node:crypto';
import { GoogleApiError, invalid, notFound } from './errors';
import { asObject, DOMAIN, type Json, optionalString } from './request-checks';

/** Who the emulator says owns what it verified (the impersonated reseller admin is not known). */
export const VERIFIED_OWNER = 'reseller-admin@reseller.example';

interface Site {
  type: string;
  identifier: string;
}

function siteOf(body: unknown): Site {
  const site = asObject(asObject(body, 'body').site, 'site');
  return {
    // Google defaults the type to SITE (a URL), which DNS_TXT cannot verify.
    type: optionalString(site, 'type', 'site.type') ?? 'SITE',
    identifier: (optionalString(site, 'identifier', 'site.identifier') ?? '').trim().toLowerCase(),
  };
}

function checkDnsSite(site: Site, method: string | undefined): string {
  if (
    method !== 'DNS_TXT' &&
    method !== 'DNS_CNAME' &&
    method !== 'FILE' &&
    method !== 'META' &&
    method !== 'ANALYTICS' &&
    method !== 'TAG_MANAGER'
  ) {
    throw invalid(`Invalid value for verificationMethod: ${method ?? '(none)'}.`);
  }
  if (method !== 'DNS_TXT') throw invalid(`The emulator only models DNS_TXT verification, not ${method}.`);
  if (site.type !== 'INET_DOMAIN') {
    throw invalid(`You cannot use the verification method DNS_TXT to verify a site of type ${site.type}`);
  }
  if (!DOMAIN.test(site.identifier))
    throw invalid(`Invalid value for site.identifier: ${site.identifier || '(none)'}.`);
  return site.identifier;
}

export class SiteVerification {
  private readonly published = new Set<string>();
  private readonly verified = new Map<string, Json>();

  /** Called when a domain is verified (the Reseller record then shows customerDomainVerified). */
  constructor(private readonly onVerified: (domain: string) => void) {}

  reset(): void {
    this.published.clear();
    this.verified.clear();
  }

  /** Stable per domain, like Google's token for the same site and owner. */
  tokenFor(domain: string): string {
    const digest = createHash('sha256').update(`site-verification:${domain}`).digest('base64url').slice(0, 43);
    return `google-site-verification=${digest}`;
  }

  getToken(body: unknown): Json {
    const b = asObject(body, 'body');
    const domain = checkDnsSite(siteOf(b), optionalString(b, 'verificationMethod', 'verificationMethod'));
    return { method: 'DNS_TXT', token: this.tokenFor(domain) };
  }

  insert(verificationMethod: string | undefined, body: unknown): Json {
    const domain = checkDnsSite(siteOf(body), verificationMethod);
    if (!this.published.has(domain)) {
      throw new GoogleApiError(400, 'badRequest', 'The necessary verification token could not be found on your site.');
    }
    const resource = {
      id: encodeURIComponent(`dns://${domain}`),
      site: { type: 'INET_DOMAIN', identifier: domain },
      owners: [VERIFIED_OWNER],
    };
    this.verified.set(resource.id, resource);
    this.onVerified(domain);
    return resource;
  }

  get(id: string): Json {
    const resource = this.verified.get(id) ?? this.verified.get(encodeURIComponent(id));
    if (!resource) throw notFound(`Resource not found: ${id}`);
    return resource;
  }

  list(): Json {
    return { items: [...this.verified.values()] };
  }

  /** Control: the customer published the TXT record for its domain. */
  publish(domain: string): { customerDomain: string; txtRecord: string } {
    const customerDomain = domain.trim().toLowerCase();
    if (!DOMAIN.test(customerDomain)) throw invalid(`Not a domain: ${domain}`);
    this.published.add(customerDomain);
    return { customerDomain, txtRecord: this.tokenFor(customerDomain) };
  }
}
