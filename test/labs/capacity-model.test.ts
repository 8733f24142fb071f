import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  capacityModel,
  POLLER_BUFFER_ADVICE,
  POLLER_HEADROOM,
  provisionedPollersSizing,
  recordsPerPollerPerSec,
  sizeProvisionedPollers,
} from '../../labs/capacity-model.ts';
import { LABS } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import type { Prediction } from '../../labs/prediction.ts';

const [lab1, lab2, lab3, lab4] = LABS;

test('AWS sizing example: 20 records in 50 ms is 2,000 records/s per poller; 20,000/s needs at least 10, and the headroom AWS recommends adds more', () => {
  assert.is(recordsPerPollerPerSec(20, 50), 2000);
  assert.equal(sizeProvisionedPollers({ peakRatePerSec: 20000, recordsPerBatch: 20, batchDurationMs: 50, headroom: 0 }), { minimum: 10, maximum: 10 });
  assert.equal(sizeProvisionedPollers({ peakRatePerSec: 20001, recordsPerBatch: 20, batchDurationMs: 50, headroom: 0 }), { minimum: 11, maximum: 11 });
  assert.is(POLLER_HEADROOM, 0.25);
  assert.equal(
    sizeProvisionedPollers({ peakRatePerSec: 20000, recordsPerBatch: 20, batchDurationMs: 50 }),
    { minimum: 13, maximum: 13 },
    '25,000/s of capacity for a 20,000/s peak',
  );
  assert.equal(
    sizeProvisionedPollers({ peakRatePerSec: 1600, recordsPerBatch: 20, batchDurationMs: 50 }),
    { minimum: 1, maximum: 1 },
    'a quarter above 1,600 still fits one poller',
  );
  assert.equal(
    sizeProvisionedPollers({ peakRatePerSec: 1700, recordsPerBatch: 20, batchDurationMs: 50 }),
    { minimum: 2, maximum: 2 },
    'a quarter above 1,700 does not',
  );
  assert.equal(sizeProvisionedPollers({ peakRatePerSec: 10, recordsPerBatch: 20, batchDurationMs: 50 }), { minimum: 1, maximum: 1 });
});

test("the sizing's result carries the headroom and says why: AWS recommends a buffer of pollers", () => {
  const sized = provisionedPollersSizing({ peakRatePerSec: 20000, recordsPerBatch: 20, batchDurationMs: 50 });
  assert.equal(
    { pollers: sized.pollers, perPollerPerSec: sized.perPollerPerSec, sizedForPerSec: sized.sizedForPerSec, headroom: sized.headroom },
    { pollers: 13, perPollerPerSec: 2000, sizedForPerSec: 25000, headroom: POLLER_HEADROOM },
  );
  assert.match(sized.reason, '13 pollers for the 20000/s peak plus 25% headroom, 25000/s, at 2000 records/s per poller (5 invocations × 20 records ÷ 50 ms)');
  assert.match(sized.reason, `the headroom because AWS advises: "${POLLER_BUFFER_ADVICE}"`);
  assert.match(sized.reason, 'https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-low-latency.html');
  assert.equal(
    sizeProvisionedPollers({ peakRatePerSec: 20000, recordsPerBatch: 20, batchDurationMs: 50 }),
    { minimum: 13, maximum: 13 },
    'the spec gets the same count',
  );
  const bare = provisionedPollersSizing({ peakRatePerSec: 20000, recordsPerBatch: 20, batchDurationMs: 50, headroom: 0 });
  assert.is(bare.pollers, 10);
  assert.match(bare.reason, "no headroom, against AWS's advice");
});

test('provisioned Kafka: the model counts the EPUs at the peak; few small events leave it to the pollers, big ones to the 20 MB/s', () => {
  assert.equal(capacityModel(lab2).stages[0].eventPollerUnits, {
    count: 1,
    bound: '2 pollers ÷ 10 per EPU; the 0.29 MB/s read needs no more at 20 MB/s per EPU',
  });
  assert.is(capacityModel(lab1).stages[0].eventPollerUnits, undefined, 'on-demand mode has no EPUs');
  const heavy: LabSpec = {
    ...lab2,
    kafkaEsm: { ...lab2.kafkaEsm, provisionedPollers: { minimum: 12, maximum: 12 } },
    traffic: { ...lab2.traffic, eventBytes: 100 * 1024 },
  };
  // 600/s of 100 KB is 58.59 MB/s: 12 pollers would fit 2 EPUs, the bytes need 3.
  assert.equal(capacityModel(heavy).stages[0].eventPollerUnits, { count: 3, bound: '58.59 MB/s read ÷ 20 MB/s per EPU' });
});

