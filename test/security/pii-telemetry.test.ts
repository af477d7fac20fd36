/**
 * Finding (issue 19): admin e-mails appeared in clear in OpenTelemetry span status messages and
 * exception events, and in the worker's "Activity failed" log line, although failure messages are
 * encrypted in Temporal's history. Spans are exported here through the worker's own tracing set-up
 * (startTracing, OTLP over HTTP to a local receiver) and log lines read from the worker's logger.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { scrubPii } from '../../config/pii';
import { startTracing } from '../../config/tracing';
import { runtimeLogFunction } from '../../worker/runtime-log';

const EMAIL = 'alex.cruz@contoso-consulting.example';
const FAILURE = `users.insert ${EMAIL} failed: HTTP 409 Entity already exists ("givenName": "Alex")`;

let receiver: Server;
const received: string[] = [];
beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

test('exported spans carry no e-mail in their status or exception events', async () => {
  const { port } = receiver.address() as AddressInfo;
  const tracing = await startTracing({ otlpEndpoint: `http://127.0.0.1:${port}`, serviceName: 'pii-test' });
  const span = trace.getTracer('pii-test').startSpan('RunActivity:createAdminUser');
  span.recordException(ApplicationFailure.create({ message: FAILURE, type: 'Google.duplicate' }));
  span.setStatus({ code: SpanStatusCode.ERROR, message: FAILURE });
  span.setAttribute('error.message', FAILURE);
  span.end();
  await tracing.shutdown();

  const exported = received.join('\n');
  expect(exported).toContain('RunActivity:createAdminUser');
  expect(exported).toContain(scrubPii(EMAIL)); // still followable: the same address, the same tag
  expect(exported).not.toContain(EMAIL);
  expect(exported).not.toContain('"Alex');
});

test('the worker\'s "Activity failed" log line carries no e-mail', () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = runtimeLogFunction(pino({ level: 'debug' }, stream));
  const error = ApplicationFailure.create({ message: FAILURE, type: 'Google.duplicate' });
  log({ level: 'WARN', message: 'Activity failed', meta: { error, durationMs: 12, activityType: 'createAdminUser' } });
  log({ level: 'INFO', message: `created ${EMAIL}` });

  const output = lines.join('');
  expect(output).toContain('Activity failed');
  expect(output).toContain('Google.duplicate');
  expect(output).toContain('createAdminUser');
  expect(output).not.toContain(EMAIL);
  expect(output).not.toContain('"Alex');
});

test('scrubPii hashes addresses and redacts named fields, leaving the rest', () => {
  expect(scrubPii(`to ${EMAIL} and ${EMAIL.toUpperCase()}`)).toMatch(
    /^to <email:[0-9a-f]{8}> and <email:[0-9a-f]{8}>$/,
  );
  expect(scrubPii(EMAIL)).toBe(scrubPii(EMAIL.toUpperCase()));
  expect(scrubPii('contactName: Alex, customers.insert failed')).toBe(
    'contactName: <redacted>, customers.insert failed',
  );
});
