// Lab 5's schema evolution step against Glue, whose answers only AWS gives (aws-sdk-client-mock
// stands in for them): version 2 registered and waited on until AVAILABLE, and a version with a
// new required field refused, either as an error or as a version whose status ends FAILURE
// (glue/latest/webapi/API_RegisterSchemaVersion.html: "Returns an error if new version of schema
// does not meet the compatibility requirements"; the call may run on while compatibility is checked).
import { GetSchemaVersionCommand, GlueClient, InvalidInputException, RegisterSchemaVersionCommand, ThrottlingException } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeBooking } from '../../handlers/shared/avro-booking.ts';
import type { Booking } from '../../handlers/shared/booking.ts';
import { BOOKING_AVRO_SCHEMA_REQUIRED_FIELD, BOOKING_AVRO_SCHEMA_V2 } from '../../handlers/shared/booking-schema.ts';
import { evolveGlueBookingSchema, GLUE_VERSION_CHECK, glueFrameBooking } from '../../handlers/shared/glue-booking.ts';
import { readGlueFrame } from '../../handlers/shared/glue-wire-format.ts';

const V2 = '11111111-2222-4333-8444-555555555555';
const V3 = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const noWait = async () => {};

function glueWith(v3: 'FAILURE' | 'AVAILABLE' | Error, v2Statuses: string[] = ['AVAILABLE']) {
  const glue = mockClient(GlueClient);
  glue
    .on(RegisterSchemaVersionCommand, { SchemaDefinition: JSON.stringify(BOOKING_AVRO_SCHEMA_V2) })
    .resolves({ SchemaVersionId: V2, VersionNumber: 2, Status: v2Statuses[0] as 'AVAILABLE' });
  const incompatible = glue.on(RegisterSchemaVersionCommand, { SchemaDefinition: JSON.stringify(BOOKING_AVRO_SCHEMA_REQUIRED_FIELD) });
  if (v3 instanceof Error) incompatible.rejects(v3);
  else incompatible.resolves({ SchemaVersionId: V3, VersionNumber: 3, Status: 'PENDING' });
  const v2Checks = glue.on(GetSchemaVersionCommand, { SchemaVersionId: V2 });
  for (const status of v2Statuses.slice(1)) v2Checks.resolvesOnce({ Status: status as 'AVAILABLE' });
  glue
    .on(GetSchemaVersionCommand, { SchemaVersionId: V3 })
    .resolvesOnce({ Status: 'PENDING' })
    .resolves({ Status: v3 instanceof Error ? 'AVAILABLE' : v3 });
  return glue;
}

test("version 2 registered under the topic's value schema; an incompatible version that ends FAILURE is refused", async () => {
  const glue = glueWith('FAILURE');
  const evolution = await evolveGlueBookingSchema('participant-booking-schemas', 'bookings', { client: glue as unknown as GlueClient, sleep: noWait });
  assert.is(evolution.version2SchemaId, V2);
  assert.equal(evolution.incompatibleChange, { refused: true, answer: 'Glue registered it with status FAILURE (version 3)' });
  const registered = glue.commandCalls(RegisterSchemaVersionCommand).map((c) => c.args[0].input);
  assert.equal(
    registered.map((input) => input.SchemaId),
    [
      { RegistryName: 'participant-booking-schemas', SchemaName: 'bookings-value' },
      { RegistryName: 'participant-booking-schemas', SchemaName: 'bookings-value' },
    ],
  );
  assert.is(glue.commandCalls(GetSchemaVersionCommand, { SchemaVersionId: V3 }).length, 2, 'asked until the check ended');
});

test('an incompatible version refused with an error is refused; any other error is not a refusal', async () => {
  const refusing = glueWith(new InvalidInputException({ message: 'Schema is not compatible: seat has no default', $metadata: {} }));
  const evolution = await evolveGlueBookingSchema('r', 'bookings', { client: refusing as unknown as GlueClient, sleep: noWait });
  assert.equal(evolution.incompatibleChange, { refused: true, answer: 'InvalidInputException: Schema is not compatible: seat has no default' });
  const throttled = glueWith(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
  try {
    await evolveGlueBookingSchema('r', 'bookings', { client: throttled as unknown as GlueClient, sleep: noWait });
    assert.unreachable('a throttle is an error, not a refusal');
  } catch (error) {
    assert.is((error as Error).name, 'ThrottlingException');
  }
});

test('a registry that accepts the incompatible version is reported as accepting it', async () => {
  const evolution = await evolveGlueBookingSchema('r', 'bookings', { client: glueWith('AVAILABLE') as unknown as GlueClient, sleep: noWait });
  assert.equal(evolution.incompatibleChange, { refused: false, answer: 'Glue registered it as version 3, status AVAILABLE' });
});

test('version 2 waited on while PENDING; one that never becomes AVAILABLE is an error naming it', async () => {
  const pendingThenAvailable = glueWith('FAILURE', ['PENDING', 'PENDING', 'AVAILABLE']);
  const evolution = await evolveGlueBookingSchema('r', 'bookings', { client: pendingThenAvailable as unknown as GlueClient, sleep: noWait });
  assert.is(evolution.version2SchemaId, V2);
  const stuck = glueWith('FAILURE', ['PENDING', ...Array(GLUE_VERSION_CHECK.timeoutMs / GLUE_VERSION_CHECK.everyMs + 5).fill('PENDING')]);
  try {
    await evolveGlueBookingSchema('r', 'bookings', { client: stuck as unknown as GlueClient, sleep: noWait });
    assert.unreachable('a version left PENDING');
  } catch (error) {
    assert.match((error as Error).message, 'Glue left version 2 of the booking schema PENDING, not AVAILABLE');
  }
});

test("version 2's frame carries the booking and its fare class", () => {
  const booking: Booking = { runId: 'r', seq: 4, intendedAt: 1, bookingId: 'bk-4', flight: 'LH1', status: 'CONFIRMED', padding: '' };
  const framed = readGlueFrame(glueFrameBooking(booking, V2, 2))!;
  assert.is(framed.schemaVersionId, V2);
  assert.equal(framed.body, encodeBooking(booking, 2));
  assert.not.equal(framed.body, encodeBooking(booking, 1));
});

test.run();
