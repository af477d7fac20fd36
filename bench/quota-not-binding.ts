/**
 * The benchmarks of the orchestration (throughput, parked memory) measure Temporal's and the
 * worker's cost, not Google's pace: at the worker's default quotas (Reseller 300/min, conservative;
 * Directory 2,400/min) and two Reseller calls per onboarding, a burst of 200 needs two minutes of
 * Reseller quota and 10,000 parked onboardings over an hour, and the pacer rightly spreads them
 * (bench:quota measures that). These benchmarks tell both workers the project has a quota their
 * bursts cannot reach; the emulator enforces none unless told.
 */
export const QUOTA_NOT_BINDING = {
  GOOGLE_RESELLER_QUERIES_PER_MINUTE: '1000000',
  GOOGLE_DIRECTORY_QUERIES_PER_MINUTE: '1000000',
} as const;
