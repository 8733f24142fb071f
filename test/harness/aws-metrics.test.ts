import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import {
  getMetricDataAll,
  metricScope,
  RUN_STATS,
  readEsmMetrics,
  readFilteredOutCount,
  readLiveMetrics,
  readRunMetrics,
  runWindow,
} from '../../harness/targets/aws-metrics.ts';
import { resolveLabOutputs } from '../../harness/targets/aws-outputs.ts';
import { ThrottledError } from '../../harness/targets/aws-retry.ts';
import { publishedEsmMetrics, publishedSqsEsmMetrics } from '../../labs/esm-metrics.ts';
import { LABS } from '../../labs/index.ts';
import { awsError, deployedOutputsFor, KAFKA_ESM_UUID, noSleep, SQS_ESM_UUID } from './support/aws-fixtures.ts';

const [baseline, lowLatency, sqsBuffer] = LABS;
const cw = mockClient(CloudWatchClient);
const client = new CloudWatchClient({ region: 'eu-west-1' });
const T0 = Date.UTC(2026, 0, 1, 12, 0, 30); // 30 s past a minute
const scopeOf = (lab = baseline) => metricScope(lab, resolveLabOutputs(lab, deployedOutputsFor(lab)));

test('GetMetricData pages are followed with NextToken and merged by query Id', async () => {
  cw.reset();
  const input: GetMetricDataCommandInput = {
    MetricDataQueries: [{ Id: 'a', MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'Sum' } }],
    StartTime: new Date(T0),
    EndTime: new Date(T0 + 600_000),
  };
  cw.on(GetMetricDataCommand)
    .resolvesOnce({ MetricDataResults: [{ Id: 'a', Timestamps: [new Date(1000)], Values: [1], StatusCode: 'PartialData' }], NextToken: 't1' })
    .resolvesOnce({
      MetricDataResults: [
        { Id: 'a', Timestamps: [new Date(2000)], Values: [2], StatusCode: 'PartialData' },
        { Id: 'b', Timestamps: [], Values: [] },
      ],
      NextToken: 't2',
    })
    .resolvesOnce({ MetricDataResults: [{ Id: 'a', Timestamps: [new Date(3000)], Values: [3], StatusCode: 'Complete' }] });
  const results = await getMetricDataAll(client, input);
  const tokens = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken);
  assert.equal(tokens, [undefined, 't1', 't2']);
  for (const call of cw.commandCalls(GetMetricDataCommand))
    assert.equal(call.args[0].input.MetricDataQueries, input.MetricDataQueries, 'same queries on every page');
  const a = results.find((r) => r.Id === 'a')!;
  assert.equal(a.Values, [1, 2, 3]);
  assert.equal(
    a.Timestamps!.map((t) => t.getTime()),
    [1000, 2000, 3000],
  );
  assert.is(a.StatusCode, 'Complete');
  assert.ok(results.some((r) => r.Id === 'b'));
});

test('GetMetricData throttling (Throttling, LimitExceeded, ThrottlingException) is retried', async () => {
  cw.reset();
  cw.on(GetMetricDataCommand)
    .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
    .rejectsOnce(awsError('LimitExceeded', 'Too many requests'))
    .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
    .resolves({ MetricDataResults: [{ Id: 'filtered', Timestamps: [new Date(T0)], Values: [4] }] });
  const count = await readFilteredOutCount(client, { kafkaEsmUuid: KAFKA_ESM_UUID }, { fromMs: T0, toMs: T0 + 120_000 }, { sleep: noSleep });
  assert.is(count, 4);
  assert.is(cw.commandCalls(GetMetricDataCommand).length, 4);
});

test('GetMetricData still throttled after every attempt is a ThrottledError; other errors pass through', async () => {
  cw.reset();
  cw.on(GetMetricDataCommand).rejects(awsError('Throttling', 'Rate exceeded'));
  try {
    await readFilteredOutCount(client, { kafkaEsmUuid: KAFKA_ESM_UUID }, { fromMs: T0, toMs: T0 + 60_000 }, { sleep: noSleep, attempts: 2 });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.instance(error, ThrottledError);
  }
  cw.reset();
  cw.on(GetMetricDataCommand).rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
  try {
    await readFilteredOutCount(client, { kafkaEsmUuid: KAFKA_ESM_UUID }, { fromMs: T0, toMs: T0 + 60_000 }, { sleep: noSleep });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, /have expired/);
  }
});

