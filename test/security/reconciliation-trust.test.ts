/**
 * Finding 2 of issue 19, its rules one by one: the reconciliation believes a run's facts only where
 * they agree with the workflow id this product derives from the customer's domain, and lists only
 * its own runs (id scheme, task queue). The real-stack attack is in bound-payloads-stack.test.ts.
 */
import { domainOfWorkflowId, factsDisagreeBecause, notOurRunBecause } from '../../activities/reconciliation-trust';

test("only this product's runs: its id scheme, its task queue", () => {
  expect(notOurRunBecause({ workflowId: 'onboarding:a.example', taskQueue: 'customer-onboarding' })).toBeUndefined();
  expect(notOurRunBecause({ workflowId: 'attack-1', taskQueue: 'customer-onboarding' })).toMatch(/onboarding:<domain>/);
  expect(notOurRunBecause({ workflowId: 'onboarding:a.example', taskQueue: 'nobody-polls' })).toMatch(/task queue/);
  expect(domainOfWorkflowId('onboarding:A.example')).toBeUndefined(); // the product writes it lower-case
  expect(domainOfWorkflowId('onboarding:a.example/x')).toBeUndefined();
});

test('the admin must be at the domain the workflow id names', () => {
  const marker = 'onboarding:a.example/run-1';
  expect(factsDisagreeBecause('onboarding:a.example', { adminEmail: 'admin@a.example', marker })).toBeUndefined();
  expect(factsDisagreeBecause('onboarding:b.example', { adminEmail: 'admin@a.example', marker })).toMatch(
    /not at b\.example/,
  );
  expect(factsDisagreeBecause('onboarding:a.example', { adminEmail: 'admin@evil-a.example', marker })).toMatch(
    /not at a\.example/,
  );
});

test("the marker must be that workflow id's (0.1: the id itself)", () => {
  const facts = (marker: string) => ({ adminEmail: 'admin@a.example', marker });
  expect(factsDisagreeBecause('onboarding:a.example', facts('onboarding:a.example'))).toBeUndefined();
  expect(factsDisagreeBecause('onboarding:a.example', facts('onboarding:a.example.evil/run'))).toMatch(/marker/);
  expect(factsDisagreeBecause('onboarding:a.example', facts('onboarding:b.example/run-1'))).toMatch(/marker/);
});
