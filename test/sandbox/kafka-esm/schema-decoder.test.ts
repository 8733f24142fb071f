// The mapping's schema validation, rule by rule (services-consume-kafka-events.html): JSON hands
// the function the decoded record, SOURCE the body without its header; a schema the registry does
// not have is SCHEMA_NOT_FOUND, bytes that do not deserialize DESERIALIZATION_ERROR. The registry
// is a lookup here; test/faults/schema-registry.test.ts runs the mapping against the real one.
import avro from 'avsc';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { frameBooking, UNKNOWN_SCHEMA_ID, withSchemaId } from '../../../handlers/shared/avro-booking.ts';
import type { Booking } from '../../../handlers/shared/booking.ts';
import { BOOKING_AVRO_SCHEMA } from '../../../handlers/shared/booking-schema.ts';
import { SchemaDecoder, type SchemaLookup } from '../../../sandbox/kafka-esm/schema-decoder.ts';
import { record } from './records.ts';

const booking: Booking = { runId: 'r', seq: 7, intendedAt: 1_700_000_000_000, bookingId: 'b-7', flight: 'LH123', status: 'CONFIRMED', padding: 'xx' };
const SCHEMA_ID = 3;

function registry(): SchemaLookup & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    async schemaById(id) {
      asked.push(id);
      return id === SCHEMA_ID ? JSON.stringify(BOOKING_AVRO_SCHEMA) : undefined;
    },
  };
}

const avroRecord = (value: Buffer | null) => ({ ...record(0, 1), value });

test('JSON: the function gets the decoded record as JSON text, with valueSchemaMetadata', async () => {
  const decoder = new SchemaDecoder({ eventRecordFormat: 'JSON', validate: ['VALUE'] }, registry());
  const result = await decoder.decode(avroRecord(frameBooking(booking, SCHEMA_ID)));
  assert.ok('record' in result);
  assert.equal(JSON.parse(result.record.value!.toString()), booking);
  assert.equal(result.record.valueSchemaMetadata, { dataFormat: 'AVRO', schemaId: String(SCHEMA_ID) });
  assert.is(result.record.filterValue, undefined, 'filters match the value itself');
  assert.is(result.record.keySchemaMetadata, undefined, 'the key was not validated');
});

test('SOURCE: the Avro body without its header; filters still see the decoded fields', async () => {
  const framed = frameBooking(booking, SCHEMA_ID);
  const decoder = new SchemaDecoder({ eventRecordFormat: 'SOURCE', validate: ['VALUE'] }, registry());
  const result = await decoder.decode(avroRecord(framed));
  assert.ok('record' in result);
  assert.equal(result.record.value, framed.subarray(5), '"Lambda removes all schema metadata, such as the schema ID"');
  assert.equal({ ...(avro.Type.forSchema(BOOKING_AVRO_SCHEMA as avro.Schema).fromBuffer(result.record.value!) as Booking) }, booking);
  assert.equal(JSON.parse(result.record.filterValue!.toString()).status, 'CONFIRMED');
});

test('a schema id the registry does not have: SCHEMA_NOT_FOUND', async () => {
  const decoder = new SchemaDecoder({ eventRecordFormat: 'JSON', validate: ['VALUE'] }, registry());
  const result = await decoder.decode(avroRecord(withSchemaId(frameBooking(booking, SCHEMA_ID), UNKNOWN_SCHEMA_ID)));
  assert.ok('failure' in result);
  assert.is(result.failure.condition, 'SCHEMA_NOT_FOUND');
  assert.match(result.failure.message, String(UNKNOWN_SCHEMA_ID));
});

test('bytes without a registry header, or that do not deserialize: DESERIALIZATION_ERROR', async () => {
  const decoder = new SchemaDecoder({ eventRecordFormat: 'JSON', validate: ['VALUE'] }, registry());
  for (const value of [Buffer.from('{"status":"CONFIRMED"}'), Buffer.from([0, 0, 0]), null, frameBooking(booking, SCHEMA_ID).subarray(0, 12)]) {
    const result = await decoder.decode(avroRecord(value));
    assert.ok('failure' in result, `${value?.toString('hex')} fails`);
    assert.is(result.failure.condition, 'DESERIALIZATION_ERROR');
  }
});

test('a schema the registry holds that is not Avro: DESERIALIZATION_ERROR, not a registry outage', async () => {
  const decoder = new SchemaDecoder({ eventRecordFormat: 'JSON', validate: ['VALUE'] }, { schemaById: async () => 'syntax = "proto3"; message Booking {}' });
  const result = await decoder.decode(avroRecord(frameBooking(booking, SCHEMA_ID)));
  assert.ok('failure' in result);
  assert.is(result.failure.condition, 'DESERIALIZATION_ERROR');
  assert.match(result.failure.message, 'not an Avro schema');
});

test('KEY and VALUE: both validated; a key that is not Avro fails the record', async () => {
  const decoder = new SchemaDecoder({ eventRecordFormat: 'JSON', validate: ['KEY', 'VALUE'] }, registry());
  const plainKey = await decoder.decode(avroRecord(frameBooking(booking, SCHEMA_ID)));
  assert.ok('failure' in plainKey, 'the producer keys records with a plain booking id');
  const both = await decoder.decode({ ...avroRecord(frameBooking(booking, SCHEMA_ID)), key: frameBooking(booking, SCHEMA_ID) });
  assert.ok('record' in both);
  assert.equal(both.record.keySchemaMetadata, { dataFormat: 'AVRO', schemaId: String(SCHEMA_ID) });
});

test('a schema is fetched once per id it finds; an unknown id is asked again; a registry that cannot answer throws', async () => {
  const lookup = registry();
  const decoder = new SchemaDecoder({ eventRecordFormat: 'JSON', validate: ['VALUE'] }, lookup);
  for (let i = 0; i < 3; i++) {
    await decoder.decode(avroRecord(frameBooking(booking, SCHEMA_ID)));
    await decoder.decode(avroRecord(withSchemaId(frameBooking(booking, SCHEMA_ID), UNKNOWN_SCHEMA_ID)));
  }
  assert.equal(lookup.asked, [SCHEMA_ID, UNKNOWN_SCHEMA_ID, UNKNOWN_SCHEMA_ID, UNKNOWN_SCHEMA_ID]);
  const down = new SchemaDecoder(
    { eventRecordFormat: 'JSON', validate: ['VALUE'] },
    {
      schemaById: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    },
  );
  await down.decode(avroRecord(frameBooking(booking, SCHEMA_ID))).then(
    () => assert.unreachable('an unreachable registry is not a record failure'),
    (error: Error) => assert.match(error.message, 'ECONNREFUSED'),
  );
});

test.run();
