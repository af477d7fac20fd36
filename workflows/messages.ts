/**
 * The onboarding's public contract: names other systems depend on (task queue, workflow type and
 * id, signals, queries, updates, search attributes, stages) and the shapes they carry. Imported by
 * the workflow, the client library and the tests, so each name is written once.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const TASK_QUEUE = 'customer-onboarding';
export const WORKFLOW_TYPE = 'onboardCustomer';

/** One onboarding per domain: the id is derived from the (normalized) domain. */
export function onboardingWorkflowId(customerDomain: string): string {
  return `onboarding:${customerDomain.toLowerCase()}`;
}

export const CustomerDomainAttribute = defineSearchAttributeKey('CustomerDomain', SearchAttributeType.KEYWORD);
export const OnboardingStageAttribute = defineSearchAttributeKey('OnboardingStage', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTES = [CustomerDomainAttribute, OnboardingStageAttribute];

export const STAGES = [
  'validating',
  'creating-customer',
  'setting-language',
  'creating-admin',
  'granting-admin',
  'notifying',
  'awaiting-tos',
  'completed',
  'awaiting-transfer-token',
  'transferring',
  'transferred',
  'failed',
  'cancelled',
  'expired',
] as const;
export type Stage = (typeof STAGES)[number];

export interface TosAcceptance {
  /** Who reports it, e.g. the sales system's user or "crm-webhook"; shown in the status. */
  reportedBy?: string;
}

/** The customer signed in and accepted the Google Workspace terms (only the customer can). */
export const tosAcceptedSignal = defineSignal<[TosAcceptance?]>('tosAccepted');

export interface StepRecord {
  name: string;
  startedAt: string;
  finishedAt?: string;
  /** How many attempts the activity took (1 = first try), when it finished. */
  attempts?: number;
  outcome?: string;
}

export interface OnboardingStatus {
  stage: Stage;
  customerDomain: string;
  customerId?: string;
  adminEmail?: string;
  steps: StepRecord[];
  /** What the onboarding is waiting for, and until when. */
  waitingFor?: { what: 'tos-acceptance' | 'transfer-token'; since: string; deadline?: string };
  tosAccepted?: { at: string; via: 'signal' | 'detected'; reportedBy?: string };
  failure?: { type: string; message: string };
}

export const statusQuery = defineQuery<OnboardingStatus>('status');
