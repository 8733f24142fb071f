// The SQS mapping's own CloudWatch metrics: the batch handler counts what AWS's EventCount metrics
// count for SQS, and the publisher emits them once a period, under AWS's names, with
// ProvisionedPollers in provisioned mode.
import type { Message } from '@aws-sdk/client-sqs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SQS_ESM_METRIC_GROUPS, SQS_ESM_METRICS } from '../../../labs/esm-metrics.ts';
import { FakeClock } from '../../../sandbox/clock.ts';
import type { EmfMetric } from '../../../sandbox/lambda-runtime/emf.ts';
import { SqsBatchHandler, type SqsBatchSteps } from '../../../sandbox/sqs-esm/batch-handler.ts';
import type { SqsInvokeOutcome } from '../../../sandbox/sqs-esm/batch-response.ts';
import { SqsEsmMetrics } from '../../../sandbox/sqs-esm/esm-metrics.ts';

const message = (id: string, status: string): Message => ({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: JSON.stringify({ status }) });

/** A queue's messages by id, and what the mapping sent to the function and deleted. */
function mapping(outcome: (messages: Message[]) => SqsInvokeOutcome, matches?: SqsBatchSteps['matches']) {
  const invoked: string[][] = [];
  const deleted: string[] = [];
  const handler = new SqsBatchHandler({
    matches,
    invoke: async (messages) => {
      invoked.push(messages.map((m) => m.MessageId!));
      return outcome(messages);
    },
    remove: async (messages) => {
      deleted.push(...messages.map((m) => m.MessageId!));
      return messages.length;
    },
    reportBatchItemFailures: true,
  });
  return { handler, invoked, deleted };
}

const confirmedOnly = (m: Message) => JSON.parse(m.Body!).status === 'CONFIRMED';

test('a batch of successes: polled, invoked and deleted, nothing failed or filtered', async () => {
  const { handler, deleted } = mapping(() => ({ kind: 'success', response: null }));
  const batch = ['a', 'b', 'c'].map((id) => message(id, 'CONFIRMED'));
  handler.received(batch);
  await handler.handle(batch);
  assert.equal(handler.counters, { PolledEventCount: 3, FilteredOutEventCount: 0, InvokedEventCount: 3, FailedInvokeEventCount: 0, DeletedEventCount: 3 });
  assert.equal(deleted, ['a', 'b', 'c']);
});

test('a partial batch failure and a filtered message: each counted where AWS counts it', async () => {
  const { handler, invoked, deleted } = mapping(() => ({ kind: 'success', response: { batchItemFailures: [{ itemIdentifier: 'b' }] } }), confirmedOnly);
  const batch = [message('a', 'CONFIRMED'), message('b', 'CONFIRMED'), message('x', 'CANCELLED'), message('c', 'CONFIRMED')];
  handler.received(batch);
  await handler.handle(batch);
  assert.equal(invoked, [['a', 'b', 'c']], 'the filtered message never reaches the function');
  assert.equal(deleted.sort(), ['a', 'c', 'x'], 'the filter discards x (deleted); b, named as failed, stays for its visibility timeout');
  assert.equal(handler.counters, {
    PolledEventCount: 4,
    FilteredOutEventCount: 1,
    InvokedEventCount: 3,
    FailedInvokeEventCount: 1,
    DeletedEventCount: 2,
  });
});

test('a failed invocation fails every message it carried; a throttle fails none; a malformed response fails the batch', async () => {
  const batch = () => [message('a', 'CONFIRMED'), message('b', 'CONFIRMED')];
  for (const [outcome, failed] of [
    [{ kind: 'function-error', message: 'boom' }, 2],
    [{ kind: 'timeout', message: 'Task timed out' }, 2],
    [{ kind: 'throttled', message: 'Rate exceeded' }, 0],
    [{ kind: 'success', response: { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } }, 2],
  ] as const) {
    const { handler, deleted } = mapping(() => outcome);
    await handler.handle(batch());
    assert.is(handler.counters.InvokedEventCount, 2, `${outcome.kind}: both messages were sent`);
    assert.is(handler.counters.FailedInvokeEventCount, failed, `${outcome.kind}: FailedInvokeEventCount`);
    assert.is(handler.counters.DeletedEventCount, 0, `${outcome.kind}: nothing deleted`);
    assert.equal(deleted, []);
  }
});