test('FilteredOutEventCount: the ESM UUID dimension, Sum per minute over the run; no data is undefined', async () => {
  cw.reset();
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'filtered', Timestamps: [], Values: [] }] });
  assert.is(await readFilteredOutCount(client, { kafkaEsmUuid: KAFKA_ESM_UUID }, { fromMs: T0, toMs: T0 + 90_000 }), undefined);
  assert.equal(cw.commandCalls(GetMetricDataCommand)[0].args[0].input, {
    MetricDataQueries: [
      {
        Id: 'filtered',
        MetricStat: {
          Metric: { Namespace: 'AWS/Lambda', MetricName: 'FilteredOutEventCount', Dimensions: [{ Name: 'EventSourceMappingUUID', Value: KAFKA_ESM_UUID }] },
          Period: 60,
          Stat: 'Sum',
        },
        ReturnData: true,
      },
      {
        Id: 'filteredsearch',
        Expression: `SEARCH('Namespace="AWS/Lambda" MetricName="FilteredOutEventCount" "${KAFKA_ESM_UUID}"', 'Sum', 60)`,
        ReturnData: true,
      },
    ],
    StartTime: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)),
    EndTime: new Date(Date.UTC(2026, 0, 1, 12, 2, 0)),
    ScanBy: 'TimestampAscending',
    NextToken: undefined,
  });
});

test('FilteredOutEventCount under several dimension sets is not added up: the largest total wins', async () => {
  cw.reset();
  const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 12, min, 0));
  cw.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: 'filtered', Timestamps: [at(0)], Values: [30] }, // the exact metric, first minute only so far
      { Id: 'filteredsearch', Label: 'EventSourceMappingUUID', Timestamps: [at(0), at(1)], Values: [30, 12] },
      { Id: 'filteredsearch', Label: 'FunctionName EventSourceMappingUUID', Timestamps: [at(0), at(1)], Values: [30, 12] },
    ],
  });
  assert.is(await readFilteredOutCount(client, { kafkaEsmUuid: KAFKA_ESM_UUID }, { fromMs: T0, toMs: T0 + 90_000 }), 42);
});

test('ESM metrics: one query per enabled metric under EventSourceMappingUUID; counts summed, lags at their maximum', async () => {
  cw.reset();
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => {
      const name = q.MetricStat!.Metric!.MetricName;
      const values = name === 'PolledEventCount' ? [1200, 1800] : name === 'MaxOffsetLag' ? [40, 90] : name === 'ProvisionedPollers' ? [3, 4] : [];
      return { Id: q.Id, Timestamps: values.map((_, i) => new Date(T0 + i * 60_000)), Values: values };
    }),
  }));
  const totals = await readEsmMetrics(client, KAFKA_ESM_UUID, publishedEsmMetrics(['EventCount', 'KafkaMetrics'], true), {
    fromMs: T0,
    toMs: T0 + 120_000,
  });
  assert.equal(totals, { PolledEventCount: 3000, MaxOffsetLag: 90, ProvisionedPollers: 4 });
  const queries = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
  assert.equal(
    queries.map((q) => q.MetricStat!.Metric!.MetricName),
    [
      'PolledEventCount',
      'FilteredOutEventCount',
      'InvokedEventCount',
      'FailedInvokeEventCount',
      'DroppedEventCount',
      'OnFailureDestinationDeliveredEventCount',
      'CommittedEventCount',
      'MaxOffsetLag',
      'SumOffsetLag',
      'ProvisionedPollers',
      'EventPollerUnit',
      'EventPollerThroughputInBytes',
    ],
  );
  assert.equal(queries[0].MetricStat!.Metric!.Dimensions, [{ Name: 'EventSourceMappingUUID', Value: KAFKA_ESM_UUID }]);
  assert.is(queries.find((q) => q.MetricStat!.Metric!.MetricName === 'MaxOffsetLag')!.MetricStat!.Stat, 'Maximum');
});

test('ESM metrics: no MetricsConfig and on-demand mode asks CloudWatch nothing', async () => {
  cw.reset();
  assert.equal(await readEsmMetrics(client, KAFKA_ESM_UUID, publishedEsmMetrics(undefined, false), { fromMs: T0, toMs: T0 + 60_000 }), {});
  assert.is(cw.commandCalls(GetMetricDataCommand).length, 0);
});

