// The AWS target end to end, with every AWS client mocked (aws-sdk-client-mock): prepare, publish,
// sample, accountedFor and observe on lab 4 (filter, poison events, on-failure queue) and lab 3
// (SQS buffer and its DLQ). The clients are the ones the target creates itself.

import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilterLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { GetEventSourceMappingCommand, InvokeCommand, type InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProducerPayload } from '../../handlers/producer.ts';
import { summarizeDelays } from '../../handlers/shared/publish.ts';
import { bookingSchedule, type ScheduledEvent } from '../../handlers/shared/schedule.ts';
import { UsageError } from '../../harness/errors.ts';
import { AwsTarget } from '../../harness/targets/aws.ts';
import { type RunPlan } from '../../harness/targets/target.ts';
import { LABS } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import {
  awsError,
  batchLineMessage,
  deployedKafkaEsm,
  deployedOutputsFor,
  deployedSqsEsm,
  jsonBytes,
  KAFKA_ESM_UUID,
  noSleep,
  onFailureBody,
  SQS_ESM_UUID,
} from './support/aws-fixtures.ts';

const [baseline, , sqsBuffer, bestPractices] = LABS;
const lambda = mockClient(LambdaClient);
const cloudwatch = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const sqs = mockClient(SQSClient);
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function resetAll(): void {
  for (const m of [lambda, cloudwatch, logs, sqs]) m.reset();
}

function fakeClock(start = T0 + 5_000) {
  let now = start;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), advance: (ms: number) => void (now += ms) };
}

function planFor(lab: LabSpec, durationSec = 2): RunPlan {
  return { runId: `run-${lab.number}`, startAtMs: T0, profile: { ...lab.traffic, durationSec } };
}

/** Answers each producer Invoke with its shard's ProducerResult. */
function producerAnswers(): void {
  lambda.on(InvokeCommand).callsFake((input: InvokeCommandInput) => {
    const payload = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as ProducerPayload;
    const events = [...bookingSchedule(payload.profile, payload.startAtMs, payload.shard)];
    return {
      StatusCode: 200,
      Payload: jsonBytes({
        runId: payload.runId,
        topic: payload.topic,
        shard: payload.shard,
        published: events.length,
        poison: events.filter((e) => e.poison).length,
        failedToPublish: 0,
        firstSeq: events[0]?.seq,
        lastSeq: events.at(-1)?.seq,
        sendDelayMs: summarizeDelays(events.map((e) => e.seq % 7)),
      }),
    };
  });
}

const position = (e: ScheduledEvent) => ({ partition: e.seq % 12, offset: 1000 + e.seq });

test('prepare: nothing deployed is one UsageError line with the deploy command', async () => {
  resetAll();
  const target = new AwsTarget({ outputs: () => undefined, outputsSource: '.deploy/outputs.json' });
  try {
    await target.prepare(baseline);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.is(
      (error as Error).message,
      'Nothing is deployed to AWS (no .deploy/outputs.json): deploy lab 01-baseline with `npm run deploy -- 01-baseline` first (it deploys the base stack too).',
    );
  }
  assert.is(lambda.calls().length, 0, 'no AWS call without outputs');
});

test("prepare: the lab's outputs missing (another lab deployed) is one UsageError line", async () => {
  resetAll();
  const target = new AwsTarget({ outputs: deployedOutputsFor(baseline) });
  try {
    await target.prepare(bestPractices);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.not.ok((error as Error).message.includes('\n'));
    assert.match((error as Error).message, /`npm run deploy -- 04-best-practices`/);
  }
});

test('prepare: a filtering lab without the EventCount metrics is refused before any AWS call (its filtered count could not be confirmed)', async () => {
  resetAll();
  const target = new AwsTarget({ outputs: deployedOutputsFor(bestPractices) });
  const lab = { ...bestPractices, kafkaEsm: { ...bestPractices.kafkaEsm, metrics: ['KafkaMetrics' as const] } };
  try {
    await target.prepare(lab);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.not.ok((error as Error).message.includes('\n'));
    assert.match((error as Error).message, /FilteredOutEventCount/);
    assert.match((error as Error).message, /Add 'EventCount' to kafkaEsm.metrics/);
  }
});

