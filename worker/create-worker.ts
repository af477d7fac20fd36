/** Builds the onboarding worker; used by the worker process and, with the same code, by the tests. */
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createGoogleClients } from '../activities/google-clients';
import { createSmtpMailer, type Mailer } from '../activities/mailer';
import { TASK_QUEUE } from '../workflows/messages';
import type { WorkerConfig } from './config';

export interface OnboardingWorker {
  worker: Worker;
  /** Closes what the worker opened (SMTP pool); call after `worker.run()` returns. */
  close(): Promise<void>;
}

export async function createOnboardingWorker(options: {
  config: Omit<WorkerConfig, 'temporal' | 'logLevel' | 'maxCachedWorkflows'>;
  connection: NativeConnection;
  namespace: string;
  dataConverter?: DataConverter;
  /** A pre-built bundle (tests build one per file); without it the worker bundles ../workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: Partial<Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'shutdownGraceTime' | 'identity'>>;
}): Promise<OnboardingWorker> {
  const { config } = options;
  const mailer: Mailer = createSmtpMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
  const activities = createActivities({
    google: createGoogleClients(config.google),
    mailer,
    policy: { allowedCountries: config.allowedCountries },
    mail: { resellerName: config.resellerName, salesNotifyEmail: config.salesNotifyEmail, salesEmailDomains: config.salesEmailDomains ?? [] },
    waits: config.waits,
  });
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: TASK_QUEUE,
    activities,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    shutdownGraceTime: '10 seconds',
    ...options.tuning,
  });
  return { worker, close: async () => mailer.close() };
}