test("ESM metrics of lab 3's SQS mapping: the five EventCount counts and, provisioned, ProvisionedPollers, under its own UUID", async () => {
  cw.reset();
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => {
      const name = q.MetricStat!.Metric!.MetricName;
      const values = name === 'DeletedEventCount' ? [500, 700] : name === 'ProvisionedPollers' ? [2, 5] : [];
      return { Id: q.Id, Timestamps: values.map((_, i) => new Date(T0 + i * 60_000)), Values: values };
    }),
  }));
  const totals = await readEsmMetrics(client, SQS_ESM_UUID, publishedSqsEsmMetrics(['EventCount'], true), { fromMs: T0, toMs: T0 + 120_000 });
  assert.equal(totals, { DeletedEventCount: 1200, ProvisionedPollers: 5 });
  const queries = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
  assert.equal(
    queries.map((q) => q.MetricStat!.Metric!.MetricName),
    ['PolledEventCount', 'FilteredOutEventCount', 'InvokedEventCount', 'FailedInvokeEventCount', 'DeletedEventCount', 'ProvisionedPollers'],
  );
  assert.equal(queries[0].MetricStat!.Metric!.Dimensions, [{ Name: 'EventSourceMappingUUID', Value: SQS_ESM_UUID }]);
});

test('run window: one period spanning the minute-aligned run', () => {
  const w = runWindow(T0, T0 + 95_000);
  assert.equal(w.start, new Date(Date.UTC(2026, 0, 1, 12, 0, 0)));
  assert.equal(w.end, new Date(Date.UTC(2026, 0, 1, 12, 3, 0)));
  assert.is(w.periodSeconds, 180);
});

test("readRunMetrics: p50, p99, avg, min, max and sum of each metric, scoped to the lab's dimensions", async () => {
  cw.reset();
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    // Every query answers with one value: its position, so the mapping back can be checked.
    MetricDataResults: input.MetricDataQueries!.map((q, i) => ({ Id: q.Id, Timestamps: [input.StartTime], Values: [i] })),
  }));
  const summary = await readRunMetrics(client, scopeOf(sqsBuffer), { fromMs: T0, toMs: T0 + 95_000 });
  const input = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
  const queries = input.MetricDataQueries!;
  assert.is(queries.length, 9 * RUN_STATS.length);
  assert.equal(input.StartTime, new Date(Date.UTC(2026, 0, 1, 12, 0, 0)));
  assert.equal(input.EndTime, new Date(Date.UTC(2026, 0, 1, 12, 3, 0)));
  assert.ok(queries.every((q) => q.MetricStat!.Period === 180 && /^[a-z][a-zA-Z0-9_]*$/.test(q.Id!)));
  assert.equal(
    queries.slice(0, 6).map((q) => q.MetricStat!.Stat),
    ['p50', 'p99', 'Average', 'Minimum', 'Maximum', 'Sum'],
  );
  assert.equal(queries[0].MetricStat!.Metric, {
    Namespace: 'KafkaLambdaWorkshop',
    MetricName: 'EndToEndDuration',
    Dimensions: [
      { Name: 'service', Value: 'sqs-processor' },
      { Name: 'Lab', Value: '03-sqs-buffer' },
    ],
  });
  const published = queries.find((q) => q.MetricStat!.Metric!.MetricName === 'EventsPublished')!;
  assert.equal(published.MetricStat!.Metric!.Dimensions, [{ Name: 'service', Value: 'producer' }]);
  const concurrency = queries.filter((q) => q.MetricStat!.Metric!.MetricName === 'ConcurrentExecutions').map((q) => q.MetricStat!.Metric!.Dimensions![0].Value);
  assert.equal([...new Set(concurrency)], ['klw-03-sqs-buffer-sqs-forwarder', 'klw-03-sqs-buffer-sqs-processor']);
  assert.equal(summary.EndToEndDuration, { p50: 0, p99: 1, avg: 2, min: 3, max: 4, sum: 5 });
  assert.equal(summary.EventsProcessed, { p50: 6, p99: 7, avg: 8, min: 9, max: 10, sum: 11 });
  assert.ok(summary.SqsProcessorConcurrentExecutions);
});