test('prepare: missing credentials are one UsageError line saying how to set them', async () => {
  resetAll();
  lambda.on(GetEventSourceMappingCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
  const target = new AwsTarget({ outputs: deployedOutputsFor(baseline) });
  try {
    await target.prepare(baseline);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    const message = (error as Error).message;
    assert.not.ok(message.includes('\n'));
    assert.match(
      message,
      /^No AWS credentials found for lambda:GetEventSourceMapping on the Kafka event source mapping: set AWS_PROFILE .* AWS_ACCESS_KEY_ID .* AWS_REGION, then run again\.$/,
    );
  } finally {
    await target.close();
  }
});

test('prepare: a deployed mapping that differs from the spec stops the run before anything is published', async () => {
  resetAll();
  lambda.on(GetEventSourceMappingCommand).resolves({ ...deployedKafkaEsm(bestPractices), BatchSize: 10 });
  const target = new AwsTarget({ outputs: deployedOutputsFor(bestPractices) });
  try {
    await target.prepare(bestPractices);
    assert.unreachable('expected a UsageError');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, /Kafka ESM BatchSize: spec 50, deployed 10/);
  }
  assert.is(lambda.commandCalls(InvokeCommand).length, 0);
  await target.close();
});

test('lab 4 end to end: publish, live sample, then every event processed, filtered or dead-lettered', async () => {
  resetAll();
  const lab = bestPractices;
  const plan = planFor(lab);
  const events = [...bookingSchedule(plan.profile, plan.startAtMs)];
  const filtered = events.filter((e) => !e.poison && e.status !== 'CONFIRMED');
  const poison = events.filter((e) => e.poison);
  const processed = events.filter((e) => !e.poison && e.status === 'CONFIRMED');
  assert.ok(poison.length > 0 && filtered.length > 0, 'the fixture run has poison and filtered events');

  lambda.on(GetEventSourceMappingCommand, { UUID: KAFKA_ESM_UUID }).resolves(deployedKafkaEsm(lab));
  producerAnswers();

  // The processor's lines: batches of 50 over two pages; each poison event fails twice (retried).
  const lines = [];
  for (let i = 0; i < processed.length; i += 50) {
    const batch = processed.slice(i, i + 50);
    lines.push(
      batchLineMessage(
        plan.runId,
        batch.map((e) => ({ seq: e.seq, endToEndMs: 30 + (e.seq % 5) })),
      ),
    );
  }
  for (const e of poison) for (let attempt = 0; attempt < 2; attempt++) lines.push(batchLineMessage(plan.runId, [], [{ seq: e.seq, ...position(e) }]));
  // One event processed twice (a retried batch).
  lines.push(batchLineMessage(plan.runId, [{ seq: processed[0].seq, endToEndMs: 900 }]));
  const logEvents = lines.map((message, i) => ({ eventId: `ev${i}`, timestamp: T0 + 1_000 + i, message }));
  const half = Math.ceil(logEvents.length / 2);
  logs
    .on(FilterLogEventsCommand)
    .callsFake((input: FilterLogEventsCommandInput) =>
      input.nextToken === 'more' ? { events: logEvents.slice(half) } : { events: logEvents.slice(0, half), nextToken: 'more' },
    );

  // The on-failure queue: one record per poison event, then nothing new.
  const destination = poison.map((e, i) => ({
    MessageId: `dest-${i}`,
    ReceiptHandle: `rh-${i}`,
    Body: onFailureBody(
      'bookings',
      [{ partition: position(e).partition, first: position(e).offset, last: position(e).offset }],
      new Date(T0 + 20_000).toISOString(),
    ),
  }));
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: destination }).resolves({});

  // CloudWatch: the live view, and FilteredOutEventCount (no data on the first look).
  let filterLooks = 0;
  cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const ids = input.MetricDataQueries!.map((q) => q.Id);
    if (ids.includes('filtered')) {
      filterLooks++;
      return {
        MetricDataResults: [{ Id: 'filtered', Timestamps: filterLooks === 1 ? [] : [new Date(T0)], Values: filterLooks === 1 ? [] : [filtered.length] }],
      };
    }
    return {
      MetricDataResults: [
        { Id: 'processed', Timestamps: [new Date(T0)], Values: [120] },
        { Id: 'e2ep50', Timestamps: [new Date(T0)], Values: [42] },
        { Id: 'concurrency', Timestamps: [new Date(T0)], Values: [2] },
        { Id: 'offsetlag', Label: 'x', Timestamps: [new Date(T0)], Values: [7] },
        { Id: 'pollers', Timestamps: [new Date(T0)], Values: [1] },
      ],
    };
  });

  const clock = fakeClock();
  const target = new AwsTarget({
    readiness: false,
    outputs: deployedOutputsFor(lab),
    now: clock.now,
    sleep: clock.sleep,
    retry: { sleep: noSleep },
    metricsPollMs: 15_000,
  });
  const prepared = await target.prepare(lab);
  assert.equal(
    lambda.commandCalls(GetEventSourceMappingCommand).map((c) => c.args[0].input),
    [{ UUID: KAFKA_ESM_UUID }],
  );

  const summary = await prepared.publish(plan);
  assert.is(summary.published, events.length);
  assert.is(summary.poison, poison.length);
  assert.is(summary.sendDelaysMs.length, events.length);
  const invoke = lambda.commandCalls(InvokeCommand);
  assert.is(invoke.length, 1, '200 events/s: one producer shard');
  assert.is(invoke[0].args[0].input.FunctionName, 'klw-producer');

  const first = await prepared.sample();
  assert.equal(first, { at: clock.now(), processedSoFar: 120, offsetLag: 7, pollers: 1, concurrency: 2, recentEndToEndMs: [42] });
  clock.advance(1_000);
  const second = await prepared.sample();
  assert.equal(second.recentEndToEndMs, [], 'the same minute is not reported twice');
  assert.is(cloudwatch.commandCalls(GetMetricDataCommand).length, 1, 'CloudWatch is read at most every 10 s');

  // FilteredOutEventCount has no data yet: the filtered events are not accounted for.
  assert.is(await prepared.accountedFor(plan.runId, summary.published), false);
  const receive = sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input;
  assert.equal(receive, {
    QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/klw-bookings-failed',
    MaxNumberOfMessages: 10,
    VisibilityTimeout: 30,
    WaitTimeSeconds: 1,
    MessageSystemAttributeNames: ['SentTimestamp'],
  });
  const filterCall = logs.commandCalls(FilterLogEventsCommand)[0].args[0].input;
  assert.is(filterCall.logGroupName, '/aws/lambda/klw-04-best-practices-booking-processor');
  assert.is(filterCall.filterPattern, '"batch processed" "run-4"');
  assert.is(filterCall.startTime, T0 - 60_000);

  clock.advance(5_000);
  assert.is(await prepared.accountedFor(plan.runId, summary.published), true);

  const observed = await prepared.observe(plan.runId, summary.published);
  assert.is(observed.processed.length, processed.length + 1, 'the duplicate is kept');
  assert.equal(
    [...new Set(observed.processed.map((p) => p.seq))].sort((a, b) => a - b),
    processed.map((e) => e.seq),
  );
  assert.equal(
    observed.filteredSeqs,
    filtered.map((e) => e.seq),
  );
  assert.equal(
    observed.deadLetteredSeqs,
    poison.map((e) => e.seq),
  );
  assert.is(observed.batchSizes.length, lines.length);
  const notes = prepared.notes();
  assert.ok(notes.some((n) => /producer klw-producer; Kafka ESM/.test(n)));
  assert.ok(notes.some((n) => /FilteredOutEventCount/.test(n)));
  assert.ok(notes.some((n) => /cannot read MSK from outside the VPC/.test(n)));
  await target.close();
});

