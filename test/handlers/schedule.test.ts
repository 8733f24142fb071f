import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bookingSchedule, expectedEventCount, intendedOffsetSec, offeredCount, type ScheduledEvent, scheduledEvent } from '../../handlers/shared/schedule.ts';
import type { TrafficProfile } from '../../handlers/shared/traffic.ts';

const START = 1_767_225_600_000;
const base: TrafficProfile = {
  shape: 'steady',
  ratePerSec: 200,
  durationSec: 10,
  eventBytes: 512,
  statusMix: { CONFIRMED: 6, PENDING: 3, CANCELLED: 1 },
  poisonShare: 0.05,
  seed: 7,
};
const ramp: TrafficProfile = { ...base, shape: 'ramp', ratePerSec: 100, peakRatePerSec: 300 };
const spike: TrafficProfile = { ...base, shape: 'spike', ratePerSec: 100, peakRatePerSec: 1000, spikeStartSec: 4, spikeDurationSec: 2 };

function countIn(events: ScheduledEvent[], fromSec: number, toSec: number): number {
  return events.filter((e) => e.intendedAt >= START + fromSec * 1000 && e.intendedAt < START + toSec * 1000).length;
}

function assertRateFollowsProfile(profile: TrafficProfile) {
  const events = [...bookingSchedule(profile, START)];
  const total = offeredCount(profile, 10);
  assert.ok(Math.abs(events.length - total) <= total * 0.01, `${profile.shape}: ${events.length} events vs ${total} offered over 10 s`);
  for (let second = 0; second < 10; second++) {
    const expected = offeredCount(profile, second + 1) - offeredCount(profile, second);
    const actual = countIn(events, second, second + 1);
    // Rounding intended times to whole milliseconds can move one event across a window edge.
    assert.ok(Math.abs(actual - expected) <= Math.max(1, expected * 0.01), `${profile.shape} second ${second}: ${actual} vs ${expected}`);
  }
}

test('steady: event i is intended at i / rate', () => {
  const events = [...bookingSchedule(base, START)];
  assert.is(events.length, 2000);
  assert.is(expectedEventCount(base), 2000);
  events.forEach((e, i) => {
    assert.is(e.seq, i);
    assert.is(e.intendedAt, START + i * 5);
  });
});

test('steady, ramp and spike offer their rate within 1% over 10 s', () => {
  assertRateFollowsProfile(base);
  assertRateFollowsProfile(ramp);
  assertRateFollowsProfile(spike);
});

test('ramp: intended times invert the integral of the linear rate', () => {
  assert.is(expectedEventCount(ramp), 2000);
  for (const seq of [0, 1, 10, 500, 1234, 1999]) {
    assert.ok(Math.abs(offeredCount(ramp, intendedOffsetSec(ramp, seq)) - seq) < 1e-6, `seq ${seq}`);
  }
  const down: TrafficProfile = { ...ramp, ratePerSec: 300, peakRatePerSec: 0 };
  assert.is(expectedEventCount(down), 1500);
  assert.ok(Math.abs(offeredCount(down, intendedOffsetSec(down, 1499)) - 1499) < 1e-6);
});

test('spike: the peak rate applies exactly inside the spike window', () => {
  const events = [...bookingSchedule(spike, START)];
  assert.is(events.length, 2800);
  assert.ok(Math.abs(countIn(events, 4, 6) - 2000) <= 1);
  assert.ok(Math.abs(countIn(events, 0, 4) - 400) <= 1);
  assert.ok(Math.abs(countIn(events, 6, 10) - 400) <= 1);
});

test('intended times never go backwards', () => {
  for (const profile of [base, ramp, spike]) {
    const events = [...bookingSchedule(profile, START)];
    for (let i = 1; i < events.length; i++) assert.ok(events[i].intendedAt >= events[i - 1].intendedAt);
  }
});

test('fractional totals: every i < N(duration) is an event', () => {
  assert.is(expectedEventCount({ ...base, ratePerSec: 2.5, durationSec: 1 }), 3);
  assert.is(expectedEventCount({ ...base, ratePerSec: 3, durationSec: 1 }), 3);
  const times = [...bookingSchedule({ ...base, ratePerSec: 3, durationSec: 1 }, 0)].map((e) => e.intendedAt);
  assert.equal(times, [0, 333, 667]);
});

