// The producer's Avro on AWS, in AWS Glue Schema Registry's wire format: byte 0 the header version
// 3, byte 1 the compression 0 (none), bytes 2-17 the schema version's UUID, then the Avro body
// (awslabs/aws-glue-schema-registry SerializationDataEncoder.java, AWSSchemaRegistryConstants.java).
// Our frames are byte for byte what @meinestadt.de/glue-schema-registry encodes uncompressed and
// decode with it; the version id is looked up with exactly one RegisterSchemaVersion of the one
// booking definition; a poison event carries a version id Glue does not have. Against moto's Glue
// (its schema registry APIs) the whole path runs for real; it skips off CI without moto.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRegistryCommand, CreateSchemaCommand, GetSchemaVersionCommand, GlueClient, RegisterSchemaVersionCommand } from '@aws-sdk/client-glue';
import { ERROR, GlueSchemaRegistry } from '@meinestadt.de/glue-schema-registry';
import avro from 'avsc';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toAvroKafkaMessage } from '../../handlers/producer.ts';
import { valueSubject } from '../../handlers/shared/avro-booking.ts';
import type { Booking } from '../../handlers/shared/booking.ts';
import { BOOKING_AVRO_SCHEMA, BOOKING_SCHEMA_DEFINITION } from '../../handlers/shared/booking-schema.ts';
import { bookingSchemaVersionId, glueFrameBooking } from '../../handlers/shared/glue-booking.ts';
import { GLUE_HEADER_VERSION, GLUE_NO_COMPRESSION, glueFrame, readGlueFrame, UNKNOWN_SCHEMA_VERSION_ID } from '../../handlers/shared/glue-wire-format.ts';
import type { ScheduledEvent } from '../../handlers/shared/schedule.ts';
import { findMoto, needsMoto, startMoto } from '../support/deploy-rehearsal.ts';

const VERSION_ID = '5b1f3c2e-8d4a-4f6b-9c0e-7a2d1e3f4b5c';
const bookingType = avro.Type.forSchema(BOOKING_AVRO_SCHEMA as avro.Schema);
const event: ScheduledEvent = {
  seq: 7,
  intendedAt: 1_767_225_600_000,
  bookingId: 'bk-7',
  flight: 'LH123',
  status: 'CONFIRMED',
  poison: false,
} as ScheduledEvent;
const poison: ScheduledEvent = { ...event, seq: 8, poison: true };
const bookingOf = (value: Buffer): Booking => bookingType.fromBuffer(value.subarray(18)) as Booking;

test('the frame: header version 3, compression 0, the 16 bytes of the version UUID, then the body', () => {
  const body = Buffer.from([1, 2, 3]);
  const framed = glueFrame(VERSION_ID, body);
  assert.is(framed.length, 18 + 3);
  assert.is(framed[0], 3);
  assert.is(framed[1], 0);
  assert.is(GLUE_HEADER_VERSION, 3);
  assert.is(GLUE_NO_COMPRESSION, 0);
  assert.is(framed.subarray(2, 18).toString('hex'), VERSION_ID.replaceAll('-', ''));
  assert.equal([...framed.subarray(18)], [1, 2, 3]);
  assert.equal(readGlueFrame(framed), { schemaVersionId: VERSION_ID, body });
  assert.is(readGlueFrame(Buffer.from([0, 0, 0, 0, 1, 9])), undefined, "Confluent's frame is not Glue's");
  assert.throws(() => glueFrame('42', body), /not a Glue schema version id/);
});

test('an Avro booking on AWS is Glue-framed under the looked-up version; a poison event under the nil UUID, which Glue never hands out', () => {
  const good = toAvroKafkaMessage('run-1', event, 256, { registry: 'glue', schemaVersionId: VERSION_ID });
  assert.is(readGlueFrame(good.value)!.schemaVersionId, VERSION_ID);
  assert.equal(
    { seq: bookingOf(good.value).seq, bookingId: bookingOf(good.value).bookingId, status: bookingOf(good.value).status },
    { seq: 7, bookingId: 'bk-7', status: 'CONFIRMED' },
  );
  assert.equal(good.headers, { runId: 'run-1', seq: '7' });
  const bad = toAvroKafkaMessage('run-1', poison, 256, { registry: 'glue', schemaVersionId: VERSION_ID });
  assert.is(readGlueFrame(bad.value)!.schemaVersionId, UNKNOWN_SCHEMA_VERSION_ID);
  assert.is(UNKNOWN_SCHEMA_VERSION_ID, '00000000-0000-0000-0000-000000000000');
  const confluent = toAvroKafkaMessage('run-1', event, 256, { registry: 'confluent', schemaId: 3 });
  assert.equal([...confluent.value.subarray(0, 5)], [0, 0, 0, 0, 3], 'the sandbox keeps Confluent framing');
});

