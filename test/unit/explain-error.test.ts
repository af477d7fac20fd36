/**
 * The CLI's explanations (client/explain-error.ts) on errors shaped as the SDK throws them: the
 * cause chain keeps the server's words once each, and only the known setup mistakes get a hint.
 */
import { NamespaceNotFoundError, ServiceError } from '@temporalio/client';
import { causeChain, setupHint, withCauses } from '../../client/explain-error';

/** A gRPC error as @grpc/grpc-js builds it (code, details, metadata), wrapped by the SDK. */
function grpc(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${code === 3 ? 'INVALID_ARGUMENT' : 'NOT_FOUND'}: ${details}`), {
    code,
    details,
    metadata: { get: () => [] },
  });
}
const facts = { namespace: 'sales', address: 'temporal.internal:7233' };

test('the chain shows the SDK message and the server’s details once, without the gRPC prefix', () => {
  const err = new ServiceError('Failed to start Workflow', {
    cause: grpc(3, 'Namespace sales has no mapping defined for search attribute CustomerDomain'),
  });
  expect(causeChain(err)).toEqual([
    'Failed to start Workflow',
    'Namespace sales has no mapping defined for search attribute CustomerDomain',
  ]);
  expect(withCauses(new Error('outer', { cause: new Error('outer') }))).toBe('outer');
  expect(withCauses('a string')).toBe('a string');
});

test('a missing search attribute, on start or in a list query, gets the registration commands', () => {
  for (const details of [
    'Namespace sales has no mapping defined for search attribute OnboardingStage',
    'invalid query: invalid search attribute: OnboardingStage',
    'invalid query: OnboardingStage is not a valid search attribute',
  ]) {
    const hint = setupHint(new ServiceError('Failed', { cause: grpc(3, details) }), facts);
    expect(hint).toContain('namespace sales has no search attribute OnboardingStage');
    expect(hint).toContain('temporal operator search-attribute create --namespace sales --name CustomerDomain');
  }
});

test('a missing namespace gets how to create it; other errors get no hint', () => {
  expect(setupHint(new NamespaceNotFoundError('sales'), facts)).toContain(
    'namespace sales does not exist at temporal.internal:7233',
  );
  expect(setupHint(grpc(5, 'Namespace sales is not found.'), facts)).toContain(
    'temporal operator namespace create --namespace sales',
  );
  expect(setupHint(grpc(5, 'workflow execution not found'), facts)).toBeUndefined();
  expect(setupHint(new Error('something else'), facts)).toBeUndefined();
});
