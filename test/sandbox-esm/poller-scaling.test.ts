import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignPartitions, OnDemandScaling, ProvisionedScaling } from '../../sandbox/kafka-esm/poller-scaling.ts';

const calm = { offsetLag: 0, invocationDemand: 0, throttled: false };

test('on-demand starts with one poller and evaluates every minute, compressed by timeScale', () => {
  assert.is(new OnDemandScaling(12).pollers(), 1);
  assert.is(new OnDemandScaling(12).evaluationIntervalMs, 60_000);
  assert.is(new OnDemandScaling(12, 60).evaluationIntervalMs, 1_000);
});

test('on-demand: growing lag reaches one poller per partition within three evaluations, never more', () => {
  const s = new OnDemandScaling(12);
  const counts = [100, 200, 400, 800, 1600].map((lag) => s.evaluate({ ...calm, offsetLag: lag }));
  assert.equal(counts, [3, 9, 12, 12, 12]);
  const small = new OnDemandScaling(2);
  assert.is(small.evaluate({ ...calm, offsetLag: 10 }), 2);
  assert.is(small.evaluate({ ...calm, offsetLag: 20 }), 2);
});

test('on-demand: the lag a batching window holds anyway does not add pollers', () => {
  const s = new OnDemandScaling(12, 1, 100);
  assert.equal([50, 90, 60, 99].map((lag) => s.evaluate({ ...calm, offsetLag: lag })), [1, 1, 1, 1]);
  assert.is(s.evaluate({ ...calm, offsetLag: 250 }), 3, 'more than a batch per poller, and growing');
});

test('on-demand: shrinking lag holds, caught-up lag scales in one at a time, throttling backs off', () => {
  const s = new OnDemandScaling(12);
  s.evaluate({ ...calm, offsetLag: 100 });
  s.evaluate({ ...calm, offsetLag: 200 });
  assert.is(s.evaluate({ ...calm, offsetLag: 150 }), 9, 'lag falling: hold');
  assert.is(s.evaluate(calm), 9);
  assert.is(s.evaluate(calm), 9);
  assert.is(s.evaluate(calm), 8, 'third calm evaluation removes one');
  assert.is(s.evaluate({ ...calm, throttled: true, offsetLag: 500 }), 7);
});

test('provisioned: starts at the minimum, scales within seconds up to the maximum and partitions', () => {
  const s = new ProvisionedScaling(2, 4, 12);
  assert.is(s.pollers(), 2);
  assert.ok(s.evaluationIntervalMs <= 5_000);
  assert.is(s.evaluate({ ...calm, invocationDemand: 16 }), 4, '16 invocations need 4 pollers at 5 each');
  assert.is(s.evaluate({ ...calm, invocationDemand: 100 }), 4, 'never above the maximum');
  const capped = new ProvisionedScaling(1, 200, 3);
  assert.is(capped.evaluate({ ...calm, invocationDemand: 100 }), 3, 'never above the partitions');
});

test('provisioned: minimum = maximum never scales', () => {
  const s = new ProvisionedScaling(2, 2, 12);
  for (const demand of [0, 50, 0, 0, 0]) assert.is(s.evaluate({ ...calm, invocationDemand: demand }), 2);
});

test('provisioned: idle scales in to the minimum, one step after three calm evaluations', () => {
  const s = new ProvisionedScaling(1, 5, 12);
  s.evaluate({ ...calm, invocationDemand: 25 });
  assert.equal([1, 2, 3, 4, 5, 6].map(() => s.evaluate(calm)), [5, 5, 4, 4, 4, 3]);
});

test('partitions spread evenly over pollers', () => {
  const keys = Array.from({ length: 12 }, (_, i) => `bookings-${i}`);
  const a = assignPartitions(keys, 5);
  assert.equal(a.map((p) => p.length), [3, 3, 2, 2, 2]);
  assert.equal(a[0], ['bookings-0', 'bookings-5', 'bookings-10']);
});

test.run();