test('same seed, same schedule; another seed, another mix', () => {
  const a = [...bookingSchedule(ramp, START)];
  const b = [...bookingSchedule(ramp, START)];
  assert.equal(a, b);
  const c = [...bookingSchedule({ ...ramp, seed: 8 }, START)];
  assert.equal(
    c.map((e) => e.intendedAt),
    a.map((e) => e.intendedAt),
  );
  assert.not.equal(
    c.map((e) => e.status),
    a.map((e) => e.status),
  );
  assert.not.equal(
    c.map((e) => e.bookingId),
    a.map((e) => e.bookingId),
  );
});

test('shards split the schedule without changing any event', () => {
  const whole = [...bookingSchedule(spike, START)];
  const shards = [0, 1, 2].map((index) => [...bookingSchedule(spike, START, { index, count: 3 })]);
  shards.forEach((events, index) => events.forEach((e) => assert.is(e.seq % 3, index)));
  const merged = shards.flat().sort((x, y) => x.seq - y.seq);
  assert.equal(merged, whole);
  assert.equal(scheduledEvent(spike, START, 1234), whole[1234]);
});

test('status mix follows the weights and poison share follows poisonShare', () => {
  const profile: TrafficProfile = { ...base, ratePerSec: 2000, seed: 99 };
  const events = [...bookingSchedule(profile, START)];
  assert.is(events.length, 20_000);
  const share = (predicate: (e: ScheduledEvent) => boolean) => events.filter(predicate).length / events.length;
  assert.ok(Math.abs(share((e) => e.status === 'CONFIRMED') - 0.6) < 0.015);
  assert.ok(Math.abs(share((e) => e.status === 'PENDING') - 0.3) < 0.015);
  assert.ok(Math.abs(share((e) => e.status === 'CANCELLED') - 0.1) < 0.015);
  assert.ok(Math.abs(share((e) => e.poison) - 0.05) < 0.005);
  const none = [...bookingSchedule({ ...profile, poisonShare: 0, statusMix: { CONFIRMED: 1, PENDING: 0, CANCELLED: 0 } }, START)];
  assert.ok(none.every((e) => !e.poison && e.status === 'CONFIRMED'));
});

test('events carry flight numbers and repeat booking ids, so keys have order to keep', () => {
  const events = [...bookingSchedule(base, START)];
  assert.ok(events.every((e) => /^[A-Z]{2}[0-9]{1,4}$/.test(e.flight)));
  const perBooking = new Map<string, number>();
  for (const e of events) perBooking.set(e.bookingId, (perBooking.get(e.bookingId) ?? 0) + 1);
  assert.ok(perBooking.size > 300 && perBooking.size < 2000, `${perBooking.size} bookings`);
  assert.ok([...perBooking.values()].some((n) => n >= 3));
});

test('invalid profiles and shards are rejected with the allowed range', () => {
  assert.throws(() => [...bookingSchedule({ ...spike, peakRatePerSec: undefined }, START)], /peakRatePerSec/);
  assert.throws(() => [...bookingSchedule({ ...spike, spikeStartSec: 9 }, START)], /must end within durationSec/);
  assert.throws(() => [...bookingSchedule({ ...base, ratePerSec: 0 }, START)], /ratePerSec > 0/);
  assert.throws(() => [...bookingSchedule({ ...base, poisonShare: 1.5 }, START)], /between 0 and 1/);
  assert.throws(() => [...bookingSchedule({ ...base, statusMix: { CONFIRMED: 0, PENDING: 0, CANCELLED: 0 } }, START)], /statusMix/);
  assert.throws(() => [...bookingSchedule(base, START, { index: 3, count: 3 })], /from 0 to 2/);
  assert.throws(
    () => [...bookingSchedule({ ...base, valueFormat: 'avro', evolveSchemaAt: 1 }, START)],
    /evolveSchemaAt must be a share of the run between 0 and 1/,
  );
  assert.throws(() => [...bookingSchedule({ ...base, evolveSchemaAt: 0.5 }, START)], /evolveSchemaAt needs valueFormat avro/);
  assert.ok([...bookingSchedule({ ...base, valueFormat: 'avro', evolveSchemaAt: 0.5 }, START)].length > 0);
});

test.run();
