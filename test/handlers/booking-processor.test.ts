import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handler } from '../../handlers/booking-processor.ts';
import { frameBooking } from '../../handlers/shared/avro-booking.ts';
import type { Booking } from '../../handlers/shared/booking.ts';
import { readBatchReport } from '../../handlers/shared/telemetry.ts';
import { withEnv } from './support/env.ts';
import { AWS_SAMPLE_MSK_EVENT, bookingValue, kafkaEvent, kafkaRecord } from './support/events.ts';
import { captureStdout, emfDocuments, jsonLines, logLines, metricUnit, metricValues } from './support/stdout.ts';

const PARTIAL_ON = { REPORT_BATCH_ITEM_FAILURES: 'true', PROCESSING_MS_PER_RECORD: '0', PROCESSING_MODE: 'sequential', LAB_ID: undefined };
const PARTIAL_OFF = { ...PARTIAL_ON, REPORT_BATCH_ITEM_FAILURES: 'false' };

test("the AWS documentation's sample MSK event is reported failed, not crashed on", async () => {
  const run = await withEnv(PARTIAL_ON, () => captureStdout(() => handler(AWS_SAMPLE_MSK_EVENT)));
  assert.is(run.error, undefined);
  assert.equal(run.result, { batchItemFailures: [{ itemIdentifier: { partition: 'mytopic-0', offset: 15 } }] });
  const [line] = logLines(run.lines, 'batch processed');
  assert.equal(line.processed, []);
  assert.is(line.failed.length, 1);
  assert.is(line.failed[0].partition, 0);
  assert.is(line.failed[0].offset, 15);
  assert.match(line.failed[0].reason, 'not JSON');
  assert.match(line.failed[0].reason, 'Hello, this is a test.');
  assert.equal(metricValues(run.lines, 'EventsFailed'), [1]);
  assert.equal(metricValues(run.lines, 'EventsProcessed'), [0]);
});

test('real bookings are processed and each gets an EndToEndDuration from its intendedAt', async () => {
  const now = Date.now();
  const records = [0, 1, 2].map((seq) => kafkaRecord('bookings', seq % 2, 100 + seq, bookingValue({ seq, intendedAt: now - 1000 * (seq + 1) }), `BK-${seq}`));
  const run = await withEnv({ ...PARTIAL_ON, PROCESSING_MS_PER_RECORD: '5' }, () => captureStdout(() => handler(kafkaEvent(records))));
  assert.is(run.error, undefined);
  assert.equal(run.result, { batchItemFailures: [] });
  const durations = metricValues(run.lines, 'EndToEndDuration');
  assert.is(durations.length, 3);
  assert.is(metricUnit(run.lines, 'EndToEndDuration'), 'Milliseconds');
  [...durations]
    .sort((a, b) => a - b)
    .forEach((d, i) => {
      assert.ok(d >= 1000 * (i + 1) && d < 1000 * (i + 1) + 500, `duration ${d}`);
    });
  assert.equal(metricValues(run.lines, 'BatchSize'), [3]);
  assert.equal(metricValues(run.lines, 'EventsProcessed'), [3]);
  const [line] = logLines(run.lines, 'batch processed');
  // Partition by partition, each in offset order: bookings-0 holds seq 0 and 2, bookings-1 seq 1.
  assert.equal(
    line.processed.map((p: any) => [p.runId, p.seq]),
    [
      ['run-1', 0],
      ['run-1', 2],
      ['run-1', 1],
    ],
  );
  assert.ok(line.processed.every((p: any) => typeof p.endToEndMs === 'number'));
  assert.equal(line.failed, []);
  const doc = emfDocuments(run.lines)[0];
  assert.is(doc._aws.CloudWatchMetrics[0].Namespace, 'KafkaLambdaWorkshop');
  assert.is(doc.service, 'booking-processor');
});

