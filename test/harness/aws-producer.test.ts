import { InvokeCommand, type InvokeCommandInput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProducerPayload, ProducerResult } from '../../handlers/producer.ts';
import { summarizeDelays } from '../../handlers/shared/publish.ts';
import { bookingSchedule } from '../../handlers/shared/schedule.ts';
import { UsageError } from '../../harness/errors.ts';
import {
  delaysFromSummary,
  ProducerInvocationError,
  producerPayloads,
  publishWithProducer,
  shardCount,
  summarizeShards,
} from '../../harness/targets/aws-producer.ts';
import { ThrottledError } from '../../harness/targets/aws-retry.ts';
import { type RunPlan } from '../../harness/targets/target.ts';
import { LABS } from '../../labs/index.ts';
import { awsError, jsonBytes, noSleep } from './support/aws-fixtures.ts';

const [baseline, lowLatency] = LABS;
const lambda = mockClient(LambdaClient);
const client = new LambdaClient({ region: 'eu-west-1' });

function plan(profile = baseline.traffic, runId = 'run-1'): RunPlan {
  return { runId, startAtMs: 1_767_225_600_000, profile };
}

function resultFor(payload: ProducerPayload, published: number, delays: number[]): ProducerResult {
  return {
    runId: payload.runId,
    topic: payload.topic ?? 'bookings',
    shard: payload.shard ?? { index: 0, count: 1 },
    published,
    poison: 1,
    failedToPublish: 0,
    firstSeq: payload.shard?.index ?? 0,
    lastSeq: 99,
    sendDelayMs: summarizeDelays(delays),
  };
}

function payloadOf(input: InvokeCommandInput): ProducerPayload {
  return JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as ProducerPayload;
}

test('shards: one per 500 events/s of the peak rate', () => {
  assert.is(shardCount(baseline.traffic), 1); // 100/s
  assert.is(shardCount(lowLatency.traffic), 2); // peak 600/s
  assert.is(shardCount({ ...baseline.traffic, ratePerSec: 500 }), 1);
  assert.is(shardCount({ ...baseline.traffic, ratePerSec: 501 }), 2);
  assert.is(shardCount({ ...baseline.traffic, ratePerSec: 5000 }), 10);
  assert.is(shardCount({ ...baseline.traffic, ratePerSec: 10 ** 6 }), 64, 'capped');
  assert.is(shardCount({ ...baseline.traffic, ratePerSec: 900 }, 300), 3, 'per-shard rate is configurable');
});

test('payloads: the same run and start for every shard, shards cover every seq once', () => {
  const payloads = producerPayloads(plan(lowLatency.traffic), 'bookings');
  assert.equal(
    payloads.map((p) => p.shard),
    [
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ],
  );
  for (const p of payloads) {
    assert.is(p.runId, 'run-1');
    assert.is(p.topic, 'bookings');
    assert.is(p.startAtMs, 1_767_225_600_000);
    assert.equal(p.profile, lowLatency.traffic);
  }
  const seqs = payloads.flatMap((p) => [...bookingSchedule(p.profile, p.startAtMs, p.shard)].map((e) => e.seq)).sort((a, b) => a - b);
  assert.equal(
    seqs,
    [...bookingSchedule(lowLatency.traffic, 0)].map((e) => e.seq),
  );
});

test('publish: one RequestResponse Invoke per shard with the ProducerPayload, results summed', async () => {
  lambda.reset();
  lambda.on(InvokeCommand).callsFake((input: InvokeCommandInput) => {
    const payload = payloadOf(input);
    return { StatusCode: 200, Payload: jsonBytes(resultFor(payload, 10 + payload.shard!.index, [1, 2, 3, 4, 100 * (payload.shard!.index + 1)])) };
  });
  const { summary, results } = await publishWithProducer(client, 'klw-producer', plan(lowLatency.traffic), 'bookings');
  const calls = lambda.commandCalls(InvokeCommand);
  assert.is(calls.length, 2);
  for (const [i, call] of calls.entries()) {
    const input = call.args[0].input;
    assert.is(input.FunctionName, 'klw-producer');
    assert.is(input.InvocationType, 'RequestResponse');
    assert.equal(Object.keys(input).sort(), ['FunctionName', 'InvocationType', 'Payload']);
    assert.equal(payloadOf(input), {
      runId: 'run-1',
      topic: 'bookings',
      startAtMs: 1_767_225_600_000,
      profile: lowLatency.traffic,
      shard: { index: i, count: 2 },
    });
  }
  assert.is(results.length, 2);
  assert.is(summary.published, 21);
  assert.is(summary.poison, 2);
  assert.is(summary.failedToPublish, 0);
  assert.is(summary.sendDelaysMs.length, 10);
  assert.is(Math.max(...summary.sendDelaysMs), 200);
});

