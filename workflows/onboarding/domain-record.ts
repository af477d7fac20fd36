/**
 * Where the customer's domain verification stands (required or not, the DNS record to publish, when
 * and how it was verified), kept in one place like TokenInbox keeps the tokens. The status's
 * `domainVerification` is written from it here only; a run continued as new takes it back from the
 * carried status. The steps that ask Google are in domain.ts.
 */
import type { DnsRecord, OnboardingStatus } from '../messages';
import type { Progress } from '../progress';

type Verification = NonNullable<OnboardingStatus['domainVerification']>;
type Verified = NonNullable<Verification['verified']>;

export class DomainVerificationRecord {
  private state: Verification | undefined;

  constructor(private readonly progress: Progress) {
    this.state = progress.view.domainVerification;
  }

  /** Whether the customer still has to verify its domain. */
  get missing(): boolean {
    return this.state?.required === true && this.state.verified === undefined;
  }

  /** The TXT record the customer is to publish (kept after verification). */
  get record(): DnsRecord | undefined {
    return this.state?.record;
  }

  get verified(): Verified | undefined {
    return this.state?.verified;
  }

  /** The order opted out (`"verifyDomain": false`): the reseller verifies another way. */
  notRequired(): void {
    this.write({ required: false });
  }

  /** Google's answer before the sign-in notice: already verified, or the record to publish. */
  prepared({ verified, record }: { verified: boolean; record?: DnsRecord }, at: string): void {
    this.write(
      verified
        ? { required: true, verified: { at, via: 'already-verified' } }
        : { required: true, ...(record ? { record } : {}) },
    );
  }

  /** Verified (reported or detected): kept once, and only while a verification is awaited. */
  verify(verified: Verified): void {
    if (!this.state?.required || this.state.verified) return;
    this.write({ ...this.state, verified });
  }

  private write(state: Verification): void {
    this.state = state;
    this.progress.update({ domainVerification: state });
  }
}