test('readRunMetrics: a metric without data is empty', async () => {
  cw.reset();
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  const summary = await readRunMetrics(client, scopeOf(), { fromMs: T0, toMs: T0 + 60_000 });
  assert.equal(summary.EndToEndDuration, {});
  assert.not.ok('SqsProcessorConcurrentExecutions' in summary);
});

test('live metrics: processed so far, latest lag, pollers, concurrency, latest p50', async () => {
  cw.reset();
  const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 12, min, 0));
  cw.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: 'processed', Timestamps: [at(0), at(1)], Values: [600, 1200] },
      { Id: 'e2ep50', Timestamps: [at(0), at(1)], Values: [80, 95] },
      { Id: 'concurrency', Timestamps: [at(0), at(1)], Values: [3, 4] },
      { Id: 'offsetlag', Label: 'by function', Timestamps: [at(0), at(1)], Values: [50, 20] },
      { Id: 'offsetlag', Label: 'by mapping', Timestamps: [at(1)], Values: [25] },
      { Id: 'offsetlagfn', Timestamps: [at(0)], Values: [90] }, // older minute: the newest value wins
      { Id: 'offsetlagesm', Timestamps: [], Values: [] },
      { Id: 'pollers', Timestamps: [at(1)], Values: [2] },
    ],
  });
  const live = await readLiveMetrics(client, scopeOf(lowLatency), { fromMs: T0, toMs: T0 + 80_000 });
  assert.equal(live, { processedSoFar: 1800, offsetLag: 25, pollers: 2, concurrency: 4, latestEndToEndP50: { at: at(1).getTime(), value: 95 } });
  const queries = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
  assert.equal(
    queries.map((q) => q.Id),
    ['processed', 'e2ep50', 'concurrency', 'offsetlag', 'offsetlagfn', 'offsetlagesm', 'pollers'],
  );
  assert.equal(queries[0].MetricStat, {
    Metric: {
      Namespace: 'KafkaLambdaWorkshop',
      MetricName: 'EventsProcessed',
      Dimensions: [
        { Name: 'service', Value: 'booking-processor' },
        { Name: 'Lab', Value: '02-low-latency' },
      ],
    },
    Period: 60,
    Stat: 'Sum',
  });
  assert.is(queries[1].MetricStat!.Stat, 'p50');
  assert.equal(queries[2].MetricStat!.Metric!.Dimensions, [{ Name: 'FunctionName', Value: 'klw-02-low-latency-booking-processor' }]);
  assert.is(
    queries[3].Expression,
    `SEARCH('Namespace="AWS/Lambda" MetricName="OffsetLag" ("${KAFKA_ESM_UUID}" OR "klw-02-low-latency-booking-processor")', 'Maximum', 60)`,
  );
  assert.equal(queries[4].MetricStat!.Metric, {
    Namespace: 'AWS/Lambda',
    MetricName: 'OffsetLag',
    Dimensions: [{ Name: 'FunctionName', Value: 'klw-02-low-latency-booking-processor' }],
  });
  assert.equal(queries[5].MetricStat!.Metric, {
    Namespace: 'AWS/Lambda',
    MetricName: 'OffsetLag',
    Dimensions: [{ Name: 'EventSourceMappingUUID', Value: KAFKA_ESM_UUID }],
  });
  assert.equal(queries[6].MetricStat!.Metric, {
    Namespace: 'AWS/Lambda',
    MetricName: 'ProvisionedPollers',
    Dimensions: [{ Name: 'EventSourceMappingUUID', Value: KAFKA_ESM_UUID }],
  });
});

test('live metrics: on-demand mode has no poller query; lab 3 also reads its SQS processor', async () => {
  cw.reset();
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'sqsconcurrency', Timestamps: [new Date(T0)], Values: [37] }] });
  const live = await readLiveMetrics(client, scopeOf(sqsBuffer), { fromMs: T0, toMs: T0 + 30_000 });
  assert.is(live.pollers, 0);
  assert.is(live.sqsConcurrency, 37);
  const ids = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!.map((q) => q.Id);
  assert.equal(ids, ['processed', 'e2ep50', 'concurrency', 'offsetlag', 'offsetlagfn', 'offsetlagesm', 'sqsconcurrency']);
});

test.run();