test('observe waits for FilteredOutEventCount to catch up, then gives up and reports the shortfall', async () => {
  resetAll();
  const lab = bestPractices;
  const plan = planFor(lab, 1);
  const events = [...bookingSchedule(plan.profile, plan.startAtMs)];
  const passing = events.filter((e) => e.poison || e.status === 'CONFIRMED');
  lambda.on(GetEventSourceMappingCommand).resolves(deployedKafkaEsm(lab));
  producerAnswers();
  logs.on(FilterLogEventsCommand).resolves({
    events: [
      {
        eventId: 'e',
        timestamp: T0 + 500,
        message: batchLineMessage(
          plan.runId,
          passing.map((e) => ({ seq: e.seq })),
        ),
      },
    ],
  });
  sqs.on(ReceiveMessageCommand).resolves({});
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'filtered', Timestamps: [new Date(T0)], Values: [1] }] });
  const clock = fakeClock();
  const target = new AwsTarget({
    readiness: false,
    outputs: deployedOutputsFor(lab),
    now: clock.now,
    sleep: clock.sleep,
    metricsSettleMs: 60_000,
    metricsPollMs: 20_000,
  });
  const prepared = await target.prepare(lab);
  const summary = await prepared.publish(plan);
  const started = clock.now();
  const observed = await prepared.observe(plan.runId, summary.published);
  assert.is(clock.now() - started, 60_000, 'waited the settle time');
  assert.is(cloudwatch.commandCalls(GetMetricDataCommand).length, 4, 'looked at the metric every 20 s');
  assert.equal(observed.filteredSeqs, []);
  assert.ok(prepared.notes().some((n) => /they are counted as lost, not filtered/.test(n)));
  await target.close();
});