test('the version id is one RegisterSchemaVersion of the booking definition under the topic value subject; our frame is what the serializer encodes and decodes', async () => {
  const glue = mockClient(GlueClient);
  try {
    glue.on(RegisterSchemaVersionCommand).resolves({ SchemaVersionId: VERSION_ID, Status: 'AVAILABLE', VersionNumber: 1 });
    glue
      .on(GetSchemaVersionCommand, { SchemaVersionId: VERSION_ID })
      .resolves({ SchemaVersionId: VERSION_ID, SchemaDefinition: BOOKING_SCHEMA_DEFINITION, Status: 'AVAILABLE' });
    assert.is(await bookingSchemaVersionId('klw-booking-schemas', 'bookings'), VERSION_ID);
    const calls = glue.commandCalls(RegisterSchemaVersionCommand);
    assert.is(calls.length, 1);
    assert.equal(calls[0].args[0].input, {
      SchemaDefinition: BOOKING_SCHEMA_DEFINITION,
      SchemaId: { RegistryName: 'klw-booking-schemas', SchemaName: valueSubject('bookings') },
    });

    const booking = bookingOf(toAvroKafkaMessage('run-1', event, 256, { registry: 'glue', schemaVersionId: VERSION_ID }).value);
    const serializer = new GlueSchemaRegistry('klw-booking-schemas', {});
    const encoded = await serializer.encode(VERSION_ID, booking, { compress: false });
    assert.equal(glueFrameBooking(booking, VERSION_ID), encoded);
    assert.equal(await serializer.decode(glueFrameBooking(booking, VERSION_ID), bookingType), booking);

    glue
      .on(GetSchemaVersionCommand, { SchemaVersionId: UNKNOWN_SCHEMA_VERSION_ID })
      .rejects(Object.assign(new Error('Schema version is not found.'), { name: 'EntityNotFoundException' }));
    const analysis = await serializer.analyzeMessage(glueFrameBooking(booking, UNKNOWN_SCHEMA_VERSION_ID));
    assert.equal({ valid: analysis.valid, error: analysis.error }, { valid: false, error: ERROR.INVALID_SCHEMA });
  } finally {
    glue.restore();
  }
});

const motoTools = findMoto();
if (needsMoto(test, motoTools)) {
  test("against moto's Glue: the schema the stack creates gives the producer its version, frames decode under it, and the poison version is not found", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klw-glue-moto-'));
    const moto = await startMoto(motoTools, dir);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'eu-west-1' });
    const glue = new GlueClient({ endpoint: moto.endpoint });
    try {
      // What the lab stack's aws_glue_registry and aws_glue_schema create.
      await glue.send(new CreateRegistryCommand({ RegistryName: 'klw-booking-schemas' }));
      const created = await glue.send(
        new CreateSchemaCommand({
          RegistryId: { RegistryName: 'klw-booking-schemas' },
          SchemaName: valueSubject('bookings'),
          DataFormat: 'AVRO',
          Compatibility: 'BACKWARD',
          SchemaDefinition: BOOKING_SCHEMA_DEFINITION,
        }),
      );
      const versionId = await bookingSchemaVersionId('klw-booking-schemas', 'bookings', moto.endpoint);
      assert.is(versionId, created.SchemaVersionId, 'the producer writes under the version the stack created, not a new one');

      const value = toAvroKafkaMessage('run-1', event, 256, { registry: 'glue', schemaVersionId: versionId }).value;
      const reader = new GlueSchemaRegistry('klw-booking-schemas', { endpoint: moto.endpoint });
      assert.is((await reader.decode<Booking>(value, bookingType)).bookingId, 'bk-7');
      const poisoned = toAvroKafkaMessage('run-1', poison, 256, { registry: 'glue', schemaVersionId: versionId }).value;
      await glue.send(new GetSchemaVersionCommand({ SchemaVersionId: readGlueFrame(poisoned)!.schemaVersionId })).then(
        () => assert.unreachable('moto found the nil UUID'),
        (error: Error) => assert.is(error.name, 'EntityNotFoundException'),
      );
    } finally {
      glue.destroy();
      process.env = saved;
      await moto.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
