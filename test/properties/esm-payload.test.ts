// Property of the sandbox Kafka ESM's batching (sandbox/kafka-esm/batch-accumulator.ts): a batch
// that could be split never serializes (toKafkaEvent, the real invoke payload) to more than the
// payload limit, and every record comes out once, in order per partition. The limit is scaled
// down (4 KB..200 KB instead of 6 MB) so 1,000 runs stay fast; the size estimate is additive per
// record, so what holds at this scale holds at 6,291,456 bytes (bad-input-table.test.ts checks the
// real limit).
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BatchAccumulator } from '../../sandbox/kafka-esm/batch-accumulator.ts';
import { type KafkaEventSource, kafkaEventBytes, payloadBytes, toKafkaEvent } from '../../sandbox/kafka-esm/msk-event.ts';
import { type PolledRecord, partitionKey } from '../../sandbox/kafka-esm/polled-record.ts';
import { anyString, BIG, REPLAY } from './support.ts';

const SOURCE: KafkaEventSource = {
  kind: 'msk',
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/workshop/abcdef12-3456-7890-abcd-ef1234567890-1',
  bootstrapServers: 'b-1.workshop.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.workshop.abc123.c2.kafka.eu-west-1.amazonaws.com:9098',
};

const header = fc.dictionary(
  anyString(12),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
  { maxKeys: 2 },
);

const recordsFor = (limit: number) =>
  fc.array(
    fc.record({
      partition: fc.integer({ min: 0, max: 2399 }),
      key: fc.option(
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
        { nil: null },
      ),
      valueBytes: fc.option(fc.oneof(fc.nat(200), fc.integer({ min: 0, max: Math.floor(limit * 0.8) })), { nil: null }),
      headers: fc.array(header, { maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 40 },
  );

test('every batch of two or more records serializes within the payload limit; records come out once, in order', () => {
  const cases = fc.integer({ min: 4096, max: 200_000 }).chain((limit) => fc.tuple(fc.constant(limit), fc.integer({ min: 1, max: 50 }), recordsFor(limit)));
  fc.assert(
    fc.property(cases, ([limit, batchSize, specs]) => {
      const offsets = new Map<number, number>();
      const records: PolledRecord[] = specs.map((s) => {
        const offset = (offsets.get(s.partition) ?? 2 ** 53 - 1000) + 1;
        offsets.set(s.partition, offset);
        return {
          topic: 'bookings',
          partition: s.partition,
          offset,
          timestamp: 1_700_000_000_000,
          timestampType: 'CREATE_TIME',
          key: s.key,
          value: s.valueBytes === null ? null : BIG.subarray(0, s.valueBytes),
          headers: s.headers,
          polledAt: 0,
        };
      });
      const acc = new BatchAccumulator({ batchSize, windowMs: 0, maxPayloadBytes: limit });
      acc.push(records);
      const seen: PolledRecord[] = [];
      for (let batch = acc.takeBatch(0); batch; batch = acc.takeBatch(0)) {
        assert.ok(batch.records.length >= 1 && batch.records.length <= batchSize);
        const actual = Buffer.byteLength(JSON.stringify(toKafkaEvent(batch.records, SOURCE)), 'utf8');
        assert.ok(batch.payloadBytes >= actual, `counted ${batch.payloadBytes} bytes for a payload of ${actual}`);
        if (batch.records.length >= 2) {
          assert.ok(
            actual <= limit,
            `${batch.records.length} records serialize to ${actual} bytes, over the ${limit}-byte limit (estimated ${batch.payloadBytes})`,
          );
        } else if (actual > limit) {
          // Only a record that is too large on its own may exceed the limit (see the report).
          assert.ok(payloadBytes(batch.records[0]) + 512 > limit, `one record of ${actual} bytes was estimated to fit`);
        }
        seen.push(...batch.records);
        acc.release(batch.partitions);
      }
      assert.is(acc.waiting(), 0);
      assert.is(seen.length, records.length);
      for (const key of new Set(records.map(partitionKey))) {
        const order = seen.filter((r) => partitionKey(r) === key).map((r) => r.offset);
        assert.equal(
          order,
          [...order].sort((a, b) => a - b),
          `partition ${key} out of order`,
        );
      }
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

test("the invoke payload built from each record's cached text is exactly the event serialized whole", () => {
  const sources: KafkaEventSource[] = [SOURCE, { kind: 'self-managed', bootstrapServers: '127.0.0.1:9092' }];
  fc.assert(
    fc.property(recordsFor(4096), fc.constantFrom(...sources), fc.string({ maxLength: 8 }), (specs, source, topic) => {
      const records: PolledRecord[] = specs.map((s, i) => ({
        topic: topic || 'bookings',
        partition: s.partition % 5,
        offset: i,
        timestamp: 1_700_000_000_000 + i,
        timestampType: i % 2 ? 'LOG_APPEND_TIME' : 'CREATE_TIME',
        key: s.key,
        value: s.valueBytes === null ? null : BIG.subarray(0, s.valueBytes),
        headers: s.headers,
        polledAt: 0,
      }));
      // Twice: the second time every record's text comes from the cache.
      for (let i = 0; i < 2; i++) {
        const bytes = kafkaEventBytes(records, source);
        assert.is(bytes.toString('utf8'), JSON.stringify(toKafkaEvent(records, source)));
        assert.is(bytes.byteOffset, 0, 'a buffer of its own, so it can be transferred');
        assert.is(bytes.buffer.byteLength, bytes.length);
      }
    }),
    { ...REPLAY, numRuns: 300 },
  );
});

test.run();
