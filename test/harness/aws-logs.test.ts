import { CloudWatchLogsClient, FilterLogEventsCommand, type FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { BatchLineReader, batchLinePattern, logGroupOf, parseBatchLine } from '../../harness/targets/aws-logs.ts';
import { awsError, batchLineMessage, noSleep } from './support/aws-fixtures.ts';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'eu-west-1' });
const GROUP = logGroupOf('klw-04-best-practices-booking-processor');
const T0 = 1_767_225_600_000;

function event(id: string, timestamp: number, message: string) {
  return { eventId: id, timestamp, message, logStreamName: '2026/01/01/[$LATEST]abc', ingestionTime: timestamp + 500 };
}

test('the filter pattern asks for both quoted terms; odd run ids are refused', () => {
  assert.is(batchLinePattern('run-20260101-abc'), '"batch processed" "run-20260101-abc"');
  assert.is(logGroupOf('f'), '/aws/lambda/f');
  assert.throws(
    () => batchLinePattern('run "x"'),
    (e: unknown) => e instanceof UsageError,
  );
});

test('parseBatchLine: the Powertools line, a runtime prefix, Lambda JSON log format, and other lines', () => {
  const line = batchLineMessage('r', [{ seq: 1, endToEndMs: 12 }], [{ seq: 2, partition: 3, offset: 40 }]);
  const expected = {
    batchSize: 2,
    processed: [{ runId: 'r', seq: 1, endToEndMs: 12 }],
    failed: [{ runId: 'r', seq: 2, partition: 3, offset: 40, reason: 'not a booking: poison' }],
  };
  assert.equal(parseBatchLine(line), expected);
  assert.equal(parseBatchLine(`2026-01-01T00:00:00.000Z\tabc-123\tINFO\t${line}\n`), expected);
  assert.equal(parseBatchLine(JSON.stringify({ time: 'x', type: 'app', message: JSON.parse(line) })), expected);
  assert.is(parseBatchLine(JSON.stringify({ level: 'INFO', message: 'batch forwarded', batchSize: 1, processed: [], failed: [] })), undefined);
  assert.is(parseBatchLine('START RequestId: abc Version: $LATEST'), undefined);
  assert.is(parseBatchLine('{"level":"INFO","message":"batch processed","batchSize":3,"processed":[{"runId":"r","seq":1'), undefined, 'truncated');
});

test('FilterLogEvents: every page through nextToken, the exact request each time', async () => {
  logs.reset();
  const runId = 'run-7';
  logs
    .on(FilterLogEventsCommand)
    .resolvesOnce({ events: [event('e1', T0 + 1000, batchLineMessage(runId, [{ seq: 0 }, { seq: 1 }]))], nextToken: 'page-2' })
    .resolvesOnce({ events: [], nextToken: 'page-3' }) // FilterLogEvents may return an empty page that still has more
    .resolvesOnce({ events: [event('e2', T0 + 2000, batchLineMessage(runId, [{ seq: 2 }]))] });
  const reader = new BatchLineReader(client, { logGroupNames: [GROUP], runId, startTime: T0 - 60_000 });
  const lines = await reader.read(T0 + 10_000);
  assert.equal(
    lines.map((l) => [l.eventId, l.timestamp, l.processed.map((p) => p.seq)]),
    [
      ['e1', T0 + 1000, [0, 1]],
      ['e2', T0 + 2000, [2]],
    ],
  );
  const inputs = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
  const request = (nextToken?: string): FilterLogEventsCommandInput => ({
    logGroupName: GROUP,
    filterPattern: '"batch processed" "run-7"',
    startTime: T0 - 60_000,
    endTime: T0 + 10_000,
    nextToken,
  });
  assert.equal(inputs, [request(undefined), request('page-2'), request('page-3')]);
});

test('a second read starts a margin before the newest event and skips events already seen', async () => {
  logs.reset();
  const runId = 'run-8';
  logs
    .on(FilterLogEventsCommand)
    .resolvesOnce({ events: [event('e1', T0 + 120_000, batchLineMessage(runId, [{ seq: 0 }]))] })
    .resolvesOnce({
      events: [event('e1', T0 + 120_000, batchLineMessage(runId, [{ seq: 0 }])), event('e2', T0 + 121_000, batchLineMessage(runId, [{ seq: 1 }]))],
    });
  const reader = new BatchLineReader(client, { logGroupNames: [GROUP], runId, startTime: T0 });
  await reader.read(T0 + 125_000);
  const added = await reader.read(T0 + 130_000);
  assert.equal(
    added.map((l) => l.eventId),
    ['e2'],
  );
  assert.equal(
    reader.lines.map((l) => l.eventId),
    ['e1', 'e2'],
  );
  const second = logs.commandCalls(FilterLogEventsCommand)[1].args[0].input;
  assert.is(second.startTime, T0 + 60_000, 'newest (T0+120 s) minus the 60 s overlap');
  assert.is(second.endTime, T0 + 130_000);
});

test('throttling is retried; a missing log group reads as nothing logged yet; unreadable lines are counted', async () => {
  logs.reset();
  logs
    .on(FilterLogEventsCommand, { logGroupName: '/aws/lambda/a' })
    .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
    .resolves({ events: [event('x', T0, '{"level":"INFO","message":"batch processed","batchSize":'), event('y', T0, batchLineMessage('r', [{ seq: 5 }]))] });
  logs.on(FilterLogEventsCommand, { logGroupName: '/aws/lambda/b' }).rejects(awsError('ResourceNotFoundException', 'The specified log group does not exist.'));
  const reader = new BatchLineReader(client, { logGroupNames: ['/aws/lambda/a', '/aws/lambda/b'], runId: 'r', startTime: T0, retry: { sleep: noSleep } });
  const lines = await reader.read(T0 + 1000);
  assert.equal(
    lines.map((l) => l.processed[0].seq),
    [5],
  );
  assert.is(reader.unreadable, 1);
  assert.equal([...reader.missingGroups], ['/aws/lambda/b']);
  assert.is(logs.commandCalls(FilterLogEventsCommand, { logGroupName: '/aws/lambda/a' }).length, 2);
});

test('missing credentials while reading logs: one UsageError line', async () => {
  logs.reset();
  logs.on(FilterLogEventsCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
  const reader = new BatchLineReader(client, { logGroupNames: [GROUP], runId: 'r', startTime: T0 });
  try {
    await reader.read(T0);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.not.ok((error as Error).message.includes('\n'));
  }
});

test.run();