test('invalid JSON, poison events and null values fail; the valid records around them still succeed', async () => {
  const records = [
    kafkaRecord('bookings', 0, 1, bookingValue({ seq: 1 })),
    kafkaRecord('bookings', 0, 2, '{"runId": "run-1", "seq": '),
    kafkaRecord('bookings', 0, 3, bookingValue({ seq: 3, poison: true })),
    kafkaRecord('bookings', 1, 7, null),
    kafkaRecord('bookings', 1, 8, Buffer.from([0xc3, 0x28])),
    kafkaRecord('bookings', 1, 9, bookingValue({ seq: 9 })),
  ];
  const run = await withEnv(PARTIAL_ON, () => captureStdout(() => handler(kafkaEvent(records))));
  assert.is(run.error, undefined);
  assert.equal(run.result, {
    batchItemFailures: [
      { itemIdentifier: { partition: 'bookings-0', offset: 2 } },
      { itemIdentifier: { partition: 'bookings-0', offset: 3 } },
      { itemIdentifier: { partition: 'bookings-1', offset: 7 } },
      { itemIdentifier: { partition: 'bookings-1', offset: 8 } },
    ],
  });
  const [line] = logLines(run.lines, 'batch processed');
  assert.equal(
    line.processed.map((p: any) => p.seq),
    [1, 9],
  );
  const poison = line.failed.find((f: any) => f.offset === 3);
  assert.is(poison.runId, 'run-1');
  assert.is(poison.seq, 3);
  assert.match(poison.reason, 'bookingId');
  assert.match(line.failed.find((f: any) => f.offset === 7).reason, 'missing');
  assert.match(line.failed.find((f: any) => f.offset === 8).reason, 'UTF-8');
  assert.equal(metricValues(run.lines, 'EventsFailed'), [4]);
  assert.is(metricValues(run.lines, 'EndToEndDuration').length, 2);
});

test('partial batch responses off: the whole batch fails after every record was processed', async () => {
  const records = [kafkaRecord('bookings', 0, 1, bookingValue({ seq: 1 })), kafkaRecord('bookings', 0, 2, 'not json')];
  const run = await withEnv(PARTIAL_OFF, () => captureStdout(() => handler(kafkaEvent(records))));
  assert.instance(run.error, Error);
  assert.is((run.error as Error).name, 'BatchFailedError');
  assert.match((run.error as Error).message, '1 of 2 records failed');
  assert.match((run.error as Error).message, 'bookings-0@2');
  const [line] = logLines(run.lines, 'batch processed');
  assert.equal(
    line.processed.map((p: any) => p.seq),
    [1],
  );
  assert.is(line.failed.length, 1);

  const clean = await withEnv(PARTIAL_OFF, () => captureStdout(() => handler(kafkaEvent([records[0]]))));
  assert.is(clean.error, undefined);
  assert.equal(clean.result, { batchItemFailures: [] });
});

test('an oversized batch (many records, several partitions) is accounted exactly, in one log line', async () => {
  const records = Array.from({ length: 6000 }, (_, i) =>
    kafkaRecord('bookings', i % 6, Math.floor(i / 6), bookingValue({ seq: i, poison: i % 100 === 0, bookingId: `BK-${i % 700}`, eventBytes: 300 })),
  );
  const run = await withEnv({ ...PARTIAL_ON, PROCESSING_MODE: 'parallel-by-key' }, () => captureStdout(() => handler(kafkaEvent(records))));
  assert.is(run.error, undefined);
  const response = run.result as { batchItemFailures: Array<{ itemIdentifier: { partition: string; offset: number } }> };
  assert.is(response.batchItemFailures.length, 60);
  const lines = logLines(run.lines, 'batch processed');
  assert.is(lines.length, 1);
  assert.is(lines[0].processed.length, 5940);
  assert.is(lines[0].failed.length, 60);
  const seen = new Set([...lines[0].processed, ...lines[0].failed].map((e: any) => e.seq));
  assert.is(seen.size, 6000);
  assert.equal(metricValues(run.lines, 'BatchSize'), [6000]);
  assert.is(metricValues(run.lines, 'EndToEndDuration').length, 5940);
  assert.is(
    metricValues(run.lines, 'EventsProcessed').reduce((a, b) => a + b, 0),
    5940,
  );
});

