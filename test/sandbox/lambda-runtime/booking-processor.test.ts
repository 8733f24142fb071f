// The real artifact: bundle handlers/booking-processor.ts with handlers/bundle.ts (the file
// modules/function deploys) and invoke it in the local runtime with an MSK-shaped event.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleHandler } from '../../../handlers/bundle.ts';
import { makeBooking, makePoisonEvent } from '../../../handlers/shared/booking.ts';
import { LambdaRuntime } from '../../../sandbox/lambda-runtime/index.ts';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function mskEvent(values: string[], firstOffset = 0) {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:local:000000000000:cluster/local/00000000-0000-0000-0000-000000000000-1',
    bootstrapServers: '127.0.0.1:9092',
    records: {
      'bookings-0': values.map((value, i) => ({
        topic: 'bookings',
        partition: 0,
        offset: firstOffset + i,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: base64(`booking-${firstOffset + i}`),
        value: base64(value),
        headers: [],
      })),
    },
  };
}

const booking = (seq: number) =>
  makeBooking({ runId: 'run-test', seq, intendedAt: Date.now() - 20, bookingId: `booking-${seq}`, flight: 'LH1234', status: 'CONFIRMED', eventBytes: 256 });

test('the bundled booking-processor processes an MSK batch and emits its EMF metrics and "batch processed" line', async () => {
  const bundle = await bundleHandler('booking-processor');
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({
      name: 'booking-processor',
      bundleFile: bundle.file,
      env: { LAB_ID: 'lab1', PROCESSING_MS_PER_RECORD: '1' },
      memoryMb: 512,
      timeoutSeconds: 10,
    });
    const result = await fn.invoke(mskEvent([booking(0), booking(1), booking(2)]), { records: 3 });
    assert.is(result.outcome, 'ok', JSON.stringify(result.error));
    assert.equal(result.response, { batchItemFailures: [] });
    assert.ok(result.coldStart);
    assert.ok(result.initDurationMs! > 0);
    assert.is(result.records, 3);

    const metric = (name: string) =>
      runtime.metrics.find({ namespace: 'KafkaLambdaWorkshop', name, dimensions: { service: 'booking-processor', Lab: 'lab1' }, requestId: result.requestId });
    assert.equal(
      metric('BatchSize').flatMap((d) => d.values),
      [3],
    );
    assert.equal(
      metric('EventsProcessed').flatMap((d) => d.values),
      [3],
    );
    assert.equal(
      metric('EventsFailed').flatMap((d) => d.values),
      [0],
    );
    const latencies = metric('EndToEndDuration').flatMap((d) => d.values);
    assert.is(latencies.length, 3);
    assert.ok(latencies.every((ms) => ms >= 20 && ms < 10_000));

    const line = result.logs.find((l) => l.json?.message === 'batch processed');
    assert.ok(line, 'one "batch processed" line');
    assert.is(line!.json!.batchSize, 3);
    assert.equal(
      (line!.json!.processed as Array<{ seq: number }>).map((p) => p.seq),
      [0, 1, 2],
    );
    assert.is(line!.json!.function_request_id, result.requestId, 'Powertools saw the Lambda context');

    // A poison record fails the whole batch (partial batch responses off); the environment stays warm.
    const poison = makePoisonEvent({ runId: 'run-test', seq: 3, intendedAt: Date.now(), flight: 'LH1234', eventBytes: 200 });
    const failed = await fn.invoke(mskEvent([booking(4), poison], 4), { records: 2 });
    assert.is(failed.outcome, 'error');
    assert.is(failed.error?.errorType, 'BatchFailedError');
    assert.not.ok(failed.coldStart);
    assert.equal(
      runtime.metrics
        .find({ namespace: 'KafkaLambdaWorkshop', name: 'EventsFailed', requestId: failed.requestId, dimensions: { Lab: 'lab1' } })
        .flatMap((d) => d.values),
      [1],
    );
  } finally {
    await runtime.close();
  }
});

test.run();