test("lab 3: processed from the SQS processor's log group, dead letters from the buffer DLQ, queue depth live", async () => {
  resetAll();
  const lab = sqsBuffer;
  const plan = planFor(lab, 1);
  const events = [...bookingSchedule(plan.profile, plan.startAtMs)];
  const dead = events.slice(0, 3);
  lambda.on(GetEventSourceMappingCommand, { UUID: KAFKA_ESM_UUID }).resolves(deployedKafkaEsm(lab));
  lambda.on(GetEventSourceMappingCommand, { UUID: SQS_ESM_UUID }).resolves(deployedSqsEsm(lab));
  producerAnswers();
  logs.on(FilterLogEventsCommand).resolves({
    events: [
      {
        eventId: 'e1',
        timestamp: T0 + 900,
        message: batchLineMessage(
          plan.runId,
          events.slice(3).map((e) => ({ seq: e.seq })),
          dead.map((e) => ({ seq: e.seq, messageId: `m${e.seq}` })),
        ),
      },
    ],
  });
  sqs
    .on(ReceiveMessageCommand, { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/klw-03-sqs-buffer-buffer-dlq' })
    .resolvesOnce({
      Messages: [
        ...dead.map((e) => ({ MessageId: `d${e.seq}`, Body: JSON.stringify({ runId: plan.runId, seq: e.seq, status: e.status }) })),
        { MessageId: 'old', Body: JSON.stringify({ runId: 'an-older-run', seq: 1 }) },
      ],
    })
    .resolves({});
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '250' } });
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'sqsconcurrency', Timestamps: [new Date(T0)], Values: [40] }] });

  const target = new AwsTarget({ readiness: false, outputs: deployedOutputsFor(lab), retry: { sleep: noSleep } });
  const prepared = await target.prepare(lab);
  assert.equal(
    lambda.commandCalls(GetEventSourceMappingCommand).map((c) => c.args[0].input.UUID),
    [KAFKA_ESM_UUID, SQS_ESM_UUID],
  );
  const summary = await prepared.publish(plan);
  const sample = await prepared.sample();
  assert.is(sample.queueDepth, 250);
  assert.is(sample.sqsConcurrency, 40);
  assert.equal(sqs.commandCalls(GetQueueAttributesCommand)[0].args[0].input, {
    QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/klw-03-sqs-buffer-buffer',
    AttributeNames: ['ApproximateNumberOfMessages'],
  });
  assert.is(await prepared.accountedFor(plan.runId, summary.published), true);
  const observed = await prepared.observe(plan.runId, summary.published);
  assert.is(logs.commandCalls(FilterLogEventsCommand)[0].args[0].input.logGroupName, '/aws/lambda/klw-03-sqs-buffer-sqs-processor');
  assert.equal(
    observed.deadLetteredSeqs,
    dead.map((e) => e.seq),
  );
  assert.is(observed.processed.length, events.length - 3);
  assert.equal(observed.filteredSeqs, []);
  cloudwatch.reset();
  cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: input.MetricDataQueries!.map((q) => {
      const name = q.MetricStat!.Metric!.MetricName;
      const values = name === 'PolledEventCount' ? [events.length] : name === 'DeletedEventCount' ? [events.length - 3] : [];
      return { Id: q.Id, Timestamps: values.map(() => new Date(T0)), Values: values };
    }),
  }));
  assert.equal(await prepared.sqsEsmMetrics!(plan.runId), { PolledEventCount: events.length, DeletedEventCount: events.length - 3 });
  const asked = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
  assert.ok(
    asked.every((q) => q.MetricStat!.Metric!.Dimensions![0].Value === SQS_ESM_UUID),
    "the SQS mapping's metrics are read under its own UUID",
  );
  await target.close();
});

