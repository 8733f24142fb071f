import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assignPartitions, OnDemandScaling, ProvisionedScaling } from '../../../sandbox/kafka-esm/poller-scaling.ts';

const calm = { offsetLag: 0, invocationDemand: 0, throttled: false };

test('on-demand starts with one poller and evaluates every minute, compressed by timeScale', () => {
  assert.is(new OnDemandScaling(12).pollers(), 1);
  assert.is(new OnDemandScaling(12).evaluationIntervalMs, 60_000);
  assert.is(new OnDemandScaling(12, 60).evaluationIntervalMs, 1_000);
});

test('on-demand: a lag above a full batch per poller asks for one poller per batch of lag, in effect one evaluation later', () => {
  const s = new OnDemandScaling(12, 1, 100);
  assert.is(s.evaluate({ ...calm, offsetLag: 350 }), 1, 'decided now, applied at the next evaluation');
  assert.is(s.pendingPollers(), 4);
  assert.is(s.evaluate({ ...calm, offsetLag: 900 }), 4, 'the change made a minute ago is in effect');
  assert.is(s.pendingPollers(), 9);
  assert.is(s.evaluate({ ...calm, offsetLag: 5_000 }), 9);
  assert.is(s.evaluate({ ...calm, offsetLag: 5_000 }), 12, 'never more pollers than partitions');
  assert.is(s.evaluate({ ...calm, offsetLag: 9_000 }), 12);
});

test('on-demand: a large steady backlog scales out, it does not have to keep growing', () => {
  const s = new OnDemandScaling(12, 1, 100);
  const counts = [2_000, 2_000, 2_000, 2_000].map((lag) => s.evaluate({ ...calm, offsetLag: lag }));
  assert.equal(counts, [1, 12, 12, 12]);
});

test('on-demand: the lag a batching window holds anyway does not add pollers', () => {
  const s = new OnDemandScaling(12, 1, 100);
  assert.equal(
    [50, 90, 60, 99, 100].map((lag) => s.evaluate({ ...calm, offsetLag: lag })),
    [1, 1, 1, 1, 1],
  );
  assert.is(s.pendingPollers(), undefined);
});

test('on-demand: a low lag (not only zero) removes one poller after three low evaluations; a middling lag holds', () => {
  const s = new OnDemandScaling(12, 1, 100);
  s.evaluate({ ...calm, offsetLag: 600 });
  assert.is(s.evaluate({ ...calm, offsetLag: 400 }), 6, 'in effect');
  assert.equal(
    [300, 260, 300, 300].map((lag) => s.evaluate({ ...calm, offsetLag: lag })),
    [6, 6, 6, 6],
    'above half a batch per remaining poller: hold',
  );
  assert.equal(
    [240, 200, 100].map((lag) => s.evaluate({ ...calm, offsetLag: lag })),
    [6, 6, 6],
    'three low evaluations decide one fewer',
  );
  assert.is(s.pendingPollers(), 5);
  assert.is(s.evaluate({ ...calm, offsetLag: 100 }), 5, 'applied one evaluation later');
});

test('on-demand: throttling removes a poller even with a high lag', () => {
  const s = new OnDemandScaling(12, 1, 10);
  s.evaluate({ ...calm, offsetLag: 100 });
  assert.is(s.evaluate({ ...calm, offsetLag: 100 }), 10);
  assert.is(s.evaluate({ ...calm, throttled: true, offsetLag: 500 }), 10);
  assert.is(s.evaluate({ ...calm, offsetLag: 0 }), 9);
});

test('on-demand: no lag keeps one poller; a two-partition topic gets two pollers at most', () => {
  const s = new OnDemandScaling(2);
  assert.equal(
    [0, 0, 0, 0].map((lag) => s.evaluate({ ...calm, offsetLag: lag })),
    [1, 1, 1, 1],
  );
  assert.equal(
    [10, 20, 30].map((lag) => s.evaluate({ ...calm, offsetLag: lag })),
    [1, 2, 2],
  );
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
  assert.equal(
    [1, 2, 3, 4, 5, 6].map(() => s.evaluate(calm)),
    [5, 5, 4, 4, 4, 3],
  );
});

test('partitions spread evenly over pollers', () => {
  const keys = Array.from({ length: 12 }, (_, i) => `bookings-${i}`);
  const a = assignPartitions(keys, 5);
  assert.equal(
    a.map((p) => p.length),
    [3, 3, 2, 2, 2],
  );
  assert.equal(a[0], ['bookings-0', 'bookings-5', 'bookings-10']);
});

test.run();
