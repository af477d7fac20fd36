/**
 * Site Verification API v1 (the domain-verification step of Google's reseller codelab): a DNS TXT
 * token per domain and caller (getToken: the token "is tied to the API caller"), verification once
 * the customer published the caller's token (webResource.insert, with the `owners` it names), and
 * the verified resources (get, list). The control endpoint `customers/{domain}/verify-domain`
 * stands for the customer publishing the TXT records it was given. Sources: docs/google-behaviour.md.
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

function ownersOf(body: unknown): string[] {
  const owners = asObject(body, 'body').owners;
  if (owners === undefined) return [];
  if (!Array.isArray(owners) || owners.some((o) => typeof o !== 'string'))
    throw invalid('Invalid value for owners: a list of e-mail addresses.');
  return (owners as string[]).map((o) => o.trim().toLowerCase());
}

export class SiteVerification {
  /** The TXT records published in each domain's DNS. */
  private readonly published = new Set<string>();
  /** The tokens issued per domain (to any caller): what the customer was given to publish. */
  private readonly issued = new Map<string, Set<string>>();
  /** Domains whose customer published before any token was issued: the next one issued is published. */
  private readonly pendingPublish = new Set<string>();
  private readonly verified = new Map<string, Json>();

  /** Called when a domain is verified, with the owners named (the Reseller record then shows customerDomainVerified). */
  constructor(private readonly onVerified: (domain: string, owners: string[]) => void) {}

  reset(): void {
    this.published.clear();
    this.issued.clear();
    this.pendingPublish.clear();
    this.verified.clear();
  }

  /** Stable per domain and caller (the bearer token, i.e. the impersonated user): "tied to the API caller". */
  tokenFor(domain: string, caller: string): string {
    const digest = createHash('sha256')
      .update(`site-verification:${domain}:${caller}`)
      .digest('base64url')
      .slice(0, 43);
    return `google-site-verification=${digest}`;
  }

  getToken(body: unknown, caller: string): Json {
    const b = asObject(body, 'body');
    const domain = checkDnsSite(siteOf(b), optionalString(b, 'verificationMethod', 'verificationMethod'));
    const token = this.tokenFor(domain, caller);
    this.issued.set(domain, (this.issued.get(domain) ?? new Set()).add(token));
    if (this.pendingPublish.has(domain)) this.published.add(token);
    return { method: 'DNS_TXT', token };
  }

  insert(verificationMethod: string | undefined, body: unknown, caller: string): Json {
    const domain = checkDnsSite(siteOf(body), verificationMethod);
    const owners = ownersOf(body);
    // Only this caller's token verifies for this caller: a record published for another caller does not.
    if (!this.published.has(this.tokenFor(domain, caller))) {
      throw new GoogleApiError(400, 'badRequest', 'The necessary verification token could not be found on your site.');
    }
    const resource = {
      id: encodeURIComponent(`dns://${domain}`),
      site: { type: 'INET_DOMAIN', identifier: domain },
      owners: [VERIFIED_OWNER, ...owners.filter((o) => o !== VERIFIED_OWNER)],
    };
    this.verified.set(resource.id, resource);
    this.onVerified(domain, owners);
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

  /**
   * Control: the customer published the TXT record(s) it was given for its domain (every token issued
   * so far; none issued yet: the next one issued), or the one named.
   */
  publish(domain: string, txtRecord?: string): { customerDomain: string; txtRecord: string; txtRecords: string[] } {
    const customerDomain = domain.trim().toLowerCase();
    if (!DOMAIN.test(customerDomain)) throw invalid(`Not a domain: ${domain}`);
    const records = txtRecord ? [txtRecord] : [...(this.issued.get(customerDomain) ?? [])];
    for (const record of records) this.published.add(record);
    if (!txtRecord && records.length === 0) this.pendingPublish.add(customerDomain);
    return { customerDomain, txtRecord: records[0] ?? '', txtRecords: records };
  }
}