test('a batch the filter empties is deleted and counted as filtered, with no invocation', async () => {
  const { handler, invoked, deleted } = mapping(() => ({ kind: 'success', response: null }), confirmedOnly);
  await handler.handle([message('x', 'CANCELLED'), message('y', 'PENDING')]);
  assert.equal(invoked, []);
  assert.equal(deleted, ['x', 'y']);
  assert.is(handler.counters.FilteredOutEventCount, 2);
  assert.is(handler.counters.DeletedEventCount, 0, "the filter's deletions are not DeletedEventCount's");
});

test('batches handled at the same time each add their deletions: none is lost to another', async () => {
  const pending: Array<() => void> = [];
  const handler = new SqsBatchHandler({
    invoke: async () => ({ kind: 'success', response: null }),
    remove: (messages) => new Promise<number>((resolve) => pending.push(() => resolve(messages.length))),
    reportBatchItemFailures: true,
  });
  const first = handler.handle([message('a', 'CONFIRMED'), message('b', 'CONFIRMED')]);
  const second = handler.handle([message('c', 'CONFIRMED'), message('d', 'CONFIRMED'), message('e', 'CONFIRMED')]);
  while (pending.length < 2) await new Promise((resolve) => setImmediate(resolve));
  pending[1]();
  await second;
  pending[0]();
  await first;
  assert.is(handler.counters.DeletedEventCount, 5);
});

function published(provisioned: boolean) {
  const clock = new FakeClock(0);
  const { handler } = mapping(() => ({ kind: 'success', response: { batchItemFailures: [{ itemIdentifier: 'b' }] } }), confirmedOnly);
  const emitted: EmfMetric[] = [];
  let pollers = 2;
  const metrics = new SqsEsmMetrics({
    uuid: 'sqs-esm-1',
    groups: SQS_ESM_METRIC_GROUPS,
    provisioned,
    periodMs: 1000,
    read: () => ({ counters: { ...handler.counters }, pollers }),
    emit: (m) => emitted.push(m),
    clock,
  });
  return { clock, handler, emitted, metrics, setPollers: (n: number) => (pollers = n) };
}

const points = (metrics: EmfMetric[]) => metrics.map((m) => [m.name, m.values[0]]);

test("EventCount for SQS: the five counts, one data point each per period, the period's delta, under EventSourceMappingUUID", async () => {
  const h = published(false);
  h.metrics.start();
  const batch = [message('a', 'CONFIRMED'), message('b', 'CONFIRMED'), message('x', 'CANCELLED'), message('c', 'CONFIRMED')];
  h.handler.received(batch);
  await h.handler.handle(batch);
  h.clock.advance(1000);
  assert.equal(points(h.emitted), [
    ['PolledEventCount', 4],
    ['FilteredOutEventCount', 1],
    ['InvokedEventCount', 3],
    ['FailedInvokeEventCount', 1],
    ['DeletedEventCount', 2],
  ]);
  assert.equal(
    h.emitted.map((m) => m.name),
    [...SQS_ESM_METRICS.EventCount],
  );
  for (const m of h.emitted) {
    assert.is(m.namespace, 'AWS/Lambda');
    assert.equal(m.dimensions, { EventSourceMappingUUID: 'sqs-esm-1' });
    assert.is(m.unit, 'Count');
    assert.is(m.timestamp, 1000);
  }
  assert.not.ok(
    h.emitted.some((m) => m.name === 'ProvisionedPollers'),
    'standard mode: no poller metric',
  );
  h.emitted.length = 0;
  h.clock.advance(1000);
  assert.equal(
    points(h.emitted).map(([, v]) => v),
    [0, 0, 0, 0, 0],
    'a period with nothing to count is a 0 for each',
  );
});

test('provisioned SQS mapping: ProvisionedPollers each period; no EPU metrics, which AWS lists for Kafka', async () => {
  const h = published(true);
  h.metrics.start();
  h.setPollers(7);
  h.clock.advance(1000);
  assert.equal(points(h.emitted).slice(-1), [['ProvisionedPollers', 7]]);
  assert.not.ok(h.emitted.some((m) => m.name === 'EventPollerUnit' || m.name === 'EventPollerThroughputInBytes'));
});

test('stop publishes the last, partial period', async () => {
  const h = published(false);
  h.metrics.start();
  const batch = [message('a', 'CONFIRMED'), message('b', 'CONFIRMED')];
  h.handler.received(batch);
  await h.handler.handle(batch);
  h.clock.advance(400);
  h.metrics.stop();
  assert.equal(h.emitted.find((m) => m.name === 'DeletedEventCount')!.values, [1]);
  h.clock.advance(5000);
  assert.is(h.emitted.filter((m) => m.name === 'DeletedEventCount').length, 1, 'no period after stop');
});

test.run();