test("readRunMetrics over the run's window", async () => {
  resetAll();
  lambda.on(GetEventSourceMappingCommand).resolves(deployedKafkaEsm(baseline));
  producerAnswers();
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm0s0', Timestamps: [new Date(T0)], Values: [480] }] });
  const target = new AwsTarget({ readiness: false, outputs: deployedOutputsFor(baseline) });
  const prepared = await target.prepare(baseline);
  const plan = planFor(baseline);
  await prepared.publish(plan);
  const metrics = await prepared.readRunMetrics(plan.runId, T0 + 150_000);
  assert.equal(metrics.EndToEndDuration, { p50: 480 });
  const input = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
  assert.equal([input.StartTime, input.EndTime], [new Date(T0), new Date(T0 + 180_000)]);
  await target.close();
});

test('sample: a failed CloudWatch read keeps the last values and says so, never failing the run', async () => {
  resetAll();
  lambda.on(GetEventSourceMappingCommand).resolves(deployedKafkaEsm(baseline));
  cloudwatch.on(GetMetricDataCommand).rejects(awsError('InternalServiceError', 'CloudWatch is having a moment'));
  const target = new AwsTarget({ readiness: false, outputs: deployedOutputsFor(baseline), retry: { sleep: noSleep } });
  const prepared = await target.prepare(baseline);
  const sample = await prepared.sample();
  assert.equal({ ...sample, at: 0 }, { at: 0, processedSoFar: 0, offsetLag: 0, pollers: 0, concurrency: 0, recentEndToEndMs: [] });
  const notes = prepared.notes();
  assert.ok(notes.some((n) => /a live CloudWatch read failed \(InternalServiceError: CloudWatch is having a moment\)/.test(n)));
  assert.ok(
    notes.some((n) => /on-demand mode publishes no poller count/.test(n)),
    'lab 1 is on-demand',
  );
  assert.ok(
    notes.some((n) => /the Kafka default, 500 ms/.test(n)),
    'lab 1 leaves the window unset',
  );
  await target.close();
});

test.run();