test('lab 2 pollers come from the sizing rule, not a typed number', () => {
  const expected = sizeProvisionedPollers({
    peakRatePerSec: lab2.traffic.peakRatePerSec!,
    recordsPerBatch: lab2.kafkaEsm.batchSize,
    batchDurationMs: lab2.kafkaEsm.batchSize * lab2.processor.processingMsPerRecord,
  });
  assert.equal(lab2.kafkaEsm.provisionedPollers, expected);
  assert.ok(capacityModel(lab2).headroom >= 1, 'lab 2 must be sized for its spike');
});

test('the default 500 ms window fills a batch with half a second of traffic', () => {
  const model = capacityModel(lab1);
  assert.is(model.stages[0].batchingWindowMs, 500);
  assert.is(model.expectedBatchSize, 1 + lab1.traffic.ratePerSec * 0.5);
});

test('a 1 s window at a low rate batches a second of traffic', () => {
  const spec: LabSpec = { ...lab1, kafkaEsm: { ...lab1.kafkaEsm, batchingWindowSeconds: 1 }, traffic: { ...lab1.traffic, ratePerSec: 20 } };
  assert.is(capacityModel(spec).expectedBatchSize, 21);
});

test('the batch size and the 6 MB payload cap the batch', () => {
  const capped: LabSpec = { ...lab1, traffic: { ...lab1.traffic, ratePerSec: 1000 } };
  assert.is(capacityModel(capped).expectedBatchSize, 100);
  const huge: LabSpec = { ...lab1, kafkaEsm: { ...lab1.kafkaEsm, batchSize: 10000 }, traffic: { ...lab1.traffic, ratePerSec: 5000, eventBytes: 1024 * 1024 } };
  assert.is(capacityModel(huge).expectedBatchSize, 6);
});

test('window 0 gives batches near 1 at a low rate', () => {
  assert.ok(capacityModel(lab2).expectedBatchSize < 1.2);
});

test('on-demand concurrency is bounded by partitions; provisioned by 5 per poller', () => {
  assert.is(capacityModel(lab1).stages[0].concurrencyLimit, lab1.topic.partitions);
  const pollers = lab2.kafkaEsm.provisionedPollers!.maximum;
  assert.is(capacityModel(lab2).stages[0].concurrencyLimit, Math.min(lab2.topic.partitions, pollers * 5));
});

test("lab 3's traffic outruns lab 1's pipeline, and the SQS buffer keeps up", () => {
  const withoutBuffer: LabSpec = { ...lab3, sqsBuffer: undefined };
  const slow = capacityModel(withoutBuffer);
  assert.is(slow.maxThroughputPerSec, lab3.topic.partitions * (1000 / lab3.processor.processingMsPerRecord));
  assert.ok(slow.headroom < 1, `headroom ${slow.headroom}`);
  const buffered = capacityModel(lab3);
  assert.ok(buffered.headroom >= 1, `headroom ${buffered.headroom}`);
  assert.match(buffered.bottleneck, 'SQS ESM');
});

test('filters reduce the load the function sees; parallel by key shortens a batch', () => {
  const model = capacityModel(lab4);
  const unfiltered = capacityModel({ ...lab4, kafkaEsm: { ...lab4.kafkaEsm, filters: [] } });
  assert.ok(model.headroom > unfiltered.headroom);
  const sequential = capacityModel({ ...lab4, processor: { ...lab4.processor, mode: 'sequential' } });
  assert.ok(model.maxThroughputPerSec > sequential.maxThroughputPerSec);
});

test('on-demand pollers in the model follow the sandbox rule: one poller while the lag holds under a batch, one per partition when it cannot keep up', () => {
  assert.is(capacityModel(lab1).stages[0].pollers, 1, 'lab 1: about 35 records of lag, under one batch of 100');
  const overloaded: LabSpec = { ...lab1, traffic: { ...lab1.traffic, ratePerSec: 200 }, processor: { ...lab1.processor, processingMsPerRecord: 100 } };
  const model = capacityModel(overloaded);
  assert.is(model.stages[0].pollers, lab1.topic.partitions, 'saturated: the lag keeps asking for pollers up to the partitions');
  assert.is(model.maxThroughputPerSec, 120, 'then the partition ceiling: 12 × 10 per second');
  assert.is(model.expectedBatchSize, 100, 'past the ceiling the backlog fills every batch');
});

