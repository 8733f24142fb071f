// The loss target separates late from lost: events still held for the pipeline when the drain
// ends fail their own check ("handled before the drain ended"), never the "events lost" one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkTargets, type Measured } from '../../harness/check-targets.ts';
import { summarize } from '../../harness/stats.ts';
import { capacityModel } from '../../labs/capacity-model.ts';
import { LABS } from '../../labs/index.ts';

const lab = LABS[0];
const measured = (over: Partial<Measured>): Measured => ({
  endToEndMs: summarize([300, 310, 320]),
  throughputPerSec: 100,
  offeredPerSec: 100,
  avgBatchSize: 51,
  lost: 0,
  waiting: 0,
  published: 3000,
  ...over,
});

test('nothing waiting: no extra check, and "events lost" passes at 0', () => {
  const checks = checkTargets(lab, 'local', capacityModel(lab), measured({}));
  assert.not.ok(checks.some((c) => c.name === 'events handled before the drain ended'));
  assert.ok(checks.find((c) => c.name === 'events lost')!.pass);
});

test('events still waiting fail their own check with the reason and the knob, not the loss check', () => {
  const checks = checkTargets(lab, 'local', capacityModel(lab), measured({ waiting: 695 }));
  const late = checks.find((c) => c.name === 'events handled before the drain ended')!;
  assert.is(late.pass, false);
  assert.is(late.actual, '695 of 3000 still waiting');
  assert.match(late.reason, 'not lost');
  assert.match(late.reason, 'traffic.drainTimeoutSec');
  assert.ok(checks.find((c) => c.name === 'events lost')!.pass, 'late is not lost');
});

test('a real loss fails "events lost" and says it was neither handled nor waiting', () => {
  const lost = checkTargets(lab, 'local', capacityModel(lab), measured({ lost: 3 })).find((c) => c.name === 'events lost')!;
  assert.is(lost.pass, false);
  assert.match(lost.reason, 'nor still waiting');
});

test('events the mapping dropped fail their own check, naming the destination or its absence, and are not called lost', () => {
  const noDestination = checkTargets(lab, 'local', capacityModel(lab), measured({ dropped: 4 }));
  const dropped = noDestination.find((c) => c.name === 'events dropped by the mapping')!;
  assert.is(dropped.pass, false);
  assert.is(dropped.actual, '4 of 3000');
  assert.match(dropped.reason, 'kafkaEsm.onFailure');
  assert.ok(noDestination.find((c) => c.name === 'events lost')!.pass, 'dropped is its own category');
  const lab4 = LABS[3];
  const failedDelivery = checkTargets(lab4, 'local', capacityModel(lab4), measured({ dropped: 2 })).find((c) => c.name === 'events dropped by the mapping')!;
  assert.match(failedDelivery.reason, 'could not deliver them to its on-failure destination');
  assert.not.ok(
    checkTargets(lab, 'local', capacityModel(lab), measured({ dropped: 0 })).some((c) => c.name === 'events dropped by the mapping'),
    'no check when nothing was dropped',
  );
});

test('a throughput that meets its target while the offered load outruns it says so, never "keeps up"', () => {
  const at = (throughputPerSec: number, offeredPerSec: number) =>
    checkTargets(lab, 'local', capacityModel(lab), measured({ throughputPerSec, offeredPerSec })).find((c) => c.name === 'sustained throughput')!;
  assert.match(at(100, 100).reason, 'keeps up with the offered load');
  const behind = at(96, 176.83);
  assert.ok(behind.pass);
  assert.match(behind.reason, 'meets the target but falls behind the offered 176.83/s');
});

test('an on-demand mapping whose one starting poller is below the spike: the latency reason says the pollers came too late', () => {
  const onDemand = structuredClone(LABS[1]);
  delete onDemand.kafkaEsm.provisionedPollers;
  const p50 = checkTargets(onDemand, 'local', capacityModel(onDemand), measured({ endToEndMs: summarize([600, 616, 700]) })).find(
    (c) => c.name === 'end-to-end p50',
  )!;
  assert.is(p50.pass, false);
  assert.match(p50.reason, 'on-demand, the mapping starts with 1 poller (5 invocations, 500/s');
  assert.match(p50.reason, 'the peak offers 600/s');
  assert.match(p50.reason, 'within three minutes');
});

test('nothing processed after the warm-up: the latency and throughput reasons say so, not "above the limit"', () => {
  const checks = checkTargets(lab, 'local', capacityModel(lab), measured({ endToEndMs: summarize([]), throughputPerSec: 0, offeredPerSec: 0 }));
  assert.match(checks.find((c) => c.name === 'end-to-end p50')!.reason, 'no event was processed after the warm-up');
  assert.match(checks.find((c) => c.name === 'sustained throughput')!.reason, 'no event was left for the processor after the warm-up');
});

test.run();