test('self-managed Kafka payloads are accepted; a LAB_ID adds the Lab dimension', async () => {
  const event = kafkaEvent([kafkaRecord('bookings', 0, 1, bookingValue({ seq: 1 }))], 'SelfManagedKafka');
  const run = await withEnv({ ...PARTIAL_ON, LAB_ID: '02-low-latency' }, () => captureStdout(() => handler(event)));
  assert.is(run.error, undefined);
  const doc = emfDocuments(run.lines)[0];
  assert.equal(doc._aws.CloudWatchMetrics[0].Dimensions, [['service', 'Lab']]);
  assert.is(doc.Lab, '02-low-latency');
  assert.is(logLines(run.lines, 'batch processed')[0].lab, '02-low-latency');
});

test('misconfiguration and non-Kafka payloads fail loudly with the fix', async () => {
  const event = kafkaEvent([kafkaRecord('bookings', 0, 1, bookingValue({ seq: 1 }))]);
  const bad = await withEnv({ ...PARTIAL_ON, PROCESSING_MODE: 'parallel' }, () => captureStdout(() => handler(event)));
  assert.match((bad.error as Error).message, 'use one of sequential, parallel-by-key');
  const notKafka = await withEnv(PARTIAL_ON, () => captureStdout(() => handler({ Records: [] })));
  assert.match((notKafka.error as Error).message, 'Not a Kafka event');
});

test("the line it writes reads back through readBatchReport, the one reader of the handlers' contract", async () => {
  const now = Date.now();
  const records = [kafkaRecord('bookings', 0, 7, bookingValue({ seq: 7, intendedAt: now - 50 }), 'BK-7'), kafkaRecord('bookings', 1, 8, 'not json', 'BK-8')];
  const run = await withEnv(PARTIAL_ON, () => captureStdout(() => handler(kafkaEvent(records))));
  const reports = jsonLines(run.lines)
    .map(readBatchReport)
    .filter((r) => r !== undefined);
  assert.is(reports.length, 1, 'exactly one line is a batch report; EMF documents are not');
  assert.is(reports[0]!.batchSize, 2);
  assert.equal(
    reports[0]!.processed.map((p) => p.seq),
    [7],
  );
  assert.equal(
    reports[0]!.failed.map((f) => f.offset),
    [8],
  );
  assert.is(readBatchReport({ message: 'batch processed', batchSize: 1 }), undefined, 'a line without its lists is not a report');
  assert.equal(
    readBatchReport({ message: 'batch processed', batchSize: 1, processed: [{ runId: 'r', seq: 1 }], failed: [] })?.processed,
    [],
    'an entry without endToEndMs is left out',
  );
});

test.run();

test('EventRecordFormat SOURCE: Powertools decodes the Avro bodies with the booking schema; a body that is not a booking fails alone', async () => {
  const now = Date.now();
  const body = (seq: number) => frameBooking(JSON.parse(bookingValue({ seq, intendedAt: now - 500 })) as Booking, 3).subarray(5);
  const records = [0, 1].map((seq) => ({
    ...kafkaRecord('bookings', 0, 200 + seq, body(seq), `BK-${seq}`),
    valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: '3' },
  }));
  const garbage = { ...kafkaRecord('bookings', 0, 202, Buffer.from([0xff, 0xff, 0xff]), 'BK-2'), valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: '3' } };
  const run = await withEnv({ ...PARTIAL_ON, EVENT_RECORD_FORMAT: 'SOURCE' }, () => captureStdout(() => handler(kafkaEvent([...records, garbage]))));
  assert.is(run.error, undefined);
  assert.equal(run.result, { batchItemFailures: [{ itemIdentifier: { partition: 'bookings-0', offset: 202 } }] });
  const [line] = logLines(run.lines, 'batch processed');
  assert.equal(
    line.processed.map((p: any) => p.seq),
    [0, 1],
  );
  assert.match(line.failed[0].reason, 'does not deserialize with the booking schema');
});