test('provisioned pollers in the model start at the minimum, and 5 invocations a poller bound the concurrency', () => {
  assert.is(capacityModel(lab4).stages[0].pollers, lab4.kafkaEsm.provisionedPollers!.minimum);
  const onePoller: LabSpec = { ...lab1, kafkaEsm: { ...lab1.kafkaEsm, provisionedPollers: { minimum: 1, maximum: 1 } } };
  assert.is(capacityModel(onePoller).stages[0].concurrencyLimit, 5);
  assert.match(capacityModel(onePoller).stages[0].concurrencyBound, '1 poller × 5 invocations');
  const reserved: LabSpec = { ...lab1, processor: { ...lab1.processor, reservedConcurrency: 3 } };
  assert.is(capacityModel(reserved).stages[0].concurrencyLimit, 3);
  assert.match(capacityModel(reserved).stages[0].concurrencyBound, 'reserved concurrency 3');
});

test('a poller reads 5 MB/s: large events are bounded by bytes, not invocations', () => {
  const large: LabSpec = { ...lab4, traffic: { ...lab4.traffic, eventBytes: 1024 * 1024 } };
  const model = capacityModel(large);
  assert.is(model.maxThroughputPerSec, lab4.kafkaEsm.provisionedPollers!.maximum * 5, 'two pollers × 5 MB/s of 1 MiB events');
  assert.match(model.bottleneck, '2 pollers × 5 MB/s of 1048576-byte events');
  assert.is(capacityModel(lab4).maxThroughputPerSec > 1000, true, '512-byte events never get near it');
});

test("parallel-by-key shortens a batch only when the work waits: lab 3's CPU-bound processor without a buffer stays at the partition ceiling", () => {
  const lab3 = LABS[2];
  const byKey = structuredClone(lab3);
  delete byKey.sqsBuffer;
  byKey.processor.mode = 'parallel-by-key';
  const model = capacityModel(byKey);
  assert.is(lab3.processor.workKind, 'cpu');
  assert.is(model.maxThroughputPerSec, 120, '12 partitions × 10 bookings/s, whatever the schedule');
  assert.is(model.bottleneckKind, 'partitions');
  assert.ok(model.headroom < 1);
  byKey.processor.workKind = 'io';
  assert.ok(capacityModel(byKey).maxThroughputPerSec > 1000, 'the same schedule over waiting work overlaps the records');
});

test('on-demand lab 2 starts with one poller below the spike: the starting headroom says so, the steady one does not', () => {
  const onDemand = structuredClone(LABS[1]);
  delete onDemand.kafkaEsm.provisionedPollers;
  const model = capacityModel(onDemand);
  assert.is(model.stages[0].startingCeilingPerSec, 500, '1 poller × 5 invocations × 10 records / 100 ms');
  assert.is(model.startingHeadroom, 0.83);
  assert.ok(model.headroom >= 1);
  assert.is(capacityModel(LABS[1]).startingHeadroom, undefined, 'provisioned pollers are there from the start');
});

test("a ceiling set by the pollers' 5 MB/s is named as such, apart from the concurrency bound", () => {
  const stage = capacityModel(LABS[3]).stages[0];
  assert.is(stage.concurrencyBound, '2 pollers × 5 invocations');
  assert.is(stage.ceilingBound, '2 pollers × 5 MB/s of 512-byte events');
  assert.is(stage.bottleneck, 'poller throughput');
});

test("each solution's prediction is what the rules give: within a quarter of the model, the model's limit and bottleneck", async () => {
  for (const lab of LABS) {
    const { prediction } = (await import(`../../labs/${lab.id}/spec.ts`)) as { prediction: Prediction };
    const model = capacityModel(lab);
    const near = (mine: number | undefined, theirs: number) => mine !== undefined && Math.abs(mine - theirs) <= 0.25 * theirs;
    assert.ok(near(prediction.avgBatchSize, model.expectedBatchSize), `${lab.id} avgBatchSize ${prediction.avgBatchSize} vs ${model.expectedBatchSize}`);
    assert.ok(near(prediction.p50Ms, model.latencyFloorMs), `${lab.id} p50Ms ${prediction.p50Ms} vs ${model.latencyFloorMs}`);
    assert.is(prediction.maxConcurrency, model.stages.at(-1)!.concurrencyLimit, lab.id);
    assert.is(prediction.bottleneck, model.bottleneckKind, lab.id);
  }
});

test.run();
