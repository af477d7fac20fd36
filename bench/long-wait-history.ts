/**
 * How big does the history of a long customer wait get? Runs one onboarding on Temporal's
 * time-skipping server with the DEFAULT wait settings (check every hour, reminders on days 3 and 7,
 * deadline 30 days), lets the customer never answer, and counts the history events of every run
 * of the chain (the wait continues as new to stay short).
 *
 *   npm run bench:history
 */
import { WorkflowFailedError } from '@temporalio/client';
import { startOnboardingStack } from '../test/support/onboarding-stack';
import { domainOrder, uniqueDomain } from '../test/support/orders';

async function main(): Promise<void> {
  const stack = await startOnboardingStack({ server: 'time-skipping' });
  try {
    const domain = uniqueDomain('bench');
    const started = await stack.client.start(domainOrder(domain));
    const t0 = Date.now();
    const outcome = await stack.client.result(domain).catch((e: unknown) => e); // skips time until the deadline
    const wallSeconds = (Date.now() - t0) / 1000;
    if (!(outcome instanceof WorkflowFailedError)) throw new Error('expected the onboarding to expire');

    // Follow the chain run by run (the time-skipping server has no visibility API to list them).
    const runs: { runId: string; events: number }[] = [];
    for (let runId: string | undefined = started.runId; runId;) {
      const history: Awaited<ReturnType<ReturnType<typeof stack.env.client.workflow.getHandle>['fetchHistory']>> =
        await stack.env.client.workflow.getHandle(`onboarding:${domain}`, runId).fetchHistory();
      const events = history.events ?? [];
      runs.push({ runId, events: events.length });
      runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    const status = await stack.client.status(domain);
    const checks = (await stack.google.requests()).filter(
      (r) => r.method === 'GET' && decodeURIComponent(r.path).endsWith(`/users/admin@${domain}`),
    ).length;
    const total = runs.reduce((sum, r) => sum + r.events, 0);
    console.log(`30-day wait, default settings, customer never answers (first run ${started.runId})`);
    console.log(`  outcome:               ${status.stage} (${status.expired?.what}) at ${status.expired?.at}`);
    console.log(`  acceptance checks:     ${checks}`);
    console.log(`  runs (continue-as-new): ${runs.length}`);
    console.log(
      `  events per run:        ${runs.map((r) => r.events).join(', ')}  (max ${Math.max(...runs.map((r) => r.events))})`,
    );
    console.log(`  events in all:         ${total}  (Temporal warns at 10,240 events per run and stops at 51,200)`);
    console.log(`  wall time:             ${wallSeconds.toFixed(1)} s`);
  } finally {
    await stack.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
