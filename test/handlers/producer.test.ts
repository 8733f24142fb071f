import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handler, toKafkaMessage } from '../../handlers/producer.ts';
import { parseBooking } from '../../handlers/shared/booking.ts';
import { kafkaConfigFromEnv } from '../../handlers/shared/kafka-client.ts';
import { publishSchedule, type SendFn, summarizeDelays } from '../../handlers/shared/publish.ts';
import { bookingSchedule, type ScheduledEvent } from '../../handlers/shared/schedule.ts';
import type { TrafficProfile } from '../../handlers/shared/traffic.ts';
import { FakeClock } from './support/fake-clock.ts';

const START = 1_767_225_600_000;

async function rejects(fn: () => Promise<unknown>, pattern: RegExp) {
  try {
    await fn();
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}
const profile: TrafficProfile = {
  shape: 'steady',
  ratePerSec: 100,
  durationSec: 1,
  eventBytes: 400,
  statusMix: { CONFIRMED: 1, PENDING: 1, CANCELLED: 1 },
  poisonShare: 0.1,
  seed: 3,
};
const schedule = () => [...bookingSchedule(profile, START)];

function sender(clock: FakeClock, sendMs: number, sent: Array<{ event: ScheduledEvent; at: number }> = []): SendFn {
  return async (event) => {
    sent.push({ event, at: clock.now() });
    if (sendMs > 0) await clock.sleepUntil(clock.now() + sendMs);
    return { partition: event.seq % 3, offset: String(Math.floor(event.seq / 3)) };
  };
}

test('on schedule: each event is sent at its intended time, with zero send delay', async () => {
  const clock = new FakeClock(START - 1000);
  const sent: Array<{ event: ScheduledEvent; at: number }> = [];
  const outcome = await clock.run(publishSchedule(sender(clock, 0, sent), schedule(), clock));
  assert.is(outcome.published, 100);
  assert.equal(outcome.sendDelaysMs, new Array(100).fill(0));
  assert.ok(sent.every(({ event, at }) => at === event.intendedAt));
  assert.is(outcome.firstSeq, 0);
  assert.is(outcome.lastSeq, 99);
  assert.equal(outcome.results.slice(0, 4), [
    { seq: 0, partition: 0, offset: '0' },
    { seq: 1, partition: 1, offset: '0' },
    { seq: 2, partition: 2, offset: '0' },
    { seq: 3, partition: 0, offset: '1' },
  ]);
  assert.is(outcome.poison, schedule().filter((e) => e.poison).length);
});

test('a slow send (25 ms, one in flight) makes the loop late, but never moves intendedAt', async () => {
  const clock = new FakeClock(START);
  const sent: Array<{ event: ScheduledEvent; at: number }> = [];
  const outcome = await clock.run(publishSchedule(sender(clock, 25, sent), schedule(), clock, { maxInFlight: 1 }));
  assert.is(outcome.published, 100);
  // Event k is intended at 10k ms but can only start when k sends of 25 ms are done: 15k ms late.
  outcome.sendDelaysMs.forEach((delay, k) => assert.is(delay, 15 * k));
  assert.equal(
    sent.map((s) => s.event),
    schedule(),
  );
  sent.forEach(({ event, at }, k) => {
    assert.is(event.intendedAt, START + 10 * k);
    assert.is(at, START + 25 * k);
  });
});

test('open loop: slow sends overlap instead of delaying the next event', async () => {
  const clock = new FakeClock(START);
  const outcome = await clock.run(publishSchedule(sender(clock, 25, []), schedule(), clock));
  assert.ok(outcome.sendDelaysMs.every((d) => d === 0));
  assert.is(clock.now(), START + 990 + 25);
});

test('a producer that starts late sends at once and reports how late', async () => {
  const clock = new FakeClock(START + 500);
  const outcome = await clock.run(publishSchedule(sender(clock, 0), schedule(), clock));
  assert.equal(outcome.sendDelaysMs.slice(0, 3), [500, 490, 480]);
  assert.ok(outcome.sendDelaysMs.slice(50).every((d) => d === 0));
  assert.equal(summarizeDelays(outcome.sendDelaysMs), { count: 100, min: 0, mean: 127.5, p50: 0, p90: 400, p99: 490, max: 500 });
});

test('failed sends are counted, not lost, and the loop carries on', async () => {
  const clock = new FakeClock(START);
  const send: SendFn = async (event) => {
    if (event.seq % 10 === 3) throw new Error('NOT_LEADER_FOR_PARTITION');
    return { partition: 0, offset: String(event.seq) };
  };
  const outcome = await clock.run(publishSchedule(send, schedule(), clock));
  assert.is(outcome.published, 90);
  assert.is(outcome.failed.length, 10);
  assert.equal(outcome.failed[0], { seq: 3, error: 'NOT_LEADER_FOR_PARTITION' });
  assert.is(outcome.sendDelaysMs.length, 100);
});

test('Kafka messages: key is the booking id, headers runId and seq, value exactly eventBytes', () => {
  const events = schedule();
  const valid = events.find((e) => !e.poison) as ScheduledEvent;
  const poison = events.find((e) => e.poison) as ScheduledEvent;
  const message = toKafkaMessage('run-7', valid, 400);
  assert.is(message.key, valid.bookingId);
  assert.equal(message.headers, { runId: 'run-7', seq: String(valid.seq) });
  assert.is(Buffer.byteLength(message.value), 400);
  const parsed = parseBooking(message.value);
  assert.ok(parsed.ok);
  if (parsed.ok) assert.equal([parsed.booking.seq, parsed.booking.intendedAt, parsed.booking.status], [valid.seq, valid.intendedAt, valid.status]);
  const bad = toKafkaMessage('run-7', poison, 400);
  assert.is(Buffer.byteLength(bad.value), 400);
  const rejected = parseBooking(bad.value);
  assert.not.ok(rejected.ok);
  if (!rejected.ok) assert.equal([rejected.runId, rejected.seq], ['run-7', poison.seq]);
});

test('Kafka connection settings: plaintext for the sandbox, MSK IAM over TLS on AWS', async () => {
  const local = kafkaConfigFromEnv({ KAFKA_BROKERS: '127.0.0.1:9092', KAFKA_AUTH: 'none' }, 'test');
  assert.equal(local.brokers, ['127.0.0.1:9092']);
  assert.is(local.ssl, undefined);
  assert.is(local.sasl, undefined);
  // A broker restart outlasts kafkajs's default ~9 s of retries: bounded, but long enough to ride one out.
  assert.equal(local.retry, { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 });

  const regions: string[] = [];
  const msk = kafkaConfigFromEnv({ KAFKA_BROKERS: 'b-1.x:9098, b-2.x:9098', KAFKA_AUTH: 'iam', AWS_REGION: 'eu-west-1' }, 'test', async (region) => {
    regions.push(region);
    return 'signed-token';
  });
  assert.equal(msk.brokers, ['b-1.x:9098', 'b-2.x:9098']);
  assert.is(msk.ssl, true);
  const sasl = msk.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
  assert.is(sasl.mechanism, 'oauthbearer');
  assert.equal(await sasl.oauthBearerProvider(), { value: 'signed-token' });
  assert.equal(regions, ['eu-west-1']);

  assert.throws(() => kafkaConfigFromEnv({}, 'test'), /KAFKA_BROKERS is not set/);
  assert.throws(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'localhost' }, 'test'), /not host:port/);
  assert.throws(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'h:1', KAFKA_AUTH: 'scram' }, 'test'), /use "iam"/);
  assert.throws(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'h:1', KAFKA_AUTH: 'iam' }, 'test'), /AWS_REGION/);
});

test('the producer rejects a bad payload before it connects anywhere', async () => {
  await rejects(() => handler({ runId: '', startAtMs: START, profile }), /runId/);
  await rejects(() => handler({ runId: 'r', startAtMs: START, profile: { ...profile, poisonShare: 2 } }), /poisonShare/);
  await rejects(() => handler({ runId: 'r', startAtMs: START, profile, shard: { index: 2, count: 2 } }), /shard.index/);
  const context = { getRemainingTimeInMillis: () => 60_000 } as any;
  await rejects(() => handler({ runId: 'r', startAtMs: Date.now(), profile: { ...profile, durationSec: 120 } }, context), /raise the producer timeout/);
});

test.run();