test('publish: a throttled Invoke is retried with backoff, then succeeds', async () => {
  lambda.reset();
  const delays: number[] = [];
  lambda
    .on(InvokeCommand)
    .rejectsOnce(awsError('TooManyRequestsException', 'Rate exceeded', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }))
    .rejectsOnce(awsError('TooManyRequestsException', 'Rate exceeded'))
    .callsFake((input: InvokeCommandInput) => ({ StatusCode: 200, Payload: jsonBytes(resultFor(payloadOf(input), 5, [1])) }));
  const { summary } = await publishWithProducer(client, 'klw-producer', plan(), 'bookings', {
    retry: { sleep: async (ms) => void delays.push(ms), random: () => 1 },
  });
  assert.is(summary.published, 5);
  assert.is(lambda.commandCalls(InvokeCommand).length, 3);
  assert.equal(delays, [500, 1000], 'exponential backoff from 500 ms');
});

test('publish: still throttled after every attempt is a ThrottledError naming the shard', async () => {
  lambda.reset();
  lambda.on(InvokeCommand).rejects(awsError('TooManyRequestsException', 'Rate exceeded'));
  try {
    await publishWithProducer(client, 'klw-producer', plan(), 'bookings', { retry: { sleep: noSleep, attempts: 3 } });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.instance(error, ThrottledError);
    assert.match((error as Error).message, /Invoking the producer klw-producer \(shard 1 of 1 of run run-1\) was still throttled by AWS after 3 attempts/);
  }
  assert.is(lambda.commandCalls(InvokeCommand).length, 3);
});

test("publish: a FunctionError is a clear error with the handler's message, never retried", async () => {
  lambda.reset();
  lambda.on(InvokeCommand).resolves({
    StatusCode: 200,
    FunctionError: 'Unhandled',
    Payload: jsonBytes({
      errorType: 'Error',
      errorMessage: 'The schedule ends 950 s from now but the function has 900 s left: raise the producer timeout',
      trace: ['at x'],
    }),
  });
  try {
    await publishWithProducer(client, 'klw-producer', plan(), 'bookings', { retry: { sleep: noSleep } });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.instance(error, ProducerInvocationError);
    assert.is(
      (error as Error).message,
      'The producer Lambda failed (Unhandled) on shard 1 of 1 of run run-1: Error: The schedule ends 950 s from now but the function has 900 s left: raise the producer timeout',
    );
  }
  assert.is(lambda.commandCalls(InvokeCommand).length, 1);
});

test('publish: a missing producer function says to deploy the base; other failures name the shard', async () => {
  lambda.reset();
  lambda.on(InvokeCommand).rejects(awsError('ResourceNotFoundException', 'Function not found: klw-producer'));
  try {
    await publishWithProducer(client, 'klw-producer', plan(), 'bookings', { retry: { sleep: noSleep } });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, /npm run deploy -- base/);
  }
  lambda.reset();
  lambda.on(InvokeCommand).rejects(awsError('TimeoutError', 'socket hang up'));
  try {
    await publishWithProducer(client, 'klw-producer', plan(), 'bookings', { retry: { sleep: noSleep } });
    assert.unreachable('expected an error');
  } catch (error) {
    assert.instance(error, ProducerInvocationError);
    assert.match((error as Error).message, /failed on shard 1 of 1 of run run-1: TimeoutError: socket hang up/);
  }
  assert.is(lambda.commandCalls(InvokeCommand).length, 1, 'an invoke that may have run is never sent again');
});

test("send delays: the rebuilt values have the summary's exact quantiles", () => {
  const samples = [
    [7],
    [3, 9],
    [0, 0, 1, 2, 2, 3, 50],
    Array.from({ length: 1000 }, (_, i) => Math.round(Math.abs(Math.sin(i)) * 40 + (i % 97 === 0 ? 400 : 0))),
  ];
  for (const delays of samples) {
    const summary = summarizeDelays(delays);
    const rebuilt = delaysFromSummary(summary);
    assert.is(rebuilt.length, delays.length);
    const again = summarizeDelays(rebuilt);
    for (const key of ['count', 'min', 'p50', 'p90', 'p99', 'max'] as const) assert.is(again[key], summary[key], `${key} of ${delays.length} delays`);
    assert.ok(
      rebuilt.every((v, i) => i === 0 || v >= rebuilt[i - 1]),
      'non-decreasing',
    );
  }
  assert.equal(delaysFromSummary(summarizeDelays([])), []);
});

test("summarizeShards adds shards up and keeps each shard's delays", () => {
  const payloads = producerPayloads(plan({ ...baseline.traffic, ratePerSec: 1200 }), 'bookings');
  const results = payloads.map((p, i) => ({ ...resultFor(p, 100, [i, i + 1]), failedToPublish: i }));
  const summary = summarizeShards(results);
  assert.is(summary.published, 300);
  assert.is(summary.poison, 3);
  assert.is(summary.failedToPublish, 3);
  assert.equal(summary.sendDelaysMs, [0, 1, 1, 2, 2, 3]);
});

test.run();
